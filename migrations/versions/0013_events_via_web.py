"""events.via: 'web' for actions taken on the web pages

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07

The timeline says through which channel each change came: the REST API, an agency's signed push,
the service itself, and now the web view under /ui/ (recorded as 'api' before this revision).
"""

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The new set widens the old one, so every row already satisfies it. Added NOT VALID (no scan of
    # the timeline under the exclusive lock, which the release still serving would wait on), then
    # validated in a transaction of its own, which lets reads and writes go on meanwhile.
    op.drop_constraint(op.f("ck_events_via"), "events", type_="check")
    op.execute(
        "ALTER TABLE events ADD CONSTRAINT ck_events_via CHECK (via IN ('api', 'web', 'inbound_webhook', 'system')) "
        "NOT VALID"
    )
    with op.get_context().autocommit_block():
        op.execute("ALTER TABLE events VALIDATE CONSTRAINT ck_events_via")


def downgrade() -> None:
    # The timeline is append-only: events already recorded with 'web' stay as they are (NOT VALID
    # checks new rows only); the older release never writes 'web'.
    op.drop_constraint(op.f("ck_events_via"), "events", type_="check")
    op.execute(
        "ALTER TABLE events ADD CONSTRAINT ck_events_via CHECK (via IN ('api', 'inbound_webhook', 'system')) NOT VALID"
    )
