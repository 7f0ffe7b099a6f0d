"""What regional systems push, the per-agency status mapping, secrets and the inbox log."""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter, model_validator

from referral_service import openapi_examples as ex
from referral_service.referrals.domain import ReferralAction, ResponseOutcome
from referral_service.referrals.schemas import ReferralOut
from referral_service.schemas import InputModel, Text, TextLimits, UtcInstant

ExternalRef = Annotated[str, TextLimits(200, 1)]
StatusWord = Annotated[Text, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
MAX_MAPPING_ENTRIES = 200


class InboundSecretRequest(InputModel):
    """Issue a new inbound signing secret. The body may be omitted (24 hours of overlap)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"overlap_hours": 24}]})

    overlap_hours: int = Field(
        24,
        ge=0,
        le=168,
        strict=True,
        description="Hours during which the previous secret still verifies, so the sender can switch over. 0 ends it now.",
    )


class InboundSecretOut(BaseModel):
    """The agency's new inbound signing secret (shown only here)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "agency_code": "inspektorat-64.72",
                    "secret": "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD",
                    "rotated_at": "2026-11-27T03:10:00Z",
                    "previous_valid_until": "2026-11-28T03:10:00Z",
                }
            ]
        }
    )

    agency_code: str
    secret: str = Field(description="The new signing secret (`whsec_` + base64). Shown only in this response.")
    rotated_at: UtcInstant
    previous_valid_until: UtcInstant | None = Field(
        description="Until when the secret this one replaced is still accepted; null when there was none."
    )


class MappedAction(StrEnum):
    """Only what an agency may do itself can be mapped: its pushes act as the agency."""

    ACKNOWLEDGE = ReferralAction.ACKNOWLEDGE.value
    RESPOND = ReferralAction.RESPOND.value
    ADD_NOTE = ReferralAction.ADD_NOTE.value


class StatusMappingEntry(InputModel):
    """What one of the agency's own status words does when pushed."""

    action: MappedAction
    outcome: ResponseOutcome | None = Field(
        None, description="Only for `respond`: the outcome to report when the push does not carry one."
    )

    @model_validator(mode="after")
    def _outcome_only_for_respond(self) -> StatusMappingEntry:
        if self.outcome is not None and self.action is not MappedAction.RESPOND:
            raise ValueError("outcome is only allowed for the respond action")
        return self


StatusMappingBody = Annotated[
    dict[StatusWord, StatusMappingEntry],
    Field(
        max_length=MAX_MAPPING_ENTRIES,
        examples=[
            {
                "DIPROSES": {"action": "acknowledge"},
                "SELESAI": {"action": "respond", "outcome": "action_taken"},
                "CATATAN": {"action": "add_note"},
            }
        ],
    ),
]


# ---- the pushed events -------------------------------------------------------------------


class ReferralRef(InputModel):
    referral_id: uuid.UUID | None = Field(None, description="The referral's id in this service.")
    external_ref: ExternalRef | None = Field(
        None, examples=["SMD-ADU-2026-0042"], description="Your own id for the referral, once recorded."
    )

    attachment_ids: list[uuid.UUID] = Field(
        default_factory=list,
        max_length=20,
        description="Documents uploaded first through `POST /v1/inbound/{agency_code}/attachments`, attached to the "
        "referral with this push (each once; 422 for an id that is not such an upload of your agency).",
    )

    @model_validator(mode="after")
    def _named(self) -> ReferralRef:
        if self.referral_id is None and self.external_ref is None:
            raise ValueError("name the referral with referral_id or external_ref")
        return self


class AcknowledgedData(ReferralRef):
    """With `referral_id`, `external_ref` is recorded as your id for the referral (as in the REST call)."""

    new_external_ref: ExternalRef | None = Field(None, description="Record (or change) your id for the referral.")


class NoteAddedData(ReferralRef):
    text: Annotated[str, TextLimits(10000, 1)]


class RespondedData(ReferralRef):
    outcome: ResponseOutcome
    summary: Annotated[str, TextLimits(10000, 1)]
    actions_taken: Annotated[str, TextLimits(10000)] | None = None


class StatusChangedData(ReferralRef):
    """Your system's own status word; the agency's status mapping decides what it does."""

    status: StatusWord = Field(examples=["SELESAI"])
    summary: Annotated[str, TextLimits(10000, 1)] | None = Field(
        None, description="Required when the word maps to `respond`."
    )
    outcome: ResponseOutcome | None = Field(None, description="Overrides the mapping's outcome for `respond`.")
    actions_taken: Annotated[str, TextLimits(10000)] | None = None
    text: Annotated[str, TextLimits(10000, 1)] | None = Field(
        None, description="Required when the word maps to `add_note`."
    )
    new_external_ref: ExternalRef | None = Field(
        None, description="For `acknowledge`: record your id for the referral."
    )


class _Envelope(InputModel):
    timestamp: AwareDatetime = Field(description="When the change happened in your system (RFC 3339).")


class AcknowledgedEvent(_Envelope):
    type: Literal["referral.acknowledged"]
    data: AcknowledgedData


class NoteAddedEvent(_Envelope):
    type: Literal["referral.note_added"]
    data: NoteAddedData


class RespondedEvent(_Envelope):
    type: Literal["referral.responded"]
    data: RespondedData


class StatusChangedEvent(_Envelope):
    type: Literal["referral.status_changed"]
    data: StatusChangedData


InboundEventBody = Annotated[
    AcknowledgedEvent | NoteAddedEvent | RespondedEvent | StatusChangedEvent, Field(discriminator="type")
]
INBOUND_EVENT = TypeAdapter(InboundEventBody)


class InboundAccepted(BaseModel):
    """The push was applied."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "status": "accepted",
                    "inbound_event_id": ex.INBOUND_EVENT_ID,
                    "action": "acknowledge",
                    "referral": ex.REFERRAL_OUT,
                }
            ]
        }
    )

    status: Literal["accepted"] = "accepted"
    inbound_event_id: uuid.UUID = Field(description="This push in `GET /v1/agencies/{code}/inbound-events`.")
    action: MappedAction = Field(description="The action the push was applied as.")
    referral: ReferralOut = Field(description="The referral after the change, as the agency sees it.")


class InboundEventOut(BaseModel):
    """One push as received, with the answer it got (the agency's inbox log)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": ex.INBOUND_EVENT_ID,
                    "agency_code": "inspektorat-64.72",
                    "status": "accepted",
                    "status_code": 200,
                    "reason": "applied as acknowledge",
                    "webhook_id": "msg_smd_0042_1",
                    "webhook_timestamp": 1795748100,
                    "type": "referral.acknowledged",
                    "referral_id": ex.REFERRAL_ID,
                    "deliveries": 1,
                    "received_at": "2026-11-27T04:15:00Z",
                    "last_delivery_at": "2026-11-27T04:15:00Z",
                    "payload": {
                        "type": "referral.acknowledged",
                        "timestamp": "2026-11-27T04:14:58Z",
                        "data": {"referral_id": ex.REFERRAL_ID, "new_external_ref": "SMD-ADU-2026-0042"},
                    },
                    "response": {"status": "accepted"},
                    "source_address": "198.51.100.20",
                }
            ]
        }
    )

    id: uuid.UUID
    agency_code: str
    status: Literal["accepted", "rejected"]
    status_code: int = Field(description="The HTTP status the push was answered with.")
    reason: str | None = Field(description="Why it was rejected (or what was done), in words.")
    webhook_id: str | None = Field(description="Null when the signature did not verify: nothing in it can be trusted.")
    webhook_timestamp: int | None
    type: str | None
    referral_id: uuid.UUID | None
    deliveries: int = Field(description="How many times this webhook-id arrived; redeliveries got the same answer.")
    received_at: UtcInstant
    last_delivery_at: UtcInstant
    payload: Any | None = Field(description="The body as sent, when it was signed and valid JSON.")
    response: Any | None = Field(description="The body this service answered with.")
    source_address: str | None = Field(
        description="The address the push came from, as this service's connection saw it: tells your own "
        "systems' failed pushes from strangers'. Null for pushes recorded before addresses were kept."
    )


def inline_schema(adapter: TypeAdapter[Any]) -> dict[str, Any]:
    """A JSON schema with its `$defs` inlined, to embed as an OpenAPI request body."""
    schema = adapter.json_schema()
    defs = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return resolve(defs[ref.removeprefix("#/$defs/")])
            out = {key: resolve(value) for key, value in node.items()}
            if isinstance(out.get("discriminator"), dict):
                # Its mapping points into the `$defs` that were just inlined away.
                out["discriminator"] = {"propertyName": out["discriminator"]["propertyName"]}
            return out
        if isinstance(node, list):
            return [resolve(item) for item in node]
        return node

    inlined: dict[str, Any] = resolve(schema)
    return inlined
