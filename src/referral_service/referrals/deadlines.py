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
from referral_service.db.sql import Sql
from referral_service.referrals.calendar import CalendarOverrides, WorkingCalendar

# pg_advisory_xact_lock key guarding "the calendar in force" (arbitrary, fixed, unique in the service).
CALENDAR_LOCK_KEY = 7_240_001
_CACHE = "referral_service.working_calendar"
_LOCKED = "referral_service.working_calendar_locked"


# Every request that shows a deadline must see the calendar in force, but the overrides rarely
# change: each session asks only for a digest of the table (one tiny row), and the overrides are
# read again only when the digest is one not seen before. The digest and the rows it stands for
# come from one statement (one snapshot), so a digest never names another version's rows.
_AGGREGATE = "SELECT coalesce(jsonb_agg(jsonb_build_array(day, kind, name) ORDER BY day), '[]'::jsonb)::text FROM calendar_overrides"
# The digest as a column expression, for statements that fetch it alongside their own rows.
DIGEST_SQL = f"md5(({_AGGREGATE}))"
_DIGEST = Sql(f"SELECT {DIGEST_SQL}")
_DIGEST_AND_ROWS = Sql(f"SELECT md5(a), a FROM ({_AGGREGATE}) AS s(a)")
_LOCK_SHARED = Sql("SELECT pg_advisory_xact_lock_shared(:calendar_lock::bigint)", calendar_lock=CALENDAR_LOCK_KEY)
_LOCK_EXCLUSIVE = Sql("SELECT pg_advisory_xact_lock(:calendar_lock::bigint)", calendar_lock=CALENDAR_LOCK_KEY)
_BY_DIGEST: dict[str, WorkingCalendar] = {}


async def load_calendar(db: Db, digest: str | None = None) -> WorkingCalendar:
    """The calendar whose overrides have this digest (read now when not given)."""
    if digest is None:
        digest = await db.fetchval(_DIGEST)
    calendar = _BY_DIGEST.get(digest)
    if calendar is None:
        row = await db.fetchrow(_DIGEST_AND_ROWS)
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
        await db.execute(_LOCK_SHARED)
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
        await db.execute(_LOCK_SHARED)
        db.memo[_LOCKED] = True
        db.memo.pop(_CACHE, None)


async def use_calendar_digest(db: Db, digest: str) -> None:
    """Adopt the calendar named by a digest that a statement of this transaction read (with its own
    rows, saving a round trip); `current_calendar` then answers without a query."""
    db.memo[_CACHE] = await load_calendar(db, digest)


async def lock_calendar_for_change(db: Db) -> None:
    """Exclusive calendar lock for an override change; waits for deadline writers in flight."""
    await db.execute(_LOCK_EXCLUSIVE)
    db.memo[_LOCKED] = True
    forget_calendar(db)


def forget_calendar(db: Db) -> None:
    db.memo.pop(_CACHE, None)


def due_at_for(calendar: WorkingCalendar, start: datetime, working_days: int, timezone: str) -> datetime:
    return calendar.add_working_days(start, working_days, timezone)
