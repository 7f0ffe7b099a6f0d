import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    String,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from referral_service.db.base import Base


class Event(Base):
    """The append-only timeline. The database refuses UPDATE, DELETE and TRUNCATE (see migration)."""

    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("via IN ('api', 'web', 'inbound_webhook', 'system')", name="via"),
        CheckConstraint("sequence >= 1", name="sequence"),
        # Gapless per stream: a referral's events, or a complaint's own (referral-less) events.
        Index(
            "uq_events_referral_sequence",
            "referral_id",
            "sequence",
            unique=True,
            postgresql_where=text("referral_id IS NOT NULL"),
        ),
        Index(
            "uq_events_complaint_sequence",
            "complaint_id",
            "sequence",
            unique=True,
            postgresql_where=text("referral_id IS NULL"),
        ),
        Index("ix_events_complaint_id_id", "complaint_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    complaint_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("complaints.id"))
    referral_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("referrals.id"))
    agency_code: Mapped[str | None] = mapped_column(String(64))
    sequence: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(64))
    occurred_at: Mapped[datetime] = mapped_column(server_default=func.now())
    actor_key_id: Mapped[uuid.UUID | None]
    actor_role: Mapped[str | None] = mapped_column(String(20))
    actor_agency_code: Mapped[str | None] = mapped_column(String(64))
    via: Mapped[str] = mapped_column(String(20), server_default=text("'api'"))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str | None] = mapped_column(String(20))
    data: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))


class EventFeedEntry(Base):
    """Per timeline event, the webhook bodies the feed serves (events/feed.py), and what its scope
    filters read. Written by the statement that records the event (events/outbox.py)."""

    __tablename__ = "event_feed"
    __table_args__ = (
        Index("ix_event_feed_referral", "referral_id", "event_id"),
        Index("ix_event_feed_complaint", "complaint_id", "event_id"),
        Index("ix_event_feed_agency", "agency_code", "event_id", postgresql_where=text("agency_body IS NOT NULL")),
    )

    event_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("events.id"), primary_key=True)
    type: Mapped[str] = mapped_column(String(64))
    complaint_id: Mapped[uuid.UUID]
    referral_id: Mapped[uuid.UUID | None]
    agency_code: Mapped[str | None] = mapped_column(String(64))
    region_code: Mapped[str] = mapped_column(String(20))
    agency_region_code: Mapped[str | None] = mapped_column(String(20))
    full_body: Mapped[bytes] = mapped_column(LargeBinary)
    agency_body: Mapped[bytes | None] = mapped_column(LargeBinary)
