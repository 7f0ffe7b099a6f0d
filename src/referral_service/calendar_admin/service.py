"""The override calendar: listing a year, adding a non-working day, removing an override or
declaring a package holiday a working day, and moving the open deadlines a change affects.

A change and the recomputed deadlines commit together (one transaction), under the exclusive
calendar lock (see referrals.deadlines), so no referral keeps a due date from a replaced calendar.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from referral_service import clock
from referral_service.auth.principal import Principal
from referral_service.calendar_admin import repository
from referral_service.db.driver import Db
from referral_service.errors import NotFound
from referral_service.events.draft import SYSTEM
from referral_service.referrals.calendar import DaySource, NonWorkingDay, WorkingCalendar
from referral_service.referrals.deadlines import current_calendar, forget_calendar, lock_calendar_for_change
from referral_service.referrals.domain import DueDateChangeReason
from referral_service.referrals.service import (
    ReferralView,
    lock_open_deadlines_around,
    move_deadlines,
    record_referral_event,
)

DUE_DATE_CHANGED = "referral.due_date_changed"


@dataclass(frozen=True, slots=True)
class CalendarChange:
    day: date
    working_day: bool
    entry: NonWorkingDay | None
    referrals_rescheduled: int


def entry_for(calendar: WorkingCalendar, day: date) -> NonWorkingDay | None:
    return next((d for d in calendar.non_working_days(day.year) if d.date == day), None)


async def set_non_working(db: Db, principal: Principal, day: date, name: str) -> CalendarChange:
    """Make `day` a non-working day named `name` (replacing any override on it)."""
    async with db.transaction():
        await lock_calendar_for_change(db)
        await repository.set_non_working(db, day, name, principal.key_id)
        return await _apply_change(db, day)


async def remove(db: Db, principal: Principal, day: date) -> CalendarChange:
    """Remove the override on `day`; on a package holiday without one, declare it a working day.

    Repeating the call on a holiday already declared working changes nothing (idempotent).
    """
    async with db.transaction():
        await lock_calendar_for_change(db)
        override = await repository.override_for_update(db, day)
        if override is not None and override.kind == "non_working":
            await repository.delete(db, day)
        elif override is None:
            listed = entry_for(await current_calendar(db), day)
            if listed is None or listed.source is DaySource.OVERRIDE:
                raise NotFound(
                    f"{day.isoformat()} is not a listed non-working day (weekends cannot be declared working)."
                )
            await repository.declare_working(db, day, principal.key_id)
        return await _apply_change(db, day)


async def _apply_change(db: Db, day: date) -> CalendarChange:
    forget_calendar(db)  # the calendar cached before the change is stale now
    calendar = await current_calendar(db)
    moved = await reschedule_open_deadlines(db, calendar, day)
    return CalendarChange(day, calendar.is_working_day(day), entry_for(calendar, day), moved)


async def reschedule_open_deadlines(db: Db, calendar: WorkingCalendar, day: date) -> int:
    """Recompute `due_at` of every forwarded referral whose deadline window contains `day`.

    Only `forwarded` referrals have a running deadline; a `responded` one gets a fresh deadline
    from the follow-up request, and a closed one none. A change on `day` can only move a deadline
    whose window (start date, due date] contains `day` in the agency's zone, so the candidates are
    selected by a UTC range one day wider on each side (served by the partial index on due_at)
    and checked exactly in Python. The updates are one batch; each moved referral gets its own
    timeline event.
    """
    views = await lock_open_deadlines_around(db, datetime.combine(day, time.min, tzinfo=UTC))
    now = clock.now()
    moved: list[tuple[ReferralView, datetime]] = []
    new_due_dates: list[tuple[uuid.UUID, datetime]] = []
    for view in views:
        referral = view.referral
        # The statement selects running deadlines only: all three are set.
        assert referral.deadline_started_at and referral.due_working_days is not None and referral.due_at
        new_due = calendar.add_working_days(referral.deadline_started_at, referral.due_working_days, view.timezone)
        if new_due == referral.due_at:
            continue
        moved.append((view, referral.due_at))
        new_due_dates.append((referral.id, new_due))
        referral.due_at = new_due
        referral.version += 1  # the representation changed: a new ETag
        referral.event_seq += 1
        referral.updated_at = now
    if not moved:
        return 0
    await move_deadlines(db, new_due_dates, now)
    for view, previous in moved:
        referral = view.referral
        data = {
            "previous_due_at": previous,
            "due_at": referral.due_at,
            "calendar_date": day.isoformat(),
            "reason": DueDateChangeReason.CALENDAR_CHANGED.value,
        }
        await record_referral_event(db, view, DUE_DATE_CHANGED, data, SYSTEM, from_state=referral.state)
    return len(moved)
