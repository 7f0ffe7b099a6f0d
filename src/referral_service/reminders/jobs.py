"""Deadline reminders: `referral.due_soon` once a forwarded referral is due soon (within
`REFERRAL_DUE_SOON_WORKING_DAYS` working days of its deadline: reminders/due_soon.py, the meaning the
web view's deadlines page shares), and `referral.overdue` once the deadline has passed.

Exactly once, with any number of workers: each run locks a batch of candidate rows with
FOR UPDATE SKIP LOCKED (two workers never hold the same referral), stamps the due_at the
notification is for in `due_soon_notified_for` / `overdue_notified_for`, bumps `event_seq` under
that lock, and appends the event in the same transaction. A worker that reads the row after the
commit sees the stamp and skips it; one that crashes before the commit leaves nothing behind.
A new due_at (follow-up request, calendar change) no longer matches the stamp, which re-arms
the reminder for the new deadline.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from referral_service import clock
from referral_service.db.driver import db_of
from referral_service.events.draft import SYSTEM
from referral_service.metrics import DEADLINE_REMINDER_EVENTS, DEADLINE_REMINDER_RUNS
from referral_service.referrals.deadlines import current_calendar
from referral_service.referrals.domain import ReferralState
from referral_service.referrals.models import Referral
from referral_service.referrals.service import ReferralView, record_referral_event, view_query
from referral_service.reminders.due_soon import due_soon_horizon, is_due_soon
from referral_service.worker import WorkerContext

DUE_SOON = "referral.due_soon"
OVERDUE = "referral.overdue"
BATCH = 100


async def record_overdue(session: AsyncSession, now: datetime, limit: int = BATCH) -> int:
    rows = (
        await session.execute(
            view_query()
            .where(
                Referral.state == ReferralState.FORWARDED.value,
                Referral.due_at < now,
                Referral.overdue_notified_for.is_distinct_from(Referral.due_at),
            )
            .order_by(Referral.due_at)
            .limit(limit)
            .with_for_update(of=Referral, skip_locked=True)
        )
    ).all()
    views = [ReferralView(*row) for row in rows]
    for view in views:
        view.referral.overdue_notified_for = view.referral.due_at
    await _record_all(session, views, OVERDUE, lambda view: {"due_at": view.referral.due_at})
    return len(views)


async def record_due_soon(session: AsyncSession, now: datetime, days: int, limit: int = BATCH) -> int:
    """`referral.due_soon` for the forwarded referrals with at most `days` working days left."""
    calendar = await current_calendar(await db_of(session))
    rows = (
        await session.execute(
            view_query()
            .where(
                Referral.state == ReferralState.FORWARDED.value,
                Referral.due_at >= now,
                Referral.due_at < due_soon_horizon(calendar, now, days),
                Referral.due_soon_notified_for.is_distinct_from(Referral.due_at),
            )
            .order_by(Referral.due_at)
            .limit(limit)
            .with_for_update(of=Referral, skip_locked=True)
        )
    ).all()
    views = [ReferralView(*row) for row in rows if is_due_soon(calendar, now, row[0].due_at, row[2], days)]
    for view in views:
        view.referral.due_soon_notified_for = view.referral.due_at
    await _record_all(
        session,
        views,
        DUE_SOON,
        lambda view: {
            "due_at": view.referral.due_at,
            "working_days_remaining": calendar.working_days_remaining(now, view.referral.due_at, view.timezone),
        },
    )
    return len(views)


async def _record_all(
    session: AsyncSession, views: list[ReferralView], event_type: str, data: Callable[[ReferralView], dict[str, Any]]
) -> None:
    for view in views:
        view.referral.event_seq += 1  # under the row lock taken above: the timeline stays gapless
    await session.flush()
    for view in views:
        referral = view.referral
        await record_referral_event(
            await db_of(session), view, event_type, data(view), SYSTEM, from_state=referral.state
        )


async def run_deadline_reminders(ctx: WorkerContext) -> int:
    """One worker pass: overdue first (the stronger fact), then due-soon; each its own transaction."""
    try:
        async with ctx.sessionmaker() as session, session.begin():
            overdue = await record_overdue(session, clock.now())
        DEADLINE_REMINDER_EVENTS.labels(OVERDUE).inc(overdue)
        async with ctx.sessionmaker() as session, session.begin():
            due_soon = await record_due_soon(session, clock.now(), ctx.settings.due_soon_working_days)
        DEADLINE_REMINDER_EVENTS.labels(DUE_SOON).inc(due_soon)
    except Exception:
        DEADLINE_REMINDER_RUNS.labels("error").inc()
        raise
    DEADLINE_REMINDER_RUNS.labels("ok").inc()
    return overdue + due_soon
