"""event feed, identity-read audit, retention and erasure

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01

- `reserve_event_id()`: draws a timeline event id *after* making sure the drawing transaction has
  a transaction id, so that every transaction holding an uncommitted event id shows up as "in
  progress" in any snapshot taken after the id was drawn (the feed's no-gap rule, events/feed.py).
  The events id sequence must not cache values per session (CACHE 1, asserted here).
- `event_feed`: per timeline event, the two webhook bodies (Ombudsman side, and the agency's or
  NULL) and the columns the feed's scope filters read; written by the statement that inserts the
  event. Not append-only: erasure rewrites a complaint's bodies.
- `identity_reads`: who was shown a confidential complainant's identity; append-only like events.
- `complaints.erased_at`: when the complainant's personal data was erased.
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER SEQUENCE events_id_seq CACHE 1")
    op.execute(
        """
        CREATE FUNCTION reserve_event_id() RETURNS bigint LANGUAGE plpgsql VOLATILE AS $$
        BEGIN
            -- Take the transaction's id first (a no-op if it has one): from now on any snapshot
            -- lists this transaction as in progress until it ends, and only then draw the event id.
            PERFORM pg_current_xact_id();
            RETURN nextval('events_id_seq');
        END
        $$
        """
    )
    op.create_table(
        "event_feed",
        sa.Column("event_id", sa.BigInteger(), sa.ForeignKey("events.id"), primary_key=True),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("complaint_id", sa.Uuid(), nullable=False),
        sa.Column("referral_id", sa.Uuid(), nullable=True),
        sa.Column("agency_code", sa.String(64), nullable=True),
        sa.Column("region_code", sa.String(20), nullable=False),
        sa.Column("agency_region_code", sa.String(20), nullable=True),
        sa.Column("full_body", sa.LargeBinary(), nullable=False),
        sa.Column("agency_body", sa.LargeBinary(), nullable=True),
    )
    op.create_index("ix_event_feed_referral", "event_feed", ["referral_id", "event_id"])
    op.create_index("ix_event_feed_complaint", "event_feed", ["complaint_id", "event_id"])
    op.create_index(
        "ix_event_feed_agency", "event_feed", ["agency_code", "event_id"], postgresql_where=sa.text("agency_body IS NOT NULL")
    )

    op.create_table(
        "identity_reads",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("read_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("key_id", sa.Uuid(), nullable=True),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("complaint_id", sa.Uuid(), nullable=False),
        sa.Column("route", sa.String(200), nullable=False),
        sa.Column("method", sa.String(10), nullable=False),
        sa.Column("access_reason", sa.String(500), nullable=True),
        sa.Column("request_id", sa.String(128), nullable=True),
    )
    op.create_index("ix_identity_reads_complaint", "identity_reads", ["complaint_id", "id"])
    op.create_index("ix_identity_reads_key", "identity_reads", ["key_id", "id"])
    op.create_index("ix_identity_reads_read_at", "identity_reads", ["read_at", "id"])
    op.execute(
        "CREATE TRIGGER identity_reads_append_only BEFORE UPDATE OR DELETE ON identity_reads "
        "FOR EACH ROW EXECUTE FUNCTION events_refuse_change()"
    )
    op.execute(
        "CREATE TRIGGER identity_reads_no_truncate BEFORE TRUNCATE ON identity_reads "
        "FOR EACH STATEMENT EXECUTE FUNCTION events_refuse_change()"
    )

    op.add_column("complaints", sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("complaints", "erased_at")
    op.execute("DROP TRIGGER identity_reads_no_truncate ON identity_reads")
    op.execute("DROP TRIGGER identity_reads_append_only ON identity_reads")
    op.drop_table("identity_reads")
    op.drop_table("event_feed")
    op.execute("DROP FUNCTION reserve_event_id()")
