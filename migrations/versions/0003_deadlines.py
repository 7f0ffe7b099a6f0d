"""deadlines: override calendar, deadline start, notification claims, first-response figures

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27

- calendar_overrides: the administrator's corrections to the holidays package.
- referrals.deadline_started_at: the start a calendar change recomputes due_at from.
- referrals.due_soon_notified_for / overdue_notified_for: the due_at a notification was
  recorded for (claimed by the worker in the same transaction as the event).
- referrals.first_responded_at / first_response_working_days / first_response_on_time: the
  agency-performance report's per-referral facts, fixed when the first answer arrives.
- ix_referrals_agency_forwarded_at: the report reads each agency's window as one range scan.
"""

from alembic import op
import sqlalchemy as sa

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('calendar_overrides',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('changed_by_key_id', sa.Uuid(), nullable=True),
    sa.Column('changed_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("kind IN ('non_working', 'working')", name=op.f('ck_calendar_overrides_kind')),
    sa.CheckConstraint("kind = 'working' OR name IS NOT NULL", name=op.f('ck_calendar_overrides_non_working_named')),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_calendar_overrides'))
    )
    for column in ('deadline_started_at', 'due_soon_notified_for', 'overdue_notified_for', 'first_responded_at'):
        op.add_column('referrals', sa.Column(column, sa.DateTime(timezone=True), nullable=True))
    op.add_column('referrals', sa.Column('first_response_working_days', sa.Integer(), nullable=True))
    op.add_column('referrals', sa.Column('first_response_on_time', sa.Boolean(), nullable=True))
    op.create_index('ix_referrals_agency_forwarded_at', 'referrals', ['agency_code', 'forwarded_at'], unique=False, postgresql_where=sa.text('forwarded_at IS NOT NULL'))
    # Existing rows: the deadline started at the latest follow-up request, else the forward.
    op.execute(
        """
        UPDATE referrals r SET deadline_started_at = coalesce(
            (SELECT max(e.occurred_at) FROM events e
              WHERE e.referral_id = r.id AND e.type = 'referral.follow_up_requested'),
            r.forwarded_at)
        WHERE r.forwarded_at IS NOT NULL
        """
    )
    # First answers already given: the time is on the timeline; the working-day figures are not
    # reconstructed (the report leaves such referrals out of the on-time share and the median).
    op.execute(
        """
        UPDATE referrals r SET first_responded_at = f.at
        FROM (SELECT referral_id, min(occurred_at) AS at FROM events
              WHERE type = 'referral.responded' GROUP BY referral_id) f
        WHERE f.referral_id = r.id
        """
    )


def downgrade() -> None:
    op.drop_index('ix_referrals_agency_forwarded_at', table_name='referrals', postgresql_where=sa.text('forwarded_at IS NOT NULL'))
    for column in ('first_response_on_time', 'first_response_working_days', 'first_responded_at',
                   'overdue_notified_for', 'due_soon_notified_for', 'deadline_started_at'):
        op.drop_column('referrals', column)
    op.drop_table('calendar_overrides')
