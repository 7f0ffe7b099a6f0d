"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-27

Agencies, API keys, complaints, idempotency keys, referrals and the append-only timeline.
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('agencies',
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('region_code', sa.String(length=20), nullable=False),
    sa.Column('parent_code', sa.String(length=64), nullable=True),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('default_due_working_days', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("kind IN ('inspektorat_provinsi', 'inspektorat_kabupaten', 'inspektorat_kota', 'opd')", name=op.f('ck_agencies_kind')),
    sa.CheckConstraint('default_due_working_days IS NULL OR default_due_working_days BETWEEN 1 AND 365', name=op.f('ck_agencies_due_days')),
    sa.ForeignKeyConstraint(['parent_code'], ['agencies.code'], name=op.f('fk_agencies_parent_code_agencies')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_agencies'))
    )
    op.create_index(op.f('ix_agencies_kind'), 'agencies', ['kind'], unique=False)
    op.create_index(op.f('ix_agencies_region_code'), 'agencies', ['region_code'], unique=False)
    op.create_table('complaints',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('reference', sa.String(length=40), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('complainant', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('identity_confidential', sa.Boolean(), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('reported_party', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('region_code', sa.String(length=20), nullable=False),
    sa.Column('incident_date', sa.Date(), nullable=True),
    sa.Column('external_refs', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'[]'::jsonb"), nullable=False),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('event_seq', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('created_by_key_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('search_vector', postgresql.TSVECTOR(), sa.Computed("to_tsvector('simple', coalesce(subject, '') || ' ' || coalesce(description, ''))", persisted=True), nullable=False),
    sa.CheckConstraint('version >= 1', name=op.f('ck_complaints_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaints')),
    sa.UniqueConstraint('reference', name=op.f('uq_complaints_reference'))
    )
    op.create_index('ix_complaints_category_created', 'complaints', ['category', sa.literal_column('created_at DESC')], unique=False)
    op.create_index('ix_complaints_channel_created', 'complaints', ['channel', sa.literal_column('created_at DESC')], unique=False)
    op.create_index('ix_complaints_created_at_id', 'complaints', [sa.literal_column('created_at DESC'), sa.literal_column('id DESC')], unique=False)
    op.create_index('ix_complaints_received_at', 'complaints', ['received_at'], unique=False)
    op.create_index('ix_complaints_region_code_pattern', 'complaints', ['region_code'], unique=False, postgresql_ops={'region_code': 'text_pattern_ops'})
    op.create_index('ix_complaints_search', 'complaints', ['search_vector'], unique=False, postgresql_using='gin')
    op.create_table('idempotency_keys',
    sa.Column('principal_id', sa.Uuid(), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('request_hash', sa.LargeBinary(length=32), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=False),
    sa.Column('body', sa.LargeBinary(), nullable=False),
    sa.Column('headers', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('principal_id', 'key', name=op.f('pk_idempotency_keys'))
    )
    op.create_index(op.f('ix_idempotency_keys_expires_at'), 'idempotency_keys', ['expires_at'], unique=False)
    op.create_table('api_keys',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('agency_code', sa.String(length=64), nullable=True),
    sa.Column('region_code', sa.String(length=20), nullable=True),
    sa.Column('key_prefix', sa.String(length=16), nullable=False),
    sa.Column('key_hash', sa.LargeBinary(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("(role = 'agency') = (agency_code IS NOT NULL)", name=op.f('ck_api_keys_agency_binding')),
    sa.CheckConstraint("region_code IS NULL OR role = 'ombudsman'", name=op.f('ck_api_keys_region_only_ombudsman')),
    sa.CheckConstraint("role IN ('admin', 'ombudsman', 'agency')", name=op.f('ck_api_keys_role')),
    sa.ForeignKeyConstraint(['agency_code'], ['agencies.code'], name=op.f('fk_api_keys_agency_code_agencies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_keys')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_api_keys_key_hash'))
    )
    op.create_index(op.f('ix_api_keys_agency_code'), 'api_keys', ['agency_code'], unique=False)
    op.create_table('referrals',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('complaint_id', sa.Uuid(), nullable=False),
    sa.Column('agency_code', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('instructions', sa.Text(), nullable=True),
    sa.Column('forwarded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('due_working_days', sa.Integer(), nullable=True),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('external_ref', sa.String(length=200), nullable=True),
    sa.Column('response', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('resolution', sa.String(length=30), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('follow_up_count', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('event_seq', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("state IN ('received', 'forwarded', 'responded', 'closed')", name=op.f('ck_referrals_state')),
    sa.ForeignKeyConstraint(['agency_code'], ['agencies.code'], name=op.f('fk_referrals_agency_code_agencies')),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaints.id'], name=op.f('fk_referrals_complaint_id_complaints')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referrals'))
    )
    op.create_index('ix_referrals_agency_state_created', 'referrals', ['agency_code', 'state', sa.literal_column('created_at DESC'), sa.literal_column('id DESC')], unique=False)
    op.create_index('ix_referrals_complaint_id', 'referrals', ['complaint_id'], unique=False)
    op.create_index('ix_referrals_created_at_id', 'referrals', [sa.literal_column('created_at DESC'), sa.literal_column('id DESC')], unique=False)
    op.create_index('ix_referrals_forwarded_due_at', 'referrals', ['due_at'], unique=False, postgresql_where=sa.text("state = 'forwarded'"))
    op.create_index('ix_referrals_state_created', 'referrals', ['state', sa.literal_column('created_at DESC'), sa.literal_column('id DESC')], unique=False)
    op.create_index('uq_referrals_agency_external_ref', 'referrals', ['agency_code', 'external_ref'], unique=True, postgresql_where=sa.text('external_ref IS NOT NULL'))
    op.create_table('events',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('complaint_id', sa.Uuid(), nullable=False),
    sa.Column('referral_id', sa.Uuid(), nullable=True),
    sa.Column('agency_code', sa.String(length=64), nullable=True),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=64), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('actor_key_id', sa.Uuid(), nullable=True),
    sa.Column('actor_role', sa.String(length=20), nullable=True),
    sa.Column('actor_agency_code', sa.String(length=64), nullable=True),
    sa.Column('via', sa.String(length=20), server_default=sa.text("'api'"), nullable=False),
    sa.Column('from_state', sa.String(length=20), nullable=True),
    sa.Column('to_state', sa.String(length=20), nullable=True),
    sa.Column('data', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
    sa.CheckConstraint("via IN ('api', 'inbound_webhook', 'system')", name=op.f('ck_events_via')),
    sa.CheckConstraint('sequence >= 1', name=op.f('ck_events_sequence')),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaints.id'], name=op.f('fk_events_complaint_id_complaints')),
    sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], name=op.f('fk_events_referral_id_referrals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_events'))
    )
    op.create_index('ix_events_complaint_id_id', 'events', ['complaint_id', 'id'], unique=False)
    op.create_index('uq_events_complaint_sequence', 'events', ['complaint_id', 'sequence'], unique=True, postgresql_where=sa.text('referral_id IS NULL'))
    op.create_index('uq_events_referral_sequence', 'events', ['referral_id', 'sequence'], unique=True, postgresql_where=sa.text('referral_id IS NOT NULL'))
    # Complaint references: a sequence never hands out a number twice, and takes no row lock.
    op.execute("CREATE SEQUENCE complaint_reference_seq")
    # The timeline is append-only, enforced by the database and not only by the code.
    op.execute(
        """
        CREATE FUNCTION events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'events are append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
        END
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events "
        "FOR EACH ROW EXECUTE FUNCTION events_refuse_change()"
    )
    op.execute(
        "CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events "
        "FOR EACH STATEMENT EXECUTE FUNCTION events_refuse_change()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER events_no_truncate ON events")
    op.execute("DROP TRIGGER events_append_only ON events")
    op.execute("DROP FUNCTION events_refuse_change()")
    op.execute("DROP SEQUENCE complaint_reference_seq")
    op.drop_index('uq_events_referral_sequence', table_name='events', postgresql_where=sa.text('referral_id IS NOT NULL'))
    op.drop_index('uq_events_complaint_sequence', table_name='events', postgresql_where=sa.text('referral_id IS NULL'))
    op.drop_index('ix_events_complaint_id_id', table_name='events')
    op.drop_table('events')
    op.drop_index('uq_referrals_agency_external_ref', table_name='referrals', postgresql_where=sa.text('external_ref IS NOT NULL'))
    op.drop_index('ix_referrals_state_created', table_name='referrals')
    op.drop_index('ix_referrals_forwarded_due_at', table_name='referrals', postgresql_where=sa.text("state = 'forwarded'"))
    op.drop_index('ix_referrals_created_at_id', table_name='referrals')
    op.drop_index('ix_referrals_complaint_id', table_name='referrals')
    op.drop_index('ix_referrals_agency_state_created', table_name='referrals')
    op.drop_table('referrals')
    op.drop_index(op.f('ix_api_keys_agency_code'), table_name='api_keys')
    op.drop_table('api_keys')
    op.drop_index(op.f('ix_idempotency_keys_expires_at'), table_name='idempotency_keys')
    op.drop_table('idempotency_keys')
    op.drop_index('ix_complaints_search', table_name='complaints', postgresql_using='gin')
    op.drop_index('ix_complaints_region_code_pattern', table_name='complaints', postgresql_ops={'region_code': 'text_pattern_ops'})
    op.drop_index('ix_complaints_received_at', table_name='complaints')
    op.drop_index('ix_complaints_created_at_id', table_name='complaints')
    op.drop_index('ix_complaints_channel_created', table_name='complaints')
    op.drop_index('ix_complaints_category_created', table_name='complaints')
    op.drop_table('complaints')
    op.drop_index(op.f('ix_agencies_region_code'), table_name='agencies')
    op.drop_index(op.f('ix_agencies_kind'), table_name='agencies')
    op.drop_table('agencies')
