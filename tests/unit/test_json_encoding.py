"""One way out for every instant: RFC 3339, UTC, `Z`."""

import uuid
from datetime import UTC, datetime, timedelta, timezone

import orjson

from referral_service.events.schemas import EventOut, event_body
from referral_service.json_encoding import dumps, rfc3339_utc, rfc3339_utc_text

WITA = timezone(timedelta(hours=8))


def test_instants_are_written_in_utc_with_z():
    assert rfc3339_utc(datetime(2026, 3, 2, 8, 30, tzinfo=WITA)) == "2026-03-02T00:30:00Z"
    assert rfc3339_utc(datetime(2026, 3, 2, 0, 30, 0, 250, tzinfo=UTC)) == "2026-03-02T00:30:00.000250Z"
    # asyncpg's stand-ins for -infinity and infinity carry no zone; a timestamptz is UTC.
    assert rfc3339_utc(datetime.min) == "0001-01-01T00:00:00Z"
    assert rfc3339_utc(datetime.max) == "9999-12-31T23:59:59.999999Z"


def test_dumps_writes_instants_as_rfc3339_utc_does():
    moment = datetime(2026, 11, 27, 2, 56, 23, 273054, tzinfo=UTC)
    body = orjson.loads(dumps({"at": moment, "naive": datetime.min, "id": uuid.UUID(int=1)}))
    assert body == {"at": rfc3339_utc(moment), "naive": "0001-01-01T00:00:00Z", "id": str(uuid.UUID(int=1))}


def test_instants_stored_as_text_are_rewritten_and_other_text_is_left_alone():
    assert rfc3339_utc_text("2026-12-07T15:59:59+00:00") == "2026-12-07T15:59:59Z"
    assert rfc3339_utc_text("2026-12-07T23:59:59+08:00") == "2026-12-07T15:59:59Z"
    assert rfc3339_utc_text("2026-12-07T15:59:59Z") == "2026-12-07T15:59:59Z"
    assert rfc3339_utc_text("not an instant") == "not an instant"
    assert rfc3339_utc_text(None) is None


def test_timeline_events_written_before_z_are_read_with_z():
    row = dict(
        id=7,
        complaint_id=uuid.uuid4(),
        referral_id=uuid.uuid4(),
        sequence=3,
        type="referral.follow_up_requested",
        occurred_at=datetime(2026, 12, 1, 1, 2, 3, tzinfo=UTC),
        actor_key_id=None,
        actor_role=None,
        actor_agency_code=None,
        via="system",
        from_state="responded",
        to_state="forwarded",
        data={
            "reason": "2026-12-07T15:59:59+00:00",
            "previous_due_at": "2026-12-07T15:59:59+00:00",
            "due_at": "2026-12-10T15:59:59+00:00",
        },
    )
    body = orjson.loads(dumps(event_body(row)))
    assert body == EventOut.model_validate(body).model_dump(mode="json")
    assert body["occurred_at"] == "2026-12-01T01:02:03Z"
    # Only the instants the service itself records: free text that looks like one stays as written.
    assert body["data"] == {
        "reason": "2026-12-07T15:59:59+00:00",
        "previous_due_at": "2026-12-07T15:59:59Z",
        "due_at": "2026-12-10T15:59:59Z",
    }
