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


# --- erasure (complaints/erasure.py) -------------------------------------------------------------
#
# Bodies are read here and rewritten by the caller from their parsed structure
# (complaints/personal_data.py), never searched for a value. `:replacement`: the text that replaces
# free text.

# The search vector follows (computed).
_ERASE = Sql(f"""
    UPDATE complaints SET complainant = 'null'::jsonb, subject = :replacement::text, description = :replacement::text,
           erased_at = now(), version = version + 1, event_seq = event_seq + 1, updated_at = now()
    WHERE id = :complaint_id
    RETURNING {_OUT_COLUMNS}, version, event_seq, erased_at
""")
_READ_ERASED = Sql(f"SELECT {_OUT_COLUMNS}, version, event_seq, erased_at FROM complaints WHERE id = :complaint_id")
_LOCK_REFERRALS = Sql(
    "SELECT id, state, agency_code FROM referrals WHERE complaint_id = :complaint_id ORDER BY id FOR UPDATE"
)
_ERASE_REFERRALS = Sql("""
    UPDATE referrals SET instructions = NULL,
           response = CASE WHEN response IS NULL OR jsonb_typeof(response) <> 'object' THEN response
                           ELSE response || jsonb_build_object('summary', :replacement::text, 'actions_taken', NULL) END,
           version = version + 1, updated_at = now()
    WHERE complaint_id = :complaint_id
""")
# `:types`: event types whose data may hold free text.
_EVENTS_WITH_TEXT = Sql(
    "SELECT id, type, data FROM events WHERE complaint_id = :complaint_id AND type = ANY (:types::text[]) ORDER BY id"
)
# The narrow way past the timeline's append-only trigger (migration 0014): the complaint's id, or ''
# to close it again. Transaction-local.
_ERASING = Sql("SELECT set_config('referral.erasing_complaint', :complaint::text, true)")
_SET_EVENT_DATA = "UPDATE events SET data = :data::jsonb WHERE id = :id"
_FEED_BODIES = Sql("""
    SELECT event_id, type, full_body, agency_body FROM event_feed
    WHERE complaint_id = :complaint_id ORDER BY event_id FOR UPDATE
""")
_SET_FEED_BODIES = "UPDATE event_feed SET full_body = :full_body, agency_body = :agency_body WHERE event_id = :event_id"
_MESSAGE_BODIES = Sql("""
    SELECT m.id, m.type, m.body FROM webhook_messages m JOIN events ev ON ev.id = m.event_id
    WHERE ev.complaint_id = :complaint_id ORDER BY m.id FOR UPDATE OF m
""")
_SET_MESSAGE_BODY = "UPDATE webhook_messages SET body = :body WHERE id = :id"
# Receivers' answers to the complaint's messages: their structure is the receiver's, so they go whole.
# (An attempt recorded later drops its own: webhooks/recording.py.)
_DROP_ANSWERS = Sql("""
    UPDATE webhook_attempts a SET response_body = NULL
    FROM webhook_deliveries d, webhook_messages m, events ev
    WHERE a.delivery_id = d.id AND d.message_id = m.id AND m.event_id = ev.id
      AND ev.complaint_id = :complaint_id AND a.response_body IS NOT NULL
""")
# Pushes about the referrals: applied to one (`:referral_ids`), or refused before they were (a body
# that did not match the schema) while naming one by its id (never a personal value), from the
# referrals' agencies (`:agency_codes`).
_INBOUND = Sql("""
    SELECT id, status_code, body, response_body FROM inbound_events
    WHERE referral_id = ANY (:referral_ids::uuid[])
       OR (referral_id IS NULL AND agency_code = ANY (:agency_codes::text[]) AND body IS NOT NULL
           AND EXISTS (SELECT 1 FROM unnest(:referral_ids::uuid[]) AS r
                       WHERE position(convert_to(r::text, 'UTF8') IN body) > 0))
    ORDER BY id FOR UPDATE
""")
_SET_INBOUND = "UPDATE inbound_events SET body = :body, response_body = :response_body WHERE id = :id"
# Stored replays that may be about the complaint: its id (never a personal value) appears in them.
_REPLAYS = Sql("""
    SELECT principal_id, key, body FROM idempotency_keys
    WHERE position(convert_to(:complaint_id::uuid::text, 'UTF8') IN body) > 0
    ORDER BY principal_id, key FOR UPDATE
""")
_SET_REPLAY = "UPDATE idempotency_keys SET body = :body WHERE principal_id = :principal_id AND key = :key"


async def erase_record(db: Db, complaint_id: uuid.UUID, replacement: str) -> asyncpg.Record:
    """Clear the complaint's personal columns; the row as it is afterwards (locked by the caller)."""
    row = await db.fetchrow(_ERASE.bind(complaint_id=complaint_id, replacement=replacement))
    assert row is not None  # locked by the caller
    return row


async def read_erased(db: Db, complaint_id: uuid.UUID) -> asyncpg.Record | None:
    """The complaint with its erasure time."""
    return await db.fetchrow(_READ_ERASED.bind(complaint_id=complaint_id))


async def lock_referrals(db: Db, complaint_id: uuid.UUID) -> list[asyncpg.Record]:
    return await db.fetch(_LOCK_REFERRALS.bind(complaint_id=complaint_id))


async def erase_referrals(db: Db, complaint_id: uuid.UUID, replacement: str) -> None:
    await db.execute(_ERASE_REFERRALS.bind(complaint_id=complaint_id, replacement=replacement))


async def events_with_text(db: Db, complaint_id: uuid.UUID, types: list[str]) -> list[asyncpg.Record]:
    return await db.fetch(_EVENTS_WITH_TEXT.bind(complaint_id=complaint_id, types=types))


async def set_event_data(db: Db, complaint_id: uuid.UUID, changes: list[tuple[int, str]]) -> None:
    """Rewrite events' `data` (event id, JSON text), through the timeline's erasure path."""
    await db.execute(_ERASING.bind(complaint=str(complaint_id)))
    await db.executemany(_SET_EVENT_DATA, [{"id": event_id, "data": data} for event_id, data in changes])
    await db.execute(_ERASING.bind(complaint=""))


async def feed_bodies(db: Db, complaint_id: uuid.UUID) -> list[asyncpg.Record]:
    return await db.fetch(_FEED_BODIES.bind(complaint_id=complaint_id))


async def set_feed_bodies(db: Db, changes: list[tuple[int, bytes, bytes | None]]) -> None:
    await db.executemany(
        _SET_FEED_BODIES, [{"event_id": i, "full_body": full, "agency_body": agency} for i, full, agency in changes]
    )


async def message_bodies(db: Db, complaint_id: uuid.UUID) -> list[asyncpg.Record]:
    return await db.fetch(_MESSAGE_BODIES.bind(complaint_id=complaint_id))


async def set_message_bodies(db: Db, changes: list[tuple[int, bytes]]) -> None:
    await db.executemany(_SET_MESSAGE_BODY, [{"id": i, "body": body} for i, body in changes])


async def drop_receiver_answers(db: Db, complaint_id: uuid.UUID) -> None:
    await db.execute(_DROP_ANSWERS.bind(complaint_id=complaint_id))


async def inbound_pushes(db: Db, referral_ids: list[uuid.UUID], agency_codes: list[str]) -> list[asyncpg.Record]:
    return await db.fetch(_INBOUND.bind(referral_ids=referral_ids, agency_codes=agency_codes))


async def set_inbound_pushes(db: Db, changes: list[tuple[uuid.UUID, bytes | None, bytes | None]]) -> None:
    await db.executemany(
        _SET_INBOUND, [{"id": i, "body": body, "response_body": answer} for i, body, answer in changes]
    )


async def replays_mentioning(db: Db, complaint_id: uuid.UUID) -> list[asyncpg.Record]:
    return await db.fetch(_REPLAYS.bind(complaint_id=complaint_id))


async def set_replays(db: Db, changes: list[tuple[uuid.UUID, str, bytes]]) -> None:
    await db.executemany(
        _SET_REPLAY, [{"principal_id": owner, "key": key, "body": body} for owner, key, body in changes]
    )


# Complaints whose referrals have all been closed before the cutoff: never-referred complaints are
# kept. Locked, skipping those another worker holds.
_DUE_FOR_RETENTION = Sql("""
    SELECT c.id FROM complaints c
    WHERE c.erased_at IS NULL
      AND EXISTS (SELECT 1 FROM referrals r WHERE r.complaint_id = c.id)
      AND NOT EXISTS (
          SELECT 1 FROM referrals r
          WHERE r.complaint_id = c.id AND (r.state <> 'closed' OR r.closed_at IS NULL OR r.closed_at > :closed_before)
      )
    ORDER BY c.created_at
    LIMIT :limit
    FOR UPDATE OF c SKIP LOCKED
""")


async def due_for_retention(db: Db, closed_before: datetime, limit: int) -> list[uuid.UUID]:
    return [row["id"] for row in await db.fetch(_DUE_FOR_RETENTION.bind(closed_before=closed_before, limit=limit))]
