"""Receiving one push: verify, claim the webhook-id, apply it as the agency, keep the outcome.

The order matters:
1. Verify the signature with the secrets of the agency named in the path, and nothing else:
   that agency is then both whose secret verified and whom the push acts as.
2. Claim (agency, webhook-id) with INSERT ... ON CONFLICT DO NOTHING. A concurrent duplicate's
   insert waits on the unique index until the first transaction commits, then conflicts and
   replays the stored outcome; if the first rolled back, the duplicate claims it instead.
3. Parse and apply the action inside a SAVEPOINT, so a refusal (404/409/422) undoes the partial
   change but the inbox row with the rejection still commits with the request.

Every outcome is returned, never raised: raising would roll back the request transaction and
with it the record of what happened.
"""

from __future__ import annotations

import ipaddress
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

import orjson
from pydantic import ValidationError
from sqlalchemy import CursorResult, Delete, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from referral_service.attachments.staged import attach_staged
from referral_service.complaints.service import redact_stored_body_for_agency
from referral_service.db.driver import db_of
from referral_service.errors import (
    PROBLEM_MEDIA_TYPE,
    InvalidSignature,
    NotFound,
    ProblemError,
    UnprocessableEntity,
    field_errors,
    validation_problem,
)
from referral_service.inbound import service
from referral_service.inbound.models import InboundEvent
from referral_service.inbound.schemas import (
    INBOUND_EVENT,
    AcknowledgedEvent,
    InboundAccepted,
    MappedAction,
    NoteAddedEvent,
    ReferralRef,
    RespondedEvent,
    StatusChangedEvent,
)
from referral_service.json_encoding import dumps
from referral_service.referrals import service as referrals
from referral_service.referrals.deadlines import current_calendar
from referral_service.referrals.domain import ReferralAction
from referral_service.referrals.models import Referral
from referral_service.referrals.representation import view_out
from referral_service.referrals.schemas import AcknowledgeRequest, NoteRequest, ReferralOut, RespondRequest
from referral_service.webhooks import signing

logger = logging.getLogger("referral_service.inbound")

# Unknown agencies, and agencies without a secret, are checked against this throwaway secret so
# they fail exactly like a wrong signature would: the answer does not reveal which agencies exist.
_DECOY_SECRETS = [signing.generate_secret()]


class UnknownStatusWord(UnprocessableEntity):
    slug, title = "unknown-status-word", "The status word is not in this agency's status mapping"


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


@dataclass(slots=True)
class Plan:
    referral_id: uuid.UUID
    action: ReferralAction
    payload: Any


async def receive(
    session: AsyncSession,
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
    """`source_address`: the address the request came from, kept with the push (see below)."""
    moment = datetime.fromtimestamp(now, UTC)
    source = Source.of(source_address)
    secrets = None if agency_code is None else await service.verifying_secrets(session, agency_code, moment)
    try:
        verified = signing.verify(
            secrets or _DECOY_SECRETS, headers, body, tolerance_seconds=tolerance_seconds, now=int(now)
        )
        if not secrets:
            raise signing.SignatureError("no matching signature")
    except signing.SignatureError as exc:
        return await _unauthenticated(session, agency_code, secrets, exc.reason, instance, source)
    assert agency_code is not None  # verified, so the agency exists

    claimed = await session.scalar(
        insert(InboundEvent)
        .values(
            id=uuid.uuid4(),
            agency_code=agency_code,
            webhook_id=verified.msg_id,
            webhook_timestamp=verified.timestamp,
            status="processing",
            body=body,
            source_address=source.address,
            source_network=source.network,
        )
        .on_conflict_do_nothing(
            index_elements=["agency_code", "webhook_id"], index_where=InboundEvent.webhook_id.is_not(None)
        )
        .returning(InboundEvent.id)
    )
    if claimed is None:
        return await _replay(session, agency_code, verified.msg_id)

    event_type, referral_id = None, None
    try:
        raw = _parse_json(body)
        event_type = _declared_type(raw)
        try:
            event = INBOUND_EVENT.validate_python(raw)
        except ValidationError as exc:
            problem = validation_problem(exc.errors(), instance)
            reason = "body does not match the schema: " + _summarise(problem["errors"])
            return await _finish(session, claimed, problem, reason, event_type, None)
        plan = await _plan(session, agency_code, event)
        referral_id = plan.referral_id
        principal = service.inbound_principal(agency_code)
        async with session.begin_nested():
            view = await referrals.transition(
                await db_of(session),
                principal,
                plan.referral_id,
                plan.action,
                plan.payload,
                None,
                default_due_working_days=default_due_working_days,
                via="inbound_webhook",
            )
            # Documents the agency uploaded first (signed, staged), attached with the push.
            await attach_staged(
                await db_of(session), principal, plan.referral_id, event.data.attachment_ids, via="inbound_webhook"
            )
    except ProblemError as exc:
        reason = exc.detail or exc.title
        return await _finish(session, claimed, exc.to_problem(instance), reason, event_type, referral_id)

    referral = ReferralOut.model_validate(view_out(view, principal, await current_calendar(await db_of(session))))
    accepted = InboundAccepted(inbound_event_id=claimed, action=MappedAction(plan.action.value), referral=referral)
    reason = f"applied as {plan.action.value}"
    return await _finish(
        session, claimed, accepted.model_dump(mode="json"), reason, event_type, referral_id, status=200
    )


# Pushes whose signature does not verify can come from anyone. They are kept so that an agency
# can see why its own pushes fail (the reason, when, and from which address), never with a body.
# What a misconfigured sender needs is its *latest* failures, so each limit keeps the newest rows
# and drops the oldest, and no stranger can use up the agency's share:
# - per source (an IPv4 address, or an IPv6 /64: what one sender controls), the latest
#   UNSIGNED_KEPT_PER_SOURCE: a flood from one address only cycles through its own rows;
# - per bucket, the latest UNSIGNED_KEPT_PER_BUCKET: one bucket for the sources this agency has
#   sent a verified push from (its own systems), one for every other source. Strangers rotating
#   through many addresses cycle through the second bucket only, so the agency's own failures
#   stay in view; and however many sources there are, an agency keeps at most twice the bucket size.
UNSIGNED_KEPT_PER_SOURCE = 25
UNSIGNED_KEPT_PER_BUCKET = 100


@dataclass(frozen=True, slots=True)
class Source:
    address: str | None
    network: str

    @classmethod
    def of(cls, address: str | None) -> Source:
        if not address:
            return cls(None, "unknown")  # the server did not say: all such pushes are one source
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            # Not an IP address (a Unix socket, a test transport): one source per distinct value.
            return cls(address[:64], address[:64])
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        if isinstance(ip, ipaddress.IPv6Address):
            return cls(str(ip), str(ipaddress.IPv6Network((ip, 64), strict=False)))
        return cls(str(ip), str(ip))


async def _unauthenticated(
    session: AsyncSession,
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
    known = await _is_known_source(session, agency_code, source)
    # Nothing unsigned is kept (no webhook-id, no body): it could be anyone's.
    session.add(
        InboundEvent(
            agency_code=agency_code,
            status="rejected",
            status_code=401,
            reason=stored_reason,
            response_body=orjson.dumps(problem),
            source_address=source.address,
            source_network=source.network,
            known_source=known,
        )
    )
    await session.flush()
    await _drop_oldest_unsigned(session, agency_code, source, known)
    return Outcome(401, orjson.dumps(problem))


async def _is_known_source(session: AsyncSession, agency_code: str, source: Source) -> bool:
    # Served by ix_inbound_events_signed_sources. Only a push that verified can make a source known.
    found = await session.scalar(
        select(InboundEvent.id)
        .where(
            InboundEvent.agency_code == agency_code,
            InboundEvent.source_network == source.network,
            InboundEvent.webhook_id.is_not(None),
        )
        .limit(1)
    )
    return found is not None


def _older_than_the_newest(keep: int, agency_code: str, *conditions: Any) -> Delete:
    newest_first = (
        select(InboundEvent.id)
        .where(InboundEvent.agency_code == agency_code, InboundEvent.webhook_id.is_(None), *conditions)
        .order_by(InboundEvent.received_at.desc(), InboundEvent.id.desc())
        .offset(keep)
    )
    return delete(InboundEvent).where(InboundEvent.id.in_(newest_first.scalar_subquery()))


async def _drop_oldest_unsigned(session: AsyncSession, agency_code: str, source: Source, known: bool) -> None:
    """Trim this agency's failed-signature rows to the limits above, right after inserting one.

    One trimmer per agency at a time (a transaction-scoped advisory lock), so two never delete
    the same rows in different orders. A push that finds the lock taken skips trimming instead
    of waiting: under a flood, waiting would pin a database connection per request. Whatever
    it leaves over the limit (its own row, committed after the other's trim looked) the next
    failed push of this agency removes, so the excess never exceeds the pushes in flight.
    """
    lock_key = func.hashtextextended(f"inbound-unsigned:{agency_code}", 0)
    if not await session.scalar(select(func.pg_try_advisory_xact_lock(lock_key))):
        return
    per_source = cast(
        CursorResult[Any],
        await session.execute(
            _older_than_the_newest(UNSIGNED_KEPT_PER_SOURCE, agency_code, InboundEvent.source_network == source.network)
        ),
    )
    per_bucket = cast(
        CursorResult[Any],
        await session.execute(
            _older_than_the_newest(UNSIGNED_KEPT_PER_BUCKET, agency_code, InboundEvent.known_source.is_(known))
        ),
    )
    if per_source.rowcount or per_bucket.rowcount:
        logger.info(
            "inbound push for %s from %s refused; dropped the oldest %d failed pushes kept for it",
            agency_code,
            source.address,
            per_source.rowcount + per_bucket.rowcount,
        )


async def _replay(session: AsyncSession, agency_code: str, webhook_id: str) -> Outcome:
    row = (
        await session.execute(
            update(InboundEvent)
            .where(InboundEvent.agency_code == agency_code, InboundEvent.webhook_id == webhook_id)
            .values(deliveries=InboundEvent.deliveries + 1, last_delivery_at=func.now())
            .returning(InboundEvent.status_code, InboundEvent.response_body)
        )
    ).one()
    # The stored answer may embed the referral's complaint as it was then; an agency must not get
    # back an identity that turned confidential since.
    body = await redact_stored_body_for_agency(await db_of(session), row.response_body)
    return Outcome(row.status_code, body, replayed=True)


async def _finish(
    session: AsyncSession,
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
    await session.execute(
        update(InboundEvent)
        .where(InboundEvent.id == event_id)
        .values(
            status="accepted" if status_code < 400 else "rejected",
            status_code=status_code,
            reason=reason[:2000],
            response_body=encoded,
            event_type=event_type,
            referral_id=referral_id,
        )
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


async def _plan(session: AsyncSession, agency_code: str, event: Any) -> Plan:
    """Turn a push into the REST action, payload and referral it stands for."""
    data = event.data
    if isinstance(event, AcknowledgedEvent):
        by_id = data.referral_id is not None
        to_set = data.new_external_ref or (data.external_ref if by_id else None)
        name_check = data.external_ref if (not by_id or data.new_external_ref) else None
        referral_id = await _resolve(session, agency_code, data, name_check)
        return Plan(referral_id, ReferralAction.ACKNOWLEDGE, AcknowledgeRequest(external_ref=to_set))
    referral_id = await _resolve(session, agency_code, data, data.external_ref)
    if isinstance(event, NoteAddedEvent):
        return Plan(referral_id, ReferralAction.ADD_NOTE, NoteRequest(text=data.text))
    if isinstance(event, RespondedEvent):
        payload = RespondRequest(outcome=data.outcome, summary=data.summary, actions_taken=data.actions_taken)
        return Plan(referral_id, ReferralAction.RESPOND, payload)
    assert isinstance(event, StatusChangedEvent)
    return Plan(referral_id, *(await _mapped(session, agency_code, data)))


async def _mapped(session: AsyncSession, agency_code: str, data: Any) -> tuple[ReferralAction, Any]:
    entry = (await service.get_mapping(session, agency_code)).get(data.status)
    if entry is None:
        raise UnknownStatusWord(
            f"Status {data.status!r} is not mapped; set it with PUT /v1/agencies/{agency_code}/status-mapping.",
            status_word=data.status,
        )
    action = MappedAction(entry["action"])
    if action is MappedAction.ACKNOWLEDGE:
        return ReferralAction.ACKNOWLEDGE, AcknowledgeRequest(external_ref=data.new_external_ref)
    if action is MappedAction.ADD_NOTE:
        if data.text is None:
            raise _missing(data.status, action, "text")
        return ReferralAction.ADD_NOTE, NoteRequest(text=data.text)
    outcome = data.outcome or entry.get("outcome")
    if outcome is None:
        raise _missing(data.status, action, "outcome")
    if data.summary is None:
        raise _missing(data.status, action, "summary")
    return ReferralAction.RESPOND, RespondRequest(
        outcome=outcome, summary=data.summary, actions_taken=data.actions_taken
    )


def _missing(word: str, action: MappedAction, field: str) -> UnprocessableEntity:
    return UnprocessableEntity(
        f"Status {word!r} maps to {action.value}, which needs data.{field}.",
        errors=field_errors([{"loc": ["data", field], "msg": "Field required", "type": "missing"}]),
    )


async def _resolve(session: AsyncSession, agency_code: str, ref: ReferralRef, external_ref: str | None) -> uuid.UUID:
    """The referral a push names. Only this agency's referrals are searched; the transition then
    applies the agency's own visibility rules (forwarded to it, not hidden) on top."""
    if ref.referral_id is None:
        found = await session.scalar(
            select(Referral.id).where(Referral.agency_code == agency_code, Referral.external_ref == external_ref)
        )
        if found is None:
            raise NotFound("No referral of this agency has this external_ref.")
        return found
    if external_ref is not None:
        row = (
            await session.execute(
                select(Referral.external_ref, Referral.forwarded_at).where(
                    Referral.id == ref.referral_id, Referral.agency_code == agency_code
                )
            )
        ).first()
        # Same answer as the transition would give for a referral the agency may not see.
        if row is None or row.forwarded_at is None:
            raise NotFound("No referral with this id.")
        if row.external_ref != external_ref:
            raise UnprocessableEntity("referral_id and external_ref name different referrals.")
    return ref.referral_id
