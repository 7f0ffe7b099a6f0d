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
events/feed.py). The body carries a placeholder that statement 2 replaces with the id it drew
(`outbox.drawing_its_event_id`).

With a key, the unique (key owner, key) row gives one effect: a concurrent duplicate's INSERT ...
ON CONFLICT DO NOTHING waits for the first statement to commit, writes nothing and replays the
stored response; if the first failed, the duplicate records the complaint instead. Statement 1 also
tries the key's advisory lock, which other routes hold for their whole transaction
(idempotency.py): held, the intake is a 409 (IETF draft); two intakes trying it at the same
instant make one of them a 409 too. A route that took the lock before an intake recorded the key
finds the record when it writes its own, and is rolled back with a 409. A request refused for an
unknown agency writes nothing, its idempotency record included.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, timedelta
from typing import Any

from referral_service import clock
from referral_service.auth.principal import Principal
from referral_service.complaints import repository
from referral_service.complaints.representation import complaint_out, etag
from referral_service.complaints.schemas import ComplaintCreate
from referral_service.complaints.service import check_region, column_params, column_values, reported_agency, snapshot_of
from referral_service.db.driver import Db, json_param
from referral_service.errors import IdempotencyInFlight, IdempotencyKeyReused, UnprocessableEntity
from referral_service.events.draft import Actor, EventDraft
from referral_service.events.service import event_columns
from referral_service.idempotency import StoredResponse
from referral_service.json_encoding import dumps
from referral_service.webhooks.outbox import (
    EVENT_ID_PLACEHOLDER,
    FIRST_FREE_PARAM,
    drawing_its_event_id,
    event_args,
    placeholder_args,
    record_and_fan_out_sql,
)

_DRAW_NUMBERS = "nextval('complaint_reference_seq') AS n, now() AS now"
_DRAW = f"SELECT {_DRAW_NUMBERS}"
_DRAW_WITH_KEY = f"""
    SELECT pg_try_advisory_xact_lock(hashtextextended($1, 7)) AS locked, {_DRAW_NUMBERS},
           r.request_hash, r.status_code, r.body, r.headers, r.expires_at
    FROM (VALUES (1)) AS one (x)
    LEFT JOIN idempotency_keys r ON r.principal_id = $2 AND r.key = $3
"""

_P = FIRST_FREE_PARAM
_AGENCY_PARAM = f"${_P + 4 + len(repository.WRITABLE)}"
_KEY_P = _P + 5 + len(repository.WRITABLE)


# The complaint's columns: id, reference, created_by_key_id, created_at (= updated_at), then the
# writable ones; event_seq is 1 (its first event). Spelled out: the created_at parameter twice.
_INSERT_VALUES = ", ".join(
    [
        f"${_P}",
        f"${_P + 1}",
        f"${_P + 2}",
        f"${_P + 3}",
        f"${_P + 3}",
        "1",
        *(f"${_P + 4 + i}" for i in range(len(repository.WRITABLE))),
    ]
)


# Whether the reported party's agency (if one is named) is in the directory: the one check of the
# request only the database can make. Nothing is written when it fails, the idempotency record included
# (the key stays free for a corrected request).
_AGENCY_KNOWN = f"""agency_known AS (
        SELECT ({_AGENCY_PARAM}::text IS NULL OR EXISTS (SELECT 1 FROM agencies WHERE code = {_AGENCY_PARAM}::text))
               AS ok
    ),
    """


def _created(condition: str) -> str:
    return f"""created AS (
        INSERT INTO complaints (id, reference, created_by_key_id, created_at, updated_at, event_seq,
                                {", ".join(repository.WRITABLE)})
        SELECT {_INSERT_VALUES}
        WHERE (SELECT ok FROM agency_known) AND {condition}
        RETURNING id
    ),
    """


_CLAIM = f"""claimed AS (
        INSERT INTO idempotency_keys (principal_id, key, request_hash, status_code, body, headers, expires_at)
        SELECT {", ".join(f"${_KEY_P + i}" for i in range(7))}
        WHERE (SELECT ok FROM agency_known)
        ON CONFLICT (principal_id, key) DO NOTHING
        RETURNING 1
    ),
    """
_GUARD = "EXISTS (SELECT 1 FROM created)"
_OUTCOME = f", (SELECT ok FROM agency_known) AS agency_known, {_GUARD} AS created"
_RECORD = drawing_its_event_id(
    record_and_fan_out_sql(before=_AGENCY_KNOWN + _created("true"), guard=_GUARD, returning=_OUTCOME)
)
_RECORD_WITH_KEY = drawing_its_event_id(
    record_and_fan_out_sql(
        before=_AGENCY_KNOWN + _CLAIM + _created("EXISTS (SELECT 1 FROM claimed)"),
        guard=_GUARD,
        returning=_OUTCOME + ", EXISTS (SELECT 1 FROM claimed) AS claimed",
    )
)


@dataclass(frozen=True, slots=True)
class IdempotencyRequest:
    key: str
    fingerprint: bytes
    ttl: timedelta


@dataclass(frozen=True, slots=True)
class IntakeResult:
    response: StoredResponse
    replayed: bool = False


async def create(
    db: Db, principal: Principal, data: ComplaintCreate, idempotency: IdempotencyRequest | None
) -> IntakeResult:
    """Record a complaint (or replay the response stored under the same Idempotency-Key)."""
    check_region(principal, data.region_code)
    if idempotency is None:
        drawn = await db.fetchrow(_DRAW)
        assert drawn is not None  # a SELECT without FROM: always one row
        return await _record(db, principal, data, drawn, None)
    drawn = await db.fetchrow(
        _DRAW_WITH_KEY, f"idem:{principal.key_id}:{idempotency.key}", principal.key_id, idempotency.key
    )
    assert drawn is not None  # always one row
    if not drawn["locked"]:
        raise IdempotencyInFlight("Retry after the first request with this key has finished.")
    if drawn["expires_at"] is not None and drawn["expires_at"] > drawn["now"]:
        return _replay(drawn, idempotency)
    if drawn["expires_at"] is not None:
        # Expired: the key may be used again. Only an expired record is removed, so a retry that
        # recorded it again meanwhile keeps its own.
        await db.execute(
            "DELETE FROM idempotency_keys WHERE principal_id = $1 AND key = $2 AND expires_at <= now()",
            principal.key_id,
            idempotency.key,
        )
    return await _record(db, principal, data, drawn, idempotency)


def _unknown_agency(data: ComplaintCreate) -> UnprocessableEntity:
    return UnprocessableEntity(f"reported_party.agency_code {reported_agency(data)!r} is not in the agency directory.")


def _replay(stored: Any, idempotency: IdempotencyRequest) -> IntakeResult:
    if stored["request_hash"] != idempotency.fingerprint:
        raise IdempotencyKeyReused("This Idempotency-Key was used for a different request.")
    return IntakeResult(StoredResponse(stored["status_code"], stored["body"], stored["headers"]), replayed=True)


async def _record(
    db: Db, principal: Principal, data: ComplaintCreate, drawn: Any, idempotency: IdempotencyRequest | None
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
    snapshot = snapshot_of(stored)
    args = placeholder_args(
        event_args(
            event_id=EVENT_ID_PLACEHOLDER,
            occurred_at=drawn["now"],
            draft=draft,
            snapshot=snapshot,
            event_columns=event_columns(draft, Actor.of(principal)),
        )
    )
    params = column_params(values)
    args += [
        complaint_id,
        reference,
        principal.key_id,
        now,
        *(params[name] for name in repository.WRITABLE),
        reported_agency(data),
    ]
    if idempotency is None:
        row = await db.fetchrow(_RECORD, *args)
    else:
        expires_at = drawn["now"] + idempotency.ttl
        args += [
            principal.key_id,
            idempotency.key,
            idempotency.fingerprint,
            201,
            body,
            json_param(response.headers),
            expires_at,
        ]
        row = await db.fetchrow(_RECORD_WITH_KEY, *args)
        assert row is not None  # always one row
        if not row["agency_known"]:
            raise _unknown_agency(data)  # nothing was written, the idempotency record included
        if not row["claimed"]:
            # A first request with this key committed after statement 1 read (a concurrent duplicate
            # waits for it here): its response is the answer.
            stored_row = await db.fetchrow(
                "SELECT request_hash, status_code, body, headers FROM idempotency_keys WHERE principal_id = $1 AND key = $2",
                principal.key_id,
                idempotency.key,
            )
            if stored_row is None:  # and it expired and was removed since: rare, and safe to retry
                raise IdempotencyInFlight("Retry: a request with this key finished just now.")
            return _replay(stored_row, idempotency)
    assert row is not None  # always one row
    if not row["agency_known"]:
        raise _unknown_agency(data)
    assert row["created"]  # the agency is known, and (with a key) the key was claimed
    return IntakeResult(response)
