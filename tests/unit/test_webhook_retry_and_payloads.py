"""Pure parts of outbound webhooks: the retry schedule, Retry-After, bodies and redaction."""

import random
import uuid
from datetime import UTC, datetime, timedelta

import orjson
import pytest

from referral_service.events.catalogue import CATALOGUE, EVENT_TYPE_NAMES
from referral_service.events.draft import SYSTEM, EventDraft
from referral_service.events.outbox import drawn_event_values
from referral_service.events.payloads import agency_may_receive, event_bodies, full_body_around_event_id
from referral_service.webhooks.retry import RetryPolicy, parse_retry_after, parse_schedule

SVIX = parse_schedule("0,5,300,1800,7200,18000,36000,36000")
NOW = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


def test_default_schedule_matches_svix_and_is_used_up_after_eight_attempts():
    policy = RetryPolicy(SVIX, jitter=0.0)
    assert [policy.delay_after(n) for n in range(1, 8)] == [5, 300, 1800, 7200, 18000, 36000, 36000]
    assert policy.delay_after(8) is None


def test_jitter_stays_within_twenty_percent():
    policy = RetryPolicy(SVIX, jitter=0.2)
    rng = random.Random(1)
    delays = [policy.delay_after(2, rng=rng) for _ in range(500)]
    assert min(delays) >= 240 and max(delays) <= 360 and len(set(delays)) > 100


def test_retry_after_is_a_capped_lower_bound():
    policy = RetryPolicy(SVIX, jitter=0.0, retry_after_max=3600)
    assert policy.delay_after(1, retry_after=60) == 60  # later than the 5 s step
    assert policy.delay_after(2, retry_after=1) == 300  # never earlier than the schedule
    assert policy.delay_after(1, retry_after=10**9) == 3600  # capped
    assert policy.delay_after(8, retry_after=1) is None


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("120", 120.0),
        (" 7 ", 7.0),
        ("Mon, 05 Jan 2026 08:01:00 GMT", 60.0),
        ("Mon, 05 Jan 2026 07:00:00 GMT", 0.0),
        (None, None),
        ("", None),
        ("-5", None),
        ("soon", None),
        ("1.5", None),
        ("9" * 100, None),
    ],
)
def test_parse_retry_after(header, expected):
    assert parse_retry_after(header, now=NOW) == expected


@pytest.mark.parametrize("bad", ["", "a,b", "5,-1"])
def test_bad_schedule_is_refused(bad):
    with pytest.raises(ValueError):
        parse_schedule(bad)


def test_catalogue_is_complete_and_unique():
    assert len(EVENT_TYPE_NAMES) == len(CATALOGUE) == 16
    assert not any(t.agency_may_receive for t in CATALOGUE if t.name.startswith("complaint."))


def _complaint(confidential: bool) -> dict:
    return {
        "id": uuid.uuid4(),
        "identity_confidential": confidential,
        "received_at": NOW,
        "complainant": {"name": "Rahasia Wulandari", "identity_number": "6472000000000001"},
    }


def _draft(type_: str = "referral.forwarded", *, visible: bool = True) -> EventDraft:
    return EventDraft(
        type=type_,
        complaint_id=uuid.uuid4(),
        sequence=2,
        region_code="64.72",
        referral_id=uuid.uuid4(),
        agency_code="inspektorat-64.72",
        from_state="received",
        to_state="forwarded",
        data={"due_working_days": 10},
        agency_visible=visible,
    )


def test_agency_body_redacts_a_confidential_complainant_and_full_body_keeps_it():
    complaint = _complaint(True)
    snapshot = {
        "referral": {
            "id": uuid.uuid4(),
            "state": "forwarded",
            "due_at": NOW + timedelta(days=14),
            "complaint": complaint,
        }
    }
    full, agency = event_bodies(42, NOW, _draft(), snapshot)
    full_doc, agency_doc = orjson.loads(full), orjson.loads(agency)
    assert full_doc["type"] == "referral.forwarded" and full_doc["timestamp"] == "2026-01-05T08:00:00Z"
    assert full_doc["data"]["referral"]["complaint"]["complainant"]["name"] == "Rahasia Wulandari"
    assert agency_doc["data"]["referral"]["complaint"]["complainant"] is None
    assert b"Rahasia" not in agency and b"6472000000000001" not in agency
    assert agency_doc["data"]["event_id"] == 42 and agency_doc["data"]["sequence"] == 2
    assert agency_doc["data"]["state"] == "forwarded" and agency_doc["data"]["details"] == {"due_working_days": 10}
    assert snapshot["referral"]["complaint"]["complainant"]["name"] == "Rahasia Wulandari"  # input untouched


def test_agency_keeps_identity_when_not_confidential():
    snapshot = {"referral": {"state": "forwarded", "complaint": _complaint(False)}}
    _, agency = event_bodies(1, NOW, _draft(), snapshot)
    assert orjson.loads(agency)["data"]["referral"]["complaint"]["complainant"]["name"] == "Rahasia Wulandari"


def test_agency_gets_nothing_before_the_forward_or_for_complaint_events():
    assert not agency_may_receive(_draft("referral.created", visible=False))
    complaint_event = EventDraft(
        type="complaint.updated",
        complaint_id=uuid.uuid4(),
        sequence=3,
        region_code="64.72",
        agency_code="inspektorat-64.72",
        agency_visible=True,
    )
    assert not agency_may_receive(complaint_event)
    _, agency = event_bodies(1, NOW, complaint_event, {"complaint": _complaint(True)})
    assert agency is None


def test_strip_complainant_removes_identity_from_referral_and_complaint_bodies():
    from referral_service.events.payloads import strip_complainant

    person = {"name": "Budi Santoso", "email": "budi@example.org"}
    referral_body = orjson.dumps(
        {
            "type": "referral.forwarded",
            "timestamp": "2026-01-05T08:00:00Z",
            "data": {
                "referral": {
                    "id": "r",
                    "complaint": {"complainant": person, "identity_confidential": False, "subject": "s"},
                }
            },
        }
    )
    stripped = orjson.loads(strip_complainant(referral_body))
    complaint = stripped["data"]["referral"]["complaint"]
    assert complaint == {"complainant": None, "identity_confidential": True, "subject": "s"}
    assert stripped["type"] == "referral.forwarded" and stripped["timestamp"] == "2026-01-05T08:00:00Z"

    complaint_body = orjson.dumps({"type": "t", "timestamp": "x", "data": {"complaint": {"complainant": person}}})
    assert orjson.loads(strip_complainant(complaint_body))["data"]["complaint"]["complainant"] is None
    # Already redacted, or nothing to redact: left as it is.
    assert (
        strip_complainant(
            orjson.dumps(
                {
                    "type": "t",
                    "timestamp": "x",
                    "data": {"referral": {"complaint": {"complainant": None, "identity_confidential": True}}},
                }
            )
        )
        is None
    )
    assert (
        strip_complainant(orjson.dumps({"type": "webhook.test", "timestamp": "x", "data": {"message": "hi"}})) is None
    )


def test_a_statement_drawing_its_event_id_joins_the_body_around_the_id_it_drew():
    draft = EventDraft(
        type="complaint.created",
        complaint_id=uuid.uuid4(),
        sequence=1,
        region_code="64.72",
        # Free text that imitates the field must not be mistaken for it.
        data={"reference": '"event_id":0,', "region_code": "64.72", "category": "lainnya"},
    )
    occurred_at = datetime(2026, 12, 7, tzinfo=UTC)
    head, tail = full_body_around_event_id(occurred_at, draft, None)
    # What the statement does: the parts joined around the id it drew are the body of that id.
    assert head + b"123456" + tail == event_bodies(123456, occurred_at, draft, None)[0]
    drawn = orjson.loads(head + b"123456" + tail)
    assert drawn["data"]["event_id"] == 123456
    assert drawn["data"]["details"]["reference"] == '"event_id":0,'
    values = drawn_event_values(occurred_at=occurred_at, draft=draft, actor=SYSTEM, snapshot=None)
    assert (values["ev_body_head"], values["ev_body_tail"], values["ev_agency_body"]) == (head, tail, None)
    # Events an agency may receive carry the id in a second body, which such a statement does not complete.
    draft.referral_id, draft.agency_code, draft.agency_visible = uuid.uuid4(), "kpk", True
    draft.type = "referral.forwarded"
    with pytest.raises(ValueError):
        drawn_event_values(occurred_at=occurred_at, draft=draft, actor=SYSTEM, snapshot=None)
