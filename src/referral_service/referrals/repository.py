"""The referral's SQL, written once and prepared once per connection (asyncpg).

A referral is read together with its complaint (columns under `COMPLAINT_PREFIX`) and its agency's
time zone and region: what a response body and the visibility rule need, in one statement.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Literal

import asyncpg

from referral_service.auth.principal import Principal
from referral_service.auth.scope import referral_clause
from referral_service.complaints.representation import OUT_FIELDS as COMPLAINT_FIELDS
from referral_service.db.driver import Db
from referral_service.db.sql import Sql
from referral_service.events.outbox import recording_statement
from referral_service.events.service import RESERVE_EVENT_SQL

COMPLAINT_PREFIX = "complaint__"

# --- the working calendar in force (referrals/deadlines.py) --------------------------------------

# pg_advisory_xact_lock key guarding "the calendar in force" (arbitrary, fixed, unique in the service).
CALENDAR_LOCK_KEY = 7_240_001
# Every request that shows a deadline must see the calendar in force, but the overrides rarely
# change: each session asks only for a digest of the table (one tiny row), and the overrides are
# read again only when the digest is one not seen before. The digest and the rows it stands for
# come from one statement (one snapshot), so a digest never names another version's rows.
_AGGREGATE = "SELECT coalesce(jsonb_agg(jsonb_build_array(day, kind, name) ORDER BY day), '[]'::jsonb)::text FROM calendar_overrides"
# The digest as a column expression, for statements that fetch it alongside their own rows.
DIGEST_SQL = f"md5(({_AGGREGATE}))"
DIGEST = Sql(f"SELECT {DIGEST_SQL}")
DIGEST_AND_ROWS = Sql(f"SELECT md5(a), a FROM ({_AGGREGATE}) AS s(a)")
LOCK_CALENDAR_SHARED = Sql(
    "SELECT pg_advisory_xact_lock_shared(:calendar_lock::bigint)", calendar_lock=CALENDAR_LOCK_KEY
)
LOCK_CALENDAR_EXCLUSIVE = Sql("SELECT pg_advisory_xact_lock(:calendar_lock::bigint)", calendar_lock=CALENDAR_LOCK_KEY)


# Every column a transition may change, in the order `update` writes them.
MUTABLE = (
    "state",
    "instructions",
    "forwarded_at",
    "due_at",
    "due_working_days",
    "deadline_started_at",
    "due_soon_notified_for",
    "overdue_notified_for",
    "first_responded_at",
    "first_response_working_days",
    "first_response_on_time",
    "acknowledged_at",
    "external_ref",
    "response",
    "resolution",
    "closed_at",
    "follow_up_count",
    "version",
    "event_seq",
    "updated_at",
)
COLUMNS = ("id", "complaint_id", "agency_code", *MUTABLE, "created_at")

_REFERRAL_COLUMNS = ", ".join(f"r.{name}" for name in COLUMNS)
_COMPLAINT_COLUMNS = ", ".join(f"c.{name} AS {COMPLAINT_PREFIX}{name}" for name in COMPLAINT_FIELDS)
_FROM = """
    FROM referrals r
    JOIN complaints c ON c.id = r.complaint_id
    JOIN agencies a ON a.code = r.agency_code
"""
_READ = f"SELECT {_REFERRAL_COLUMNS}, {_COMPLAINT_COLUMNS}, a.timezone, a.region_code AS agency_region_code {_FROM}"

_GET = Sql(f"{_READ} WHERE r.id = :id")
# A transition's first statement: the row locked, the agency's default deadline, an id and time
# reserved for the transition's event (so the change, the event and its fan-out are one statement
# later), and the digest of the working calendar in force (read after the row lock's wait, so after
# the calendar lock a deadline-setting transition took first). The complaint is locked FOR KEY SHARE:
# after waiting for a lock, PostgreSQL re-reads only the rows the statement locks, so without it a
# transition that waited for an erasure holding its referral would embed the complaint as it was
# before the erasure in its event. (An erasure locks the referrals before the complaint, the same
# order, so the two cannot deadlock.)
_GET_FOR_UPDATE = Sql(f"""
    SELECT {_REFERRAL_COLUMNS}, {_COMPLAINT_COLUMNS}, a.timezone, a.region_code AS agency_region_code,
           a.default_due_working_days AS agency_due_working_days, {RESERVE_EVENT_SQL},
           {DIGEST_SQL} AS calendar_digest
    {_FROM}
    WHERE r.id = :id
    FOR UPDATE OF r FOR KEY SHARE OF c
""")
# A transition: its change as a CTE of the statement that records its event (see events.record),
# the referral id and every mutable column as parameters named after the columns.
_UPDATE_CTE = Sql(f"""updated AS (
        UPDATE referrals SET {", ".join(f"{name} = :{name}" for name in MUTABLE)}
        WHERE id = :referral_id
    ),
    """)
RECORD_TRANSITION = recording_statement(before=_UPDATE_CTE)

# Referring: the complaint and the agency named, in one round trip (agency columns NULL if unknown).
# The complaint is locked FOR KEY SHARE, as the referral's foreign key would lock it at the insert
# anyway, but before it is read: a change holding it FOR UPDATE (an erasure, a PATCH) is waited for and
# its result read, so the new referral's event never carries values the change removed; one coming
# later waits for this transaction.
_COMPLAINT_AND_AGENCY = Sql(f"""
    SELECT {", ".join(f"c.{name}" for name in COMPLAINT_FIELDS)}, a.code AS agency_code, a.timezone,
           a.region_code AS agency_region_code, a.active AS agency_active
    FROM complaints c LEFT JOIN agencies a ON a.code = :agency_code
    WHERE c.id = :complaint_id
    FOR KEY SHARE OF c
""")
_INSERT = Sql(f"""
    INSERT INTO referrals (id, complaint_id, agency_code, state, instructions, event_seq, created_at, updated_at)
    VALUES (:id, :complaint_id, :agency_code, 'received', :instructions, 1, :now, :now)
    RETURNING {", ".join(COLUMNS)}, {RESERVE_EVENT_SQL}
""")


async def get(db: Db, referral_id: uuid.UUID) -> asyncpg.Record | None:
    return await db.fetchrow(_GET.bind(id=referral_id))


async def get_for_update(db: Db, referral_id: uuid.UUID) -> asyncpg.Record | None:
    return await db.fetchrow(_GET_FOR_UPDATE.bind(id=referral_id))


def transition_statement(referral_id: uuid.UUID, values: dict[str, Any]) -> Sql:
    """The statement recording a transition, with its change bound: every mutable column (JSON ones
    as JSON text); the recorder binds the event's values."""
    return RECORD_TRANSITION.bind(referral_id=referral_id, **{name: values[name] for name in MUTABLE})


async def complaint_and_agency(db: Db, complaint_id: uuid.UUID, agency_code: str) -> asyncpg.Record | None:
    return await db.fetchrow(_COMPLAINT_AND_AGENCY.bind(complaint_id=complaint_id, agency_code=agency_code))


async def insert(
    db: Db,
    *,
    referral_id: uuid.UUID,
    complaint_id: uuid.UUID,
    agency_code: str,
    instructions: str | None,
    now: datetime,
) -> asyncpg.Record:
    row = await db.fetchrow(
        _INSERT.bind(
            id=referral_id, complaint_id=complaint_id, agency_code=agency_code, instructions=instructions, now=now
        )
    )
    assert row is not None
    return row


# --- the list (and the agency queue) ------------------------------------------------------------

_LIST_FILTERS = ("state", "agency_code", "complaint_id", "overdue", "not_overdue", "due_before", "cursor")
_FILTER_SQL = {
    "state": Sql("r.state = :state"),
    "agency_code": Sql("r.agency_code = :agency_code"),
    "complaint_id": Sql("r.complaint_id = :complaint_id"),
    # Served by the partial index ix_referrals_forwarded_due_at (state = 'forwarded').
    "overdue": Sql("r.state = 'forwarded' AND r.due_at < :overdue"),
    "not_overdue": Sql("(r.state <> 'forwarded' OR r.due_at IS NULL OR r.due_at >= :not_overdue)"),
    "due_before": Sql("r.state = 'forwarded' AND r.due_at < :due_before"),
    "cursor": Sql("(r.created_at, r.id) < (:cursor_created_at, :cursor_id)"),
}


def list_statement(principal: Principal, *, limit: int, filters: dict[str, Any]) -> Sql:
    """The list's statement. `filters`: the present ones of `_LIST_FILTERS` (cursor as a
    (created_at, id) pair). Its text depends only on the shape of the request (who asks, which
    filters are present): prepared once per shape and connection."""
    values: dict[str, Any] = {}
    parts = [referral_clause(principal)]
    for name in _LIST_FILTERS:
        value = filters.get(name)
        if value is None:
            continue
        parts.append(_FILTER_SQL[name])
        if name == "cursor":
            values["cursor_created_at"], values["cursor_id"] = value
        else:
            values[name] = value
    return (
        Sql(f"{_READ} WHERE ") + Sql.join(" AND ", parts) + Sql(" ORDER BY r.created_at DESC, r.id DESC LIMIT :limit")
    ).bind(limit=limit, **values)


async def list_page(db: Db, principal: Principal, *, limit: int, filters: dict[str, Any]) -> list[asyncpg.Record]:
    """Up to `limit` rows, newest first."""
    return await db.fetch(list_statement(principal, limit=limit, filters=filters))


# --- the reminders' stamp ---------------------------------------------------------------------

Reminder = Literal["overdue", "due_soon"]


def _stamp(column: str) -> Sql:
    # event_seq is bumped under the row lock taken by the reminder's finding statement: the
    # timeline stays gapless.
    return Sql(
        f"""
        WITH stamped AS (
            UPDATE referrals r SET {column} = r.due_at, event_seq = r.event_seq + 1
            WHERE r.id = ANY(:ids::uuid[])
            RETURNING r.*
        )
        SELECT {_REFERRAL_COLUMNS}, {_COMPLAINT_COLUMNS}, a.timezone, a.region_code AS agency_region_code,
               a.default_due_working_days AS agency_due_working_days
        FROM stamped r
        JOIN complaints c ON c.id = r.complaint_id
        JOIN agencies a ON a.code = r.agency_code
        ORDER BY r.due_at, r.id
        """
    )


# The stamp of each reminder: the due_at it was sent for (a new due_at re-arms it).
_STAMP = {"overdue": _stamp("overdue_notified_for"), "due_soon": _stamp("due_soon_notified_for")}


async def stamp_reminded(db: Db, reminder: Reminder, ids: list[uuid.UUID]) -> list[asyncpg.Record]:
    """Stamp the (locked) referrals as reminded for their current due_at and bump their event_seq;
    returns them as the request paths read them, by due_at."""
    if not ids:
        return []
    return await db.fetch(_STAMP[reminder].bind(ids=ids))


# --- a calendar change: the forwarded referrals it may move --------------------------------------

# The forwarded referrals whose deadline window may contain a day, with their complaint and agency
# as a transition reads them; locked in id order (no deadlocks between changes), served by the
# partial index on due_at.
_OPEN_DEADLINES_AROUND = Sql(f"""
    SELECT {_REFERRAL_COLUMNS},
           {_COMPLAINT_COLUMNS},
           a.timezone, a.region_code AS agency_region_code, a.default_due_working_days AS agency_due_working_days
    FROM referrals r
    JOIN complaints c ON c.id = r.complaint_id
    JOIN agencies a ON a.code = r.agency_code
    WHERE r.state = 'forwarded'
      AND r.due_at >= :window_start AND r.deadline_started_at < :window_end
      AND r.due_working_days IS NOT NULL
    ORDER BY r.id
    FOR UPDATE OF r FOR KEY SHARE OF c
""")
_MOVE_DEADLINE = """
    UPDATE referrals SET due_at = :due_at, version = version + 1, event_seq = event_seq + 1, updated_at = :now
    WHERE id = :id
"""


async def lock_open_deadlines_around(db: Db, day_start: datetime) -> list[asyncpg.Record]:
    """Candidates for a calendar change on the day starting at `day_start` (UTC), locked: a UTC range
    one day wider on each side than any zone's day, checked exactly by the caller."""
    return await db.fetch(
        _OPEN_DEADLINES_AROUND.bind(
            window_start=day_start - timedelta(days=1), window_end=day_start + timedelta(days=2)
        )
    )


async def move_deadlines(db: Db, moves: Sequence[tuple[uuid.UUID, datetime]], now: datetime) -> None:
    """New due dates, one round trip: each moved referral gets a new version and event number."""
    await db.executemany(_MOVE_DEADLINE, [{"id": id_, "due_at": due_at, "now": now} for id_, due_at in moves])
