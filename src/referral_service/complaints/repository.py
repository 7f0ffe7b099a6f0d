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


# --- erasure (complaints/erasure.py) -------------------------------------------------------------
#
# Parameters are numbered in each statement's comment. Bodies are read here and rewritten by the
# caller from their parsed structure (complaints/personal_data.py), never searched for a value.

# $1 complaint id, $2 the text that replaces free text. The search vector follows (computed).
_ERASE = f"""
    UPDATE complaints SET complainant = 'null'::jsonb, subject = $2::text, description = $2::text, erased_at = now(),
           version = version + 1, event_seq = event_seq + 1, updated_at = now()
    WHERE id = $1
    RETURNING {_OUT_COLUMNS}, version, event_seq, erased_at
"""
_READ_ERASED = f"SELECT {_OUT_COLUMNS}, version, event_seq, erased_at FROM complaints WHERE id = $1"
# $1 complaint id.
_LOCK_REFERRALS = "SELECT id, state, agency_code FROM referrals WHERE complaint_id = $1 ORDER BY id FOR UPDATE"
# $1 complaint id, $2 the text that replaces free text.
_ERASE_REFERRALS = """
    UPDATE referrals SET instructions = NULL,
           response = CASE WHEN response IS NULL OR jsonb_typeof(response) <> 'object' THEN response
                           ELSE response || jsonb_build_object('summary', $2::text, 'actions_taken', NULL) END,
           version = version + 1, updated_at = now()
    WHERE complaint_id = $1
"""
# $1 complaint id, $2 event types whose data may hold free text.
_EVENTS_WITH_TEXT = "SELECT id, type, data FROM events WHERE complaint_id = $1 AND type = ANY ($2::text[]) ORDER BY id"
# The narrow way past the timeline's append-only trigger (migration 0014): $1 the complaint's id, or ''
# to close it again. Transaction-local.
_ERASING = "SELECT set_config('referral.erasing_complaint', $1::text, true)"
# $1 event id, $2 its data with the free text replaced.
_SET_EVENT_DATA = "UPDATE events SET data = $2::jsonb WHERE id = $1"
# $1 complaint id.
_FEED_BODIES = """
    SELECT event_id, type, full_body, agency_body FROM event_feed WHERE complaint_id = $1 ORDER BY event_id FOR UPDATE
"""
# $1 event id, $2 full body, $3 agency body.
_SET_FEED_BODIES = "UPDATE event_feed SET full_body = $2, agency_body = $3 WHERE event_id = $1"
# $1 complaint id.
_MESSAGE_BODIES = """
    SELECT m.id, m.type, m.body FROM webhook_messages m JOIN events ev ON ev.id = m.event_id
    WHERE ev.complaint_id = $1 ORDER BY m.id FOR UPDATE OF m
"""
# $1 message id, $2 body.
_SET_MESSAGE_BODY = "UPDATE webhook_messages SET body = $2 WHERE id = $1"
# Receivers' answers to the complaint's messages: their structure is the receiver's, so they go whole.
# $1 complaint id. (An attempt recorded later drops its own: webhooks/recording.py.)
_DROP_ANSWERS = """
    UPDATE webhook_attempts a SET response_body = NULL
    FROM webhook_deliveries d, webhook_messages m, events ev
    WHERE a.delivery_id = d.id AND d.message_id = m.id AND m.event_id = ev.id
      AND ev.complaint_id = $1 AND a.response_body IS NOT NULL
"""
# Pushes about the referrals: applied to one ($1, the referral ids), or refused before they were (a body
# that did not match the schema) while naming one by its id (never a personal value), from the
# referrals' agencies ($2).
_INBOUND = """
    SELECT id, status_code, body, response_body FROM inbound_events
    WHERE referral_id = ANY ($1::uuid[])
       OR (referral_id IS NULL AND agency_code = ANY ($2::text[]) AND body IS NOT NULL
           AND EXISTS (SELECT 1 FROM unnest($1::uuid[]) AS r WHERE position(convert_to(r::text, 'UTF8') IN body) > 0))
    ORDER BY id FOR UPDATE
"""
# $1 inbound event id, $2 the push, $3 the answer.
_SET_INBOUND = "UPDATE inbound_events SET body = $2, response_body = $3 WHERE id = $1"
# Stored replays that may be about the complaint: its id (never a personal value) appears in them.
# $1 complaint id.
_REPLAYS = """
    SELECT principal_id, key, body FROM idempotency_keys
    WHERE position(convert_to($1::uuid::text, 'UTF8') IN body) > 0
    ORDER BY principal_id, key FOR UPDATE
"""
# $1 key owner, $2 key, $3 body.
_SET_REPLAY = "UPDATE idempotency_keys SET body = $3 WHERE principal_id = $1 AND key = $2"


async def erase_record(db: Db, complaint_id: uuid.UUID, replacement: str) -> asyncpg.Record:
    """Clear the complaint's personal columns; the row as it is afterwards (locked by the caller)."""
    row = await db.fetchrow(_ERASE, complaint_id, replacement)
    assert row is not None  # locked by the caller
    return row


async def read_erased(db: Db, complaint_id: uuid.UUID) -> asyncpg.Record | None:
    """The complaint with its erasure time."""
    return await db.fetchrow(_READ_ERASED, complaint_id)


async def lock_referrals(db: Db, complaint_id: uuid.UUID) -> list[asyncpg.Record]:
    return await db.fetch(_LOCK_REFERRALS, complaint_id)


async def erase_referrals(db: Db, complaint_id: uuid.UUID, replacement: str) -> None:
    await db.execute(_ERASE_REFERRALS, complaint_id, replacement)


async def events_with_text(db: Db, complaint_id: uuid.UUID, types: list[str]) -> list[asyncpg.Record]:
    return await db.fetch(_EVENTS_WITH_TEXT, complaint_id, types)


async def set_event_data(db: Db, complaint_id: uuid.UUID, changes: list[tuple[int, str]]) -> None:
    """Rewrite events' `data` (event id, JSON text), through the timeline's erasure path."""
    await db.execute(_ERASING, str(complaint_id))
    await db.conn.executemany(_SET_EVENT_DATA, changes)
    await db.execute(_ERASING, "")


async def feed_bodies(db: Db, complaint_id: uuid.UUID) -> list[asyncpg.Record]:
    return await db.fetch(_FEED_BODIES, complaint_id)


async def set_feed_bodies(db: Db, changes: list[tuple[int, bytes, bytes | None]]) -> None:
    await db.conn.executemany(_SET_FEED_BODIES, changes)


async def message_bodies(db: Db, complaint_id: uuid.UUID) -> list[asyncpg.Record]:
    return await db.fetch(_MESSAGE_BODIES, complaint_id)


async def set_message_bodies(db: Db, changes: list[tuple[int, bytes]]) -> None:
    await db.conn.executemany(_SET_MESSAGE_BODY, changes)


async def drop_receiver_answers(db: Db, complaint_id: uuid.UUID) -> None:
    await db.execute(_DROP_ANSWERS, complaint_id)


async def inbound_pushes(db: Db, referral_ids: list[uuid.UUID], agency_codes: list[str]) -> list[asyncpg.Record]:
    return await db.fetch(_INBOUND, referral_ids, agency_codes)


async def set_inbound_pushes(db: Db, changes: list[tuple[uuid.UUID, bytes | None, bytes | None]]) -> None:
    await db.conn.executemany(_SET_INBOUND, changes)


async def replays_mentioning(db: Db, complaint_id: uuid.UUID) -> list[asyncpg.Record]:
    return await db.fetch(_REPLAYS, complaint_id)


async def set_replays(db: Db, changes: list[tuple[uuid.UUID, str, bytes]]) -> None:
    await db.conn.executemany(_SET_REPLAY, changes)


# Complaints whose referrals have all been closed before the cutoff ($1): never-referred complaints are
# kept. $2 how many. Locked, skipping those another worker holds.
_DUE_FOR_RETENTION = """
    SELECT c.id FROM complaints c
    WHERE c.erased_at IS NULL
      AND EXISTS (SELECT 1 FROM referrals r WHERE r.complaint_id = c.id)
      AND NOT EXISTS (
          SELECT 1 FROM referrals r
          WHERE r.complaint_id = c.id AND (r.state <> 'closed' OR r.closed_at IS NULL OR r.closed_at > $1)
      )
    ORDER BY c.created_at
    LIMIT $2
    FOR UPDATE OF c SKIP LOCKED
"""


async def due_for_retention(db: Db, closed_before: datetime, limit: int) -> list[uuid.UUID]:
    return [row["id"] for row in await db.fetch(_DUE_FOR_RETENTION, closed_before, limit)]
