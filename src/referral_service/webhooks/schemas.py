import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field, field_validator

from referral_service.auth.roles import Role
from referral_service.schemas import InputModel, OutputModel, UtcDateTime, text_field
from referral_service.webhooks.catalogue import EventTypeName

WebhookUrl = text_field(2048, 1)
EventTypes = list[EventTypeName]


def _unique(values: list[str] | None) -> list[str] | None:
    return None if values is None else list(dict.fromkeys(values))


class WebhookEndpointCreate(InputModel):
    url: WebhookUrl = Field(  # type: ignore[valid-type]
        examples=["https://simwas.samarindakota.go.id/hooks/ombudsman"],
        description="Where deliveries are POSTed. Must be https and resolve to a public address.",
    )
    description: text_field(500) | None = None  # type: ignore[valid-type]
    event_types: EventTypes = Field(
        default_factory=list,
        max_length=50,
        description="Event types to receive; empty means every type your key may see. Unknown names are refused.",
    )

    _dedupe = field_validator("event_types")(_unique)


class WebhookEndpointPatch(InputModel):
    """Fields present are changed; fields absent stay as they are."""

    url: WebhookUrl | None = None  # type: ignore[valid-type]
    description: text_field(500) | None = None  # type: ignore[valid-type]
    event_types: EventTypes | None = Field(None, max_length=50)
    disabled: bool | None = Field(
        None, description="true pauses deliveries (they wait, they are not dropped); false resumes them."
    )

    _dedupe = field_validator("event_types")(_unique)


class EndpointOwner(OutputModel):
    role: Role
    agency_code: str | None
    region_code: str | None


class WebhookEndpointOut(OutputModel):
    id: uuid.UUID
    url: str
    description: str | None
    event_types: list[str] = Field(description="Empty: every event type the owner may see.")
    owner: EndpointOwner = Field(description="The scope deliveries are filtered by: that of the key that created it.")
    disabled: bool
    disabled_at: datetime | None
    disabled_reason: str | None
    failing_since: datetime | None = Field(description="Start of the current run of failed attempts, if any.")
    previous_secret_expires_at: datetime | None = Field(
        description="Until then deliveries are also signed with the previous secret (after a rotation)."
    )
    created_at: datetime
    updated_at: datetime


class WebhookEndpointWithSecret(WebhookEndpointOut):
    secret: str = Field(
        examples=["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
        description="Signing secret (Standard Webhooks `v1`). Shown only when created or rotated; store it now.",
    )


class RotateSecret(InputModel):
    overlap_hours: int = Field(
        24, ge=0, le=168, description="How long the old secret keeps signing deliveries too (0-168 hours)."
    )


class RecoverRequest(InputModel):
    since: UtcDateTime = Field(description="Re-queue failed deliveries created at or after this time.")
    until: UtcDateTime | None = Field(None, description="...and before this time (default: now).")


class RecoverResult(OutputModel):
    requeued: int = Field(description="How many failed deliveries were queued again.")


class QueuedDelivery(OutputModel):
    delivery_id: int


class AttemptOut(OutputModel):
    attempted_at: datetime
    duration_ms: int
    response_status: int | None
    response_body: str | None = Field(description="The first 4 KiB of the receiver's answer.")
    error: str | None


DeliveryStatus = Literal["pending", "delivered", "failed"]


class DeliveryOut(OutputModel):
    id: int
    endpoint_id: uuid.UUID
    webhook_id: str = Field(description="The `webhook-id` header: the same on every retry of this message.")
    event_type: str
    event_id: int | None = Field(description="The timeline event; null for webhook.* notices.")
    status: DeliveryStatus
    attempt_count: int
    next_attempt_at: datetime | None = Field(description="When the next attempt is due, while pending.")
    delivered_at: datetime | None
    created_at: datetime
    attempts: list[AttemptOut] = Field(description="Every attempt, oldest first.")
