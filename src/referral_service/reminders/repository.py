"""The deadline reminders' SQL: find the forwarded referrals a reminder is owed for, and stamp them.

A batch is found and locked in one statement (FOR UPDATE SKIP LOCKED: two workers never hold the
same referral), then the chosen ones are stamped and their `event_seq` bumped in another, which
returns each as the referral's request paths read it (referral, complaint under `COMPLAINT_PREFIX`,
the agency's time zone and region), ready for its timeline event.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg

from referral_service.complaints.representation import OUT_FIELDS as COMPLAINT_FIELDS
from referral_service.db.driver import Db
from referral_service.db.sql import Sql
from referral_service.referrals.repository import COLUMNS as REFERRAL_COLUMNS
from referral_service.referrals.repository import COMPLAINT_PREFIX

# The stamp of each reminder: the due_at it was sent for (a new due_at re-arms it).
OVERDUE_STAMP = "overdue_notified_for"
DUE_SOON_STAMP = "due_soon_notified_for"

FIND_OVERDUE = Sql(
    f"""
    SELECT r.id, r.due_at, a.timezone
    FROM referrals r JOIN agencies a ON a.code = r.agency_code
    WHERE r.state = 'forwarded' AND r.due_at < :now AND r.{OVERDUE_STAMP} IS DISTINCT FROM r.due_at
    ORDER BY r.due_at
    LIMIT :limit
    FOR UPDATE OF r SKIP LOCKED
    """
)
# `horizon`: a cheap, index-friendly prefilter; the caller decides exactly (reminders/due_soon.py).
FIND_DUE_SOON = Sql(
    f"""
    SELECT r.id, r.due_at, a.timezone
    FROM referrals r JOIN agencies a ON a.code = r.agency_code
    WHERE r.state = 'forwarded' AND r.due_at >= :now AND r.due_at < :horizon
      AND r.{DUE_SOON_STAMP} IS DISTINCT FROM r.due_at
    ORDER BY r.due_at
    LIMIT :limit
    FOR UPDATE OF r SKIP LOCKED
    """
)

_REFERRAL = ", ".join(f"r.{name}" for name in REFERRAL_COLUMNS)
_COMPLAINT = ", ".join(f"c.{name} AS {COMPLAINT_PREFIX}{name}" for name in COMPLAINT_FIELDS)


def _stamp(column: str) -> Sql:
    # event_seq is bumped under the row lock taken by the finding statement: the timeline stays gapless.
    return Sql(
        f"""
        WITH stamped AS (
            UPDATE referrals r SET {column} = r.due_at, event_seq = r.event_seq + 1
            WHERE r.id = ANY(:ids::uuid[])
            RETURNING r.*
        )
        SELECT {_REFERRAL}, {_COMPLAINT}, a.timezone, a.region_code AS agency_region_code,
               a.default_due_working_days AS agency_due_working_days
        FROM stamped r
        JOIN complaints c ON c.id = r.complaint_id
        JOIN agencies a ON a.code = r.agency_code
        ORDER BY r.due_at, r.id
        """
    )


_STAMP = {OVERDUE_STAMP: _stamp(OVERDUE_STAMP), DUE_SOON_STAMP: _stamp(DUE_SOON_STAMP)}


async def lock_overdue(db: Db, now: datetime, limit: int) -> list[asyncpg.Record]:
    """Forwarded referrals past their deadline and not yet reminded of it (id, due_at, timezone), locked."""
    return await db.fetch(FIND_OVERDUE.bind(now=now, limit=limit))


async def lock_due_soon_candidates(db: Db, now: datetime, horizon: datetime, limit: int) -> list[asyncpg.Record]:
    """Forwarded referrals due between `now` and `horizon`, not yet reminded (id, due_at, timezone), locked."""
    return await db.fetch(FIND_DUE_SOON.bind(now=now, horizon=horizon, limit=limit))


async def stamp(db: Db, stamp_column: str, ids: list[uuid.UUID]) -> list[asyncpg.Record]:
    """Stamp the (locked) referrals with their due_at in `stamp_column` and bump their event_seq;
    returns them as the referrals' request paths read them, by due_at."""
    if not ids:
        return []
    return await db.fetch(_STAMP[stamp_column].bind(ids=ids))
