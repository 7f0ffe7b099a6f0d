import uuid
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import Query
from pydantic import BaseModel, ConfigDict, Field

from referral_service import openapi_examples as ex
from referral_service.auth.roles import Role
from referral_service.json_encoding import rfc3339_utc_text
from referral_service.schemas import BIGINT_MAX, UtcInstant


class ActorOut(BaseModel):
    """Who caused a timeline event."""

    model_config = ConfigDict(json_schema_extra={"examples": [ex.ACTOR]})

    key_id: uuid.UUID | None = Field(description="The API key that caused the event; null for the service itself.")
    role: Role | None
    agency_code: str | None


class EventOut(BaseModel):
    """One entry of the append-only timeline."""

    model_config = ConfigDict(json_schema_extra={"examples": [ex.EVENT_OUT]})

    id: int = Field(description="Global, increasing event id.")
    complaint_id: uuid.UUID
    referral_id: uuid.UUID | None
    sequence: int = Field(description="Gapless position in this referral's timeline (or the complaint's own), from 1.")
    type: str = Field(examples=["referral.forwarded"])
    occurred_at: UtcInstant
    actor: ActorOut
    via: str = Field(
        description="Through which channel the change came: `api` (the REST API), `web` (the web pages under "
        "/ui/), `inbound_webhook` (an agency's signed push) or `system` (the service itself: reminders, retention)."
    )
    from_state: str | None
    to_state: str | None
    data: dict[str, Any]


# Instants the service itself puts in event data (deadline events). Events written before jsonb went
# through `json_encoding.dumps` hold them with `+00:00`, and the timeline is append-only: rewrite on read.
INSTANTS_IN_EVENT_DATA = ("due_at", "previous_due_at")


def data_out(row: Mapping[str, Any]) -> dict[str, Any]:
    """An event row's `data` as served: instants in RFC 3339 UTC. (Free text of an erased complaint is
    gone from the row itself: erasure/service.py.)"""
    data: dict[str, Any] = row["data"]
    if not any(key in data for key in INSTANTS_IN_EVENT_DATA):
        return data
    return {key: rfc3339_utc_text(value) if key in INSTANTS_IN_EVENT_DATA else value for key, value in data.items()}


def event_body(row: Mapping[str, Any]) -> dict[str, Any]:
    """The `EventOut` body of a stored event row (serialize with `dumps`); tests check it against
    `EventOut.model_validate(body).model_dump(mode="json")`."""
    return {
        "id": row["id"],
        "complaint_id": row["complaint_id"],
        "referral_id": row["referral_id"],
        "sequence": row["sequence"],
        "type": row["type"],
        "occurred_at": row["occurred_at"],
        "actor": {"key_id": row["actor_key_id"], "role": row["actor_role"], "agency_code": row["actor_agency_code"]},
        "via": row["via"],
        "from_state": row["from_state"],
        "to_state": row["to_state"],
        "data": data_out(row),
    }


AfterIdQuery = Annotated[
    int | None,
    Query(ge=0, le=BIGINT_MAX, description="Only events with an `id` greater than this: continue a long timeline."),
]
EventLimitQuery = Annotated[int, Query(ge=1, le=1000, description="At most this many events (1-1000).")]
