from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, func, true
from sqlalchemy.orm import Mapped, mapped_column

from referral_service.db.base import Base


class Agency(Base):
    __tablename__ = "agencies"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('inspektorat_provinsi', 'inspektorat_kabupaten', 'inspektorat_kota', 'opd')", name="kind"
        ),
        CheckConstraint(
            "default_due_working_days IS NULL OR default_due_working_days BETWEEN 1 AND 365", name="due_days"
        ),
    )

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32), index=True)
    region_code: Mapped[str] = mapped_column(String(20), index=True)
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("agencies.code"))
    timezone: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, server_default=true())
    default_due_working_days: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())
