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


def reference(region_code: str, received_at: datetime, number: int) -> str:
    """`64-2026-000123`: the province, the year received (UTC) and the sequence's number, zero-padded to
    six digits; longer numbers are kept whole."""
    return f"{region_code.split('.', 1)[0]}-{received_at.year}-{number:06d}"


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
