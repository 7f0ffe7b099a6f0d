"""Agency-performance figures for coordination meetings: one SQL query per report.

Cohort: the referrals *forwarded* in the window (from/to are dates on each agency's own wall
calendar, inclusive). For that cohort, per agency and as of now: how many were answered, closed,
are still open, are open and overdue; the share of first answers given on or before the due date
in force at the time; the median working days from forward to first answer; follow-ups requested.

Working days are exact: each referral's first answer is measured on the working calendar in
force when it arrives (referrals.service._record_first_response) and stored, so the query only
aggregates integers (percentile_cont) and never needs the holiday calendar in SQL. A calendar
changed after an answer does not rewrite how fast that answer was.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from referral_service import clock
from referral_service.auth.principal import Principal
from referral_service.db.driver import Db
from referral_service.referrals.calendar import MAX_YEAR, MIN_YEAR
from referral_service.reports import repository

CSV_MEDIA_TYPE = "text/csv"
MAX_WINDOW_DAYS = 3660

COLUMNS = (
    "agency_code",
    "agency_name",
    "region_code",
    "forwarded",
    "responded",
    "closed",
    "open",
    "open_overdue",
    "responded_on_time",
    "share_on_time",
    "median_working_days_to_respond",
    "follow_ups_requested",
)


@dataclass(frozen=True, slots=True)
class AgencyFigures:
    agency_code: str
    agency_name: str
    region_code: str
    forwarded: int
    responded: int
    closed: int
    open: int
    open_overdue: int
    responded_on_time: int
    share_on_time: float | None
    median_working_days_to_respond: float | None
    follow_ups_requested: int


async def agency_performance(
    db: Db, principal: Principal, date_from: date, date_to: date, region_code: str | None
) -> list[AgencyFigures]:
    rows = await repository.agency_performance(db, principal, date_from, date_to, region_code, clock.now())
    return [
        AgencyFigures(
            agency_code=row["code"],
            agency_name=row["name"],
            region_code=row["region_code"],
            forwarded=row["forwarded"],
            responded=row["responded"],
            closed=row["closed"],
            open=row["open"],
            open_overdue=row["open_overdue"],
            responded_on_time=row["responded_on_time"],
            share_on_time=(
                round(row["responded_on_time"] / row["responded_measured"], 4) if row["responded_measured"] else None
            ),
            median_working_days_to_respond=float(row["median_days"]) if row["median_days"] is not None else None,
            follow_ups_requested=int(row["follow_ups"]),
        )
        for row in rows
    ]


def window_problem(date_from: date, date_to: date) -> str | None:
    """Why a report window cannot be computed, or None: years the calendar covers, at most ten years."""
    if not (MIN_YEAR <= date_from.year <= MAX_YEAR and MIN_YEAR <= date_to.year <= MAX_YEAR):
        return f"`from` and `to` must fall in the years {MIN_YEAR}-{MAX_YEAR}."
    if date_to < date_from:
        return "`to` must not be before `from`."
    if (date_to - date_from).days > MAX_WINDOW_DAYS:
        return f"The window may span at most {MAX_WINDOW_DAYS} days."
    return None


def to_csv(rows: list[AgencyFigures]) -> str:
    """The figures as a spreadsheet: a header row of COLUMNS, then one row per agency, empty for none."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(["" if getattr(row, c) is None else getattr(row, c) for c in COLUMNS])
    return buffer.getvalue()
