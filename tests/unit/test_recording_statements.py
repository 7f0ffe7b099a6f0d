"""The statements that record an event: composed once per shape from named parts, every placeholder
given a value by the recorder or by the caller's own part, and one text per shape (prepared once)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from referral_service.complaints import repository as complaints
from referral_service.db.sql import compile_text
from referral_service.events import outbox
from referral_service.events.draft import SYSTEM, EventDraft
from referral_service.referrals import repository as referrals

NOW = datetime(2026, 12, 8, tzinfo=UTC)


def _draft(**changes: object) -> EventDraft:
    draft = EventDraft(type="complaint.updated", complaint_id=uuid.uuid4(), sequence=2, region_code="64.72")
    for name, value in changes.items():
        setattr(draft, name, value)
    return draft


def test_a_transition_binds_its_change_and_the_recorder_its_event_in_one_stable_text() -> None:
    values = dict.fromkeys(referrals.MUTABLE)
    draft = _draft(type="referral.forwarded", referral_id=uuid.uuid4(), agency_code="a", agency_visible=True)
    recording = outbox.recording_values(event_id=7, occurred_at=NOW, draft=draft, actor=SYSTEM, snapshot=None)
    statement = referrals.transition_statement(uuid.uuid4(), values).bind(**recording)
    _, args = statement.positional()  # every placeholder has its value (a missing one raises)
    assert statement.text is referrals.RECORD_TRANSITION.text
    assert "$" not in referrals.RECORD_TRANSITION.text  # no positional arithmetic left in the parts
    assert len(args) == len(set(compile_text(statement.text)[1]))


def test_the_plain_recording_needs_only_the_recorders_values() -> None:
    recording = outbox.recording_values(event_id=7, occurred_at=NOW, draft=_draft(), actor=SYSTEM, snapshot=None)
    _, args = outbox.RECORD.bind(**recording).positional()
    assert 7 in args


def test_the_intake_statement_draws_its_event_id_and_claims_the_key_by_name() -> None:
    names = set(compile_text(complaints._RECORD_WITH_KEY.text)[1])
    assert "ev_event_id" not in names and "ev_full_body" not in names  # drawn in the statement
    assert {"ev_body_head", "ev_body_tail", "idem_owner", "idem_key", "idem_ttl", "reported_agency"} <= names
    assert "drawn_event" in complaints._RECORD_WITH_KEY.text and "idem_claimed" in complaints._RECORD_WITH_KEY.text
