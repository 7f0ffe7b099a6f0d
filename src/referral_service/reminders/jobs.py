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

from referral_service import clock
from referral_service.db.driver import Db, pooled
from referral_service.events.draft import SYSTEM
from referral_service.metrics import DEADLINE_REMINDER_EVENTS, DEADLINE_REMINDER_RUNS
from referral_service.referrals.deadlines import current_calendar
from referral_service.referrals.service import ReferralView, record_referral_event, stamp_reminded
from referral_service.reminders import repository
from referral_service.reminders.due_soon import due_soon_horizon, is_due_soon
from referral_service.worker import WorkerContext

DUE_SOON = "referral.due_soon"
OVERDUE = "referral.overdue"
BATCH = 100


async def record_overdue(db: Db, now: datetime, limit: int = BATCH) -> int:
    """`referral.overdue` for forwarded referrals past their deadline; in the caller's transaction."""
    async with db.transaction():
        due = await repository.lock_overdue(db, now, limit)
        views = await stamp_reminded(db, "overdue", [row["id"] for row in due])
        await _record_all(db, views, OVERDUE, lambda view: {"due_at": view.referral.due_at})
    return len(views)


async def record_due_soon(db: Db, now: datetime, days: int, limit: int = BATCH) -> int:
    """`referral.due_soon` for the forwarded referrals with at most `days` working days left."""
    async with db.transaction():
        calendar = await current_calendar(db)
        candidates = await repository.lock_due_soon_candidates(db, now, due_soon_horizon(calendar, now, days), limit)
        chosen = [row["id"] for row in candidates if is_due_soon(calendar, now, row["due_at"], row["timezone"], days)]
        views = await stamp_reminded(db, "due_soon", chosen)
        await _record_all(
            db,
            views,
            DUE_SOON,
            lambda view: {
                "due_at": view.referral.due_at,
                "working_days_remaining": calendar.working_days_remaining(now, _due_at(view), view.timezone),
            },
        )
    return len(views)


async def _record_all(
    db: Db, views: list[ReferralView], event_type: str, data: Callable[[ReferralView], dict[str, Any]]
) -> None:
    for view in views:
        await record_referral_event(db, view, event_type, data(view), SYSTEM, from_state=view.referral.state)


async def run_deadline_reminders(ctx: WorkerContext) -> int:
    """One worker pass: overdue first (the stronger fact), then due-soon; each its own transaction."""
    try:
        async with pooled(ctx.pool) as db:
            overdue = await record_overdue(db, clock.now())
        DEADLINE_REMINDER_EVENTS.labels(OVERDUE).inc(overdue)
        async with pooled(ctx.pool) as db:
            due_soon = await record_due_soon(db, clock.now(), ctx.settings.due_soon_working_days)
        DEADLINE_REMINDER_EVENTS.labels(DUE_SOON).inc(due_soon)
    except Exception:
        DEADLINE_REMINDER_RUNS.labels("error").inc()
        raise
    DEADLINE_REMINDER_RUNS.labels("ok").inc()
    return overdue + due_soon


def _due_at(view: ReferralView) -> datetime:
    due_at = view.referral.due_at
    assert due_at is not None  # the reminders select forwarded referrals, which always have a deadline
    return due_at
