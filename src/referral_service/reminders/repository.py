"""The deadline reminders' SQL: find the forwarded referrals a reminder is owed for.

A batch is found and locked in one statement (FOR UPDATE SKIP LOCKED: two workers never hold the
same referral); the chosen ones are then stamped by the referrals feature
(`referrals.service.stamp_reminded`), which returns them as its request paths read them.
"""

from __future__ import annotations

from datetime import datetime

import asyncpg

from referral_service.db.driver import Db
from referral_service.db.sql import Sql

# The stamp of each reminder: the due_at it was sent for (a new due_at re-arms it).
OVERDUE_STAMP = "overdue_notified_for"
DUE_SOON_STAMP = "due_soon_notified_for"

# The complaint is locked FOR KEY SHARE with its referral (the order of a transition): a change to it
# (a PATCH making the complainant confidential, an erasure) waits for the reminder's transaction, so
# the reminder's event never embeds a complaint that changed under it; one held by such a change is
# skipped this round.
FIND_OVERDUE = Sql(
    f"""
    SELECT r.id, r.due_at, a.timezone
    FROM referrals r JOIN agencies a ON a.code = r.agency_code JOIN complaints c ON c.id = r.complaint_id
    WHERE r.state = 'forwarded' AND r.due_at < :now AND r.{OVERDUE_STAMP} IS DISTINCT FROM r.due_at
    ORDER BY r.due_at
    LIMIT :limit
    FOR UPDATE OF r SKIP LOCKED FOR KEY SHARE OF c SKIP LOCKED
    """
)
# `horizon`: a cheap, index-friendly prefilter; the caller decides exactly (reminders/due_soon.py).
FIND_DUE_SOON = Sql(
    f"""
    SELECT r.id, r.due_at, a.timezone
    FROM referrals r JOIN agencies a ON a.code = r.agency_code JOIN complaints c ON c.id = r.complaint_id
    WHERE r.state = 'forwarded' AND r.due_at >= :now AND r.due_at < :horizon
      AND r.{DUE_SOON_STAMP} IS DISTINCT FROM r.due_at
    ORDER BY r.due_at
    LIMIT :limit
    FOR UPDATE OF r SKIP LOCKED FOR KEY SHARE OF c SKIP LOCKED
    """
)


async def lock_overdue(db: Db, now: datetime, limit: int) -> list[asyncpg.Record]:
    """Forwarded referrals past their deadline and not yet reminded of it (id, due_at, timezone), locked."""
    return await db.fetch(FIND_OVERDUE.bind(now=now, limit=limit))


async def lock_due_soon_candidates(db: Db, now: datetime, horizon: datetime, limit: int) -> list[asyncpg.Record]:
    """Forwarded referrals due between `now` and `horizon`, not yet reminded (id, due_at, timezone), locked."""
    return await db.fetch(FIND_DUE_SOON.bind(now=now, horizon=horizon, limit=limit))
