import uuid
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from referral_service.db.base import Base, new_id


class WebhookEndpoint(Base):
    """A subscription. Its scope is that of the API key that created it (owner_*), fixed for life."""

    __tablename__ = "webhook_endpoints"
    __table_args__ = (
        CheckConstraint("owner_role IN ('admin', 'ombudsman', 'agency')", name="owner_role"),
        CheckConstraint("(owner_role = 'agency') = (owner_agency_code IS NOT NULL)", name="owner_agency_binding"),
        CheckConstraint("owner_region_code IS NULL OR owner_role = 'ombudsman'", name="owner_region_only_ombudsman"),
        Index("ix_webhook_endpoints_owner", "owner_role", "owner_agency_code", "owner_region_code"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    url: Mapped[str] = mapped_column(String(2048))
    description: Mapped[str | None] = mapped_column(String(500))
    # Empty means every event type the owner may see.
    event_types: Mapped[list[str]] = mapped_column(ARRAY(String(64)), server_default=text("'{}'"))
    owner_role: Mapped[str] = mapped_column(String(20))
    owner_agency_code: Mapped[str | None] = mapped_column(ForeignKey("agencies.code"))
    owner_region_code: Mapped[str | None] = mapped_column(String(20))
    owner_key_id: Mapped[uuid.UUID | None]
    secret: Mapped[str] = mapped_column(String(100))
    # During a rotation's overlap deliveries are signed with both secrets.
    previous_secret: Mapped[str | None] = mapped_column(String(100))
    previous_secret_expires_at: Mapped[datetime | None]
    disabled_at: Mapped[datetime | None]
    disabled_reason: Mapped[str | None] = mapped_column(String(200))
    # Start of the current unbroken run of failed attempts; cleared by any success.
    failing_since: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())


class WebhookMessage(Base):
    """One signed body, built once per event and audience (full, or redacted for agencies)."""

    __tablename__ = "webhook_messages"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    # The timeline event; null for service notices (webhook.test, webhook.endpoint_disabled).
    event_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("events.id"), index=True)
    type: Mapped[str] = mapped_column(String(64))
    body: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class WebhookDelivery(Base):
    """A message owed to one endpoint: the outbox row a worker claims, sends and records."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'delivered', 'failed')", name="status"),
        # What a worker scans for due work, endpoint by enabled endpoint (migration 0005).
        Index(
            "ix_webhook_deliveries_endpoint_due",
            "endpoint_id",
            "next_attempt_at",
            "id",
            postgresql_where=text("status = 'pending'"),
        ),
        # Per-resource order: "is an earlier delivery of this referral to this endpoint still pending,
        # and until when?" (the outbox's max(next_attempt_at), the claim's head check; migration 0008).
        Index(
            "ix_webhook_deliveries_pending_order",
            "endpoint_id",
            "ordering_key",
            "next_attempt_at",
            "id",
            postgresql_where=text("status = 'pending'"),
        ),
        # The attempt log, newest first, and recovery by time window.
        Index("ix_webhook_deliveries_endpoint_id_id", "endpoint_id", text("id DESC")),
        Index(
            "ix_webhook_deliveries_endpoint_failed",
            "endpoint_id",
            "created_at",
            postgresql_where=text("status = 'failed'"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    endpoint_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("webhook_endpoints.id", ondelete="CASCADE"))
    message_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("webhook_messages.id"), index=True)
    # The referral (or, for complaint events, the complaint) whose events must arrive in order.
    ordering_key: Mapped[uuid.UUID | None]
    status: Mapped[str] = mapped_column(String(20), server_default=text("'pending'"))
    attempts: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    # Null: the retry schedule decides. Set by a manual retry or recovery (one more attempt).
    max_attempts: Mapped[int | None] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime] = mapped_column(server_default=func.now())
    locked_until: Mapped[datetime | None]
    lease_token: Mapped[uuid.UUID | None]
    last_response_status: Mapped[int | None] = mapped_column(SmallInteger)
    last_error: Mapped[str | None] = mapped_column(String(500))
    delivered_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())


class WebhookAttempt(Base):
    """One HTTP request of a delivery, for the attempt log."""

    __tablename__ = "webhook_attempts"
    __table_args__ = (Index("ix_webhook_attempts_delivery_id_id", "delivery_id", "id"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    delivery_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("webhook_deliveries.id", ondelete="CASCADE"))
    attempted_at: Mapped[datetime]
    duration_ms: Mapped[int] = mapped_column(Integer)
    response_status: Mapped[int | None] = mapped_column(SmallInteger)
    # The first 4 KiB of what the receiver answered, decoded leniently.
    response_body: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(String(500))
