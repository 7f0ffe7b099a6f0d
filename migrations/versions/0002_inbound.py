"""inbound status pushes

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30

Per-agency inbound signing secrets (current and previous, for rotation overlap), the status
mapping from an agency's own status words to actions, and the inbox of inbound events.
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('inbound_secrets',
    sa.Column('agency_code', sa.String(length=64), nullable=False),
    sa.Column('secret', sa.String(length=100), nullable=False),
    sa.Column('previous_secret', sa.String(length=100), nullable=True),
    sa.Column('previous_valid_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('rotated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('(previous_secret IS NULL) = (previous_valid_until IS NULL)', name=op.f('ck_inbound_secrets_previous_pair')),
    sa.ForeignKeyConstraint(['agency_code'], ['agencies.code'], name=op.f('fk_inbound_secrets_agency_code_agencies')),
    sa.PrimaryKeyConstraint('agency_code', name=op.f('pk_inbound_secrets'))
    )
    op.create_table('inbound_status_mappings',
    sa.Column('agency_code', sa.String(length=64), nullable=False),
    sa.Column('mapping', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['agency_code'], ['agencies.code'], name=op.f('fk_inbound_status_mappings_agency_code_agencies')),
    sa.PrimaryKeyConstraint('agency_code', name=op.f('pk_inbound_status_mappings'))
    )
    op.create_table('inbound_events',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('agency_code', sa.String(length=64), nullable=False),
    sa.Column('webhook_id', sa.String(length=256), nullable=True),
    sa.Column('webhook_timestamp', sa.BigInteger(), nullable=True),
    sa.Column('event_type', sa.String(length=64), nullable=True),
    sa.Column('referral_id', sa.Uuid(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('body', sa.LargeBinary(), nullable=True),
    sa.Column('response_body', sa.LargeBinary(), nullable=True),
    sa.Column('deliveries', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('last_delivery_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("status IN ('processing', 'accepted', 'rejected')", name=op.f('ck_inbound_events_status')),
    sa.ForeignKeyConstraint(['agency_code'], ['agencies.code'], name=op.f('fk_inbound_events_agency_code_agencies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbound_events'))
    )
    # The dedupe key: one row per (agency, webhook-id); unauthenticated rows carry no id.
    op.create_index('uq_inbound_events_agency_webhook_id', 'inbound_events', ['agency_code', 'webhook_id'], unique=True, postgresql_where=sa.text('webhook_id IS NOT NULL'))
    op.create_index('ix_inbound_events_agency_received', 'inbound_events', ['agency_code', sa.literal_column('received_at DESC'), sa.literal_column('id DESC')], unique=False)
    op.create_index('ix_inbound_events_agency_status_received', 'inbound_events', ['agency_code', 'status', sa.literal_column('received_at DESC'), sa.literal_column('id DESC')], unique=False)


def downgrade() -> None:
    op.drop_table('inbound_events')
    op.drop_table('inbound_status_mappings')
    op.drop_table('inbound_secrets')
