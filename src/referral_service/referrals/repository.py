"""The referral's SQL, written once and prepared once per connection (asyncpg).

A referral is read together with its complaint (columns under `COMPLAINT_PREFIX`) and its agency's
time zone and region: what a response body and the visibility rule need, in one statement.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from functools import lru_cache
from typing import Any

import asyncpg

from referral_service.auth.principal import Principal
from referral_service.auth.scope import SqlFilter, referral_filter
from referral_service.complaints.representation import OUT_FIELDS as COMPLAINT_FIELDS
from referral_service.db.driver import Db
from referral_service.events.service import RESERVE_EVENT_SQL
from referral_service.referrals.deadlines import DIGEST_SQL
from referral_service.webhooks.outbox import FIRST_FREE_PARAM

COMPLAINT_PREFIX = "complaint__"

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

_GET = f"{_READ} WHERE r.id = $1"
# A transition's first statement: the row locked, the agency's default deadline, an id and time
# reserved for the transition's event (so the change, the event and its fan-out are one statement
# later), and the digest of the working calendar in force (read after the row lock's wait, so after
# the calendar lock a deadline-setting transition took first).
_GET_FOR_UPDATE = f"""
    SELECT {_REFERRAL_COLUMNS}, {_COMPLAINT_COLUMNS}, a.timezone, a.region_code AS agency_region_code,
           a.default_due_working_days AS agency_due_working_days, {RESERVE_EVENT_SQL},
           {DIGEST_SQL} AS calendar_digest
    {_FROM}
    WHERE r.id = $1
    FOR UPDATE OF r
"""
# A transition's change, as a CTE of the statement that records its event (see events.record):
# the referral id and every mutable column as parameters from the outbox's first free one on.
UPDATE_CTE = f"""updated AS (
        UPDATE referrals SET {", ".join(f"{name} = ${FIRST_FREE_PARAM + 1 + i}" for i, name in enumerate(MUTABLE))}
        WHERE id = ${FIRST_FREE_PARAM}
    ),
    """

# Referring: the complaint and the agency named, in one round trip (agency columns NULL if unknown).
# The complaint is locked FOR KEY SHARE, as the referral's foreign key would lock it at the insert
# anyway, but before it is read: a change holding it FOR UPDATE (an erasure, a PATCH) is waited for and
# its result read, so the new referral's event never carries values the change removed; one coming
# later waits for this transaction.
_COMPLAINT_AND_AGENCY = f"""
    SELECT {", ".join(f"c.{name}" for name in COMPLAINT_FIELDS)}, a.code AS agency_code, a.timezone,
           a.region_code AS agency_region_code, a.active AS agency_active
    FROM complaints c LEFT JOIN agencies a ON a.code = $2
    WHERE c.id = $1
    FOR KEY SHARE OF c
"""
_INSERT = f"""
    INSERT INTO referrals (id, complaint_id, agency_code, state, instructions, event_seq, created_at, updated_at)
    VALUES ($1, $2, $3, 'received', $4, 1, $5, $5)
    RETURNING {", ".join(COLUMNS)}, {RESERVE_EVENT_SQL}
"""


async def get(db: Db, referral_id: uuid.UUID) -> asyncpg.Record | None:
    return await db.fetchrow(_GET, referral_id)


async def get_for_update(db: Db, referral_id: uuid.UUID) -> asyncpg.Record | None:
    return await db.fetchrow(_GET_FOR_UPDATE, referral_id)


def update_args(referral_id: uuid.UUID, values: dict[str, Any]) -> list[Any]:
    """`UPDATE_CTE`'s arguments: every mutable column (JSON ones as JSON text)."""
    return [referral_id, *(values[name] for name in MUTABLE)]


async def complaint_and_agency(db: Db, complaint_id: uuid.UUID, agency_code: str) -> asyncpg.Record | None:
    return await db.fetchrow(_COMPLAINT_AND_AGENCY, complaint_id, agency_code)


async def insert(
    db: Db,
    *,
    referral_id: uuid.UUID,
    complaint_id: uuid.UUID,
    agency_code: str,
    instructions: str | None,
    now: datetime,
) -> asyncpg.Record:
    row = await db.fetchrow(_INSERT, referral_id, complaint_id, agency_code, instructions, now)
    assert row is not None
    return row


# --- the list (and the agency queue) ------------------------------------------------------------

_LIST_FILTERS = ("state", "agency_code", "complaint_id", "overdue", "not_overdue", "due_before", "cursor")
_FILTER_SQL = {
    "state": ("r.state = {p0}", 1),
    "agency_code": ("r.agency_code = {p0}", 1),
    "complaint_id": ("r.complaint_id = {p0}", 1),
    # Served by the partial index ix_referrals_forwarded_due_at (state = 'forwarded').
    "overdue": ("r.state = 'forwarded' AND r.due_at < {p0}", 1),
    "not_overdue": ("(r.state <> 'forwarded' OR r.due_at IS NULL OR r.due_at >= {p0})", 1),
    "due_before": ("r.state = 'forwarded' AND r.due_at < {p0}", 1),
    "cursor": ("(r.created_at, r.id) < ({p0}, {p1})", 2),
}


@lru_cache(maxsize=512)
def _list_sql(scope_template: str, scope_arity: int, present: tuple[str, ...]) -> str:
    """The list statement for one shape of request: built once per shape, prepared once per connection."""
    parts = [SqlFilter(scope_template, (None,) * scope_arity).render(1)]
    param = 1 + scope_arity
    for name in present:
        template, arity = _FILTER_SQL[name]
        parts.append(SqlFilter(template, (None,) * arity).render(param))
        param += arity
    return f"{_READ} WHERE {' AND '.join(parts)} ORDER BY r.created_at DESC, r.id DESC LIMIT ${param}"


def list_statement(principal: Principal, *, limit: int, filters: dict[str, Any]) -> tuple[str, list[Any]]:
    """The list's SQL and arguments. `filters`: the present ones of `_LIST_FILTERS` (cursor as a
    (created_at, id) pair)."""
    scope = referral_filter(principal)
    present = tuple(name for name in _LIST_FILTERS if filters.get(name) is not None)
    args: list[Any] = list(scope.values)
    for name in present:
        value = filters[name]
        args.extend(value if name == "cursor" else (value,))
    return _list_sql(scope.template, len(scope.values), present), [*args, limit]


async def list_page(db: Db, principal: Principal, *, limit: int, filters: dict[str, Any]) -> list[asyncpg.Record]:
    """Up to `limit` rows, newest first."""
    sql, args = list_statement(principal, limit=limit, filters=filters)
    return await db.fetch(sql, *args)
