"""The OpenAPI `webhooks` section: one entry per catalogue type, with its payload schema.

Call `register_webhook_docs(app)` once from the app factory.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, Field, create_model

from referral_service import openapi_examples as ex
from referral_service.attachments.schemas import AttachmentAnnounced
from referral_service.complaints.schemas import ComplaintOut
from referral_service.events.catalogue import CATALOGUE, EventType, PayloadKind
from referral_service.schemas import UtcInstant

_HEADERS_DOC = """
Signed as [Standard Webhooks](https://www.standardwebhooks.com/) `v1` (HMAC-SHA256):
`webhook-id` (the same on every retry of this message: de-duplicate on it), `webhook-timestamp`
(Unix seconds, fresh on every attempt) and `webhook-signature` (`v1,<base64>`; two entries during a
secret rotation). Answer 2xx within 15 seconds; anything else is retried. Events of one referral
arrive in `sequence` order.
"""

_SIGNATURE_HEADERS = [
    {"name": "webhook-id", "in": "header", "required": True, "schema": {"type": "string"}, "example": "msg_1234"},
    {
        "name": "webhook-timestamp",
        "in": "header",
        "required": True,
        "schema": {"type": "string"},
        "example": "1767225600",
    },
    {
        "name": "webhook-signature",
        "in": "header",
        "required": True,
        "schema": {"type": "string"},
        "example": "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=",
    },
]


class ReferralSnapshot(BaseModel):
    """The referral as the subscriber may see it, with its complaint embedded."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [ex.REFERRAL_SNAPSHOT]})

    id: uuid.UUID
    complaint_id: uuid.UUID
    agency_code: str
    state: str = Field(examples=["forwarded"])
    due_at: UtcInstant | None = None
    complaint: ComplaintOut = Field(
        description="`complainant` is null for an agency when the identity is confidential."
    )


class _EventData(BaseModel):
    event_id: int = Field(description="The timeline event id.")
    complaint_id: uuid.UUID
    referral_id: uuid.UUID | None
    agency_code: str | None
    state: str | None = Field(description="The referral's state after the event.")
    from_state: str | None
    sequence: int = Field(
        description="Position in the referral's timeline (the complaint's for complaint events), from 1, gapless."
    )
    details: dict[str, Any] = Field(description="What the event itself records, e.g. `changed_fields`.")


class ComplaintEventData(_EventData):
    """`data` of complaint events: the event and the complaint after it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **ex.event_data("complaint.updated", None, None, {"changed_fields": ["subject"]}),
                    "referral_id": None,
                    "agency_code": None,
                    "sequence": 2,
                    "complaint": ex.COMPLAINT_OUT,
                }
            ]
        }
    )

    complaint: ComplaintOut


class ReferralEventData(_EventData):
    """`data` of referral events: the event and the referral after it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **ex.event_data("referral.forwarded", "forwarded", "received", {"due_working_days": 14}),
                    "referral": ex.REFERRAL_SNAPSHOT,
                }
            ]
        }
    )

    referral: ReferralSnapshot


class AttachmentEventData(_EventData):
    """`data` of `attachment.added`: the event and the attachment's metadata (never its bytes: `GET` its
    `download_path` with your API key)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **ex.event_data("attachment.added", "forwarded", "forwarded", {}),
                    "sequence": 3,
                    "attachment": ex.ATTACHMENT_OUT,
                }
            ]
        }
    )

    attachment: AttachmentAnnounced


class EndpointNotice(BaseModel):
    """A webhook endpoint as described in a notice (never its secret)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **{k: ex.ENDPOINT_OUT[k] for k in ("id", "url", "description", "owner")},
                    "disabled_at": "2026-11-30T08:00:00Z",
                    "disabled_reason": "failing continuously for 5 days",
                }
            ]
        }
    )

    id: uuid.UUID
    url: str
    description: str | None
    owner: dict[str, Any]
    disabled_at: UtcInstant | None
    disabled_reason: str | None


class EndpointDisabledData(BaseModel):
    """`data` of `webhook.endpoint_disabled`."""

    endpoint: EndpointNotice


class TestData(BaseModel):
    """`data` of `webhook.test`."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"endpoint_id": ex.ENDPOINT_ID, "message": "Test delivery requested through the API."}]
        }
    )

    endpoint_id: uuid.UUID
    message: str


def _data_model(event_type: EventType) -> type[BaseModel]:
    if event_type.kind is PayloadKind.COMPLAINT:
        return ComplaintEventData
    if event_type.kind is PayloadKind.REFERRAL:
        return ReferralEventData
    if event_type.kind is PayloadKind.ATTACHMENT:
        return AttachmentEventData
    return TestData if event_type.name == "webhook.test" else EndpointDisabledData


def _first_example(model: type[BaseModel]) -> dict[str, Any]:
    extra: Any = model.model_config.get("json_schema_extra")  # the models here set it as a dict
    return dict(extra["examples"][0])


def _example_payload(event_type: EventType) -> dict[str, Any]:
    data_model = _data_model(event_type)
    data = (
        _first_example(data_model)
        if data_model is not EndpointDisabledData
        else {"endpoint": _first_example(EndpointNotice)}
    )
    if event_type.kind is not PayloadKind.ENDPOINT:
        data["event_id"] = ex.EVENT_OUT["id"]
    return {"type": event_type.name, "timestamp": "2026-11-27T03:00:00Z", "data": data}


def payload_model(event_type: EventType) -> type[BaseModel]:
    model_name = "Webhook_" + "".join(part.title() for part in event_type.name.replace("_", ".").split("."))
    return create_model(
        model_name,
        __doc__=event_type.summary,
        __config__=ConfigDict(json_schema_extra={"examples": [_example_payload(event_type)]}),
        # A Literal of a value known only at run time: pydantic takes it, a type checker cannot.
        type=(Literal[event_type.name], ...),  # type: ignore[arg-type]
        timestamp=(UtcInstant, Field(description="When the event happened (RFC 3339).")),
        data=(_data_model(event_type), ...),
    )


def register_webhook_docs(app: FastAPI) -> None:
    for event_type in CATALOGUE:
        model = payload_model(event_type)
        audience = "" if event_type.agency_may_receive else "\n\nNot sent to agency endpoints."

        async def receiver(body: Any) -> None:  # documentation only: never called
            return None

        # Set explicitly: with postponed annotations the name `model` would not resolve later.
        receiver.__annotations__ = {"body": model, "return": None}

        app.webhooks.post(
            event_type.name,
            summary=event_type.summary,
            description=event_type.summary + audience + "\n" + _HEADERS_DOC,
            operation_id=f"webhook_{event_type.name.replace('.', '_')}",
            tags=["webhooks"],
            openapi_extra={"parameters": _SIGNATURE_HEADERS},
            responses={200: {"description": "Any 2xx acknowledges the delivery."}},
        )(receiver)
