import uuid
from datetime import date, datetime

from sqlalchemy import CheckConstraint, String, func
from sqlalchemy.orm import Mapped, mapped_column

from referral_service.db.base import Base


class CalendarOverride(Base):
    """An administrator's correction to the `holidays` package's calendar, one row per date.

    `non_working`: a day off the package does not list (a late cuti bersama), with its name.
    `working`: a package holiday that is a working day after all (a cancelled cuti bersama).
    """

    __tablename__ = "calendar_overrides"
    __table_args__ = (
        CheckConstraint("kind IN ('non_working', 'working')", name="kind"),
        CheckConstraint("kind = 'working' OR name IS NOT NULL", name="non_working_named"),
    )

    day: Mapped[date] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str | None] = mapped_column(String(200))
    changed_by_key_id: Mapped[uuid.UUID | None]
    changed_at: Mapped[datetime] = mapped_column(server_default=func.now())
