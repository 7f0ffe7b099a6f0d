import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from referral_service.db.base import Base, new_id


class InboundSecret(Base):
    """An agency's signing secret for inbound pushes, plus the one it replaced during the overlap.

    Stored as given, not hashed: HMAC verification needs the secret itself.
    """

    __tablename__ = "inbound_secrets"
    __table_args__ = (
        CheckConstraint("(previous_secret IS NULL) = (previous_valid_until IS NULL)", name="previous_pair"),
    )

    agency_code: Mapped[str] = mapped_column(ForeignKey("agencies.code"), primary_key=True)
    secret: Mapped[str] = mapped_column(String(100))
    previous_secret: Mapped[str | None] = mapped_column(String(100))
    previous_valid_until: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    rotated_at: Mapped[datetime] = mapped_column(server_default=func.now())


class StatusMapping(Base):
    """An agency's own status words and the agency-side action each one stands for."""

    __tablename__ = "inbound_status_mappings"

    agency_code: Mapped[str] = mapped_column(ForeignKey("agencies.code"), primary_key=True)
    mapping: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())


class InboundEvent(Base):
    """The inbox: every push that named a known agency, with what became of it.

    A verified push claims (agency_code, webhook_id) first, so a redelivery finds the row and
    gets the stored outcome back. Pushes that failed authentication keep webhook_id and body
    NULL: nothing in them is trustworthy, and they must not block a later genuine delivery.
    """

    __tablename__ = "inbound_events"
    __table_args__ = (
        CheckConstraint("status IN ('processing', 'accepted', 'rejected')", name="status"),
        Index(
            "uq_inbound_events_agency_webhook_id",
            "agency_code",
            "webhook_id",
            unique=True,
            postgresql_where=text("webhook_id IS NOT NULL"),
        ),
        # The log, newest first, optionally by outcome.
        Index("ix_inbound_events_agency_received", "agency_code", text("received_at DESC"), text("id DESC")),
        Index(
            "ix_inbound_events_agency_status_received",
            "agency_code",
            "status",
            text("received_at DESC"),
            text("id DESC"),
        ),
        # Keeping the latest failed-signature pushes per source and per bucket (unsigned.py), and
        # "has this agency sent a verified push from there?" (migration 0006).
        Index(
            "ix_inbound_events_unsigned_by_source",
            "agency_code",
            "source_network",
            text("received_at DESC"),
            text("id DESC"),
            postgresql_where=text("webhook_id IS NULL"),
        ),
        Index(
            "ix_inbound_events_unsigned_by_bucket",
            "agency_code",
            "known_source",
            text("received_at DESC"),
            text("id DESC"),
            postgresql_where=text("webhook_id IS NULL"),
        ),
        Index(
            "ix_inbound_events_signed_sources",
            "agency_code",
            "source_network",
            postgresql_where=text("webhook_id IS NOT NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    agency_code: Mapped[str] = mapped_column(ForeignKey("agencies.code"))
    webhook_id: Mapped[str | None] = mapped_column(String(256))
    webhook_timestamp: Mapped[int | None] = mapped_column(BigInteger)
    event_type: Mapped[str | None] = mapped_column(String(64))
    referral_id: Mapped[uuid.UUID | None]
    status: Mapped[str] = mapped_column(String(20))
    status_code: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(Text)
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    response_body: Mapped[bytes | None] = mapped_column(LargeBinary)
    deliveries: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    received_at: Mapped[datetime] = mapped_column(server_default=func.now())
    last_delivery_at: Mapped[datetime] = mapped_column(server_default=func.now())
    # The address the push came from (the first delivery's), as the connection saw it.
    source_address: Mapped[str | None] = mapped_column(String(64))
    # What one sender controls: the IPv4 address, or the IPv6 /64. Caps apply per network.
    source_network: Mapped[str | None] = mapped_column(String(64))
    # For failed-signature pushes: whether this agency had sent a verified push from that
    # network before, which puts the row in the bucket strangers cannot push out.
    known_source: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
