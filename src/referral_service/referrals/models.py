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
        # The agency-performance report: referrals forwarded in a window, per agency.
        Index(
            "ix_referrals_agency_forwarded_at",
            "agency_code",
            "forwarded_at",
            postgresql_where=text("forwarded_at IS NOT NULL"),
        ),
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
    # When the running deadline started (the forward, or the latest follow-up request): a calendar
    # change recomputes due_at from here with due_working_days.
    deadline_started_at: Mapped[datetime | None]
    # The due_at for which `referral.due_soon` / `referral.overdue` was recorded. A new due_at
    # (follow-up, calendar change) no longer matches, which re-arms the notification.
    due_soon_notified_for: Mapped[datetime | None]
    overdue_notified_for: Mapped[datetime | None]
    # The first answer, fixed when it happens (figures for coordination meetings): when, how many
    # working days after the forward on the calendar then in force, and whether before due_at.
    first_responded_at: Mapped[datetime | None]
    first_response_working_days: Mapped[int | None] = mapped_column(Integer)
    first_response_on_time: Mapped[bool | None]
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
