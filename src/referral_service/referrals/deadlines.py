"""Deadline arithmetic bound to the database: which calendar is in force and what a referral owes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from referral_service.referrals.calendar import WorkingCalendar


async def current_calendar(session: AsyncSession) -> WorkingCalendar:
    """The working calendar in force: national holidays and cuti bersama (admin overrides come with the
    calendar endpoints)."""
    return WorkingCalendar()


def due_at_for(calendar: WorkingCalendar, start: datetime, working_days: int, timezone: str) -> datetime:
    return calendar.add_working_days(start, working_days, timezone)
