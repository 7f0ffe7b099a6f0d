"""Working-day deadlines, stated in calendar dates a person can check on a wall calendar.

Holiday facts used below, as `holidays` 0.109 lists them for ID 2026 (public + government):
  Wed 2026-03-18 Cuti Bersama Hari Suci Nyepi
  Thu 2026-03-19 Hari Suci Nyepi
  Fri 2026-03-20 Cuti Bersama Hari Raya Idul Fitri
  Sat 2026-03-21 Hari Raya Idul Fitri
  Sun 2026-03-22 Hari kedua dari Hari Raya Idul Fitri
  Mon 2026-03-23 Cuti Bersama Hari Raya Idul Fitri
  Tue 2026-03-24 Cuti Bersama Hari Raya Idul Fitri
  Fri 2026-04-03 Wafat Yesus Kristus
  Thu 2026-12-24 Cuti Bersama Hari Raya Natal
  Fri 2026-12-25 Hari Raya Natal
  Fri 2027-01-01 Tahun Baru Masehi
  Tue 2027-01-05 Isra Mikraj Nabi Muhammad
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from referral_service.referrals.calendar import (
    MAX_WORKING_DAYS,
    CalendarOverrides,
    DaySource,
    NonWorkingDay,
    WorkingCalendar,
)

WIB = ZoneInfo("Asia/Jakarta")
WITA = ZoneInfo("Asia/Makassar")
WIT = ZoneInfo("Asia/Jayapura")
UTC = UTC


def local(zone: ZoneInfo, year: int, month: int, day: int, hour: int = 9) -> datetime:
    return datetime(year, month, day, hour, tzinfo=zone)


def end_of_local_day(zone: ZoneInfo, year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 23, 59, 59, tzinfo=zone).astimezone(UTC)


@pytest.fixture(scope="module")
def calendar() -> WorkingCalendar:
    return WorkingCalendar()


def test_weekends_are_not_working_days(calendar: WorkingCalendar) -> None:
    assert calendar.is_working_day(date(2026, 7, 10))  # Friday
    assert not calendar.is_working_day(date(2026, 7, 11))  # Saturday
    assert not calendar.is_working_day(date(2026, 7, 12))  # Sunday
    assert calendar.is_working_day(date(2026, 7, 13))  # Monday


def test_weekend_is_skipped_and_start_day_never_counts(calendar: WorkingCalendar) -> None:
    # Forwarded Friday morning: Mon 13, Tue 14, Wed 15 -> due Wednesday.
    due = calendar.add_working_days(local(WITA, 2026, 7, 10, 8), 3, WITA)
    assert due == end_of_local_day(WITA, 2026, 7, 15)
    assert due.tzinfo is UTC
    assert due == datetime(2026, 7, 15, 15, 59, 59, tzinfo=UTC)


def test_is_working_day_refuses_a_datetime(calendar: WorkingCalendar) -> None:
    with pytest.raises(TypeError):
        calendar.is_working_day(datetime(2026, 3, 20, 9, tzinfo=WITA))


def test_idul_fitri_2026_is_listed_with_its_cuti_bersama(calendar: WorkingCalendar) -> None:
    listed = {d.date: d for d in calendar.non_working_days(2026)}
    for day in (date(2026, 3, 19), date(2026, 3, 21), date(2026, 3, 22)):
        assert listed[day].source is DaySource.PUBLIC
    for day in (date(2026, 3, 18), date(2026, 3, 20), date(2026, 3, 23), date(2026, 3, 24)):
        assert listed[day].source is DaySource.CUTI_BERSAMA
    assert listed[date(2026, 3, 21)].name == "Hari Raya Idul Fitri"
    assert listed[date(2026, 3, 20)].name == "Cuti Bersama Hari Raya Idul Fitri"
    cuti_bersama = [d.date for d in listed.values() if d.source is DaySource.CUTI_BERSAMA]
    assert len(cuti_bersama) == 8  # as decreed for 2026
    for day in (18, 19, 20, 21, 22, 23, 24):
        assert not calendar.is_working_day(date(2026, 3, day))
    assert calendar.is_working_day(date(2026, 3, 25))


def test_forwarded_the_friday_a_week_before_idul_fitri(calendar: WorkingCalendar) -> None:
    forwarded = local(WITA, 2026, 3, 13, 10)  # Friday
    # 1 Mon 16, 2 Tue 17, (Wed 18 - Tue 24 off: Nyepi, Idul Fitri, cuti bersama, weekend),
    # 3 Wed 25, 4 Thu 26, 5 Fri 27.
    assert calendar.add_working_days(forwarded, 5, WITA) == end_of_local_day(WITA, 2026, 3, 27)
    # ... 6 Mon 30, 7 Tue 31, 8 Wed Apr 1, 9 Thu 2, (Fri 3 Good Friday), 10 Mon 6,
    # 11 Tue 7, 12 Wed 8, 13 Thu 9, 14 Fri 10.
    assert calendar.add_working_days(forwarded, 14, WITA) == end_of_local_day(WITA, 2026, 4, 10)


def test_forwarded_on_the_friday_of_idul_fitri_cuti_bersama(calendar: WorkingCalendar) -> None:
    forwarded = local(WITA, 2026, 3, 20, 10)  # Friday, itself cuti bersama
    # Sat 21 - Tue 24 off; 1 Wed 25.
    assert calendar.add_working_days(forwarded, 1, WITA) == end_of_local_day(WITA, 2026, 3, 25)
    # 1 Wed 25, 2 Thu 26, 3 Fri 27, 4 Mon 30, 5 Tue 31.
    assert calendar.add_working_days(forwarded, 5, WITA) == end_of_local_day(WITA, 2026, 3, 31)
    # ... 6 Wed Apr 1, 7 Thu 2, (Fri 3 Good Friday), 8 Mon 6, 9 Tue 7, 10 Wed 8, 11 Thu 9,
    # 12 Fri 10, 13 Mon 13, 14 Tue 14.
    assert calendar.add_working_days(forwarded, 14, WITA) == end_of_local_day(WITA, 2026, 4, 14)


def test_deadline_crosses_the_year_boundary(calendar: WorkingCalendar) -> None:
    forwarded = local(WITA, 2026, 12, 23, 14)  # Wednesday
    # (Thu 24 cuti bersama Natal, Fri 25 Natal, weekend), 1 Mon 28, 2 Tue 29, 3 Wed 30,
    # 4 Thu 31, (Fri 2027-01-01 New Year, weekend), 5 Mon 2027-01-04.
    assert calendar.add_working_days(forwarded, 5, WITA) == end_of_local_day(WITA, 2027, 1, 4)
    # 6 would be Tue 5, but that is Isra Mikraj 2027: 6 Wed 2027-01-06.
    assert calendar.add_working_days(forwarded, 6, WITA) == end_of_local_day(WITA, 2027, 1, 6)


def test_time_zone_decides_which_day_the_referral_arrived(calendar: WorkingCalendar) -> None:
    # 16:30 UTC on Thu 2026-07-09 is Thu 23:30 WIB, but already Fri 00:30 WITA / 01:30 WIT.
    instant = datetime(2026, 7, 9, 16, 30, tzinfo=UTC)
    assert calendar.add_working_days(instant, 1, WIB) == end_of_local_day(WIB, 2026, 7, 10)
    assert calendar.add_working_days(instant, 1, WITA) == end_of_local_day(WITA, 2026, 7, 13)
    assert calendar.add_working_days(instant, 1, WIT) == end_of_local_day(WIT, 2026, 7, 13)
    assert end_of_local_day(WIB, 2026, 7, 10) == datetime(2026, 7, 10, 16, 59, 59, tzinfo=UTC)
    assert end_of_local_day(WITA, 2026, 7, 13) == datetime(2026, 7, 13, 15, 59, 59, tzinfo=UTC)
    assert end_of_local_day(WIT, 2026, 7, 13) == datetime(2026, 7, 13, 14, 59, 59, tzinfo=UTC)


def test_friday_in_jakarta_saturday_in_jayapura(calendar: WorkingCalendar) -> None:
    # 16:30 UTC on Fri 2026-07-10: Fri 23:30 WIB, Sat 00:30 WITA, Sat 01:30 WIT. Neither a
    # Friday nor a Saturday start counts, so all three land on the same local date, Fri 17,
    # but each at 23:59:59 of its own zone: three different instants.
    instant = datetime(2026, 7, 10, 16, 30, tzinfo=UTC)
    due = {zone: calendar.add_working_days(instant, 5, zone) for zone in (WIB, WITA, WIT)}
    assert due[WIB] == datetime(2026, 7, 17, 16, 59, 59, tzinfo=UTC)
    assert due[WITA] == datetime(2026, 7, 17, 15, 59, 59, tzinfo=UTC)
    assert due[WIT] == datetime(2026, 7, 17, 14, 59, 59, tzinfo=UTC)
    for zone, moment in due.items():
        assert moment.astimezone(zone).time().isoformat() == "23:59:59"


def test_time_zone_may_be_given_by_name(calendar: WorkingCalendar) -> None:
    forwarded = local(WITA, 2026, 7, 10)
    assert calendar.add_working_days(forwarded, 3, "Asia/Makassar") == calendar.add_working_days(forwarded, 3, WITA)


def test_override_added_after_forwarding_moves_the_recomputed_deadline() -> None:
    forwarded = local(WITA, 2026, 7, 6)  # Monday
    # 1 Tue 7, 2 Wed 8, 3 Thu 9, 4 Fri 10, 5 Mon 13.
    before = WorkingCalendar().add_working_days(forwarded, 5, WITA)
    assert before == end_of_local_day(WITA, 2026, 7, 13)

    declared_late = CalendarOverrides(extra_non_working={date(2026, 7, 8): "Cuti tambahan"})
    after = WorkingCalendar(declared_late).add_working_days(forwarded, 5, WITA)
    # Wed 8 no longer counts: 1 Tue 7, 2 Thu 9, 3 Fri 10, 4 Mon 13, 5 Tue 14.
    assert after == end_of_local_day(WITA, 2026, 7, 14)
    assert after - before == timedelta(days=1)


def test_override_is_listed_as_non_working(calendar: WorkingCalendar) -> None:
    overrides = CalendarOverrides(extra_non_working={date(2026, 7, 8): "Cuti bersama tambahan"})
    listed = WorkingCalendar(overrides).non_working_days(2026)
    assert NonWorkingDay(date(2026, 7, 8), "Cuti bersama tambahan", DaySource.OVERRIDE) in listed
    assert [d.date for d in listed] == sorted(d.date for d in listed)
    assert date(2026, 7, 8) not in {d.date for d in calendar.non_working_days(2026)}
    next_year = WorkingCalendar(overrides).non_working_days(2027)
    assert date(2026, 7, 8) not in {d.date for d in next_year}


def test_declared_working_day_on_a_package_holiday() -> None:
    forwarded = local(WITA, 2026, 12, 23, 14)  # Wednesday
    assert WorkingCalendar().add_working_days(forwarded, 1, WITA) == end_of_local_day(WITA, 2026, 12, 28)
    cuti_cancelled = CalendarOverrides(declared_working=frozenset({date(2026, 12, 24)}))
    calendar = WorkingCalendar(cuti_cancelled)
    assert calendar.is_working_day(date(2026, 12, 24))
    # Thu 24 is a working day again, so it is working day 1.
    assert calendar.add_working_days(forwarded, 1, WITA) == end_of_local_day(WITA, 2026, 12, 24)
    listed = {d.date: d for d in calendar.non_working_days(2026)}
    assert listed[date(2026, 12, 24)].declared_working is True
    assert listed[date(2026, 12, 25)].declared_working is False


def test_a_date_cannot_be_both_working_and_non_working() -> None:
    with pytest.raises(ValueError, match="2026-07-08"):
        CalendarOverrides(
            extra_non_working={date(2026, 7, 8): "x"},
            declared_working=frozenset({date(2026, 7, 8)}),
        )


def test_overrides_are_copied_so_later_edits_do_not_leak_in() -> None:
    extra = {date(2026, 7, 8): "x"}
    overrides = CalendarOverrides(extra_non_working=extra)
    extra[date(2026, 7, 9)] = "y"
    assert WorkingCalendar(overrides).is_working_day(date(2026, 7, 9))


def test_working_days_remaining_positive_zero_and_negative(calendar: WorkingCalendar) -> None:
    due = end_of_local_day(WITA, 2026, 7, 17)  # Friday
    # Tue 14, Wed 15, Thu 16, Fri 17.
    assert calendar.working_days_remaining(local(WITA, 2026, 7, 13), due, WITA) == 4
    assert calendar.working_days_remaining(local(WITA, 2026, 7, 16), due, WITA) == 1
    assert calendar.working_days_remaining(local(WITA, 2026, 7, 17, 8), due, WITA) == 0
    # Saturday after the deadline: no working day has passed yet (documented).
    assert calendar.working_days_remaining(local(WITA, 2026, 7, 18), due, WITA) == 0
    # Mon 20 is one working day late; Wed 22 three.
    assert calendar.working_days_remaining(local(WITA, 2026, 7, 20), due, WITA) == -1
    assert calendar.working_days_remaining(local(WITA, 2026, 7, 22), due, WITA) == -3


def test_working_days_remaining_uses_the_agency_zone(calendar: WorkingCalendar) -> None:
    due = end_of_local_day(WIB, 2026, 7, 17)  # Fri 23:59:59 WIB = Sat 01:59:59 WIT
    now = datetime(2026, 7, 16, 16, 30, tzinfo=UTC)  # Thu 23:30 WIB, Fri 01:30 WIT
    assert calendar.working_days_remaining(now, due, WIB) == 1
    assert calendar.working_days_remaining(now, due, WIT) == 0  # Fri -> Sat: nothing left


def test_working_days_between(calendar: WorkingCalendar) -> None:
    forwarded = local(WITA, 2026, 3, 13, 10)
    assert calendar.working_days_between(forwarded, local(WITA, 2026, 3, 13, 16), WITA) == 0
    assert calendar.working_days_between(forwarded, local(WITA, 2026, 3, 16), WITA) == 1
    # Mon 16, Tue 17, Wed 25.
    assert calendar.working_days_between(forwarded, local(WITA, 2026, 3, 25), WITA) == 3
    assert calendar.working_days_between(local(WITA, 2026, 3, 25), forwarded, WITA) == -3


@pytest.mark.parametrize("n", [1, 5, 14, 60, MAX_WORKING_DAYS])
def test_between_inverts_add(calendar: WorkingCalendar, n: int) -> None:
    forwarded = local(WIT, 2026, 3, 13, 10)
    due = calendar.add_working_days(forwarded, n, WIT)
    assert calendar.working_days_between(forwarded, due, WIT) == n


@pytest.mark.parametrize("n", [0, -1, MAX_WORKING_DAYS + 1])
def test_n_out_of_range_is_rejected(calendar: WorkingCalendar, n: int) -> None:
    with pytest.raises(ValueError, match="n must be"):
        calendar.add_working_days(local(WITA, 2026, 7, 10), n, WITA)


def test_naive_datetimes_are_rejected(calendar: WorkingCalendar) -> None:
    naive = datetime(2026, 7, 10, 9)
    aware = local(WITA, 2026, 7, 10)
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar.add_working_days(naive, 5, WITA)
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar.working_days_remaining(naive, aware, WITA)
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar.working_days_remaining(aware, naive, WITA)
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar.working_days_between(naive, aware, WITA)
