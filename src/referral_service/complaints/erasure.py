"""Erasing a complainant's personal data: on request (`POST /v1/complaints/{id}/erase`, admin) or
by the retention job (`REFERRAL_RETENTION_DAYS`), in one transaction per complaint.

What is erased (replaced by `[erased]`, or emptied):
- the complaint's `complainant` (name, email, phone, address, identity number: the whole object
  becomes null), `subject` and `description` (free text written by or about the complainant; the
  search index follows, being computed from them);
- its referrals' `instructions` and `response.summary` and `response.actions_taken` (free text that
  may quote the complainant), and the free text its events recorded: notes, answers, follow-up
  reasons and closing notes (`events.schemas.FREE_TEXT_IN_EVENT_DATA`);
- every stored copy of those values: idempotent replays (`idempotency_keys.body`), inbound pushes
  about its referrals and our answers to them (`inbound_events.body`, `response_body`, `reason`),
  webhook bodies of its events, queued or sent (`webhook_messages.body`) and the receivers' answers
  to them (`webhook_attempts.response_body`, `error`), and the event feed's bodies (`event_feed`).
  In these, every occurrence of an erased value (as text, and as a JSON string with or without
  non-ASCII escapes) is replaced by `[erased]`.

Kept, so reports and the timeline stay correct: reference, channel, category, region, dates,
`identity_confidential`, `reported_party`, `external_refs`, every referral's states, dates,
deadlines, outcome and resolution, and the timeline itself. The timeline (`events`) is append-only
and never held the complainant's identity (a `complaint.updated` event names the changed fields,
not their values). Its rows keep the free text of notes and answers as recorded; the API and the
web pages serve `[erased]` in its place for the events recorded before the erasure
(`events.schemas.data_out`), so only the database itself still holds it.

A `complaint.erased` event (actor: the admin key, or the service for retention; `details.reason`,
`details.forced`) records the erasure on the timeline and goes to subscribers. Erasing an erased
complaint changes nothing and records nothing (idempotent).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import asyncpg
import orjson

from referral_service.attachments.cleanup import delete_identity_documents
from referral_service.complaints import repository
from referral_service.complaints.representation import OUT_FIELDS
from referral_service.db.driver import Db
from referral_service.errors import Conflict, NotFound
from referral_service.events.draft import Actor, EventDraft
from referral_service.events.schemas import ERASED, FREE_TEXT_IN_EVENT_DATA, free_text
from referral_service.events.service import record

ERASED_EVENT = "complaint.erased"

# Values shorter than this are not searched for in stored bodies (they would match unrelated text);
# they are still erased from the record itself.
MIN_SCRUB_LENGTH = 3

_READ = f"{', '.join(OUT_FIELDS)}, version, event_seq, erased_at"
_ERASE_COMPLAINT = f"""
    UPDATE complaints SET complainant = 'null'::jsonb, subject = $2::text, description = $2::text, erased_at = now(),
           version = version + 1, event_seq = event_seq + 1, updated_at = now()
    WHERE id = $1
    RETURNING {_READ}
"""
_LOCK_REFERRALS = (
    "SELECT id, state, instructions, response FROM referrals WHERE complaint_id = $1 ORDER BY id FOR UPDATE"
)
_ERASE_REFERRALS = """
    UPDATE referrals SET instructions = NULL,
           response = CASE WHEN response IS NULL OR jsonb_typeof(response) <> 'object' THEN response
                           ELSE response || jsonb_build_object('summary', $2::text, 'actions_taken', NULL) END,
           version = version + 1, updated_at = now()
    WHERE complaint_id = $1
"""
_ERASED_AT = "SELECT erased_at FROM complaints WHERE id = $1"
_EVENT_TEXTS = "SELECT type, data FROM events WHERE complaint_id = $1 AND type = ANY ($2::text[])"

# Stored bodies that may carry the values: (select, update) pairs; $1 complaint id, $2 referral ids.
_BLOBS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "SELECT event_id AS k, full_body, agency_body FROM event_feed WHERE complaint_id = $1 FOR UPDATE",
        "UPDATE event_feed SET full_body = $2, agency_body = $3 WHERE event_id = $1",
        ("full_body", "agency_body"),
    ),
    (
        "SELECT m.id AS k, m.body FROM webhook_messages m JOIN events ev ON ev.id = m.event_id "
        "WHERE ev.complaint_id = $1 FOR UPDATE OF m",
        "UPDATE webhook_messages SET body = $2 WHERE id = $1",
        ("body",),
    ),
    (
        "SELECT a.id AS k, convert_to(a.response_body, 'UTF8') AS response_body, convert_to(a.error, 'UTF8') AS error "
        "FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id "
        "JOIN webhook_messages m ON m.id = d.message_id JOIN events ev ON ev.id = m.event_id "
        "WHERE ev.complaint_id = $1 FOR UPDATE OF a",
        "UPDATE webhook_attempts SET response_body = convert_from($2, 'UTF8'), error = left(convert_from($3, 'UTF8'), 500) WHERE id = $1",
        ("response_body", "error"),
    ),
    (
        "SELECT id AS k, body, response_body, convert_to(reason, 'UTF8') AS reason FROM inbound_events "
        "WHERE referral_id = ANY ($2::uuid[]) AND $1::uuid IS NOT NULL FOR UPDATE",
        "UPDATE inbound_events SET body = $2, response_body = $3, reason = convert_from($4, 'UTF8') WHERE id = $1",
        ("body", "response_body", "reason"),
    ),
    (
        # Replays of intake (the complaint's id) and of referral creation and transitions (a referral's).
        "SELECT principal_id, key, body FROM idempotency_keys "
        "WHERE position(convert_to($1::uuid::text, 'UTF8') IN body) > 0 "
        "   OR EXISTS (SELECT 1 FROM unnest($2::uuid[]) r WHERE position(convert_to(r::text, 'UTF8') IN body) > 0) "
        "FOR UPDATE",
        "UPDATE idempotency_keys SET body = $3 WHERE principal_id = $1 AND key = $2",
        ("body",),
    ),
)


def _forms(value: str) -> list[bytes]:
    """How a value may appear in a stored body: as text, and as the inside of a JSON string (UTF-8,
    or with non-ASCII escaped)."""
    forms = {value.encode(), orjson.dumps(value)[1:-1], json.dumps(value)[1:-1].encode()}
    return sorted(forms, key=len, reverse=True)


def personal_values(
    complaint: asyncpg.Record, referrals: list[asyncpg.Record], events: list[asyncpg.Record]
) -> list[str]:
    """The recorded values erasure removes, longest first."""
    values: list[str] = []
    complainant = complaint["complainant"]
    if isinstance(complainant, dict):
        values += [v for v in complainant.values() if isinstance(v, str)]
    values += [complaint["subject"], complaint["description"]]
    for referral in referrals:
        if referral["instructions"]:
            values.append(referral["instructions"])
        response = referral["response"]
        if isinstance(response, dict):
            values += [v for v in (response.get("summary"), response.get("actions_taken")) if isinstance(v, str)]
    for event in events:
        values += free_text(event["type"], event["data"])
    return sorted({v for v in values if v and v != ERASED}, key=len, reverse=True)


def scrub(blob: bytes | None, patterns: list[bytes]) -> bytes | None:
    if blob is None:
        return None
    out = bytes(blob)
    for pattern in patterns:
        if pattern in out:
            out = out.replace(pattern, ERASED.encode())
    return out


async def erase(db: Db, complaint_id: uuid.UUID, actor: Actor, *, reason: str, force: bool) -> asyncpg.Record:
    """Erase now (see the module docstring). Refused (409) while a referral is open, unless `force`.
    Returns the complaint row as it is afterwards."""
    locked = await repository.get_for_update(db, complaint_id)
    if locked is None:
        raise NotFound("No complaint with this id.")
    if await db.fetchval(_ERASED_AT, complaint_id) is not None:
        erased = await db.fetchrow(f"SELECT {_READ} FROM complaints WHERE id = $1", complaint_id)
        assert erased is not None  # locked above
        return erased
    referrals = await db.fetch(_LOCK_REFERRALS, complaint_id)
    open_referrals = [r for r in referrals if r["state"] != "closed"]
    if open_referrals and not force:
        raise Conflict(
            f"{len(open_referrals)} referral(s) of this complaint are not closed; close them first, "
            "or send `force: true` with a reason."
        )
    events = await db.fetch(_EVENT_TEXTS, complaint_id, list(FREE_TEXT_IN_EVENT_DATA))
    values = personal_values(locked, referrals, events)
    patterns = [form for value in values if len(value) >= MIN_SCRUB_LENGTH for form in _forms(value)]
    row = await db.fetchrow(_ERASE_COMPLAINT, complaint_id, ERASED)
    assert row is not None
    if referrals:
        await db.execute(_ERASE_REFERRALS, complaint_id, ERASED)
    referral_ids = [r["id"] for r in referrals]
    for select, update, columns in _BLOBS:
        changed: list[tuple[Any, ...]] = []
        for blob_row in (
            await db.fetch(select, complaint_id, referral_ids)
            if "$2" in select
            else await db.fetch(select, complaint_id)
        ):
            new = [scrub(blob_row[c], patterns) for c in columns]
            if new != [None if blob_row[c] is None else bytes(blob_row[c]) for c in columns]:
                keys = (
                    (blob_row["principal_id"], blob_row["key"])
                    if "principal_id" in blob_row.keys()  # noqa: SIM118 - `in` on an asyncpg Record looks at its values
                    else (blob_row["k"],)
                )
                changed.append((*keys, *new))
        if changed:
            await db.conn.executemany(update, changed)
    # Identity documents (a copy of the KTP...) go with the identity: rows and bytes.
    documents = await delete_identity_documents(db, complaint_id)
    await record(
        db,
        EventDraft(
            type=ERASED_EVENT,
            complaint_id=complaint_id,
            sequence=row["event_seq"],
            region_code=row["region_code"],
            data={"reason": reason, "forced": bool(open_referrals), "identity_documents_removed": documents},
        ),
        actor,
        snapshot={"complaint": {name: row[name] for name in OUT_FIELDS}},
        reserved=(locked["event_id"], locked["event_occurred_at"]),
    )
    return row


# --- retention --------------------------------------------------------------------------------

_DUE = """
    SELECT c.id FROM complaints c
    WHERE c.erased_at IS NULL
      AND EXISTS (SELECT 1 FROM referrals r WHERE r.complaint_id = c.id)
      AND NOT EXISTS (
          SELECT 1 FROM referrals r
          WHERE r.complaint_id = c.id AND (r.state <> 'closed' OR r.closed_at IS NULL OR r.closed_at > now() - make_interval(days => $1))
      )
    ORDER BY c.created_at
    LIMIT $2
    FOR UPDATE OF c SKIP LOCKED
"""
RETENTION_BATCH = 50


async def due_for_retention(db: Db, days: int, limit: int = RETENTION_BATCH) -> list[uuid.UUID]:
    """Complaints whose referrals have all been closed for more than `days` days (complaints never
    referred are kept: they are still the Ombudsman's own work), locked for this transaction."""
    return [row["id"] for row in await db.fetch(_DUE, days, limit)]
