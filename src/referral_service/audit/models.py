import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Identity, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column

from referral_service.db.base import Base


class IdentityRead(Base):
    """A response that showed a confidential complainant's identity (audit/identity.py). Append-only:
    the database refuses UPDATE, DELETE and TRUNCATE (migration 0010)."""

    __tablename__ = "identity_reads"
    __table_args__ = (
        Index("ix_identity_reads_complaint", "complaint_id", "id"),
        Index("ix_identity_reads_key", "key_id", "id"),
        Index("ix_identity_reads_read_at", "read_at", "id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    read_at: Mapped[datetime] = mapped_column(server_default=func.now())
    key_id: Mapped[uuid.UUID | None]
    role: Mapped[str] = mapped_column(String(20))
    complaint_id: Mapped[uuid.UUID]
    route: Mapped[str] = mapped_column(String(200))
    method: Mapped[str] = mapped_column(String(10))
    access_reason: Mapped[str | None] = mapped_column(String(500))
    request_id: Mapped[str | None] = mapped_column(String(128))
