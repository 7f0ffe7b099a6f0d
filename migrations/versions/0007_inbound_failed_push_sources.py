"""inbound: where each push came from; failed pushes kept per source and bucket

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01

Pushes that fail the signature check are no longer capped at the first 100 per agency and hour
(which anyone could fill) but kept as the latest few per source address and the latest 100 per
bucket (addresses the agency has sent verified pushes from, and all others); see inbound/inbox.py.
Rows recorded before this have no source and count with the other addresses.
"""

from alembic import op
import sqlalchemy as sa

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("inbound_events", sa.Column("source_address", sa.String(length=64), nullable=True))
    op.add_column("inbound_events", sa.Column("source_network", sa.String(length=64), nullable=True))
    op.add_column(
        "inbound_events", sa.Column("known_source", sa.Boolean(), server_default=sa.text("false"), nullable=False)
    )
    op.create_index(
        "ix_inbound_events_unsigned_by_source",
        "inbound_events",
        ["agency_code", "source_network", sa.literal_column("received_at DESC"), sa.literal_column("id DESC")],
        unique=False,
        postgresql_where=sa.text("webhook_id IS NULL"),
    )
    op.create_index(
        "ix_inbound_events_unsigned_by_bucket",
        "inbound_events",
        ["agency_code", "known_source", sa.literal_column("received_at DESC"), sa.literal_column("id DESC")],
        unique=False,
        postgresql_where=sa.text("webhook_id IS NULL"),
    )
    op.create_index(
        "ix_inbound_events_signed_sources",
        "inbound_events",
        ["agency_code", "source_network"],
        unique=False,
        postgresql_where=sa.text("webhook_id IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_inbound_events_signed_sources", table_name="inbound_events", postgresql_where=sa.text("webhook_id IS NOT NULL"))
    op.drop_index("ix_inbound_events_unsigned_by_bucket", table_name="inbound_events", postgresql_where=sa.text("webhook_id IS NULL"))
    op.drop_index("ix_inbound_events_unsigned_by_source", table_name="inbound_events", postgresql_where=sa.text("webhook_id IS NULL"))
    op.drop_column("inbound_events", "known_source")
    op.drop_column("inbound_events", "source_network")
    op.drop_column("inbound_events", "source_address")
