"""outbound webhooks

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27

Subscriptions, per-audience message bodies, the delivery outbox and its attempt log.
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('webhook_endpoints',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('url', sa.String(length=2048), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=True),
    sa.Column('event_types', postgresql.ARRAY(sa.String(length=64)), server_default=sa.text("'{}'"), nullable=False),
    sa.Column('owner_role', sa.String(length=20), nullable=False),
    sa.Column('owner_agency_code', sa.String(length=64), nullable=True),
    sa.Column('owner_region_code', sa.String(length=20), nullable=True),
    sa.Column('owner_key_id', sa.Uuid(), nullable=True),
    sa.Column('secret', sa.String(length=100), nullable=False),
    sa.Column('previous_secret', sa.String(length=100), nullable=True),
    sa.Column('previous_secret_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('disabled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('disabled_reason', sa.String(length=200), nullable=True),
    sa.Column('failing_since', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("(owner_role = 'agency') = (owner_agency_code IS NOT NULL)", name=op.f('ck_webhook_endpoints_owner_agency_binding')),
    sa.CheckConstraint("owner_region_code IS NULL OR owner_role = 'ombudsman'", name=op.f('ck_webhook_endpoints_owner_region_only_ombudsman')),
    sa.CheckConstraint("owner_role IN ('admin', 'ombudsman', 'agency')", name=op.f('ck_webhook_endpoints_owner_role')),
    sa.ForeignKeyConstraint(['owner_agency_code'], ['agencies.code'], name=op.f('fk_webhook_endpoints_owner_agency_code_agencies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_endpoints'))
    )
    op.create_index('ix_webhook_endpoints_owner', 'webhook_endpoints', ['owner_role', 'owner_agency_code', 'owner_region_code'], unique=False)
    op.create_table('webhook_messages',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('event_id', sa.BigInteger(), nullable=True),
    sa.Column('type', sa.String(length=64), nullable=False),
    sa.Column('body', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_webhook_messages_event_id_events')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_messages'))
    )
    op.create_index(op.f('ix_webhook_messages_event_id'), 'webhook_messages', ['event_id'], unique=False)
    op.create_table('webhook_deliveries',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('endpoint_id', sa.Uuid(), nullable=False),
    sa.Column('message_id', sa.BigInteger(), nullable=False),
    sa.Column('ordering_key', sa.Uuid(), nullable=True),
    sa.Column('status', sa.String(length=20), server_default=sa.text("'pending'"), nullable=False),
    sa.Column('attempts', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('max_attempts', sa.Integer(), nullable=True),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('lease_token', sa.Uuid(), nullable=True),
    sa.Column('last_response_status', sa.SmallInteger(), nullable=True),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("status IN ('pending', 'delivered', 'failed')", name=op.f('ck_webhook_deliveries_status')),
    sa.ForeignKeyConstraint(['endpoint_id'], ['webhook_endpoints.id'], name=op.f('fk_webhook_deliveries_endpoint_id_webhook_endpoints'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['message_id'], ['webhook_messages.id'], name=op.f('fk_webhook_deliveries_message_id_webhook_messages')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_deliveries'))
    )
    op.create_index('ix_webhook_deliveries_due', 'webhook_deliveries', ['next_attempt_at', 'id'], unique=False, postgresql_where=sa.text("status = 'pending'"))
    op.create_index('ix_webhook_deliveries_endpoint_failed', 'webhook_deliveries', ['endpoint_id', 'created_at'], unique=False, postgresql_where=sa.text("status = 'failed'"))
    op.create_index('ix_webhook_deliveries_endpoint_id_id', 'webhook_deliveries', ['endpoint_id', sa.literal_column('id DESC')], unique=False)
    op.create_index(op.f('ix_webhook_deliveries_message_id'), 'webhook_deliveries', ['message_id'], unique=False)
    op.create_index('ix_webhook_deliveries_pending_order', 'webhook_deliveries', ['endpoint_id', 'ordering_key', 'id'], unique=False, postgresql_where=sa.text("status = 'pending'"))
    op.create_table('webhook_attempts',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('delivery_id', sa.BigInteger(), nullable=False),
    sa.Column('attempted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('duration_ms', sa.Integer(), nullable=False),
    sa.Column('response_status', sa.SmallInteger(), nullable=True),
    sa.Column('response_body', sa.Text(), nullable=True),
    sa.Column('error', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['delivery_id'], ['webhook_deliveries.id'], name=op.f('fk_webhook_attempts_delivery_id_webhook_deliveries'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_attempts'))
    )
    op.create_index('ix_webhook_attempts_delivery_id_id', 'webhook_attempts', ['delivery_id', 'id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_webhook_attempts_delivery_id_id', table_name='webhook_attempts')
    op.drop_table('webhook_attempts')
    op.drop_index('ix_webhook_deliveries_pending_order', table_name='webhook_deliveries', postgresql_where=sa.text("status = 'pending'"))
    op.drop_index(op.f('ix_webhook_deliveries_message_id'), table_name='webhook_deliveries')
    op.drop_index('ix_webhook_deliveries_endpoint_id_id', table_name='webhook_deliveries')
    op.drop_index('ix_webhook_deliveries_endpoint_failed', table_name='webhook_deliveries', postgresql_where=sa.text("status = 'failed'"))
    op.drop_index('ix_webhook_deliveries_due', table_name='webhook_deliveries', postgresql_where=sa.text("status = 'pending'"))
    op.drop_table('webhook_deliveries')
    op.drop_index(op.f('ix_webhook_messages_event_id'), table_name='webhook_messages')
    op.drop_table('webhook_messages')
    op.drop_index('ix_webhook_endpoints_owner', table_name='webhook_endpoints')
    op.drop_table('webhook_endpoints')
