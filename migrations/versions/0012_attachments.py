"""attachments: evidence documents on complaints and referrals, their bytes, and pending blobs

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01

`attachments` holds the metadata; the bytes live in a blob store under `blob_key`: PostgreSQL by
default (`blob_chunks`, 256 KiB per row) or S3-compatible storage. A blob is written before its
attachment row commits, so it is first recorded in `pending_blobs` (committed on its own); the row's
transaction removes that record, and a cleanup deletes blobs whose record is left behind.
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "attachments",
        sa.Column("id", postgresql.UUID(as_uuid=True), primary_key=True),
        # NULL while an agency's signed upload waits for the inbound push that names it (staged).
        sa.Column("complaint_id", postgresql.UUID(as_uuid=True), sa.ForeignKey("complaints.id"), nullable=True),
        sa.Column("referral_id", postgresql.UUID(as_uuid=True), sa.ForeignKey("referrals.id"), nullable=True),
        sa.Column("filename", sa.Text(), nullable=False),
        sa.Column("media_type", sa.Text(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.Text(), nullable=False),
        sa.Column("blob_key", sa.Text(), nullable=False, unique=True),
        sa.Column("contains_identity", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("uploaded_by_key_id", postgresql.UUID(as_uuid=True), nullable=True),
        sa.Column("uploaded_by_role", sa.Text(), nullable=True),
        sa.Column("uploaded_by_agency_code", sa.Text(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        # A signed upload through /v1/inbound/{agency}/attachments: the agency, until a push attaches it,
        # and the upload's webhook-id (a retry with the same id gets the same attachment).
        sa.Column("staged_agency_code", sa.Text(), nullable=True),
        sa.Column("inbound_webhook_id", sa.Text(), nullable=True),
        sa.CheckConstraint("size >= 0", name="ck_attachments_size"),
        sa.CheckConstraint(
            "(complaint_id IS NULL) = (staged_agency_code IS NOT NULL)", name="ck_attachments_staged_or_attached"
        ),
    )
    op.create_index(
        "uq_attachments_inbound_webhook_id", "attachments", ["uploaded_by_agency_code", "inbound_webhook_id"],
        unique=True, postgresql_where=sa.text("inbound_webhook_id IS NOT NULL"),
    )
    op.create_index(
        "ix_attachments_staged", "attachments", ["uploaded_at"], postgresql_where=sa.text("staged_agency_code IS NOT NULL"),
    )
    op.create_index("ix_attachments_complaint", "attachments", ["complaint_id", "uploaded_at", "id"])
    op.create_index(
        "ix_attachments_referral", "attachments", ["referral_id", "uploaded_at", "id"],
        postgresql_where=sa.text("referral_id IS NOT NULL"),
    )
    op.create_table(
        "blob_chunks",
        sa.Column("blob_key", sa.Text(), primary_key=True),
        sa.Column("seq", sa.Integer(), primary_key=True),
        sa.Column("data", sa.LargeBinary(), nullable=False),
    )
    # Chunks are already compressed formats mostly (PDF, JPEG, ZIP): skip TOAST compression.
    op.execute("ALTER TABLE blob_chunks ALTER COLUMN data SET STORAGE EXTERNAL")
    op.create_table(
        "pending_blobs",
        sa.Column("blob_key", sa.Text(), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_index("ix_pending_blobs_created_at", "pending_blobs", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_pending_blobs_created_at", table_name="pending_blobs")
    op.drop_table("pending_blobs")
    op.drop_table("blob_chunks")
    op.drop_index("ix_attachments_referral", table_name="attachments")
    op.drop_index("ix_attachments_complaint", table_name="attachments")
    op.drop_index("ix_attachments_staged", table_name="attachments")
    op.drop_index("uq_attachments_inbound_webhook_id", table_name="attachments")
    op.drop_table("attachments")
