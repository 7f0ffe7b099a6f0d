"""What "due soon" means, in one place: the reminder job (`referral.due_soon`) and the web view's
deadlines page both decide with these two functions and `REFERRAL_DUE_SOON_WORKING_DAYS`."""

from __future__ import annotations

from datetime import datetime, timedelta

from referral_service.referrals.calendar import WorkingCalendar

# The westernmost Indonesian zone: the end of a given local date is latest in UTC there.
_WESTERNMOST_ZONE = "Asia/Jakarta"


def is_due_soon(calendar: WorkingCalendar, now: datetime, due_at: datetime, timezone: str, days: int) -> bool:
    """The deadline has not passed and at most `days` working days remain on the agency's calendar."""
    return due_at >= now and calendar.working_days_remaining(now, due_at, timezone) <= days


def due_soon_horizon(calendar: WorkingCalendar, now: datetime, days: int) -> datetime:
    """An instant later than every deadline that is due soon `now`, in any Indonesian zone: the cheap,
    index-friendly prefilter (`due_at < horizon`) before the exact test in `is_due_soon`.

    A zone east of WIB can be one date ahead, so its `days`-th working day is at most the WIB date's
    `days + 1`-th, whose end comes later in WIB than anywhere east of it; the extra day is a margin."""
    return calendar.add_working_days(now, days + 1, _WESTERNMOST_ZONE) + timedelta(days=1)
