"""The report's SQL: the agencies a principal may see, each with a LATERAL aggregate over its cohort."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import asyncpg

from referral_service.auth import scope
from referral_service.auth.principal import Principal
from referral_service.db.driver import Db
from referral_service.db.sql import Sql
from referral_service.referrals.domain import ReferralState

# The window's bounds are instants computed per agency (midnight at the start of `from` and after
# `to` on the agency's wall clock), so each agency's cohort is one range scan of
# ix_referrals_agency_forwarded_at and no per-referral time-zone conversion is needed.
_PERFORMANCE = f"""
    SELECT a.code, a.name, a.region_code, cohort.*
    FROM agencies a
    CROSS JOIN LATERAL (
        SELECT count(*) AS forwarded,
               count(r.first_responded_at) AS responded,
               count(*) FILTER (WHERE r.state = '{ReferralState.CLOSED.value}') AS closed,
               count(*) FILTER (WHERE r.state <> '{ReferralState.CLOSED.value}') AS open,
               count(*) FILTER (WHERE r.state = '{ReferralState.FORWARDED.value}' AND r.due_at < :now) AS open_overdue,
               count(*) FILTER (WHERE r.first_response_on_time IS TRUE) AS responded_on_time,
               count(r.first_response_on_time) AS responded_measured,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY r.first_response_working_days) AS median_days,
               coalesce(sum(r.follow_up_count), 0) AS follow_ups
        FROM referrals r
        WHERE r.agency_code = a.code
          AND r.forwarded_at >= timezone(a.timezone, :window_start::timestamp)
          AND r.forwarded_at < timezone(a.timezone, :window_end::timestamp)
    ) cohort
    WHERE """


def performance_statement(
    principal: Principal, date_from: date, date_to: date, region_code: str | None, now: datetime
) -> Sql:
    """One statement: the agencies in scope (and in `region_code`), with their cohort's figures."""
    conditions = [scope.agency_figures_clause(principal)]
    if region_code is not None:
        conditions.append(scope.in_region("a.region_code", region_code))
    statement = Sql(
        _PERFORMANCE,
        now=now,
        window_start=datetime.combine(date_from, time.min),
        window_end=datetime.combine(date_to + timedelta(days=1), time.min),
    )
    return statement + Sql.join(" AND ", conditions) + " ORDER BY a.code"


async def agency_performance(
    db: Db, principal: Principal, date_from: date, date_to: date, region_code: str | None, now: datetime
) -> list[asyncpg.Record]:
    return await db.fetch(performance_statement(principal, date_from, date_to, region_code, now))
