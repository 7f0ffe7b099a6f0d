from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query

from referral_service.auth.dependencies import AdminPrincipal, CurrentPrincipal
from referral_service.calendar_admin import service
from referral_service.calendar_admin.schemas import CalendarChangeOut, CalendarDayOut, CalendarOut, NonWorkingDayIn
from referral_service.db.driver import DbDep
from referral_service.errors import UnprocessableEntity
from referral_service.openapi_docs import problem_responses
from referral_service.referrals.calendar import MAX_YEAR, MIN_YEAR, NonWorkingDay
from referral_service.referrals.deadlines import current_calendar

router = APIRouter(prefix="/v1/calendar", tags=["calendar"])

Year = Annotated[int, Query(ge=MIN_YEAR, le=MAX_YEAR, description="Calendar year, e.g. 2026.", examples=[2026])]
Day = Annotated[date, Path(description="ISO date, e.g. `2026-03-25`.", examples=["2026-03-25"])]


def _check_day(day: date) -> None:
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise UnprocessableEntity(f"The calendar covers {MIN_YEAR}-{MAX_YEAR}.")


def _day_out(entry: NonWorkingDay) -> CalendarDayOut:
    return CalendarDayOut(
        date=entry.date, name=entry.name, source=entry.source, declared_working=entry.declared_working
    )


def _change_out(change: service.CalendarChange) -> CalendarChangeOut:
    return CalendarChangeOut(
        date=change.day,
        working_day=change.working_day,
        entry=_day_out(change.entry) if change.entry else None,
        referrals_rescheduled=change.referrals_rescheduled,
    )


@router.get("", response_model=CalendarOut, responses=problem_responses(401, 422))
async def get_year(year: Year, _: CurrentPrincipal, db: DbDep) -> CalendarOut:
    """The non-working days of one year that deadlines skip, besides Saturdays and Sundays:
    national holidays (`public`) and cuti bersama (`cuti_bersama`) from the national calendar,
    and days added by an administrator (`override`). A national holiday an administrator declared
    a working day stays listed with `declared_working: true`. Any authenticated key."""
    calendar = await current_calendar(db)
    return CalendarOut(year=year, days=[_day_out(d) for d in calendar.non_working_days(year)])


@router.put("/{day}", response_model=CalendarChangeOut, responses=problem_responses(400, 401, 403, 413, 415, 422))
async def set_non_working_day(
    day: Day, body: NonWorkingDayIn, principal: AdminPrincipal, db: DbDep
) -> CalendarChangeOut:
    """Make a date a non-working day (for example a cuti bersama decreed late), with its name.
    Admin only. Idempotent: repeating it only renames the day.

    Every `forwarded` referral whose deadline window contains the date gets its `due_at`
    recomputed from its deadline start (the forward or the latest follow-up request) in the same
    transaction, and a `referral.due_date_changed` event with `previous_due_at` and `due_at`."""
    _check_day(day)
    return _change_out(await service.set_non_working(db, principal, day, body.name))


@router.delete("/{day}", response_model=CalendarChangeOut, responses=problem_responses(401, 403, 404, 422))
async def remove_non_working_day(day: Day, principal: AdminPrincipal, db: DbDep) -> CalendarChangeOut:
    """Remove an administrator's non-working day, or, when the date is a national holiday or cuti
    bersama from the national calendar, declare it a working day (for example a cancelled cuti
    bersama). Admin only. 404 when the date is not listed at all (weekends cannot be declared
    working). Open deadlines move as for `PUT`."""
    _check_day(day)
    return _change_out(await service.remove(db, principal, day))
