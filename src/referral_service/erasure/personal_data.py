"""Where a complaint's personal data lives in every kind of body the service stores, and how erasure
removes it: by structure, never by value.

Erasure (erasure/service.py) parses each stored body about the complaint and replaces the values
at the paths this module marks `Personal`, whatever those values are (or ever were: a body built
before a PATCH holds the old name at the same path as the new one). It never searches for a value,
so a subject that reads `null`, a phone number of three digits or a one-letter name can neither be
missed nor damage anything else: the body is re-encoded from the parsed value, and stays valid JSON.

Every key of a known shape is classified, `Personal` or `Kept` (with the reason it is kept); a key a
shape does not know is treated as personal when a body is redacted (its value becomes null), so a
field added to a body without a decision here is erased rather than kept. The tests build real
bodies of every event type and fail on any key that is not classified (tests/integration/
test_personal_data_registry.py): a new field needs its line here before it can ship.

Pure: no database, no I/O. `docs/administration.md` ("Retention and erasure") lists the same.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias

import orjson

ERASED = "[erased]"


@dataclass(frozen=True, slots=True)
class Personal:
    """Erased: a non-null value becomes `replacement` (a null or absent one stays as it is)."""

    replacement: str | None
    what: str


@dataclass(frozen=True, slots=True)
class Kept:
    """Kept through erasure, with the whole value below it."""

    why: str


@dataclass(frozen=True, slots=True)
class Shape:
    """A JSON object whose keys are classified."""

    fields: Mapping[str, Node]


Node: TypeAlias = Personal | Kept | Shape

_ID = Kept("an identifier, not about the complainant")
_TIME = Kept("a time the service recorded")
_WORKFLOW = Kept("the workflow's state and figures: reports and deadlines depend on them")
_TEXT = Personal(ERASED, "free text written by or about the complainant")
_OPTIONAL_TEXT = Personal(None, "free text written by or about the complainant")

# The complaint (`ComplaintOut`, and the complaint in webhook bodies and replays).
COMPLAINT = Shape(
    {
        "id": _ID,
        "reference": _ID,
        "channel": _WORKFLOW,
        "received_at": _TIME,
        "complainant": Personal(None, "the complainant: name, email, phone, address, identity number"),
        "identity_confidential": _WORKFLOW,
        "subject": _TEXT,
        "description": _TEXT,
        "category": _WORKFLOW,
        "reported_party": Kept("the office or official complained about, not the complainant"),
        "region_code": _WORKFLOW,
        "incident_date": Kept("when the matter happened: a date, not about the person"),
        "external_refs": Kept("the complaint's ids in other systems (SP4N-LAPOR!)"),
        "created_at": _TIME,
        "updated_at": _TIME,
    }
)

# A referral's answer (`ResponseOut`, and the `response` column).
RESPONSE = Shape(
    {
        "outcome": _WORKFLOW,
        "summary": _TEXT,
        "actions_taken": _OPTIONAL_TEXT,
        "responded_at": _TIME,
    }
)

# The referral (`ReferralOut`, and the referral in webhook bodies: the stored columns), its complaint embedded.
REFERRAL = Shape(
    {
        "id": _ID,
        "complaint_id": _ID,
        "agency_code": _ID,
        "state": _WORKFLOW,
        "instructions": _OPTIONAL_TEXT,
        "forwarded_at": _TIME,
        "due_at": _WORKFLOW,
        "acknowledged_at": _TIME,
        "external_ref": Kept("the agency's id for the referral"),
        "response": RESPONSE,
        "resolution": _WORKFLOW,
        "closed_at": _TIME,
        "follow_up_count": _WORKFLOW,
        "overdue": _WORKFLOW,
        "working_days_remaining": _WORKFLOW,
        "allowed_actions": _WORKFLOW,
        "created_at": _TIME,
        "updated_at": _TIME,
        "complaint": COMPLAINT,
    }
)

_FILENAME = Kept(
    "an evidence document's name; an identity document's name is never in an event (and the document "
    "itself is deleted by erasure)"
)
_ATTACHMENT_FIELDS: dict[str, Node] = {
    "id": _ID,
    "filename": _FILENAME,
    "size": Kept("the document's metadata"),
    "media_type": Kept("the document's metadata"),
    "sha256": Kept("the document's metadata"),
    "contains_identity": Kept("the document's metadata"),
    "uploaded_by": _ID,
    "uploaded_by_role": _ID,
    "uploaded_at": _TIME,
    "download_path": _ID,
}
# An attachment as `attachment.added` announces it.
ATTACHMENT = Shape({**_ATTACHMENT_FIELDS, "complaint_id": _ID, "referral_id": _ID})

_DEADLINE = {"due_at": _WORKFLOW, "previous_due_at": _WORKFLOW}
# What each event type records itself: the timeline's `data`, and `data.details` of its webhook body.
DETAILS: dict[str, Shape] = {
    "complaint.created": Shape({"reference": _ID, "region_code": _WORKFLOW, "category": _WORKFLOW}),
    "complaint.updated": Shape({"changed_fields": Kept("names of fields, never their values"), "version": _WORKFLOW}),
    "complaint.erased": Shape(
        {
            "reason": Kept("why the data was erased, written by the admin (recorded after the erasure)"),
            "forced": _WORKFLOW,
            "identity_documents_removed": _WORKFLOW,
            "timeline_events_redacted": _WORKFLOW,
        }
    ),
    "referral.created": Shape({"agency_code": _ID}),
    "referral.forwarded": Shape({"due_at": _WORKFLOW, "due_working_days": _WORKFLOW}),
    "referral.acknowledged": Shape({"external_ref": Kept("the agency's id for the referral")}),
    "referral.note_added": Shape({"text": _TEXT}),
    "referral.responded": Shape({"outcome": _WORKFLOW, "summary": _TEXT, "actions_taken": _TEXT}),
    "referral.follow_up_requested": Shape({"reason": _TEXT, "follow_up_count": _WORKFLOW, **_DEADLINE}),
    "referral.closed": Shape({"resolution": _WORKFLOW, "note": _TEXT}),
    "referral.due_date_changed": Shape(
        {**_DEADLINE, "calendar_date": _WORKFLOW, "reason": Kept("the service's own word: `calendar_changed`")}
    ),
    "referral.due_soon": Shape({"due_at": _WORKFLOW, "working_days_remaining": _WORKFLOW}),
    "referral.overdue": Shape({"due_at": _WORKFLOW}),
    "attachment.added": Shape(_ATTACHMENT_FIELDS),
}

_UNKNOWN_DETAILS = Shape({})  # an event type not listed: every key of its details is erased

# Per event type, the keys of its data that hold free text (notes, answers, follow-up reasons, closing
# notes): what erasure replaces on the timeline, and what the web view's presenting mode hides.
FREE_TEXT_IN_EVENT_DATA: dict[str, tuple[str, ...]] = {
    event_type: keys
    for event_type, shape in DETAILS.items()
    if (keys := tuple(key for key, rule in shape.fields.items() if isinstance(rule, Personal)))
}


def webhook_body(event_type: str) -> Shape:
    """A webhook body of this event type (`events.payloads.event_bodies`): what the event feed serves,
    and what `webhook_messages` holds, for both audiences."""
    return Shape(
        {
            "type": _WORKFLOW,
            "timestamp": _TIME,
            "data": Shape(
                {
                    "event_id": _ID,
                    "complaint_id": _ID,
                    "referral_id": _ID,
                    "agency_code": _ID,
                    "state": _WORKFLOW,
                    "from_state": _WORKFLOW,
                    "sequence": _WORKFLOW,
                    "details": DETAILS.get(event_type, _UNKNOWN_DETAILS),
                    "complaint": COMPLAINT,
                    "referral": REFERRAL,
                    "attachment": ATTACHMENT,
                }
            ),
        }
    )


# A push an agency sent (`inbound.schemas.InboundEvent`, every type: their `data` keys share one meaning).
INBOUND_PUSH = Shape(
    {
        "type": _WORKFLOW,
        "timestamp": Kept("when the change happened in the agency's system"),
        "data": Shape(
            {
                "referral_id": _ID,
                "external_ref": Kept("the agency's id for the referral"),
                "new_external_ref": Kept("the agency's id for the referral"),
                "attachment_ids": _ID,
                "status": Kept("the agency's status word, from its status mapping"),
                "outcome": _WORKFLOW,
                "text": _TEXT,
                "summary": _TEXT,
                "actions_taken": _TEXT,
            }
        ),
    }
)
# The service's answer to an accepted push (`inbound.schemas.InboundAccepted`).
INBOUND_ANSWER = Shape({"status": _WORKFLOW, "inbound_event_id": _ID, "action": _WORKFLOW, "referral": REFERRAL})
# A refused push's answer is a problem document (RFC 9457): the service's own words, kept whole.
PROBLEM = Kept("a problem document: the service's own words about the request")


# --- redaction ---------------------------------------------------------------------------------


def redact(value: Any, node: Node, *, unknown_erased: bool = True) -> Any:
    """`value` with every personal value under `node` replaced. `unknown_erased`: a key its shape does
    not classify becomes null (the default); False leaves it (the timeline, which may only lose its
    free text)."""
    if isinstance(node, Personal):
        return value if value is None else node.replacement
    if isinstance(node, Kept):
        return value
    if not isinstance(value, dict):
        # An object was expected: anything else is a structure nobody classified (null stays null).
        return None if unknown_erased else value
    out: dict[str, Any] = {}
    for key, child in value.items():
        rule = node.fields.get(key)
        if rule is not None:
            out[key] = redact(child, rule, unknown_erased=unknown_erased)
        else:
            out[key] = None if unknown_erased else child
    return out


def redact_json(body: bytes, node: Node) -> bytes | None:
    """A stored JSON body redacted: the new bytes, or None when nothing changed. Raises ValueError
    when the body is not JSON."""
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise ValueError("not a JSON body") from exc
    redacted = redact(parsed, node)
    return None if redacted == parsed else orjson.dumps(redacted)


def stored_response(body: bytes, complaint_id: uuid.UUID) -> Shape | None:
    """The shape of an idempotent replay (`idempotency_keys.body`) if it is about this complaint: the
    intake's `ComplaintOut`, or a referral route's `ReferralOut`. None: about something else."""
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(parsed, dict):
        return None
    if parsed.get("complaint_id") == str(complaint_id) and isinstance(parsed.get("complaint"), dict):
        return REFERRAL
    if parsed.get("id") == str(complaint_id) and "complainant" in parsed:
        return COMPLAINT
    return None


def timeline_data(event_type: str, data: Mapping[str, Any]) -> dict[str, Any] | None:
    """A timeline event's `data` with its free text erased, or None when it holds none. Only
    `Personal` keys change, each to ERASED: the one change the timeline's trigger lets erasure make
    (migration 0014)."""
    shape = DETAILS.get(event_type)
    if shape is None:
        return None
    redacted = redact(dict(data), shape, unknown_erased=False)
    return None if redacted == data else redacted


# --- the registry, walked (documentation and tests) ----------------------------------------------


def paths(node: Node, prefix: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Personal | Kept]]:
    """Every classified path under `node`, with its rule."""
    if isinstance(node, Personal | Kept):
        yield prefix, node
    else:
        for key, child in node.fields.items():
            yield from paths(child, (*prefix, key))


def is_classified(node: Node, path: tuple[str, ...]) -> bool:
    """Whether the registry decides the value at `path` (a key path into a body): every key on the
    way is in its shape, or below a `Personal` or `Kept` rule."""
    for key in path:
        if isinstance(node, Personal | Kept):
            return True
        child = node.fields.get(key)
        if child is None:
            return False
        node = child
    return True
