"""webhook fixes: claim due work per enabled endpoint

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01

The claim now starts from the enabled endpoints and reads each one's due deliveries, so a
disabled endpoint's backlog is never scanned: the global due index gives way to one per endpoint.
"""

from alembic import op
import sqlalchemy as sa

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_webhook_deliveries_endpoint_due",
        "webhook_deliveries",
        ["endpoint_id", "next_attempt_at", "id"],
        unique=False,
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.drop_index("ix_webhook_deliveries_due", table_name="webhook_deliveries", postgresql_where=sa.text("status = 'pending'"))


def downgrade() -> None:
    op.create_index(
        "ix_webhook_deliveries_due", "webhook_deliveries", ["next_attempt_at", "id"], unique=False,
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.drop_index(
        "ix_webhook_deliveries_endpoint_due", table_name="webhook_deliveries", postgresql_where=sa.text("status = 'pending'")
    )
