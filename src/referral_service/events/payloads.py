"""Webhook bodies (Standard Webhooks: `{"type", "timestamp", "data"}`), one per audience.

Two audiences exist: the Ombudsman side (admin and ombudsman endpoints) sees the snapshot as
recorded; an agency endpoint sees it through `scope.redact_for_agency`, so a confidential
complainant's identity never leaves the service towards an agency. Bodies are built once per
event and audience, never per endpoint. Pure functions: unit-tested without a database.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import orjson

from referral_service.auth.scope import redact_for_agency
from referral_service.events.catalogue import BY_NAME, PayloadKind
from referral_service.events.draft import EventDraft
from referral_service.json_encoding import dumps, rfc3339_utc


def agency_may_receive(draft: EventDraft) -> bool:
    """An agency hears only about referrals forwarded to it, and never complaint-level events."""
    event_type = BY_NAME.get(draft.type)
    agency_allowed = event_type.agency_may_receive if event_type else draft.referral_id is not None
    return agency_allowed and draft.agency_visible and draft.agency_code is not None and draft.referral_id is not None


def _event_data(event_id: int, draft: EventDraft, snapshot: dict[str, Any] | None) -> dict[str, Any]:
    snapshot = snapshot or {}
    referral = snapshot.get("referral")
    state = (referral or {}).get("state", draft.to_state)
    data: dict[str, Any] = {
        "event_id": event_id,
        "complaint_id": draft.complaint_id,
        "referral_id": draft.referral_id,
        "agency_code": draft.agency_code,
        "state": state,
        "from_state": draft.from_state,
        "sequence": draft.sequence,
        "details": draft.data,
    }
    kind = BY_NAME[draft.type].kind if draft.type in BY_NAME else None
    if referral is not None or kind is PayloadKind.REFERRAL:
        data["referral"] = referral
    if "complaint" in snapshot or kind is PayloadKind.COMPLAINT:
        data["complaint"] = snapshot.get("complaint")
    if "attachment" in snapshot or kind is PayloadKind.ATTACHMENT:
        data["attachment"] = snapshot.get("attachment")
    return data


def _redact_data(data: dict[str, Any]) -> dict[str, Any]:
    redacted = dict(data)
    referral = redacted.get("referral")
    if isinstance(referral, dict) and isinstance(referral.get("complaint"), dict):
        redacted["referral"] = {**referral, "complaint": redact_for_agency(referral["complaint"])}
    if isinstance(redacted.get("complaint"), dict):
        redacted["complaint"] = redact_for_agency(redacted["complaint"])
    return redacted


def event_bodies(
    event_id: int, occurred_at: datetime, draft: EventDraft, snapshot: dict[str, Any] | None
) -> tuple[bytes, bytes | None]:
    """(body for the Ombudsman side, body for the referral's agency or None if it may not see it)."""
    data = _event_data(event_id, draft, snapshot)
    envelope = {"type": draft.type, "timestamp": rfc3339_utc(occurred_at)}
    full = dumps({**envelope, "data": data})
    agency = dumps({**envelope, "data": _redact_data(data)}) if agency_may_receive(draft) else None
    return full, agency


def full_body_around_event_id(
    occurred_at: datetime, draft: EventDraft, snapshot: dict[str, Any] | None
) -> tuple[bytes, bytes]:
    """The Ombudsman-side body of `event_bodies` in two parts, before and after its `data.event_id`
    value: for a statement that draws the event's id itself and writes the body as the parts joined
    around it (the intake, see events/outbox.py). Joined around an id, the parts are that body."""
    data = _event_data(0, draft, snapshot)
    del data["event_id"]  # the first field of `data`: the parts meet where its value goes
    envelope = dumps({"type": draft.type, "timestamp": rfc3339_utc(occurred_at)})
    rest = dumps(data)
    return envelope[:-1] + b',"data":{"event_id":', b"," + rest[1:] + b"}"


def strip_complainant(body: bytes) -> bytes | None:
    """An agency body with the complainant removed, as if the complaint had been confidential when the
    event was recorded; None when there is nothing to remove. For a complaint made confidential later."""
    payload = orjson.loads(body)
    data = payload.get("data")
    if not isinstance(data, dict):
        return None
    changed = False
    complaints = [data.get("complaint")]
    if isinstance(data.get("referral"), dict):
        complaints.append(data["referral"].get("complaint"))
    for complaint in complaints:
        if isinstance(complaint, dict) and (
            complaint.get("complainant") is not None or not complaint.get("identity_confidential")
        ):
            complaint["complainant"] = None
            complaint["identity_confidential"] = True
            changed = True
    return dumps(payload) if changed else None


def notice_body(event_type: str, occurred_at: datetime, data: dict[str, Any]) -> bytes:
    """Bodies of service notices (webhook.test, webhook.endpoint_disabled): no personal data."""
    return dumps({"type": event_type, "timestamp": rfc3339_utc(occurred_at), "data": data})


def endpoint_summary(endpoint: Any) -> dict[str, Any]:
    """How an endpoint is described in a notice: never its secret."""
    return {
        "id": endpoint.id if isinstance(endpoint.id, uuid.UUID) else uuid.UUID(str(endpoint.id)),
        "url": endpoint.url,
        "description": endpoint.description,
        "owner": {
            "role": endpoint.owner_role,
            "agency_code": endpoint.owner_agency_code,
            "region_code": endpoint.owner_region_code,
        },
        "disabled_at": endpoint.disabled_at,
        "disabled_reason": endpoint.disabled_reason,
    }
