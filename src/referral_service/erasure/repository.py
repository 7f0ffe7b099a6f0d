"""Erasure's SQL, written once and prepared once per connection (asyncpg).

Bodies are read here and rewritten by the caller (erasure/service.py) from their parsed structure
(erasure/personal_data.py), never searched for a value. `:replacement`: the text that replaces free
text.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg

from referral_service.complaints.representation import OUT_FIELDS
from referral_service.db.driver import Db
from referral_service.db.sql import Sql

_OUT_COLUMNS = ", ".join(OUT_FIELDS)

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
# kept. Locked, skipping those another worker holds: FOR NO KEY UPDATE, which a transition's FOR KEY
# SHARE on the complaint does not wait for, so the erasure that follows still takes the referrals
# before the complaint's FOR UPDATE (see service.erase).
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
    FOR NO KEY UPDATE OF c SKIP LOCKED
""")


async def due_for_retention(db: Db, closed_before: datetime, limit: int) -> list[uuid.UUID]:
    return [row["id"] for row in await db.fetch(_DUE_FOR_RETENTION.bind(closed_before=closed_before, limit=limit))]
