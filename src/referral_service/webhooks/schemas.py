import uuid
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, field_validator

from referral_service import openapi_examples as ex
from referral_service.auth.roles import Role
from referral_service.events.catalogue import EventTypeName
from referral_service.schemas import InputModel, OutputModel, TextLimits, UtcDateTime, UtcInstant

WebhookUrl = Annotated[str, TextLimits(2048, 1)]
EventTypes = list[EventTypeName]


def _unique(values: list[str] | None) -> list[str] | None:
    return None if values is None else list(dict.fromkeys(values))


class WebhookEndpointCreate(InputModel):
    """A new webhook subscription. Its scope is that of the key creating it."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{k: ex.ENDPOINT_OUT[k] for k in ("url", "description", "event_types")}]}
    )

    url: WebhookUrl = Field(
        examples=["https://simwas.samarindakota.go.id/hooks/ombudsman"],
        description="Where deliveries are POSTed. Must be https and resolve to a public address.",
    )
    description: Annotated[str, TextLimits(500)] | None = None
    event_types: EventTypes = Field(
        default_factory=list,
        max_length=50,
        description="Event types to receive; empty means every type your key may see. Unknown names are refused.",
    )

    _dedupe = field_validator("event_types")(_unique)


class WebhookEndpointPatch(InputModel):
    """Fields present are changed; fields absent stay as they are."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"disabled": True}, {"event_types": ["referral.forwarded"]}]}
    )

    url: WebhookUrl | None = None
    description: Annotated[str, TextLimits(500)] | None = None
    event_types: EventTypes | None = Field(None, max_length=50)
    disabled: bool | None = Field(
        None, description="true pauses deliveries (they wait, they are not dropped); false resumes them."
    )

    _dedupe = field_validator("event_types")(_unique)


class EndpointOwner(OutputModel):
    """The key scope a subscription was created with."""

    model_config = ConfigDict(json_schema_extra={"examples": [ex.ENDPOINT_OUT["owner"]]})

    role: Role
    agency_code: str | None
    region_code: str | None


class WebhookEndpointOut(OutputModel):
    """A webhook subscription (never its secret)."""

    model_config = ConfigDict(json_schema_extra={"examples": [ex.ENDPOINT_OUT]})

    id: uuid.UUID
    url: str
    description: str | None
    event_types: list[str] = Field(description="Empty: every event type the owner may see.")
    owner: EndpointOwner = Field(description="The scope deliveries are filtered by: that of the key that created it.")
    disabled: bool
    disabled_at: UtcInstant | None
    disabled_reason: str | None
    failing_since: UtcInstant | None = Field(description="Start of the current run of failed attempts, if any.")
    previous_secret_expires_at: UtcInstant | None = Field(
        description="Until then deliveries are also signed with the previous secret (after a rotation)."
    )
    created_at: UtcInstant
    updated_at: UtcInstant


class WebhookEndpointWithSecret(WebhookEndpointOut):
    """A webhook subscription with its signing secret (only when created or rotated)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{**ex.ENDPOINT_OUT, "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}]}
    )

    secret: str = Field(
        examples=["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
        description="Signing secret (Standard Webhooks `v1`). Shown only when created or rotated; store it now.",
    )


class RotateSecret(InputModel):
    """Rotate the signing secret. The body may be omitted (24 hours of overlap)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"overlap_hours": 24}]})

    overlap_hours: int = Field(
        24, ge=0, le=168, strict=True, description="How long the old secret keeps signing deliveries too (0-168 hours)."
    )


class RecoverRequest(InputModel):
    """Re-queue failed deliveries of a time window, e.g. after an outage of the receiver."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"since": "2026-11-26T00:00:00Z", "until": "2026-11-27T00:00:00Z"}]}
    )

    since: UtcDateTime = Field(description="Re-queue failed deliveries created at or after this time.")
    until: UtcDateTime | None = Field(None, description="...and before this time (default: now).")


class RecoverResult(OutputModel):
    """How many deliveries were queued again."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"requeued": 17}]})

    requeued: int = Field(description="How many failed deliveries were queued again.")


class QueuedDelivery(OutputModel):
    """A delivery queued for sending; see it in the endpoint's deliveries."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"delivery_id": 5532}]})

    delivery_id: int


class AttemptOut(OutputModel):
    """One HTTP attempt of a delivery."""

    model_config = ConfigDict(json_schema_extra={"examples": [ex.ATTEMPT_OUT]})

    attempted_at: UtcInstant
    duration_ms: int
    response_status: int | None
    response_body: str | None = Field(description="The first 4 KiB of the receiver's answer.")
    error: str | None


DeliveryStatus = Literal["pending", "delivered", "failed"]


class DeliveryOut(OutputModel):
    """One message to one endpoint, with its attempts."""

    model_config = ConfigDict(json_schema_extra={"examples": [ex.DELIVERY_OUT]})

    id: int
    endpoint_id: uuid.UUID
    webhook_id: str = Field(description="The `webhook-id` header: the same on every retry of this message.")
    event_type: str
    event_id: int | None = Field(description="The timeline event; null for webhook.* notices.")
    status: DeliveryStatus
    attempt_count: int
    next_attempt_at: UtcInstant | None = Field(description="When the next attempt is due, while pending.")
    delivered_at: UtcInstant | None
    created_at: UtcInstant
    attempts: list[AttemptOut] = Field(description="Every attempt, oldest first.")
