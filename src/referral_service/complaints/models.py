import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, Computed, Index, Integer, String, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from referral_service.db.base import Base, new_id


class Complaint(Base):
    __tablename__ = "complaints"
    __table_args__ = (
        # Newest first with a stable tie-breaker: the keyset for cursor pagination.
        Index("ix_complaints_created_at_id", text("created_at DESC"), text("id DESC")),
        Index("ix_complaints_region_code_pattern", "region_code", postgresql_ops={"region_code": "text_pattern_ops"}),
        Index("ix_complaints_category_created", "category", text("created_at DESC")),
        Index("ix_complaints_channel_created", "channel", text("created_at DESC")),
        Index("ix_complaints_received_at", "received_at"),
        Index("ix_complaints_search", "search_vector", postgresql_using="gin"),
        CheckConstraint("version >= 1", name="version"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    channel: Mapped[str] = mapped_column(String(20))
    received_at: Mapped[datetime]
    complainant: Mapped[dict[str, Any]] = mapped_column(JSONB)
    identity_confidential: Mapped[bool] = mapped_column(Boolean)
    subject: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(40))
    reported_party: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    region_code: Mapped[str] = mapped_column(String(20))
    incident_date: Mapped[date | None]
    external_refs: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, server_default=text("'[]'::jsonb"))
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    # Next timeline sequence for complaint-level events; bumped under the row lock.
    event_seq: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    created_by_key_id: Mapped[uuid.UUID | None]
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())
    # When the complainant's personal data was erased (retention, or POST .../erase); NULL: kept.
    erased_at: Mapped[datetime | None]
    search_vector: Mapped[Any] = mapped_column(
        TSVECTOR,
        Computed("to_tsvector('simple', coalesce(subject, '') || ' ' || coalesce(description, ''))", persisted=True),
    )
