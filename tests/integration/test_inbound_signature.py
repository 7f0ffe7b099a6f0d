"""Inbound pushes: who may push (the signature matrix), secrets and their rotation, body guards."""

import json
from datetime import UTC

import pytest

from tests.conftest import create_agency
from tests.integration.inbound_support import (
    BONTANG,
    SAMARINDA,
    event,
    forwarded_referral,
    inbound_log,
    push,
    rotate,
    signed_headers,
)

pytestmark = pytest.mark.usefixtures("kaltim")


def _note(rid: str, text: str = "Sedang diperiksa.") -> dict:
    return event("referral.note_added", referral_id=rid, text=text)


async def _assert_401(response, reason_part: str | None = None) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"].endswith("/invalid-signature")
    assert body["status"] == 401
    if reason_part:
        assert reason_part in body["detail"]


async def _notes(omb, rid) -> list[dict]:
    timeline = (await omb.get(f"/v1/referrals/{rid}/events")).json()
    return [e for e in timeline if e["type"] == "referral.note_added"]


async def test_signature_matrix(raw_client, samarinda, ombudsman_kaltim, clock):
    secret = await rotate(samarinda, SAMARINDA)
    other = await rotate(samarinda, SAMARINDA, overlap_hours=0)  # `secret` is now dead
    rid = await forwarded_referral(ombudsman_kaltim)
    body = json.dumps(_note(rid)).encode()
    url = f"/v1/inbound/{SAMARINDA}/events"

    await _assert_401(await push(raw_client, SAMARINDA, body, secret, clock=clock), "no matching signature")
    tampered = signed_headers(other, body, clock=clock)
    await _assert_401(await raw_client.post(url, content=body.replace(b"diperiksa", b"selesai!!"), headers=tampered))
    await _assert_401(await push(raw_client, SAMARINDA, body, other, clock=clock, offset=-301), "too old")
    await _assert_401(await push(raw_client, SAMARINDA, body, other, clock=clock, offset=301), "in the future")

    good = signed_headers(other, body, clock=clock)
    broken = {
        "missing id": {k: v for k, v in good.items() if k != "webhook-id"},
        "missing timestamp": {k: v for k, v in good.items() if k != "webhook-timestamp"},
        "missing signature": {k: v for k, v in good.items() if k != "webhook-signature"},
        "no headers": {"content-type": "application/json"},
        "empty signature": {**good, "webhook-signature": ""},
        "not base64": {**good, "webhook-signature": "v1,@@@not-base64@@@"},
        "wrong version": {**good, "webhook-signature": good["webhook-signature"].replace("v1,", "v2,")},
        "no comma": {**good, "webhook-signature": "v1" + good["webhook-signature"][3:]},
        "timestamp words": {**good, "webhook-timestamp": "yesterday"},
        "timestamp negative": {**good, "webhook-timestamp": "-5"},
        "timestamp float": {**good, "webhook-timestamp": good["webhook-timestamp"] + ".5"},
        "timestamp huge": {**good, "webhook-timestamp": "9" * 400},
        "id with space": {**good, "webhook-id": "a b"},
        "id huge": {**good, "webhook-id": "x" * 10_000},
        "signature huge": {**good, "webhook-signature": "v1," + "A" * 100_000},
        "unicode id": {**good, "webhook-id": "ïd-☃".encode()},
        "unicode signature": {**good, "webhook-signature": "v1,☃☃☃".encode()},
        "unicode timestamp": {**good, "webhook-timestamp": "١٢٣".encode()},
        "latin-1 garbage": {**good, "webhook-signature": bytes(range(0x80, 0x100))},
        "control chars": {**good, "webhook-id": "a\x01b"},
    }
    for label, headers in broken.items():
        response = await raw_client.post(url, content=body, headers=headers)
        assert response.status_code == 401, (label, response.status_code, response.text)
        assert response.json()["type"].endswith("/invalid-signature"), label

    # None of the above did anything; the correctly signed push does.
    assert await _notes(ombudsman_kaltim, rid) == []
    accepted = await raw_client.post(url, content=body, headers=good)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted"
    assert len(await _notes(ombudsman_kaltim, rid)) == 1

    # Each refusal is in the agency's log with its reason, without anything unsigned.
    rejected = await inbound_log(samarinda, SAMARINDA, status="rejected", limit=100)
    reasons = [row["reason"] for row in rejected if row["status_code"] == 401]
    assert "timestamp outside tolerance (too old)" in reasons
    assert "no matching signature" in reasons
    assert all(row["webhook_id"] is None and row["payload"] is None for row in rejected if row["status_code"] == 401)


async def test_several_signatures_and_standardwebhooks_compatibility(raw_client, samarinda, ombudsman_kaltim, clock):
    from datetime import datetime

    from standardwebhooks import Webhook

    secret = await rotate(samarinda, SAMARINDA, overlap_hours=0)
    rid = await forwarded_referral(ombudsman_kaltim)
    # A wrong signature next to a right one is fine (that is how senders rotate).
    response = await push(raw_client, SAMARINDA, _note(rid), [await _fresh_secret(), secret], clock=clock)
    assert response.status_code == 200, response.text

    # Signed by the reference package, with its UTC-only datetime handling respected.
    body = json.dumps(_note(rid, "via standardwebhooks"))
    moment = datetime.fromtimestamp(int(clock.now), UTC)
    headers = {
        "webhook-id": "msg_std_1",
        "webhook-timestamp": str(int(clock.now)),
        "webhook-signature": Webhook(secret).sign("msg_std_1", moment, body),
        "content-type": "application/json",
    }
    response = await raw_client.post(f"/v1/inbound/{SAMARINDA}/events", content=body, headers=headers)
    assert response.status_code == 200, response.text


async def _fresh_secret() -> str:
    from referral_service.signing import generate_secret

    return generate_secret()


async def test_rotation_overlap(raw_client, samarinda, ombudsman_kaltim, clock):
    old = await rotate(samarinda, SAMARINDA, overlap_hours=0)
    new = await samarinda.post(f"/v1/agencies/{SAMARINDA}/inbound-secret", json={"overlap_hours": 2})
    assert new.status_code == 200, new.text
    created = new.json()
    assert created["secret"].startswith("whsec_") and created["secret"] != old
    assert created["previous_valid_until"] is not None
    new_secret = created["secret"]
    rid = await forwarded_referral(ombudsman_kaltim)

    assert (await push(raw_client, SAMARINDA, _note(rid, "old, in overlap"), old, clock=clock)).status_code == 200
    assert (await push(raw_client, SAMARINDA, _note(rid, "new"), new_secret, clock=clock)).status_code == 200
    clock.advance(2 * 3600 - 10)
    assert (await push(raw_client, SAMARINDA, _note(rid, "old, just in"), old, clock=clock)).status_code == 200
    clock.advance(20)
    await _assert_401(await push(raw_client, SAMARINDA, _note(rid, "old, too late"), old, clock=clock))
    assert (await push(raw_client, SAMARINDA, _note(rid, "new, later"), new_secret, clock=clock)).status_code == 200
    texts = [e["data"]["text"] for e in await _notes(ombudsman_kaltim, rid)]
    assert texts == ["old, in overlap", "new", "old, just in", "new, later"]

    # Rotating again retires the oldest secret at once: only one previous secret is ever kept.
    newest = await rotate(samarinda, SAMARINDA, overlap_hours=1)
    await _assert_401(await push(raw_client, SAMARINDA, _note(rid, "x"), old, clock=clock))
    assert (await push(raw_client, SAMARINDA, _note(rid, "previous"), new_secret, clock=clock)).status_code == 200
    assert (await push(raw_client, SAMARINDA, _note(rid, "newest"), newest, clock=clock)).status_code == 200


async def test_secret_endpoint_access(admin, samarinda, bontang, ombudsman_kaltim):
    url = f"/v1/agencies/{SAMARINDA}/inbound-secret"
    assert (await admin.post(url)).status_code == 200
    assert (await samarinda.post(url, json={})).status_code == 200
    assert (await bontang.post(url)).status_code == 404
    forbidden = await ombudsman_kaltim.post(url)
    assert forbidden.status_code == 403 and forbidden.headers["content-type"] == "application/problem+json"
    assert (await admin.post("/v1/agencies/no-such-agency/inbound-secret")).status_code == 404
    assert (await samarinda.client.post(url)).status_code == 401
    for bad in ({"overlap_hours": 169}, {"overlap_hours": -1}, {"overlap_hours": "lots"}, {"extra": 1}):
        response = await samarinda.post(url, json=bad)
        assert response.status_code == 422, (bad, response.text)


async def test_unknown_agency_and_agency_without_secret_look_alike(raw_client, admin, clock):
    from referral_service.signing import generate_secret

    bare = await create_agency(admin, region_code="64.72")
    secret = generate_secret()
    payload = event("referral.note_added", referral_id="00000000-0000-0000-0000-000000000000", text="x")
    answers = []
    for code in (bare, "inspektorat-99.99", "NOT A CODE", "a" * 300, "x%00y"):
        response = await push(raw_client, code, payload, secret, clock=clock)
        await _assert_401(response)
        answers.append({k: v for k, v in response.json().items() if k not in ("instance", "request_id")})
    assert all(answer == answers[0] for answer in answers)
    # The existing agency keeps a record (for itself and the Ombudsman); unknown codes leave none.
    log = await inbound_log(admin, bare)
    assert [(row["status_code"], row["reason"]) for row in log] == [(401, "no inbound secret is set for this agency")]


async def test_cross_agency_secret_cannot_act(raw_client, samarinda, bontang, ombudsman_kaltim, clock):
    samarinda_secret = await rotate(samarinda, SAMARINDA, overlap_hours=0)
    bontang_secret = await rotate(bontang, BONTANG, overlap_hours=0)
    samarinda_rid = await forwarded_referral(ombudsman_kaltim, SAMARINDA, "64.72")
    bontang_rid = await forwarded_referral(ombudsman_kaltim, BONTANG, "64.74")

    # Bontang's secret on Samarinda's path: not Samarinda's signature.
    await _assert_401(await push(raw_client, SAMARINDA, _note(samarinda_rid), bontang_secret, clock=clock))
    # Bontang's own path naming Samarinda's referral: not forwarded to Bontang.
    wrong = await push(raw_client, BONTANG, _note(samarinda_rid), bontang_secret, clock=clock)
    assert wrong.status_code == 404, wrong.text
    # Samarinda's path and secret naming Bontang's referral: same.
    wrong = await push(raw_client, SAMARINDA, _note(bontang_rid), samarinda_secret, clock=clock)
    assert wrong.status_code == 404, wrong.text
    assert wrong.json()["type"].endswith("/not-found")
    assert await _notes(ombudsman_kaltim, samarinda_rid) == []
    assert await _notes(ombudsman_kaltim, bontang_rid) == []


async def test_body_limits_and_media_type(raw_client, samarinda, settings, clock):
    secret = await rotate(samarinda, SAMARINDA, overlap_hours=0)
    huge = b'{"type": "referral.note_added", "pad": "' + b"x" * settings.max_body_bytes + b'"}'
    too_large = await push(raw_client, SAMARINDA, huge, secret, clock=clock)
    assert too_large.status_code == 413, too_large.text

    async def chunks():
        for _ in range(settings.max_body_bytes // 65536 + 2):
            yield b"x" * 65536

    streamed = await raw_client.post(
        f"/v1/inbound/{SAMARINDA}/events", content=chunks(), headers={"content-type": "application/json"}
    )
    assert streamed.status_code == 413

    body = json.dumps(event("referral.note_added", referral_id=None, text="x")).encode()
    headers = {**signed_headers(secret, body, clock=clock), "content-type": "text/plain"}
    assert (await raw_client.post(f"/v1/inbound/{SAMARINDA}/events", content=body, headers=headers)).status_code == 415
