"""What a verified push stands for: the REST action, its payload and the referral it names.

Typed events map one to one (`referral.acknowledged` is the acknowledge action...); a
`referral.status_changed` carries the agency's own status word, translated by its status mapping.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from referral_service.db.driver import Db
from referral_service.errors import NotFound, UnprocessableEntity, field_errors
from referral_service.inbound import repository, service
from referral_service.inbound.schemas import (
    AcknowledgedEvent,
    MappedAction,
    NoteAddedEvent,
    ReferralRef,
    RespondedEvent,
    StatusChangedData,
    StatusChangedEvent,
)
from referral_service.referrals.domain import ReferralAction
from referral_service.referrals.schemas import AcknowledgeRequest, NoteRequest, RespondRequest


class UnknownStatusWord(UnprocessableEntity):
    slug, title = "unknown-status-word", "The status word is not in this agency's status mapping"


# What a push can be applied as: the agency-side actions' request bodies.
AgencyPayload = AcknowledgeRequest | NoteRequest | RespondRequest


@dataclass(slots=True)
class Plan:
    referral_id: uuid.UUID
    action: ReferralAction
    payload: AgencyPayload


async def plan_push(
    db: Db, agency_code: str, event: AcknowledgedEvent | NoteAddedEvent | RespondedEvent | StatusChangedEvent
) -> Plan:
    """Turn a push into the REST action, payload and referral it stands for."""
    if isinstance(event, AcknowledgedEvent):
        data = event.data
        by_id = data.referral_id is not None
        to_set = data.new_external_ref or (data.external_ref if by_id else None)
        name_check = data.external_ref if (not by_id or data.new_external_ref) else None
        referral_id = await _resolve(db, agency_code, data, name_check)
        return Plan(referral_id, ReferralAction.ACKNOWLEDGE, AcknowledgeRequest(external_ref=to_set))
    referral_id = await _resolve(db, agency_code, event.data, event.data.external_ref)
    if isinstance(event, NoteAddedEvent):
        return Plan(referral_id, ReferralAction.ADD_NOTE, NoteRequest(text=event.data.text))
    if isinstance(event, RespondedEvent):
        answer = event.data
        payload = RespondRequest(outcome=answer.outcome, summary=answer.summary, actions_taken=answer.actions_taken)
        return Plan(referral_id, ReferralAction.RESPOND, payload)
    return Plan(referral_id, *(await _mapped(db, agency_code, event.data)))


async def _mapped(db: Db, agency_code: str, data: StatusChangedData) -> tuple[ReferralAction, AgencyPayload]:
    entry = (await service.get_mapping(db, agency_code)).get(data.status)
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


async def _resolve(db: Db, agency_code: str, ref: ReferralRef, external_ref: str | None) -> uuid.UUID:
    """The referral a push names. Only this agency's referrals are searched; the transition then
    applies the agency's own visibility rules (forwarded to it, not hidden) on top."""
    if ref.referral_id is None:
        found = await repository.referral_by_external_ref(db, agency_code, external_ref)
        if found is None:
            raise NotFound("No referral of this agency has this external_ref.")
        return found
    if external_ref is not None:
        row = await repository.referral_ref(db, ref.referral_id, agency_code)
        # Same answer as the transition would give for a referral the agency may not see.
        if row is None or row["forwarded_at"] is None:
            raise NotFound("No referral with this id.")
        if row["external_ref"] != external_ref:
            raise UnprocessableEntity("referral_id and external_ref name different referrals.")
    return ref.referral_id
