"""The catalogue of webhook event types, as data.

Everything else derives from this table: the `event_types` a subscription may filter on (an
unknown name is a 422), who may receive each type, and the OpenAPI `webhooks` section.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal


class PayloadKind(StrEnum):
    COMPLAINT = "complaint"  # data.complaint: the complaint record
    REFERRAL = "referral"  # data.referral: the referral, with its complaint embedded
    ENDPOINT = "endpoint"  # data.endpoint: a webhook endpoint (service notices)
    ATTACHMENT = "attachment"  # data.attachment: an attachment's metadata and download path (never its bytes)


@dataclass(frozen=True, slots=True)
class EventType:
    name: str
    kind: PayloadKind
    summary: str
    # Agency endpoints never receive complaint-level events: the complaint belongs to the Ombudsman,
    # and an agency only learns about it through a referral forwarded to it.
    agency_may_receive: bool


CATALOGUE: tuple[EventType, ...] = (
    EventType("complaint.created", PayloadKind.COMPLAINT, "A complaint was recorded.", False),
    EventType(
        "complaint.updated",
        PayloadKind.COMPLAINT,
        "A complaint was changed; `details.changed_fields` names the fields.",
        False,
    ),
    EventType(
        "complaint.erased",
        PayloadKind.COMPLAINT,
        "The complainant's personal data was erased (on request or by retention); `details.reason` says why.",
        False,
    ),
    EventType(
        "referral.created",
        PayloadKind.REFERRAL,
        "A complaint was referred to an agency (not yet forwarded to it).",
        True,
    ),
    EventType(
        "referral.forwarded",
        PayloadKind.REFERRAL,
        "The referral was forwarded to the agency, which now owes a response.",
        True,
    ),
    EventType("referral.acknowledged", PayloadKind.REFERRAL, "The agency acknowledged receipt of the referral.", True),
    EventType("referral.note_added", PayloadKind.REFERRAL, "A note was added to the referral.", True),
    EventType("referral.responded", PayloadKind.REFERRAL, "The agency responded.", True),
    EventType("referral.follow_up_requested", PayloadKind.REFERRAL, "The Ombudsman asked the agency for more.", True),
    EventType("referral.closed", PayloadKind.REFERRAL, "The Ombudsman closed the referral.", True),
    EventType("referral.due_date_changed", PayloadKind.REFERRAL, "The referral's due date moved.", True),
    EventType("referral.due_soon", PayloadKind.REFERRAL, "The referral's response is due soon.", True),
    EventType("referral.overdue", PayloadKind.REFERRAL, "The referral's response is overdue.", True),
    EventType(
        "attachment.added",
        PayloadKind.ATTACHMENT,
        "A document was attached to a complaint or a referral; `attachment` has its metadata and `download_path`. "
        "Agencies receive it for documents of referrals forwarded to them, never for an identity document of a "
        "confidential complainant; a complaint's own documents are announced to the Ombudsman side only.",
        True,
    ),
    EventType(
        "webhook.test",
        PayloadKind.ENDPOINT,
        "Sent on request (`POST /v1/webhook-endpoints/{id}/test`) to that endpoint only.",
        True,
    ),
    EventType(
        "webhook.endpoint_disabled",
        PayloadKind.ENDPOINT,
        "An endpoint was disabled after failing continuously, or because it answered 410 Gone. "
        "Sent to Ombudsman and admin subscriptions whose scope covers the endpoint.",
        False,
    ),
)

BY_NAME: dict[str, EventType] = {event_type.name: event_type for event_type in CATALOGUE}
EVENT_TYPE_NAMES: tuple[str, ...] = tuple(BY_NAME)

# For request validation and the OpenAPI enum: an unknown event type is a 422.
EventTypeName = Literal[EVENT_TYPE_NAMES]  # type: ignore[valid-type]

TEST_EVENT = "webhook.test"
ENDPOINT_DISABLED_EVENT = "webhook.endpoint_disabled"
