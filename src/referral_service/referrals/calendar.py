"""Working-day arithmetic for referral deadlines.

A working day is any day that is not a Saturday or Sunday, not an Indonesian national public
holiday and not *cuti bersama* (collective leave), as listed by the `holidays` package, with
the administrator's overrides applied on top: cuti bersama is decreed yearly and sometimes
changed late, so the package can be wrong for a while.

Deadlines are counted in the agency's own time zone (WIB, WITA or WIT): "five working days"
means five days on the agency's wall calendar, not in UTC.

Pure Python: callers load the overrides from the database and pass them in.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import NamedTuple
from zoneinfo import ZoneInfo

import holidays

MAX_WORKING_DAYS = 365
# Years the service accepts in dates it counts on (the holiday data is meaningful well inside this).
MIN_YEAR, MAX_YEAR = 2000, 2100
_COUNTRY = "ID"
# Names come out in Indonesian whatever the server locale is; without an explicit language
# the package may pick a different one and the API's output would vary by host.
_LANGUAGE = "id"
_END_OF_DAY = time(23, 59, 59)
_MEMO_LIMIT = 4096


class DaySource(StrEnum):
    """Where a non-working day comes from: `public` holiday, `cuti_bersama` or an admin `override`."""

    PUBLIC = "public"
    CUTI_BERSAMA = "cuti_bersama"
    OVERRIDE = "override"


class NonWorkingDay(NamedTuple):
    """A listed holiday. `declared_working` marks a package holiday an admin has overridden,
    so the calendar endpoint can show it as "holiday, but working day" rather than hide it."""

    date: date
    name: str
    source: DaySource
    declared_working: bool = False


@dataclass(frozen=True, slots=True)
class CalendarOverrides:
    """The administrator's corrections to the package's calendar.

    `extra_non_working`: dates off work that the package does not list (date -> name).
    `declared_working`: dates that are working days whatever the package or the weekday says.
    """

    extra_non_working: Mapping[date, str] = field(default_factory=dict)
    declared_working: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        conflicting = self.declared_working & self.extra_non_working.keys()
        if conflicting:
            shown = ", ".join(d.isoformat() for d in sorted(conflicting))
            raise ValueError(f"dates both declared working and non-working: {shown}")
        # Copy so a caller mutating its dict cannot change a calendar already built.
        object.__setattr__(self, "extra_non_working", MappingProxyType(dict(self.extra_non_working)))


class WorkingCalendar:
    """Answers "is this a working day?" and counts working days; build one per override set.

    Package holidays are loaded one year at a time on first use and cached for the life of
    the instance; rebuild the calendar when the overrides change.
    """

    def __init__(self, overrides: CalendarOverrides | None = None) -> None:
        self._overrides = overrides or CalendarOverrides()
        # (first, last) -> working days in (first, last]. A list page asks the same question for
        # many referrals (same due date, same today), and the answer only depends on this
        # calendar's (immutable) data. Bounded: cleared when it grows past _MEMO_LIMIT.
        self._counts: dict[tuple[date, date], int] = {}

    @property
    def overrides(self) -> CalendarOverrides:
        return self._overrides

    def is_working_day(self, day: date) -> bool:
        if isinstance(day, datetime):
            # A datetime is a date subclass but never equal to one: set lookups would
            # silently miss every holiday.
            raise TypeError("is_working_day takes a date; convert to the local date first")
        if day in self._overrides.declared_working:
            return True
        if day.weekday() >= 5:
            return False
        if day in self._overrides.extra_non_working:
            return False
        return day not in self._package_holidays(day.year)

    def non_working_days(self, year: int) -> list[NonWorkingDay]:
        """Holidays and overrides of one year, sorted by date; weekends are not listed.

        Package holidays an admin declared working are still listed, flagged
        `declared_working=True`. An override on a package holiday replaces its entry.
        """
        days: dict[date, NonWorkingDay] = {}
        for day, (name, source) in self._package_holidays(year).items():
            declared = day in self._overrides.declared_working
            days[day] = NonWorkingDay(day, name, source, declared)
        for day, name in self._overrides.extra_non_working.items():
            if day.year == year:
                days[day] = NonWorkingDay(day, name, DaySource.OVERRIDE)
        return [days[day] for day in sorted(days)]

    def add_working_days(self, start: datetime, n: int, tz: ZoneInfo | str) -> datetime:
        """The deadline `n` working days after `start`, as an aware UTC datetime.

        Rule: take `start`'s date in the agency's zone `tz`; that day never counts, even if
        it is a working day and the referral arrived at 08:00. Step forward day by day and
        count only working days; the deadline is the end of the n-th one, 23:59:59 local
        time (second precision, so it round-trips through JSON and SQL unchanged), returned
        in UTC. `1 <= n <= MAX_WORKING_DAYS`.
        """
        zone = _zone(tz)
        _require_aware(start, "start")
        if not 1 <= n <= MAX_WORKING_DAYS:
            raise ValueError(f"n must be between 1 and {MAX_WORKING_DAYS}, got {n}")
        day = start.astimezone(zone).date()
        counted = 0
        while counted < n:
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return datetime.combine(day, _END_OF_DAY, tzinfo=zone).astimezone(UTC)

    def working_days_between(self, start: datetime, end: datetime, tz: ZoneInfo | str) -> int:
        """Working days elapsed from `start` to `end`, on the agency's wall calendar.

        Counts working days after `start`'s local date up to and including `end`'s local
        date: same day -> 0, forwarded Friday and answered Monday -> 1. If `end` is before
        `start`, the count of the reversed interval, negated. Consistent with
        `add_working_days`: `working_days_between(s, add_working_days(s, n, tz), tz) == n`.
        """
        zone = _zone(tz)
        _require_aware(start, "start")
        _require_aware(end, "end")
        first = start.astimezone(zone).date()
        last = end.astimezone(zone).date()
        if last < first:
            return -self._count_working_days_after(last, first)
        return self._count_working_days_after(first, last)

    def working_days_remaining(self, now: datetime, due_at: datetime, tz: ZoneInfo | str) -> int:
        """Working days left until `due_at`, on the agency's wall calendar.

        Positive: the number of working days after today up to and including the due date
        (due tomorrow -> 1; due Monday, asked on Friday -> 1). Zero: due today, or no
        working day lies between today and the due date. Negative: overdue, minus the
        number of working days after the due date up to and including today (due Monday,
        asked Tuesday -> -1).

        Because weekends are skipped, on the Saturday after a Friday deadline this is 0
        although the deadline has passed: decide "overdue" by comparing `now > due_at`,
        and use this number only for display and sorting.
        """
        return self.working_days_between(now, due_at, tz)

    def _count_working_days_after(self, first: date, last: date) -> int:
        """Working days in the half-open range (first, last]."""
        key = (first, last)
        count = self._counts.get(key)
        if count is None:
            if len(self._counts) >= _MEMO_LIMIT:
                self._counts.clear()
            count = self._counts[key] = self._count_uncached(first, last)
        return count

    def _count_uncached(self, first: date, last: date) -> int:
        count = 0
        day = first + timedelta(days=1)
        while day <= last:
            if self.is_working_day(day):
                count += 1
            day += timedelta(days=1)
        return count

    def _package_holidays(self, year: int) -> Mapping[date, tuple[str, DaySource]]:
        return _load_package_year(year)


@functools.lru_cache(maxsize=64)
def _load_package_year(year: int) -> Mapping[date, tuple[str, DaySource]]:
    # Building a year costs milliseconds of CPU on the event loop; the answer never changes within
    # a process (admin overrides live outside it), so every calendar shares one copy per year.
    return MappingProxyType(_build_package_year(year))


def _build_package_year(year: int) -> dict[date, tuple[str, DaySource]]:
    # Two lookups rather than one combined one, so each day keeps its category.
    loaded: dict[date, tuple[str, DaySource]] = {}
    for category, source in (("government", DaySource.CUTI_BERSAMA), ("public", DaySource.PUBLIC)):
        calendar = holidays.country_holidays(_COUNTRY, years=year, categories=(category,), language=_LANGUAGE)
        # A public holiday wins over cuti bersama on the same date: it is the stronger fact.
        for day, name in calendar.items():
            loaded[day] = (name, source)
    return loaded


def _zone(tz: ZoneInfo | str) -> ZoneInfo:
    return tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)


def _require_aware(moment: datetime, what: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got naive {moment.isoformat()}")
