"""webhook deliveries: the per-resource order index also orders by due time

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01

The outbox schedules a new delivery no earlier than the latest pending delivery of the same
resource to the same endpoint (`max(next_attempt_at)` over endpoint and ordering key). With
`next_attempt_at` after the two equality columns that maximum is the last entry of one short index
range, whatever the planner's statistics say; before, a growing backlog with stale statistics could
make it scan every pending delivery of the endpoint. The claim's "is an earlier delivery of this
resource still pending?" check reads the same short range.
"""

from alembic import op
import sqlalchemy as sa

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_PENDING = sa.text("status = 'pending'")


def upgrade() -> None:
    op.drop_index("ix_webhook_deliveries_pending_order", table_name="webhook_deliveries", postgresql_where=_PENDING)
    op.create_index(
        "ix_webhook_deliveries_pending_order",
        "webhook_deliveries",
        ["endpoint_id", "ordering_key", "next_attempt_at", "id"],
        postgresql_where=_PENDING,
    )


def downgrade() -> None:
    op.drop_index("ix_webhook_deliveries_pending_order", table_name="webhook_deliveries", postgresql_where=_PENDING)
    op.create_index(
        "ix_webhook_deliveries_pending_order",
        "webhook_deliveries",
        ["endpoint_id", "ordering_key", "id"],
        postgresql_where=_PENDING,
    )
