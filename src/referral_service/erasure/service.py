"""Erasing a complainant's personal data: on request (`POST /v1/complaints/{id}/erase`, admin) or
by the retention job (`REFERRAL_RETENTION_DAYS`), in one transaction per complaint.

By structure, never by value: every stored body about the complaint is parsed, the values at the
paths `erasure.personal_data` marks personal are replaced (whatever they are, and whatever they
were when the body was built: a body from before a PATCH holds the old name at the same path), and
the body is written back re-encoded, so it stays valid JSON. No value is searched for anywhere.

What is erased:
- the complaint's `complainant` (the whole object becomes null), `subject` and `description`
  (`[erased]`; the search index follows), its referrals' `instructions` (null) and answers'
  `summary` (`[erased]`) and `actions_taken` (null);
- the free text its timeline recorded (notes, answers, follow-up reasons, closing notes), in the
  `events` rows themselves: `[erased]`, through the one change the append-only trigger permits
  (migration 0014);
- the same values in every stored copy: the event feed's bodies (`event_feed`), webhook bodies
  queued or sent (`webhook_messages`), idempotent replays (`idempotency_keys`), inbound pushes about
  its referrals, also those refused before they were applied that name one by its id, and the answers
  to them (`inbound_events.body`, `response_body`; a push that is not a JSON object is dropped whole);
- receivers' answers to its webhook messages (`webhook_attempts.response_body`): dropped whole,
  their structure being the receiver's. An attempt in flight during the erasure drops its answer
  when it is recorded (webhooks/recording.py locks the complaint row to decide);
- its identity documents (`contains_identity`): rows and bytes.

Kept, so reports and the timeline stay correct: everything `personal_data` marks `Kept`, with why.

A `complaint.erased` event (actor: the admin key, or the service for retention; `details.reason`,
`details.forced`, `details.identity_documents_removed`, `details.timeline_events_redacted`) records
the erasure on the timeline and goes to subscribers. Erasing an erased complaint changes nothing and
records nothing (idempotent).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import asyncpg
import orjson

from referral_service import clock
from referral_service.attachments.cleanup import delete_identity_documents
from referral_service.complaints import service as complaints
from referral_service.complaints.representation import OUT_FIELDS
from referral_service.db.driver import Db, json_param
from referral_service.erasure import personal_data, repository
from referral_service.erasure.personal_data import ERASED
from referral_service.errors import Conflict, NotFound
from referral_service.events.draft import Actor, EventDraft
from referral_service.events.service import record

ERASED_EVENT = "complaint.erased"

# Event types whose recorded data holds free text.
_TYPES_WITH_TEXT = sorted(
    event_type
    for event_type, shape in personal_data.DETAILS.items()
    if any(isinstance(rule, personal_data.Personal) for _, rule in personal_data.paths(shape))
)


async def erase_complaint(db: Db, complaint_id: uuid.UUID, actor: Actor, *, reason: str, force: bool) -> asyncpg.Record:
    """Erase the complainant's personal data: one unit of work."""
    async with db.transaction():
        return await erase(db, complaint_id, actor, reason=reason, force=force)


async def erase(db: Db, complaint_id: uuid.UUID, actor: Actor, *, reason: str, force: bool) -> asyncpg.Record:
    """Erase now (see the module docstring). Refused (409) while a referral is open, unless `force`.
    Returns the complaint row as it is afterwards."""
    # The referrals first, then the complaint: a transition locks its referral and then (FOR KEY SHARE)
    # the complaint, so taking them in the same order cannot deadlock with one. Once the complaint is
    # held no referral can be added (referring takes FOR KEY SHARE on it), so the referrals are read
    # again: one created in between is counted too.
    await repository.lock_referrals(db, complaint_id)
    locked = await complaints.lock_for_change(db, complaint_id)
    if locked is None:
        raise NotFound("No complaint with this id.")
    current = await repository.read_erased(db, complaint_id)
    assert current is not None  # locked above
    if current["erased_at"] is not None:
        return current
    referrals = await repository.lock_referrals(db, complaint_id)
    open_referrals = [r for r in referrals if r["state"] != "closed"]
    if open_referrals and not force:
        raise Conflict(
            f"{len(open_referrals)} referral(s) of this complaint are not closed; close them first, "
            "or send `force: true` with a reason."
        )
    row = await repository.erase_record(db, complaint_id, ERASED)
    if referrals:
        await repository.erase_referrals(db, complaint_id, ERASED)
    redacted_events = await _erase_timeline_text(db, complaint_id)
    await _redact_stored_bodies(db, complaint_id, referrals)
    documents = await delete_identity_documents(db, complaint_id)
    await record(
        db,
        EventDraft(
            type=ERASED_EVENT,
            complaint_id=complaint_id,
            sequence=row["event_seq"],
            region_code=row["region_code"],
            data={
                "reason": reason,
                "forced": bool(open_referrals),
                "identity_documents_removed": documents,
                "timeline_events_redacted": redacted_events,
            },
        ),
        actor,
        snapshot={"complaint": {name: row[name] for name in OUT_FIELDS}},
        reserved=(locked["event_id"], locked["event_occurred_at"]),
    )
    return row


async def _erase_timeline_text(db: Db, complaint_id: uuid.UUID) -> int:
    """Replace the free text of the complaint's timeline events; returns how many events changed."""
    changes = [
        (event["id"], json_param(data))
        for event in await repository.events_with_text(db, complaint_id, _TYPES_WITH_TEXT)
        if (data := personal_data.timeline_data(event["type"], event["data"])) is not None
    ]
    if changes:
        await repository.set_event_data(db, complaint_id, changes)
    return len(changes)


def _redacted(body: bytes | None, node: personal_data.Node) -> bytes | None:
    """A body as erasure leaves it (the same bytes when nothing in it is personal)."""
    if body is None:
        return None
    return personal_data.redact_json(bytes(body), node) or bytes(body)


def _redacted_push(body: bytes | None) -> bytes | None:
    """An agency's push: redacted when it is a JSON object, dropped whole otherwise (its structure is
    then nobody's to know)."""
    if body is None:
        return None
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(parsed, dict):
        return None
    return orjson.dumps(personal_data.redact(parsed, personal_data.INBOUND_PUSH))


def _redacted_answer(status_code: int | None, body: bytes | None) -> bytes | None:
    """The service's answer to a push: an accepted push's embeds the referral; a problem is kept."""
    if body is None:
        return None
    try:
        if status_code is not None and status_code >= 400:
            return _redacted(body, personal_data.PROBLEM)
        return _redacted(body, personal_data.INBOUND_ANSWER)
    except ValueError:
        return None


async def _redact_stored_bodies(db: Db, complaint_id: uuid.UUID, referrals: list[asyncpg.Record]) -> None:
    feed: list[tuple[int, bytes, bytes | None]] = []
    for row in await repository.feed_bodies(db, complaint_id):
        shape = personal_data.webhook_body(row["type"])
        full, agency = _redacted(row["full_body"], shape), _redacted(row["agency_body"], shape)
        if (full, agency) != (bytes(row["full_body"]), _bytes(row["agency_body"])):
            assert full is not None  # the column is NOT NULL
            feed.append((row["event_id"], full, agency))
    if feed:
        await repository.set_feed_bodies(db, feed)

    messages: list[tuple[int, bytes]] = []
    for row in await repository.message_bodies(db, complaint_id):
        body = personal_data.redact_json(bytes(row["body"]), personal_data.webhook_body(row["type"]))
        if body is not None:
            messages.append((row["id"], body))
    if messages:
        await repository.set_message_bodies(db, messages)
    await repository.drop_receiver_answers(db, complaint_id)

    if referrals:
        pushes: list[tuple[uuid.UUID, bytes | None, bytes | None]] = []
        agencies = sorted({r["agency_code"] for r in referrals})
        for row in await repository.inbound_pushes(db, [r["id"] for r in referrals], agencies):
            push, answer = _redacted_push(row["body"]), _redacted_answer(row["status_code"], row["response_body"])
            if (push, answer) != (_bytes(row["body"]), _bytes(row["response_body"])):
                pushes.append((row["id"], push, answer))
        if pushes:
            await repository.set_inbound_pushes(db, pushes)

    replays: list[tuple[uuid.UUID, str, bytes]] = []
    for row in await repository.replays_mentioning(db, complaint_id):
        replayed = personal_data.stored_response(bytes(row["body"]), complaint_id)
        body = personal_data.redact_json(bytes(row["body"]), replayed) if replayed is not None else None
        if body is not None:
            replays.append((row["principal_id"], row["key"], body))
    if replays:
        await repository.set_replays(db, replays)


def _bytes(value: Any) -> bytes | None:
    return None if value is None else bytes(value)


# --- retention --------------------------------------------------------------------------------

RETENTION_BATCH = 50


async def due_for_retention(
    db: Db, days: int, limit: int = RETENTION_BATCH, now: datetime | None = None
) -> list[uuid.UUID]:
    """Complaints whose referrals have all been closed for more than `days` days by the service's clock
    (complaints never referred are kept: they are still the Ombudsman's own work), locked for this
    transaction."""
    return await repository.due_for_retention(db, (now or clock.now()) - timedelta(days=days), limit)
