"""rate limits: the shared token buckets, and a per-key limit override

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01

`rate_limit_buckets` holds one token bucket per limited thing (API key, source address, agency and
address, webhook endpoint); API processes lease tokens from it in batches (see
src/referral_service/ratelimit.py). Rows are disposable: a missing row is a full bucket, and rows
whose bucket has refilled (`full_at` passed) are swept. UNLOGGED: losing them in a crash only
refills the buckets, and their writes skip the WAL.

`api_keys.rate_limit_per_minute`, when set, replaces the role's default limit for that key.
"""

from alembic import op
import sqlalchemy as sa

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE UNLOGGED TABLE rate_limit_buckets (
            bucket text PRIMARY KEY,
            tokens double precision NOT NULL,
            granted integer NOT NULL,
            updated_at timestamptz NOT NULL,
            full_at timestamptz NOT NULL
        )
        """
    )
    op.add_column(
        "api_keys",
        sa.Column("rate_limit_per_minute", sa.Integer(), nullable=True),
    )
    op.execute(
        "ALTER TABLE api_keys ADD CONSTRAINT ck_api_keys_rate_limit_positive "
        "CHECK (rate_limit_per_minute IS NULL OR rate_limit_per_minute > 0)"
    )


def downgrade() -> None:
    op.drop_column("api_keys", "rate_limit_per_minute")
    op.execute("DROP TABLE rate_limit_buckets")
