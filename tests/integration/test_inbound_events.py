"""Inbound pushes once authenticated: their effect, redelivery, refusals, the status mapping, the log."""

import asyncio
import json
import uuid

import pytest

from referral_service.inbound.service import inbound_principal
from tests.integration.inbound_support import (
    SAMARINDA,
    event,
    forwarded_referral,
    inbound_log,
    push,
    rotate,
    signed_headers,
)

pytestmark = pytest.mark.usefixtures("kaltim")

MAPPING = {
    "DIPROSES": {"action": "acknowledge"},
    "SELESAI": {"action": "respond", "outcome": "action_taken"},
    "CATATAN": {"action": "add_note"},
}


@pytest.fixture
async def secret(samarinda) -> str:
    return await rotate(samarinda, SAMARINDA, overlap_hours=0)


async def _timeline(omb, rid) -> list[dict]:
    return (await omb.get(f"/v1/referrals/{rid}/events")).json()


async def test_each_type_acts_as_the_agency_would(raw_client, samarinda, ombudsman_kaltim, secret, clock):
    rid = await forwarded_referral(ombudsman_kaltim)
    ref = f"SMD-{uuid.uuid4().hex[:8]}"
    ack = await push(
        raw_client, SAMARINDA, event("referral.acknowledged", referral_id=rid, external_ref=ref), secret, clock=clock
    )
    assert ack.status_code == 200, ack.text
    body = ack.json()
    assert body["action"] == "acknowledge" and body["referral"]["external_ref"] == ref
    assert body["referral"]["acknowledged_at"] is not None
    # The agency's view: allowed_actions for an agency key, complaint redaction applies.
    assert set(body["referral"]["allowed_actions"]) == {"acknowledge", "respond", "add_note"}

    note = await push(
        raw_client,
        SAMARINDA,
        event("referral.note_added", external_ref=ref, text="Jadwal pemeriksaan."),
        secret,
        clock=clock,
    )
    assert note.status_code == 200, note.text
    responded = await push(
        raw_client,
        SAMARINDA,
        event(
            "referral.responded",
            external_ref=ref,
            outcome="not_substantiated",
            summary="Tidak terbukti.",
            actions_taken="Klarifikasi.",
        ),
        secret,
        clock=clock,
    )
    assert responded.status_code == 200, responded.text
    assert responded.json()["referral"]["state"] == "responded"

    timeline = await _timeline(ombudsman_kaltim, rid)
    pushed = timeline[2:]
    assert [e["type"] for e in pushed] == ["referral.acknowledged", "referral.note_added", "referral.responded"]
    channel = str(inbound_principal(SAMARINDA).key_id)
    for e in pushed:
        assert e["via"] == "inbound_webhook"
        assert e["actor"] == {"key_id": channel, "role": "agency", "agency_code": SAMARINDA}
    assert pushed[0]["data"] == {"external_ref": ref}
    assert pushed[1]["data"] == {"text": "Jadwal pemeriksaan."}
    assert pushed[2]["data"] == {
        "outcome": "not_substantiated",
        "summary": "Tidak terbukti.",
        "actions_taken": "Klarifikasi.",
    }
    # Same answer the REST API gives the agency afterwards.
    rest = (await samarinda.get(f"/v1/referrals/{rid}")).json()
    assert rest["response"]["summary"] == "Tidak terbukti." and rest["state"] == "responded"


async def test_redelivery_replays_the_first_answer(raw_client, samarinda, ombudsman_kaltim, secret, clock):
    rid = await forwarded_referral(ombudsman_kaltim)
    payload = event("referral.note_added", referral_id=rid, text="sekali saja")
    first = await push(raw_client, SAMARINDA, payload, secret, clock=clock, msg_id="msg_dup_" + rid)
    clock.advance(120)  # a retry carries a fresh timestamp and signature
    again = await push(raw_client, SAMARINDA, payload, secret, clock=clock, msg_id="msg_dup_" + rid)
    assert first.status_code == again.status_code == 200
    assert again.content == first.content
    assert again.headers["idempotent-replayed"] == "true"
    assert [
        e["data"]["text"] for e in await _timeline(ombudsman_kaltim, rid) if e["type"] == "referral.note_added"
    ] == ["sekali saja"]

    # A rejection is replayed just the same (and does not get a second chance under the same id).
    bad = event("referral.responded", referral_id=rid, outcome="action_taken", summary="x")
    await ombudsman_kaltim.post(f"/v1/referrals/{rid}/close", json={"resolution": "withdrawn"})
    refused = await push(raw_client, SAMARINDA, bad, secret, clock=clock, msg_id="msg_dup2_" + rid)
    replayed = await push(raw_client, SAMARINDA, bad, secret, clock=clock, msg_id="msg_dup2_" + rid)
    assert refused.status_code == replayed.status_code == 409
    assert replayed.content == refused.content

    log = await inbound_log(samarinda, SAMARINDA, limit=5)
    by_id = {row["webhook_id"]: row for row in log}
    assert by_id["msg_dup_" + rid]["deliveries"] == 2
    assert by_id["msg_dup2_" + rid]["deliveries"] == 2
    # Same webhook-id at another agency is a different message.
    assert by_id["msg_dup_" + rid]["agency_code"] == SAMARINDA


async def test_concurrent_duplicates_have_exactly_one_effect(raw_client, ombudsman_kaltim, secret, clock):
    rid = await forwarded_referral(ombudsman_kaltim)
    body = json.dumps(event("referral.responded", referral_id=rid, outcome="action_taken", summary="Selesai.")).encode()
    headers = signed_headers(secret, body, clock=clock, msg_id="msg_race_" + rid)
    responses = await asyncio.gather(
        *(raw_client.post(f"/v1/inbound/{SAMARINDA}/events", content=body, headers=headers) for _ in range(8))
    )
    assert {r.status_code for r in responses} == {200}
    assert len({r.content for r in responses}) == 1
    assert sum(r.headers.get("idempotent-replayed") == "true" for r in responses) == 7
    responded = [e for e in await _timeline(ombudsman_kaltim, rid) if e["type"] == "referral.responded"]
    assert len(responded) == 1


async def test_refusals_answer_clearly_and_are_logged(raw_client, samarinda, ombudsman_kaltim, secret, clock):
    rid = await forwarded_referral(ombudsman_kaltim)

    async def send(payload):
        return await push(raw_client, SAMARINDA, payload, secret, clock=clock)

    not_json = await send(b"{not json")
    assert not_json.status_code == 400 and not_json.json()["type"].endswith("/malformed-json")
    not_utf8 = await send(b'{"type": "\xff\xfe"}')
    assert not_utf8.status_code == 400

    cases = [
        (event("referral.closed", referral_id=rid), 422, "validation-error"),
        (event("referral.note_added", referral_id=rid), 422, "validation-error"),
        (event("referral.note_added", text="tanpa referral"), 422, "validation-error"),
        (event("referral.note_added", referral_id="not-a-uuid", text="x"), 422, "validation-error"),
        (event("referral.note_added", referral_id=rid, text="nul\x00byte"), 422, "validation-error"),
        (event("referral.responded", referral_id=rid, outcome="done", summary="x"), 422, "validation-error"),
        ({"type": "referral.note_added", "data": {"referral_id": rid, "text": "x"}}, 422, "validation-error"),
        ({**event("referral.note_added", referral_id=rid, text="x"), "extra": 1}, 422, "validation-error"),
        ([1, 2, 3], 422, "validation-error"),
        (event("referral.status_changed", referral_id=rid, status="ENTAHLAH"), 422, "unknown-status-word"),
        (event("referral.note_added", referral_id=str(uuid.uuid4()), text="x"), 404, "not-found"),
        (event("referral.note_added", external_ref="TIDAK-ADA", text="x"), 404, "not-found"),
        (
            event("referral.acknowledged", referral_id=rid, external_ref="A", new_external_ref="B"),
            422,
            "unprocessable-entity",
        ),
    ]
    for payload, status, slug in cases:
        response = await send(payload)
        assert response.status_code == status, (payload, response.text)
        problem = response.json()
        assert response.headers["content-type"] == "application/problem+json"
        assert problem["type"].endswith("/" + slug), (payload, problem)
        assert problem["inbound_event_id"]

    # 409 from the state machine, with what is allowed instead; the refused move changed nothing.
    await ombudsman_kaltim.post(f"/v1/referrals/{rid}/close", json={"resolution": "resolved"})
    conflict = await send(event("referral.responded", referral_id=rid, outcome="action_taken", summary="Telat."))
    assert conflict.status_code == 409
    assert conflict.json()["type"].endswith("/transition-not-allowed")
    assert conflict.json()["current_state"] == "closed" and conflict.json()["allowed_actions"] == []
    referral = (await ombudsman_kaltim.get(f"/v1/referrals/{rid}")).json()
    assert referral["state"] == "closed" and referral["response"] is None

    rejected = await inbound_log(samarinda, SAMARINDA, status="rejected", limit=len(cases) + 3)
    newest = rejected[0]
    assert newest["status_code"] == 409 and newest["referral_id"] == rid
    assert newest["type"] == "referral.responded" and "`respond` is not allowed" in newest["reason"]
    assert newest["payload"]["data"]["summary"] == "Telat."
    assert newest["response"] == conflict.json()
    reasons = " | ".join(row["reason"] for row in rejected)
    assert "ENTAHLAH" in reasons and "data.text" in reasons and "not valid JSON" in reasons
    assert all(row["status"] == "rejected" for row in rejected)


async def test_status_mapping(raw_client, admin, samarinda, bontang, ombudsman_kaltim, secret, clock):
    url = f"/v1/agencies/{SAMARINDA}/status-mapping"
    assert (await bontang.put(url, json=MAPPING)).status_code == 404
    assert (await bontang.get(url)).status_code == 404
    assert (await ombudsman_kaltim.put(url, json=MAPPING)).status_code == 403
    for bad in (
        {"TUTUP": {"action": "close"}},
        {"MAJU": {"action": "forward"}},
        {"X": {"action": "add_note", "outcome": "action_taken"}},
        {"X": {"action": "respond", "outcome": "maybe"}},
        {"": {"action": "add_note"}},
        {"X" * 65: {"action": "add_note"}},
        {f"W{i}": {"action": "add_note"} for i in range(201)},
        ["DIPROSES"],
    ):
        response = await samarinda.put(url, json=bad)
        assert response.status_code == 422, (bad, response.text)
    saved = await samarinda.put(url, json=MAPPING)
    assert saved.status_code == 200 and saved.json() == MAPPING
    assert (await ombudsman_kaltim.get(url)).json() == MAPPING
    assert (await admin.get(url)).json() == MAPPING

    rid = await forwarded_referral(ombudsman_kaltim)

    async def status(word, **extra):
        return await push(
            raw_client,
            SAMARINDA,
            event("referral.status_changed", referral_id=rid, status=word, **extra),
            secret,
            clock=clock,
        )

    assert (await status("DIPROSES", new_external_ref="SMD-MAP-" + rid[:8])).json()["action"] == "acknowledge"
    missing = await status("CATATAN")
    assert missing.status_code == 422 and missing.json()["errors"][0]["loc"] == ["data", "text"]
    assert (await status("CATATAN", text="Catatan dari sistem daerah.")).json()["action"] == "add_note"
    assert (await status("SELESAI")).status_code == 422  # respond needs a summary
    case_differs = await status("selesai", summary="x")
    assert case_differs.status_code == 422 and case_differs.json()["type"].endswith("/unknown-status-word")
    done = await status("SELESAI", summary="Sudah ditangani.", text="ignored by respond")
    assert done.status_code == 200, done.text
    assert done.json()["referral"]["response"]["outcome"] == "action_taken"

    # Replacing the mapping is immediate; an empty one unmaps everything.
    assert (await admin.put(url, json={})).json() == {}
    assert (await status("CATATAN", text="x")).status_code == 422
    await samarinda.put(url, json=MAPPING)


async def test_inbound_log_access_and_pagination(
    raw_client, samarinda, bontang, ombudsman_kaltim, ombudsman, admin, secret, clock
):
    rid = await forwarded_referral(ombudsman_kaltim)
    for i in range(5):
        await push(
            raw_client, SAMARINDA, event("referral.note_added", referral_id=rid, text=f"n{i}"), secret, clock=clock
        )
    url = f"/v1/agencies/{SAMARINDA}/inbound-events"
    assert (await bontang.get(url)).status_code == 404
    assert (await raw_client.get(url)).status_code == 401
    bontang_only = await (await _regional_key(admin, "64.74")).get(url)
    assert bontang_only.status_code == 404
    for api in (samarinda, ombudsman_kaltim, ombudsman, admin):
        assert (await api.get(url, params={"limit": 1})).status_code == 200

    seen, cursor = [], None
    while len(seen) < 5:
        params = {"limit": 2, "status": "accepted", **({"cursor": cursor} if cursor else {})}
        page = (await samarinda.get(url, params=params)).json()
        seen += page["items"]
        cursor = page["next_cursor"]
    assert [row["payload"]["data"]["text"] for row in seen[:5]] == ["n4", "n3", "n2", "n1", "n0"]
    assert all(row["status"] == "accepted" and row["reason"] == "applied as add_note" for row in seen[:5])
    assert (await samarinda.get(url, params={"status": "pending"})).status_code == 422
    assert (await samarinda.get(url, params={"cursor": "garbage"})).status_code == 400


async def _regional_key(admin, region):
    from tests.conftest import issue_key

    return await issue_key(admin, "ombudsman", region_code=region)


async def test_external_ref_taken_is_a_conflict_and_changes_nothing(
    raw_client, samarinda, ombudsman_kaltim, secret, clock
):
    first, second = await forwarded_referral(ombudsman_kaltim), await forwarded_referral(ombudsman_kaltim)
    ref = f"SMD-DUP-{uuid.uuid4().hex[:8]}"
    ok = await push(
        raw_client, SAMARINDA, event("referral.acknowledged", referral_id=first, external_ref=ref), secret, clock=clock
    )
    assert ok.status_code == 200, ok.text
    taken = await push(
        raw_client, SAMARINDA, event("referral.acknowledged", referral_id=second, external_ref=ref), secret, clock=clock
    )
    assert taken.status_code == 409 and taken.json()["type"].endswith("/conflict")
    untouched = (await samarinda.get(f"/v1/referrals/{second}")).json()
    assert untouched["external_ref"] is None and untouched["acknowledged_at"] is None
    assert [e["type"] for e in await _timeline(ombudsman_kaltim, second)] == ["referral.created", "referral.forwarded"]
    row = (await inbound_log(samarinda, SAMARINDA, status="rejected", limit=1))[0]
    assert row["status_code"] == 409 and "external_ref" in row["reason"]
