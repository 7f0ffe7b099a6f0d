"""The seed story with the Samarinda side driven entirely by inbound pushes, and the integrator's
tools (the Python example in docs/inbound.md and `referral-service send-inbound`) run for real."""

import asyncio
import json
import re
import socket
import threading
import time
import uuid
from pathlib import Path

import pytest

from referral_service.inbound.service import inbound_principal
from tests.conftest import ROOT, create_complaint
from tests.integration.inbound_support import (
    SAMARINDA,
    event,
    inbound_log,
    push,
    rotate,
)

pytestmark = pytest.mark.usefixtures("kaltim")

MAPPING = {
    "DIPROSES": {"action": "acknowledge"},
    "SELESAI": {"action": "respond", "outcome": "action_taken"},
    "CATATAN": {"action": "add_note"},
}


async def test_seed_story_driven_by_inbound_pushes(raw_client, ombudsman_kaltim, samarinda, clock):
    omb = ombudsman_kaltim
    # Samarinda's one-time setup with its API key: a secret for its system, and its status words.
    secret = await rotate(samarinda, SAMARINDA, overlap_hours=0)
    assert (await samarinda.put(f"/v1/agencies/{SAMARINDA}/status-mapping", json=MAPPING)).status_code == 200

    complaint = await create_complaint(omb, region_code="64.72")
    created = await omb.post(
        f"/v1/complaints/{complaint['id']}/referrals",
        json={"agency_code": SAMARINDA, "instructions": "Mohon ditindaklanjuti."},
    )
    assert created.status_code == 201, created.text
    rid = created.json()["id"]
    # Before the forward the referral does not exist for Samarinda, pushes included.
    early = await push(raw_client, SAMARINDA, event("referral.acknowledged", referral_id=rid), secret, clock=clock)
    assert early.status_code == 404
    assert (await omb.post(f"/v1/referrals/{rid}/forward", json={"due_working_days": 10})).status_code == 200

    ref = f"SMD-ADU-{rid[:8]}"
    steps = [
        event("referral.acknowledged", referral_id=rid, external_ref=ref),
        event("referral.responded", external_ref=ref, outcome="action_taken", summary="Izin sudah diproses."),
    ]
    for payload in steps:
        response = await push(raw_client, SAMARINDA, payload, secret, clock=clock)
        assert response.status_code == 200, response.text
    assert response.json()["referral"]["state"] == "responded"

    follow_up = await omb.post(
        f"/v1/referrals/{rid}/request-follow-up", json={"reason": "Mohon lampirkan salinan izin."}
    )
    assert follow_up.status_code == 200, follow_up.text

    done = await push(
        raw_client,
        SAMARINDA,
        event("referral.status_changed", external_ref=ref, status="SELESAI", summary="Salinan izin terlampir."),
        secret,
        clock=clock,
    )
    assert done.status_code == 200, done.text
    assert done.json()["action"] == "respond"
    assert (await omb.post(f"/v1/referrals/{rid}/close", json={"resolution": "resolved"})).status_code == 200

    # Too late now: the state machine says no, and says what is allowed.
    late = await push(
        raw_client, SAMARINDA, event("referral.note_added", external_ref=ref, text="Tambahan."), secret, clock=clock
    )
    assert late.status_code == 409 and late.json()["allowed_actions"] == []

    final = (await omb.get(f"/v1/referrals/{rid}")).json()
    assert final["state"] == "closed" and final["resolution"] == "resolved"
    assert final["external_ref"] == ref and final["follow_up_count"] == 1
    assert final["response"] == {**final["response"], "outcome": "action_taken", "summary": "Salinan izin terlampir."}

    timeline = (await omb.get(f"/v1/referrals/{rid}/events")).json()
    assert [(e["sequence"], e["type"], e["from_state"], e["to_state"], e["via"]) for e in timeline] == [
        (1, "referral.created", None, "received", "api"),
        (2, "referral.forwarded", "received", "forwarded", "api"),
        (3, "referral.acknowledged", "forwarded", "forwarded", "inbound_webhook"),
        (4, "referral.responded", "forwarded", "responded", "inbound_webhook"),
        (5, "referral.follow_up_requested", "responded", "forwarded", "api"),
        (6, "referral.responded", "forwarded", "responded", "inbound_webhook"),
        (7, "referral.closed", "responded", "closed", "api"),
    ]
    channel = {"key_id": str(inbound_principal(SAMARINDA).key_id), "role": "agency", "agency_code": SAMARINDA}
    assert all(e["actor"] == channel for e in timeline if e["via"] == "inbound_webhook")
    assert timeline[5]["data"]["summary"] == "Salinan izin terlampir."

    # Samarinda sees the same story from the forward on, and its inbound log tells it too.
    assert [e["sequence"] for e in (await samarinda.get(f"/v1/referrals/{rid}/events")).json()] == [2, 3, 4, 5, 6, 7]
    log = [row for row in await inbound_log(samarinda, SAMARINDA, limit=10) if row["referral_id"] == rid]
    assert [(row["type"], row["status_code"]) for row in reversed(log)] == [
        ("referral.acknowledged", 404),
        ("referral.acknowledged", 200),
        ("referral.responded", 200),
        ("referral.status_changed", 200),
        ("referral.note_added", 409),
    ]


# ---- the integrator's tools against a live server -----------------------------------------


@pytest.fixture(scope="module")
def live_server(database_url, settings):
    import uvicorn

    from referral_service.main import create_app

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings, database_url=database_url), host="127.0.0.1", port=port, log_level="warning"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "live server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


def _docs_example() -> dict:
    text = (ROOT / "docs" / "inbound.md").read_text("utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    code = next(block for block in blocks if "def send_event" in block)
    namespace: dict = {"__name__": "docs_example"}
    exec(compile(code, "docs/inbound.md", "exec"), namespace)
    return namespace


async def _forwarded(omb) -> str:
    complaint = await create_complaint(omb, region_code="64.72")
    rid = (await omb.post(f"/v1/complaints/{complaint['id']}/referrals", json={"agency_code": SAMARINDA})).json()["id"]
    assert (await omb.post(f"/v1/referrals/{rid}/forward", json={})).status_code == 200
    return rid


async def test_docs_python_example_against_live_server(live_server, ombudsman_kaltim, samarinda):
    example = _docs_example()
    secret = await rotate(samarinda, SAMARINDA, overlap_hours=0)
    rid = await _forwarded(ombudsman_kaltim)
    ref = f"SMD-DOC-{rid[:8]}"

    ack = {
        "type": "referral.acknowledged",
        "timestamp": "2026-12-01T09:00:00+08:00",
        "data": {"referral_id": rid, "external_ref": ref},
    }
    response = await asyncio.to_thread(example["send_event"], live_server, SAMARINDA, secret, ack)
    assert response.status_code == 200, response.text
    assert response.json()["referral"]["external_ref"] == ref

    respond = {
        "type": "referral.responded",
        "timestamp": "2026-12-01T10:00:00+08:00",
        "data": {"external_ref": ref, "outcome": "action_taken", "summary": "Dikirim dengan contoh dokumentasi."},
    }
    response = await asyncio.to_thread(example["send_with_retries"], live_server, SAMARINDA, secret, respond)
    assert response.status_code == 200, response.text
    assert response.json()["referral"]["state"] == "responded"

    # A wrong secret is refused with the problem body the docs describe.
    from referral_service.signing import generate_secret

    refused = await asyncio.to_thread(example["send_event"], live_server, SAMARINDA, generate_secret(), ack)
    assert refused.status_code == 401 and refused.json()["type"].endswith("/invalid-signature")


async def test_send_inbound_cli(live_server, ombudsman_kaltim, samarinda, tmp_path: Path, capsys, monkeypatch):
    from referral_service.cli import main

    secret = await rotate(samarinda, SAMARINDA, overlap_hours=0)
    rid = await _forwarded(ombudsman_kaltim)
    event_file = tmp_path / "event.json"
    event_file.write_text(json.dumps(event("referral.note_added", referral_id=rid, text="Dari CLI.")), "utf-8")
    webhook_id = f"msg_cli_{uuid.uuid4().hex}"
    argv = [
        "send-inbound",
        "--agency",
        SAMARINDA,
        "--secret",
        secret,
        "--file",
        str(event_file),
        "--url",
        live_server,
        "--webhook-id",
        webhook_id,
    ]

    assert await asyncio.to_thread(main, argv) == 0
    first = capsys.readouterr().out
    assert first.startswith(f"200 OK (webhook-id {webhook_id})")
    assert json.loads(first.splitlines()[1])["status"] == "accepted"
    # Same id again: same answer, no second note. The secret may come from the environment.
    monkeypatch.setenv("REFERRAL_INBOUND_SECRET", secret)
    assert await asyncio.to_thread(main, [a for a in argv if a not in ("--secret", secret)]) == 0
    assert capsys.readouterr().out.splitlines()[1] == first.splitlines()[1]
    notes = [
        e
        for e in (await ombudsman_kaltim.get(f"/v1/referrals/{rid}/events")).json()
        if e["type"] == "referral.note_added"
    ]
    assert len(notes) == 1

    assert await asyncio.to_thread(main, [*argv[:4], "whsec_bad", *argv[5:]]) == 2
    assert "not usable" in capsys.readouterr().err
