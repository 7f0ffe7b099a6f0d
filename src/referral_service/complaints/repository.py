"""The complaint record's SQL, written once and prepared once per connection (asyncpg).

Functions take a `Db` and return asyncpg records (mapping access: `row["region_code"]`).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from functools import lru_cache
from typing import Any

import asyncpg

from referral_service.auth.principal import Principal
from referral_service.auth.scope import SqlFilter, complaint_filter, region_filter
from referral_service.complaints.representation import OUT_FIELDS
from referral_service.db.driver import Db
from referral_service.events.service import RESERVE_EVENT_SQL

_OUT_COLUMNS = ", ".join(OUT_FIELDS)
_READ_COLUMNS = f"{_OUT_COLUMNS}, version, event_seq"

# The columns a complaint is written with, in the order `write_args` gives them.
WRITABLE = (
    "channel",
    "received_at",
    "complainant",
    "identity_confidential",
    "subject",
    "description",
    "category",
    "reported_party",
    "region_code",
    "incident_date",
    "external_refs",
)


def padded_number_sql(digits: str) -> str:
    """SQL for `f"{n:06d}"` of a positive integer given as text: zero-padded to six digits, longer
    numbers kept whole (lpad alone would truncate them)."""
    return f"CASE WHEN length({digits}) < 6 THEN lpad({digits}, 6, '0') ELSE {digits} END"


# Intake in one statement: the reference drawn from the sequence (zero-padded to six digits, longer
# numbers kept whole), the row inserted only if the reported party names a known agency (no row
# back means it does not), the stored row returned with the id and time reserved for its
# `complaint.created` event. $1 id, $2 reference prefix, $3 created_by_key_id, $4 now,
# $5 reported agency code or NULL, $6.. the WRITABLE columns.
_INSERT = f"""
    WITH n AS (SELECT nextval('complaint_reference_seq')::text AS n)
    INSERT INTO complaints (id, reference, created_by_key_id, created_at, updated_at, event_seq, {", ".join(WRITABLE)})
    SELECT $1, $2 || {padded_number_sql("n.n")}, $3, $4, $4, 1,
           {", ".join(f"${i}" for i in range(6, 6 + len(WRITABLE)))}
    FROM n
    WHERE $5::text IS NULL OR EXISTS (SELECT 1 FROM agencies WHERE code = $5::text)
    RETURNING {_OUT_COLUMNS}, version, {RESERVE_EVENT_SQL}
"""

_GET = f"SELECT {_READ_COLUMNS} FROM complaints WHERE id = $1"
_GET_FOR_UPDATE = f"SELECT {_READ_COLUMNS}, {RESERVE_EVENT_SQL} FROM complaints WHERE id = $1 FOR UPDATE"
_AGENCY_EXISTS = "SELECT EXISTS (SELECT 1 FROM agencies WHERE code = $1)"

# A patch rewrites every writable column (unchanged ones with their own value): one statement
# shape, whatever the patch touched. $1 id, $2.. the WRITABLE columns.
_UPDATE = f"""
    UPDATE complaints SET {", ".join(f"{name} = ${i}" for i, name in enumerate(WRITABLE, start=2))},
           version = version + 1, event_seq = event_seq + 1, updated_at = now()
    WHERE id = $1
    RETURNING {_READ_COLUMNS}
"""


def reference_prefix(region_code: str, received_at: datetime) -> str:
    """`64-2026-`: the province and the year received; the sequence adds the number."""
    return f"{region_code.split('.', 1)[0]}-{received_at.year}-"


async def insert(
    db: Db,
    *,
    complaint_id: uuid.UUID,
    prefix: str,
    created_by: uuid.UUID,
    now: datetime,
    reported_agency_code: str | None,
    columns: dict[str, Any],
) -> asyncpg.Record | None:
    """The stored row (with `event_id`, `event_occurred_at`), or None if the reported agency is unknown."""
    return await db.fetchrow(
        _INSERT, complaint_id, prefix, created_by, now, reported_agency_code, *(columns[name] for name in WRITABLE)
    )


async def get(db: Db, complaint_id: uuid.UUID) -> asyncpg.Record | None:
    return await db.fetchrow(_GET, complaint_id)


async def get_for_update(db: Db, complaint_id: uuid.UUID) -> asyncpg.Record | None:
    """The row locked for a change, with an event id and time reserved for the change's event."""
    return await db.fetchrow(_GET_FOR_UPDATE, complaint_id)


async def agency_exists(db: Db, code: str) -> bool:
    return bool(await db.fetchval(_AGENCY_EXISTS, code))


async def update(db: Db, complaint_id: uuid.UUID, columns: dict[str, Any]) -> asyncpg.Record:
    row = await db.fetchrow(_UPDATE, complaint_id, *(columns[name] for name in WRITABLE))
    assert row is not None  # locked by get_for_update in this transaction
    return row


# --- the list ----------------------------------------------------------------------------------

_LIST_FILTERS = ("category", "channel", "received_from", "received_to", "q")
_FILTER_SQL = {
    "category": "c.category = {p0}",
    "channel": "c.channel = {p0}",
    "received_from": "c.received_at >= {p0}",
    "received_to": "c.received_at < {p0}",
    "q": "c.search_vector @@ websearch_to_tsquery('simple', {p0})",
    "cursor": "(c.created_at, c.id) < ({p0}, {p1})",
}


@lru_cache(maxsize=512)
def _list_sql(scope_template: str, scope_arity: int, region_template: str | None, present: tuple[str, ...]) -> str:
    """The list statement for one shape of request (who asks, which filters are present): a few
    dozen shapes in practice, each built once and then prepared once per connection."""
    parts: list[str] = []
    param = 1
    for template, arity in ((scope_template, scope_arity), (region_template, 2)):
        if template is None:
            continue
        parts.append(SqlFilter(template, (None,) * arity).render(param))
        param += arity
    for name in present:
        template = _FILTER_SQL[name]
        arity = 2 if name == "cursor" else 1
        parts.append(SqlFilter(template, (None,) * arity).render(param))
        param += arity
    where = " AND ".join(parts) or "true"
    return (
        f"SELECT {_READ_COLUMNS} FROM complaints c WHERE {where} ORDER BY c.created_at DESC, c.id DESC LIMIT ${param}"
    )


async def list_page(
    db: Db,
    principal: Principal,
    *,
    limit: int,
    region_code: str | None,
    filters: dict[str, Any],
    cursor: tuple[datetime, uuid.UUID] | None,
) -> list[asyncpg.Record]:
    """Up to `limit` rows, newest first. `filters`: the present ones of category, channel,
    received_from, received_to, q."""
    scope = complaint_filter(principal)
    region = region_filter("c.region_code", region_code) if region_code is not None else None
    present = tuple(name for name in _LIST_FILTERS if filters.get(name) is not None)
    args: list[Any] = [*scope.values, *(region.values if region else ()), *(filters[name] for name in present)]
    if cursor is not None:
        present += ("cursor",)
        args.extend(cursor)
    sql = _list_sql(scope.template, len(scope.values), region.template if region else None, present)
    return await db.fetch(sql, *args, limit)
