import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, LargeBinary, String, func
from sqlalchemy.orm import Mapped, mapped_column

from referral_service.db.base import Base, new_id


class ApiKey(Base):
    __tablename__ = "api_keys"
    __table_args__ = (
        CheckConstraint("role IN ('admin', 'ombudsman', 'agency')", name="role"),
        # An agency key is bound to exactly one agency; only ombudsman keys carry a region limit.
        CheckConstraint("(role = 'agency') = (agency_code IS NOT NULL)", name="agency_binding"),
        CheckConstraint("region_code IS NULL OR role = 'ombudsman'", name="region_only_ombudsman"),
        CheckConstraint("rate_limit_per_minute IS NULL OR rate_limit_per_minute > 0", name="rate_limit_positive"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    agency_code: Mapped[str | None] = mapped_column(ForeignKey("agencies.code"), index=True)
    region_code: Mapped[str | None] = mapped_column(String(20))
    key_prefix: Mapped[str] = mapped_column(String(16))
    # SHA-256 of the full key: keys are 32 random bytes, so a slow KDF adds nothing.
    key_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    revoked_at: Mapped[datetime | None]
    # Replaces the role's default rate limit (REFERRAL_RATE_LIMIT_<ROLE>_PER_MINUTE) for this key.
    rate_limit_per_minute: Mapped[int | None]
