"""The registry of personal data and its redaction, without a database: bodies built by the real
webhook body builder from random complaints (hypothesis), then redacted by structure."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from referral_service.erasure import personal_data
from referral_service.erasure.personal_data import ERASED, Kept, Personal, Shape
from referral_service.events import payloads
from referral_service.events.catalogue import CATALOGUE, PayloadKind
from referral_service.events.draft import EventDraft

TEXT = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=30)
VALUES = st.one_of(st.sampled_from(["null", "true", "false", "0", "123", '"', "\\", "[", "a"]), TEXT)
COMPLAINT_ID = uuid.UUID("65881197-a37a-427e-b9b3-d5998f47d9fd")


def _complaint(values: dict[str, str], confidential: bool) -> dict[str, Any]:
    return {
        "id": COMPLAINT_ID,
        "reference": "64-2026-000001",
        "channel": "walk_in",
        "received_at": datetime(2026, 12, 1, tzinfo=UTC),
        "complainant": {"name": values["name"], "phone": values["phone"]},
        "identity_confidential": confidential,
        "subject": values["subject"],
        "description": values["description"],
        "category": "other",
        "reported_party": None,
        "region_code": "64.72",
        "incident_date": None,
        "external_refs": [],
        "created_at": datetime(2026, 12, 1, tzinfo=UTC),
        "updated_at": datetime(2026, 12, 1, tzinfo=UTC),
    }


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for child in value.values() for s in _strings(child)]
    if isinstance(value, list):
        return [s for child in value for s in _strings(child)]
    return []


@settings(max_examples=200, deadline=None)
@given(
    values=st.fixed_dictionaries(
        {k: VALUES for k in ("name", "phone", "subject", "description", "instructions", "summary", "text")}
    ),
    confidential=st.booleans(),
)
def test_every_body_of_every_event_type_loses_every_personal_value(values: dict[str, str], confidential: bool) -> None:
    complaint = _complaint(values, confidential)
    referral = {
        "id": uuid.uuid4(),
        "complaint_id": COMPLAINT_ID,
        "agency_code": "inspektorat-64.72",
        "state": "responded",
        "instructions": values["instructions"],
        "response": {"outcome": "action_taken", "summary": values["summary"], "actions_taken": values["text"]},
        "complaint": complaint,
    }
    details = {"text": values["text"], "summary": values["summary"], "reason": values["text"], "note": values["text"]}
    personal = set(values.values())
    for event_type in (t for t in CATALOGUE if t.kind is not PayloadKind.ENDPOINT):
        snapshot = {PayloadKind.COMPLAINT: {"complaint": complaint}, PayloadKind.REFERRAL: {"referral": referral}}
        draft = EventDraft(
            type=event_type.name,
            complaint_id=COMPLAINT_ID,
            sequence=2,
            region_code="64.72",
            referral_id=referral["id"],
            agency_code="inspektorat-64.72",
            data={
                k: v
                for k, v in details.items()
                if isinstance(personal_data.DETAILS[event_type.name].fields.get(k), Personal)
            },
            agency_visible=True,
        )
        for body in payloads.event_bodies(7, datetime(2026, 12, 2, tzinfo=UTC), draft, snapshot.get(event_type.kind)):
            if body is None:
                continue
            redacted = personal_data.redact_json(body, personal_data.webhook_body(event_type.name)) or body
            parsed = orjson.loads(redacted)
            left = [s for s in _strings(parsed) if s in personal and s != ERASED]
            assert left == [], (event_type.name, left)
            # Redacting again changes nothing.
            assert personal_data.redact_json(redacted, personal_data.webhook_body(event_type.name)) is None


def test_a_key_nobody_classified_is_erased_and_a_shape_that_is_not_an_object_too() -> None:
    shape = Shape({"kept": Kept("why"), "text": Personal(ERASED, "what"), "inner": Shape({"x": Kept("why")})})
    body = {"kept": "k", "text": "t", "new": "n", "inner": "not an object"}
    assert personal_data.redact(body, shape) == {"kept": "k", "text": ERASED, "new": None, "inner": None}
    # The timeline only loses its free text: nothing else may change there.
    assert personal_data.redact(body, shape, unknown_erased=False) == {**body, "text": ERASED}
    assert personal_data.redact({"text": None}, shape) == {"text": None}  # absent stays absent


def test_timeline_data_replaces_free_text_only() -> None:
    data = {"outcome": "action_taken", "summary": "null", "actions_taken": None}
    assert personal_data.timeline_data("referral.responded", data) == {**data, "summary": ERASED}
    assert personal_data.timeline_data("referral.responded", {**data, "summary": ERASED}) is None
    assert personal_data.timeline_data("referral.forwarded", {"due_working_days": 5}) is None


def test_replays_are_recognised_by_the_complaint_they_are_about() -> None:
    complaint = orjson.dumps({"id": str(COMPLAINT_ID), "complainant": None})
    referral = orjson.dumps({"id": str(uuid.uuid4()), "complaint_id": str(COMPLAINT_ID), "complaint": {}})
    assert personal_data.stored_response(complaint, COMPLAINT_ID) is personal_data.COMPLAINT
    assert personal_data.stored_response(referral, COMPLAINT_ID) is personal_data.REFERRAL
    assert personal_data.stored_response(complaint, uuid.uuid4()) is None
    assert personal_data.stored_response(b"[1]", COMPLAINT_ID) is None


def test_the_registry_walks_to_every_rule() -> None:
    rules = dict(personal_data.paths(personal_data.REFERRAL))
    assert isinstance(rules[("complaint", "complainant")], Personal)
    assert isinstance(rules[("response", "summary")], Personal)
    assert isinstance(rules[("complaint", "reference")], Kept)
    assert personal_data.is_classified(personal_data.REFERRAL, ("complaint", "complainant", "name"))
    assert not personal_data.is_classified(personal_data.REFERRAL, ("complaint", "nickname"))
