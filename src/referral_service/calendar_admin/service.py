"""The override calendar: listing a year, adding a non-working day, removing an override or
declaring a package holiday a working day, and moving the open deadlines a change affects.

A change and the recomputed deadlines commit together (one transaction), under the exclusive
calendar lock (see referrals.deadlines), so no referral keeps a due date from a replaced calendar.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import delete, func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from referral_service import clock
from referral_service.auth.principal import Principal
from referral_service.calendar_admin.models import CalendarOverride
from referral_service.db.driver import db_of
from referral_service.errors import NotFound
from referral_service.events.draft import SYSTEM
from referral_service.referrals.calendar import DaySource, NonWorkingDay, WorkingCalendar
from referral_service.referrals.deadlines import current_calendar, forget_calendar, lock_calendar_for_change
from referral_service.referrals.domain import DueDateChangeReason, ReferralState
from referral_service.referrals.models import Referral
from referral_service.referrals.service import ReferralView, record_referral_event, view_query

DUE_DATE_CHANGED = "referral.due_date_changed"


@dataclass(frozen=True, slots=True)
class CalendarChange:
    day: date
    working_day: bool
    entry: NonWorkingDay | None
    referrals_rescheduled: int


def entry_for(calendar: WorkingCalendar, day: date) -> NonWorkingDay | None:
    return next((d for d in calendar.non_working_days(day.year) if d.date == day), None)


async def set_non_working(session: AsyncSession, principal: Principal, day: date, name: str) -> CalendarChange:
    """Make `day` a non-working day named `name` (replacing any override on it)."""
    await lock_calendar_for_change(await db_of(session))
    values = {"kind": "non_working", "name": name, "changed_by_key_id": principal.key_id, "changed_at": func.now()}
    await session.execute(
        insert(CalendarOverride).values(day=day, **values).on_conflict_do_update(index_elements=["day"], set_=values)
    )
    return await _apply_change(session, day)


async def remove(session: AsyncSession, principal: Principal, day: date) -> CalendarChange:
    """Remove the override on `day`; on a package holiday without one, declare it a working day.

    Repeating the call on a holiday already declared working changes nothing (idempotent).
    """
    await lock_calendar_for_change(await db_of(session))
    override = await session.get(CalendarOverride, day, with_for_update=True)
    if override is not None and override.kind == "non_working":
        await session.execute(delete(CalendarOverride).where(CalendarOverride.day == day))
    elif override is None:
        listed = entry_for(await current_calendar(await db_of(session)), day)
        if listed is None or listed.source is DaySource.OVERRIDE:
            raise NotFound(f"{day.isoformat()} is not a listed non-working day (weekends cannot be declared working).")
        session.add(CalendarOverride(day=day, kind="working", changed_by_key_id=principal.key_id))
    return await _apply_change(session, day)


async def _apply_change(session: AsyncSession, day: date) -> CalendarChange:
    await session.flush()
    forget_calendar(await db_of(session))  # the calendar cached before the change is stale now
    calendar = await current_calendar(await db_of(session))
    moved = await reschedule_open_deadlines(session, calendar, day)
    return CalendarChange(day, calendar.is_working_day(day), entry_for(calendar, day), moved)


async def reschedule_open_deadlines(session: AsyncSession, calendar: WorkingCalendar, day: date) -> int:
    """Recompute `due_at` of every forwarded referral whose deadline window contains `day`.

    Only `forwarded` referrals have a running deadline; a `responded` one gets a fresh deadline
    from the follow-up request, and a closed one none. A change on `day` can only move a deadline
    whose window (start date, due date] contains `day` in the agency's zone, so the candidates are
    selected by a UTC range one day wider on each side (served by the partial index on due_at)
    and checked exactly in Python. Rows are locked in id order (no deadlocks between changes);
    the updates are flushed as one batch; each moved referral gets its own timeline event.
    """
    day_start = datetime.combine(day, time.min, tzinfo=UTC)
    rows = (
        await session.execute(
            view_query()
            .where(
                Referral.state == ReferralState.FORWARDED.value,
                Referral.due_at >= day_start - timedelta(days=1),
                Referral.deadline_started_at < day_start + timedelta(days=2),
                Referral.due_working_days.is_not(None),
            )
            .order_by(Referral.id)
            .with_for_update(of=Referral)
        )
    ).all()
    now = clock.now()
    moved: list[tuple[ReferralView, datetime]] = []
    for referral, complaint, tz, agency_region in rows:
        new_due = calendar.add_working_days(referral.deadline_started_at, referral.due_working_days, tz)
        if new_due == referral.due_at:
            continue
        moved.append((ReferralView(referral, complaint, tz, agency_region), referral.due_at))
        referral.due_at = new_due
        referral.version += 1  # the representation changed: a new ETag
        referral.event_seq += 1
        referral.updated_at = now
    if not moved:
        return 0
    await session.flush()  # one executemany UPDATE for all moved rows
    for view, previous in moved:
        referral = view.referral
        data = {
            "previous_due_at": previous,
            "due_at": referral.due_at,
            "calendar_date": day.isoformat(),
            "reason": DueDateChangeReason.CALENDAR_CHANGED.value,
        }
        await record_referral_event(
            await db_of(session), view, DUE_DATE_CHANGED, data, SYSTEM, from_state=referral.state
        )
    return len(moved)
