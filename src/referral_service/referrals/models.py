import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from referral_service.db.base import Base, new_id


class Referral(Base):
    __tablename__ = "referrals"
    __table_args__ = (
        CheckConstraint("state IN ('received', 'forwarded', 'responded', 'closed')", name="state"),
        # The agency queue: an agency key listing its referrals by state, newest first.
        Index("ix_referrals_agency_state_created", "agency_code", "state", text("created_at DESC"), text("id DESC")),
        Index("ix_referrals_state_created", "state", text("created_at DESC"), text("id DESC")),
        Index("ix_referrals_created_at_id", text("created_at DESC"), text("id DESC")),
        Index("ix_referrals_complaint_id", "complaint_id"),
        # Overdue and due_before are only meaningful while the agency owes an answer.
        Index("ix_referrals_forwarded_due_at", "due_at", postgresql_where=text("state = 'forwarded'")),
        Index(
            "uq_referrals_agency_external_ref",
            "agency_code",
            "external_ref",
            unique=True,
            postgresql_where=text("external_ref IS NOT NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    complaint_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("complaints.id"))
    agency_code: Mapped[str] = mapped_column(ForeignKey("agencies.code"))
    state: Mapped[str] = mapped_column(String(20))
    instructions: Mapped[str | None] = mapped_column(Text)
    forwarded_at: Mapped[datetime | None]
    due_at: Mapped[datetime | None]
    due_working_days: Mapped[int | None] = mapped_column(Integer)
    acknowledged_at: Mapped[datetime | None]
    external_ref: Mapped[str | None] = mapped_column(String(200))
    response: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    resolution: Mapped[str | None] = mapped_column(String(30))
    closed_at: Mapped[datetime | None]
    follow_up_count: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    event_seq: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())
