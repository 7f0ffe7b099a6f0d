"""Receiving one push: verify, claim the webhook-id, apply it as the agency, keep the outcome.

The order matters:
1. Verify the signature with the secrets of the agency named in the path, and nothing else:
   that agency is then both whose secret verified and whom the push acts as.
2. Claim (agency, webhook-id) with INSERT ... ON CONFLICT DO NOTHING. A concurrent duplicate's
   insert waits on the unique index until the first transaction commits, then conflicts and
   replays the stored outcome; if the first rolled back, the duplicate claims it instead.
3. Parse and apply the action inside a SAVEPOINT, so a refusal (404/409/422) undoes the partial
   change but the inbox row with the rejection still commits with the push.

All of it is one transaction. Every outcome is returned, never raised: raising would roll it back
and with it the record of what happened.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from pydantic import ValidationError

from referral_service import signing
from referral_service.attachments.staged import attach_staged
from referral_service.complaints.service import redact_stored_body_for_agency
from referral_service.db.driver import Db, unit_of_work
from referral_service.errors import (
    PROBLEM_MEDIA_TYPE,
    InvalidSignature,
    ProblemError,
    validation_problem,
)
from referral_service.inbound import repository, service
from referral_service.inbound.planning import plan_push
from referral_service.inbound.schemas import (
    INBOUND_EVENT,
    InboundAccepted,
    MappedAction,
)
from referral_service.inbound.unsigned import Source, keep_failed_push
from referral_service.json_encoding import dumps
from referral_service.referrals import service as referrals
from referral_service.referrals.deadlines import current_calendar
from referral_service.referrals.representation import view_out
from referral_service.referrals.schemas import ReferralOut

logger = logging.getLogger("referral_service.inbound")

# Unknown agencies, and agencies without a secret, are checked against this throwaway secret so
# they fail exactly like a wrong signature would: the answer does not reveal which agencies exist.
DECOY_SECRETS = [signing.generate_secret()]


class _MalformedJson(ProblemError):
    # Same answer the REST API gives for a body that is not JSON.
    status, slug, title = 400, "malformed-json", "Request body is not valid JSON"


@dataclass(slots=True)
class Outcome:
    status_code: int
    body: bytes
    replayed: bool = False

    @property
    def media_type(self) -> str:
        return "application/json" if self.status_code < 400 else PROBLEM_MEDIA_TYPE


@unit_of_work
async def receive(
    db: Db,
    agency_code: str | None,
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: float,
    tolerance_seconds: int,
    default_due_working_days: int,
    instance: str,
    source_address: str | None = None,
) -> Outcome:
    """One push, as one unit of work. `source_address`: the address the request came from, kept with
    the push (see below)."""
    moment = datetime.fromtimestamp(now, UTC)
    source = Source.of(source_address)
    secrets = None if agency_code is None else await service.verifying_secrets(db, agency_code, moment)
    try:
        verified = signing.verify(
            secrets or DECOY_SECRETS, headers, body, tolerance_seconds=tolerance_seconds, now=int(now)
        )
        if not secrets:
            raise signing.SignatureError("no matching signature")
    except signing.SignatureError as exc:
        return await _unauthenticated(db, agency_code, secrets, exc.reason, instance, source)
    assert agency_code is not None  # verified, so the agency exists

    claimed = await repository.claim(
        db,
        agency_code,
        webhook_id=verified.msg_id,
        webhook_timestamp=verified.timestamp,
        body=body,
        source_address=source.address,
        source_network=source.network,
    )
    if claimed is None:
        return await _replay(db, agency_code, verified.msg_id)

    event_type, referral_id = None, None
    try:
        raw = _parse_json(body)
        event_type = _declared_type(raw)
        try:
            event = INBOUND_EVENT.validate_python(raw)
        except ValidationError as exc:
            problem = validation_problem(exc.errors(), instance)
            reason = "body does not match the schema: " + _summarise(problem["errors"])
            return await _finish(db, claimed, problem, reason, event_type, None)
        plan = await plan_push(db, agency_code, event)
        referral_id = plan.referral_id
        principal = service.inbound_principal(agency_code)
        async with db.savepoint():
            view = await referrals.transition(
                db,
                principal,
                plan.referral_id,
                plan.action,
                plan.payload,
                None,
                default_due_working_days=default_due_working_days,
                via="inbound_webhook",
            )
            # Documents the agency uploaded first (signed, staged), attached with the push.
            await attach_staged(db, principal, plan.referral_id, event.data.attachment_ids, via="inbound_webhook")
    except ProblemError as exc:
        reason = exc.detail or exc.title
        return await _finish(db, claimed, exc.to_problem(instance), reason, event_type, referral_id)

    referral = ReferralOut.model_validate(view_out(view, principal, await current_calendar(db)))
    accepted = InboundAccepted(inbound_event_id=claimed, action=MappedAction(plan.action.value), referral=referral)
    reason = f"applied as {plan.action.value}"
    return await _finish(db, claimed, accepted.model_dump(mode="json"), reason, event_type, referral_id, status=200)


async def _unauthenticated(
    db: Db,
    agency_code: str | None,
    secrets: list[str] | None,
    reason: str,
    instance: str,
    source: Source,
) -> Outcome:
    problem = InvalidSignature(f"{reason}.").to_problem(instance)
    if secrets is None:
        # No agency to show it to; a row per unknown code would let anyone fill the table.
        logger.info("inbound push for unknown agency refused: %s", reason)
        return Outcome(401, orjson.dumps(problem))
    assert agency_code is not None
    stored_reason = reason if secrets else "no inbound secret is set for this agency"
    await keep_failed_push(db, agency_code, source, stored_reason, orjson.dumps(problem))
    return Outcome(401, orjson.dumps(problem))


async def _replay(db: Db, agency_code: str, webhook_id: str) -> Outcome:
    status_code, response_body = await repository.replay(db, agency_code, webhook_id)
    # The stored answer may embed the referral's complaint as it was then; an agency must not get
    # back an identity that turned confidential since.
    body = await redact_stored_body_for_agency(db, response_body)
    return Outcome(status_code, body, replayed=True)


async def _finish(
    db: Db,
    event_id: uuid.UUID,
    body: dict[str, Any],
    reason: str,
    event_type: str | None,
    referral_id: uuid.UUID | None,
    *,
    status: int | None = None,
) -> Outcome:
    status_code = status or body["status"]
    if status_code >= 400:
        body = {**body, "inbound_event_id": str(event_id)}
    encoded = dumps(body)
    await repository.finish(
        db,
        event_id,
        status_code=status_code,
        reason=reason[:2000],
        response_body=encoded,
        event_type=event_type,
        referral_id=referral_id,
    )
    return Outcome(status_code, encoded)


def _parse_json(body: bytes) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        raise _MalformedJson() from None


def _declared_type(raw: Any) -> str | None:
    declared = raw.get("type") if isinstance(raw, dict) else None
    if not isinstance(declared, str):
        return None
    return declared.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")[:64] or None


def _summarise(errors: list[dict[str, Any]]) -> str:
    parts = [".".join(str(p) for p in err["loc"]) + ": " + err["message"] for err in errors[:5]]
    return "; ".join(parts)
