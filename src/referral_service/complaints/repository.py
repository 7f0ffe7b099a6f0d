"""The complaint record's SQL, written once and prepared once per connection (asyncpg).

Functions take a `Db` and return asyncpg records (mapping access: `row["region_code"]`).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import asyncpg

from referral_service import idempotency
from referral_service.auth.principal import Principal
from referral_service.auth.scope import complaint_clause, in_region
from referral_service.complaints.representation import OUT_FIELDS
from referral_service.db.driver import Db
from referral_service.db.sql import Sql
from referral_service.events.outbox import recording_statement
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


_GET = Sql(f"SELECT {_READ_COLUMNS} FROM complaints WHERE id = :id")
_GET_FOR_UPDATE = Sql(f"SELECT {_READ_COLUMNS}, {RESERVE_EVENT_SQL} FROM complaints WHERE id = :id FOR UPDATE")
_CONFIDENTIAL_AMONG = Sql("SELECT id FROM complaints WHERE id = ANY (:ids::uuid[]) AND identity_confidential")
_AGENCY_EXISTS = Sql("SELECT EXISTS (SELECT 1 FROM agencies WHERE code = :code)")

# A patch rewrites every writable column (unchanged ones with their own value): one statement
# shape, whatever the patch touched.
_UPDATE = Sql(f"""
    UPDATE complaints SET {", ".join(f"{name} = :{name}" for name in WRITABLE)},
           version = version + 1, event_seq = event_seq + 1, updated_at = now()
    WHERE id = :id
    RETURNING {_READ_COLUMNS}
""")


def reference(region_code: str, received_at: datetime, number: int) -> str:
    """`64-2026-000123`: the province, the year received (UTC) and the sequence's number, zero-padded to
    six digits; longer numbers are kept whole."""
    return f"{region_code.split('.', 1)[0]}-{received_at.year}-{number:06d}"


async def get(db: Db, complaint_id: uuid.UUID) -> asyncpg.Record | None:
    return await db.fetchrow(_GET.bind(id=complaint_id))


async def get_for_update(db: Db, complaint_id: uuid.UUID) -> asyncpg.Record | None:
    """The row locked for a change, with an event id and time reserved for the change's event."""
    return await db.fetchrow(_GET_FOR_UPDATE.bind(id=complaint_id))


async def confidential_among(db: Db, complaint_ids: list[str]) -> list[uuid.UUID]:
    """Those of the complaints whose complainant is confidential now."""
    return [row["id"] for row in await db.fetch(_CONFIDENTIAL_AMONG.bind(ids=complaint_ids))]


async def agency_exists(db: Db, code: str) -> bool:
    return bool(await db.fetchval(_AGENCY_EXISTS.bind(code=code)))


async def update(db: Db, complaint_id: uuid.UUID, columns: dict[str, Any]) -> asyncpg.Record:
    row = await db.fetchrow(_UPDATE.bind(id=complaint_id, **{name: columns[name] for name in WRITABLE}))
    assert row is not None  # locked by get_for_update in this transaction
    return row


# --- intake (complaints/intake.py) --------------------------------------------------------------

_DRAW_NUMBERS = "nextval('complaint_reference_seq') AS n, now() AS now"
_DRAW = Sql(f"SELECT {_DRAW_NUMBERS}")
_DRAW_WITH_KEY = (
    Sql("SELECT ")
    + idempotency.TRY_LOCK_COLUMN
    + Sql(f", {_DRAW_NUMBERS}, ")
    + idempotency.LOOK_UP_COLUMNS
    + Sql(" FROM (VALUES (1)) AS one (x)")
    + idempotency.LOOK_UP_JOIN
)

# Whether the reported party's agency (if one is named) is in the directory: the one check of the
# request only the database can make. Nothing is written when it fails, the idempotency record included
# (the key stays free for a corrected request).
_AGENCY_KNOWN_CTE = Sql(
    """agency_known AS (
        SELECT (:reported_agency::text IS NULL OR EXISTS (SELECT 1 FROM agencies WHERE code = :reported_agency::text))
               AS ok
    ),
    """
)
_AGENCY_KNOWN = Sql("(SELECT ok FROM agency_known)")


def _created_cte(condition: Sql) -> Sql:
    """The complaint row: its first event is event 1."""
    return (
        Sql(
            f"""created AS (
        INSERT INTO complaints (id, reference, created_by_key_id, created_at, updated_at, event_seq,
                                {", ".join(WRITABLE)})
        SELECT :id, :reference, :created_by_key_id, :created_at, :created_at, 1,
               {", ".join(f":{name}" for name in WRITABLE)}
        WHERE """
        )
        + _AGENCY_KNOWN
        + Sql(" AND ")
        + condition
        + Sql(
            """
        RETURNING id
    ),
    """
        )
    )


_CREATED = Sql("EXISTS (SELECT 1 FROM created)")
_OUTCOME = Sql(", ") + _AGENCY_KNOWN + Sql(" AS agency_known, ") + _CREATED + Sql(" AS created")
_RECORD = recording_statement(
    before=_AGENCY_KNOWN_CTE + _created_cte(Sql("true")), guard=_CREATED, returning=_OUTCOME, draws_event_id=True
)
_RECORD_WITH_KEY = recording_statement(
    before=_AGENCY_KNOWN_CTE + idempotency.claim_cte(_AGENCY_KNOWN) + _created_cte(idempotency.CLAIMED),
    guard=_CREATED,
    returning=_OUTCOME + Sql(", ") + idempotency.CLAIMED + Sql(" AS claimed"),
    draws_event_id=True,
)


async def draw_numbers(db: Db) -> asyncpg.Record:
    """The reference number and the time, from the database."""
    drawn = await db.fetchrow(_DRAW)
    assert drawn is not None  # a SELECT without FROM: always one row
    return drawn


async def draw_numbers_with_key(db: Db, keyed: dict[str, Any]) -> asyncpg.Record:
    """`draw_numbers`, with the key's lock tried and its record looked up (idempotency.py)."""
    drawn = await db.fetchrow(_DRAW_WITH_KEY.bind(**keyed))
    assert drawn is not None  # always one row
    return drawn


def intake_values(
    *,
    complaint_id: uuid.UUID,
    reference: str,
    created_by_key_id: uuid.UUID | None,
    created_at: datetime,
    columns: dict[str, Any],
    reported_agency: str | None,
) -> dict[str, Any]:
    """The new complaint's values for `record_intake`. `columns`: the WRITABLE ones as parameters."""
    return {
        "id": complaint_id,
        "reference": reference,
        "created_by_key_id": created_by_key_id,
        "created_at": created_at,
        "reported_agency": reported_agency,
        **{name: columns[name] for name in WRITABLE},
    }


async def record_intake(db: Db, values: dict[str, Any]) -> asyncpg.Record:
    """The complaint, its event and the fan-out: one statement. `values`: `intake_values` and the
    recorder's (`outbox.drawn_event_values`)."""
    row = await db.fetchrow(_RECORD.bind(**values))
    assert row is not None  # always one row
    return row


async def record_intake_with_key(db: Db, values: dict[str, Any]) -> asyncpg.Record:
    """`record_intake` claiming the Idempotency-Key with it (`idempotency.key_values`, `record_values`)."""
    row = await db.fetchrow(_RECORD_WITH_KEY.bind(**values))
    assert row is not None  # always one row
    return row


# --- the list ----------------------------------------------------------------------------------

_LIST_FILTERS = ("category", "channel", "received_from", "received_to", "q")
_FILTER_SQL = {
    "category": Sql("c.category = :category"),
    "channel": Sql("c.channel = :channel"),
    "received_from": Sql("c.received_at >= :received_from"),
    "received_to": Sql("c.received_at < :received_to"),
    "q": Sql("c.search_vector @@ websearch_to_tsquery('simple', :q)"),
}
_CURSOR = Sql("(c.created_at, c.id) < (:cursor_created_at, :cursor_id)")


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
    received_from, received_to, q. The statement's text depends only on the request's shape (who
    asks, which filters are present): prepared once per shape and connection."""
    parts = [complaint_clause(principal)]
    if region_code is not None:
        parts.append(in_region("c.region_code", region_code))
    values: dict[str, Any] = {}
    for name in _LIST_FILTERS:
        if filters.get(name) is not None:
            parts.append(_FILTER_SQL[name])
            values[name] = filters[name]
    if cursor is not None:
        parts.append(_CURSOR)
        values["cursor_created_at"], values["cursor_id"] = cursor
    where = [part for part in parts if part.text != "true"] or parts[:1]
    statement = (
        Sql(f"SELECT {_READ_COLUMNS} FROM complaints c WHERE ")
        + Sql.join(" AND ", where)
        + Sql(" ORDER BY c.created_at DESC, c.id DESC LIMIT :limit")
    )
    return await db.fetch(statement.bind(limit=limit, **values))
