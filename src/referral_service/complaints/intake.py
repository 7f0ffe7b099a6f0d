"""Intake, the busiest write: a complaint recorded in two statements, without BEGIN/COMMIT.

1. `_DRAW` (with the Idempotency-Key's stored response when a key is sent): the reference number
   and the time, from the database.
2. `_RECORD` (or `_RECORD_WITH_KEY`): the `complaint.created` event's id, drawn there, then the
   complaint row, its event, the webhook fan-out, the NOTIFYs and the idempotency record, in one
   data-modifying statement: atomic on its own, so no transaction is needed around the two.

Everything the response and the webhook body say is known after statement 1 (the times are this
request's), so both are built in Python in between, once, except the event id: it must be drawn by
the transaction that records the event, or the event feed could settle its horizon past the id
before the event exists and a reader would move its cursor over it for good (the no-gap rule,
events/feed.py). The body is built as the two parts around its event id, which statement 2 joins
around the id it drew (`outbox.recording_statement(draws_event_id=True)`).

With a key (idempotency.py): the unique (key owner, key) row gives one effect: a concurrent
duplicate's claim waits for the first statement to commit, writes nothing and replays the stored
response; if the first failed, the duplicate records the complaint instead. Statement 1 also tries
the key's advisory lock, which other routes hold for their whole transaction: held, the intake is a
409 (IETF draft); two intakes trying it at the same instant make one of them a 409 too. A route that
took the lock before an intake recorded the key finds the record when it writes its own, and is
rolled back with a 409. A request refused for an unknown agency writes nothing, its idempotency
record included.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from referral_service import clock, idempotency
from referral_service.auth.principal import Principal
from referral_service.complaints import repository
from referral_service.complaints.representation import complaint_out
from referral_service.complaints.schemas import ComplaintCreate
from referral_service.complaints.service import check_region, column_params, column_values, reported_agency, snapshot_of
from referral_service.db.driver import Db
from referral_service.errors import UnprocessableEntity
from referral_service.events.draft import Actor, EventDraft
from referral_service.events.outbox import drawn_event_values
from referral_service.idempotency import IdempotencyRequest, StoredResponse
from referral_service.json_encoding import dumps
from referral_service.preconditions import etag


@dataclass(frozen=True, slots=True)
class IntakeResult:
    response: StoredResponse
    replayed: bool = False


async def create(
    db: Db, principal: Principal, data: ComplaintCreate, request: IdempotencyRequest | None
) -> IntakeResult:
    """Record a complaint (or replay the response stored under the same Idempotency-Key)."""
    check_region(principal, data.region_code)
    if request is None:
        drawn = await repository.draw_numbers(db)
        return await _record(db, principal, data, drawn, None)
    keyed = idempotency.key_values(principal, request.key)
    drawn = await repository.draw_numbers_with_key(db, keyed)
    if not drawn["idem_locked"]:
        raise idempotency.in_flight()
    replay = idempotency.replay_of(drawn, request.fingerprint)
    if replay is not None:
        return IntakeResult(replay, replayed=True)
    if drawn["idem_found"]:
        # Expired: the key may be used again. Only an expired record is removed, so a retry that
        # recorded it again meanwhile keeps its own.
        await idempotency.forget_expired(db, principal, request.key)
    return await _record(db, principal, data, drawn, request)


def _unknown_agency(data: ComplaintCreate) -> UnprocessableEntity:
    return UnprocessableEntity(f"reported_party.agency_code {reported_agency(data)!r} is not in the agency directory.")


async def _record(
    db: Db, principal: Principal, data: ComplaintCreate, drawn: Any, request: IdempotencyRequest | None
) -> IntakeResult:
    now = clock.now()
    values = column_values(data)
    # One clock for both, so a complaint is never "received" after it was recorded; UTC as stored.
    received_at = (data.received_at or now).astimezone(UTC)
    values["received_at"] = received_at
    complaint_id = uuid.uuid4()
    reference = repository.reference(data.region_code, received_at, drawn["n"])
    stored = {**values, "id": complaint_id, "reference": reference, "created_at": now, "updated_at": now}
    body = dumps(complaint_out(stored))
    response = StoredResponse(201, body, {"Location": f"/v1/complaints/{complaint_id}", "ETag": etag(1)})

    draft = EventDraft(
        type="complaint.created",
        complaint_id=complaint_id,
        sequence=1,
        region_code=data.region_code,
        data={"reference": reference, "region_code": data.region_code, "category": data.category.value},
    )
    recording = drawn_event_values(
        occurred_at=drawn["now"], draft=draft, actor=Actor.of(principal), snapshot=snapshot_of(stored)
    )
    complaint = repository.intake_values(
        complaint_id=complaint_id,
        reference=reference,
        created_by_key_id=principal.key_id,
        created_at=now,
        columns=column_params(values),
        reported_agency=reported_agency(data),
    )
    if request is None:
        row = await repository.record_intake(db, {**recording, **complaint})
    else:
        keyed = {
            **idempotency.key_values(principal, request.key),
            **idempotency.record_values(request, response),
        }
        row = await repository.record_intake_with_key(db, {**recording, **complaint, **keyed})
        if not row["agency_known"]:
            raise _unknown_agency(data)  # nothing was written, the idempotency record included
        if not row["claimed"]:
            # A first request with this key committed after statement 1 read (a concurrent duplicate
            # waits for it here): its response is the answer.
            return IntakeResult(await idempotency.stored_replay(db, principal, request), replayed=True)
    if not row["agency_known"]:
        raise _unknown_agency(data)
    assert row["created"]  # the agency is known, and (with a key) the key was claimed
    return IntakeResult(response)
