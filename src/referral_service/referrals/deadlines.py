"""Deadline arithmetic bound to the database: which calendar is in force and what a referral owes.

The calendar in force is the `holidays` package's (national holidays and cuti bersama) with the
administrator's overrides (`calendar_overrides`) on top. The overrides table is small, so it is
read once per transaction (one request or one job run) as a digest, and memoized on its `Db`;
the rows themselves are read only when the digest changes (see `load_calendar`).

Consistency with calendar changes: code that *sets* a deadline takes a shared advisory lock
before reading the calendar; a calendar change takes the same lock exclusively before it
recomputes the open deadlines. So a forward that read the old calendar has committed before the
recompute looks at referrals, and a forward after it waits and reads the new calendar: no
deadline is ever computed with a calendar that has already been replaced.
"""

from __future__ import annotations

import json
from datetime import date, datetime

from referral_service.db.driver import Db
from referral_service.referrals.calendar import CalendarOverrides, WorkingCalendar
from referral_service.referrals.repository import DIGEST, DIGEST_AND_ROWS, LOCK_CALENDAR_EXCLUSIVE, LOCK_CALENDAR_SHARED

_CACHE = "referral_service.working_calendar"
_LOCKED = "referral_service.working_calendar_locked"


_BY_DIGEST: dict[str, WorkingCalendar] = {}


async def load_calendar(db: Db, digest: str | None = None) -> WorkingCalendar:
    """The calendar whose overrides have this digest (read now when not given)."""
    if digest is None:
        digest = await db.fetchval(DIGEST)
    calendar = _BY_DIGEST.get(digest)
    if calendar is None:
        row = await db.fetchrow(DIGEST_AND_ROWS)
        assert row is not None  # an aggregate: always one row
        digest, aggregate = row
        rows = frozenset((date.fromisoformat(day), kind, name) for day, kind, name in json.loads(aggregate))
        calendar = _calendar_for(rows)
        if len(_BY_DIGEST) >= 8:
            _BY_DIGEST.clear()
        _BY_DIGEST[digest] = calendar
    return calendar


def _calendar_for(rows: frozenset[tuple[date, str, str]]) -> WorkingCalendar:
    # One calendar object per set of overrides (kept in _BY_DIGEST), whose day counts are memoized
    # (see WorkingCalendar._count_working_days_after): list pages stop recounting day by day.
    overrides = CalendarOverrides(
        extra_non_working={day: name for day, kind, name in rows if kind == "non_working"},
        declared_working=frozenset(day for day, kind, _ in rows if kind == "working"),
    )
    return WorkingCalendar(overrides)


async def current_calendar(db: Db, *, for_deadline: bool = False) -> WorkingCalendar:
    """The working calendar in force, memoized for the transaction.

    `for_deadline=True` when the caller is about to store a due date computed with it: takes the
    shared calendar lock (held until the transaction ends) and makes sure the calendar was read
    after the lock was granted.
    """
    if for_deadline and not db.memo.get(_LOCKED):
        await db.execute(LOCK_CALENDAR_SHARED)
        db.memo[_LOCKED] = True
        db.memo.pop(_CACHE, None)
    calendar = db.memo.get(_CACHE)
    if calendar is None:
        calendar = await load_calendar(db)
        db.memo[_CACHE] = calendar
    return calendar


async def lock_calendar_for_deadline(db: Db) -> None:
    """The shared calendar lock, taken before the statement that reads the calendar's digest (see
    `use_calendar_digest`), for a transaction about to set a deadline."""
    if not db.memo.get(_LOCKED):
        await db.execute(LOCK_CALENDAR_SHARED)
        db.memo[_LOCKED] = True
        db.memo.pop(_CACHE, None)


async def use_calendar_digest(db: Db, digest: str) -> None:
    """Adopt the calendar named by a digest that a statement of this transaction read (with its own
    rows, saving a round trip); `current_calendar` then answers without a query."""
    db.memo[_CACHE] = await load_calendar(db, digest)


async def lock_calendar_for_change(db: Db) -> None:
    """Exclusive calendar lock for an override change; waits for deadline writers in flight."""
    await db.execute(LOCK_CALENDAR_EXCLUSIVE)
    db.memo[_LOCKED] = True
    forget_calendar(db)


def forget_calendar(db: Db) -> None:
    db.memo.pop(_CACHE, None)


def due_at_for(calendar: WorkingCalendar, start: datetime, working_days: int, timezone: str) -> datetime:
    return calendar.add_working_days(start, working_days, timezone)
