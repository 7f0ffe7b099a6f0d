"""Erasure of a complainant's personal data: on request (admin) and by the retention job. After it,
no byte of the identity remains in any column of any table, and reports give the same numbers."""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, date, datetime, timedelta

import httpx

from referral_service.clock import frozen_at
from referral_service.erasure.retention import run_retention
from referral_service.worker import WorkerContext
from tests.conftest import ROOT, create_complaint
from tests.integration.erasure_support import tables_holding
from tests.integration.inbound_support import SAMARINDA, event, push, rotate
from tests.integration.test_ui_http import BASE as UI_BASE
from tests.integration.test_ui_http import sign_in


def _identity() -> dict:
    tag = secrets.token_hex(4)
    return {
        "name": f"Erasa Nurhaliza {tag}",
        "email": f"erasa-{tag}@example.org",
        "phone": f"+62 811 {int(tag, 16) % 10**8:08d}",
        "address": f"Jl. Penghapusan No. {tag}, Samarinda",
        "identity_number": f"6472{int(tag, 16) % 10**12:012d}",
    }


def _verification_queries() -> list[str]:
    """The SQL docs/administration.md gives to verify an erasure ("Verifying an erasure")."""
    text = (ROOT / "docs" / "administration.md").read_text()
    block = text[text.index("**Verifying an erasure.**") :].split("```sql\n", 1)[1].split("```", 1)[0]
    return [statement.strip() for statement in block.split(";") if statement.strip()]


async def _verify(app, complaint_id: str) -> list[int]:
    async with app.state.pool.acquire() as conn:
        return [await conn.fetchval(sql, uuid.UUID(complaint_id)) for sql in _verification_queries()]


async def _report(api) -> dict:
    today = date.today()
    response = await api.get(
        "/v1/reports/agency-performance",
        params={"from": (today - timedelta(days=2)).isoformat(), "to": (today + timedelta(days=2)).isoformat()},
    )
    assert response.status_code == 200, response.text
    return response.json()


async def test_erasure_leaves_no_byte_of_the_identity_and_reports_unchanged(
    app, admin, ombudsman, samarinda, raw_client, subscribe, clock
):
    identity = _identity()
    needles = list(identity.values())
    # Subscribers on both sides, so webhook bodies are stored (and stay queued: no worker runs here).
    await subscribe(admin, "http://127.0.0.1:9/erasure-admin")
    await subscribe(samarinda, "http://127.0.0.1:9/erasure-agency")
    key = f"erase-{uuid.uuid4().hex}"
    complaint = (
        await ombudsman.post(
            "/v1/complaints",
            json={
                "channel": "walk_in",
                "complainant": identity,
                "subject": f"Keluhan {identity['name']}",
                "description": f"Saya {identity['name']} ({identity['phone']}) belum mendapat jawaban.",
                "category": "penundaan_berlarut",
                "region_code": "64.72",
            },
            headers={"Idempotency-Key": key},
        )
    ).json()
    cid = complaint["id"]
    referral = await ombudsman.post(
        f"/v1/complaints/{cid}/referrals",
        json={"agency_code": SAMARINDA, "instructions": f"Hubungi {identity['email']}"},
        headers={"Idempotency-Key": key + "-referral"},
    )
    rid = referral.json()["id"]
    assert (await ombudsman.post(f"/v1/referrals/{rid}/forward", json={})).status_code == 200
    secret = await rotate(admin, SAMARINDA)
    ref = f"SAM-{uuid.uuid4().hex[:8]}"
    pushed = await push(
        raw_client, SAMARINDA, event("referral.acknowledged", referral_id=rid, external_ref=ref), secret, clock=clock
    )
    assert pushed.status_code == 200, pushed.text
    assert identity["name"] in pushed.text  # our answer to the agency carries the (non-confidential) identity
    assert set(await tables_holding(app, needles)) >= {
        f"complaints.complainant: {identity['name']}",
        f"idempotency_keys.body: {identity['name']}",
        f"inbound_events.response_body: {identity['name']}",
        f"webhook_messages.body: {identity['name']}",
        f"event_feed.full_body: {identity['name']}",
        f"event_feed.agency_body: {identity['name']}",
    }

    # The documented checks see the data before the erasure (no receiver has answered: no attempt yet).
    assert [count > 0 for count in await _verify(app, cid)] == [True, True, True, False]

    refused = await admin.post(f"/v1/complaints/{cid}/erase", json={"reason": "Permintaan pelapor"})
    assert refused.status_code == 409, refused.text
    assert (await ombudsman.post(f"/v1/complaints/{cid}/erase", json={"reason": "x"})).status_code == 403
    assert (await ombudsman.post(f"/v1/referrals/{rid}/close", json={"resolution": "resolved"})).status_code == 200
    before = await _report(admin)

    erased = await admin.post(f"/v1/complaints/{cid}/erase", json={"reason": "Permintaan pelapor"})
    assert erased.status_code == 200, erased.text
    body = erased.json()
    assert body["complainant"] is None and body["description"] == "[erased]"
    assert (body["reference"], body["category"], body["region_code"], body["received_at"]) == (
        complaint["reference"],
        complaint["category"],
        complaint["region_code"],
        complaint["received_at"],
    )
    assert await tables_holding(app, needles) == []
    assert await _verify(app, cid) == [0, 0, 0, 0]
    assert await _report(admin) == before

    # Idempotent: erasing again changes nothing and records nothing more.
    again = await admin.post(f"/v1/complaints/{cid}/erase", json={"reason": "lagi"})
    assert again.status_code == 200 and again.json() == body
    timeline = (await admin.get(f"/v1/complaints/{cid}/events")).json()
    erasures = [e for e in timeline if e["type"] == "complaint.erased"]
    assert len(erasures) == 1
    assert erasures[0]["data"] == {
        "reason": "Permintaan pelapor",
        "forced": False,
        "identity_documents_removed": 0,
        "timeline_events_redacted": 0,
    }
    assert erasures[0]["actor"]["role"] == "admin"
    # Subscribers hear about it (the admin subscription; never the agency: a complaint-level event).
    feed = (await admin.get("/v1/events", params={"complaint_id": cid, "type": "complaint.erased"})).json()["items"]
    assert len(feed) == 1 and feed[0]["data"]["complaint"]["complainant"] is None
    async with app.state.pool.acquire() as conn:
        assert (
            await conn.fetchval(
                "SELECT count(*) FROM webhook_messages m JOIN events e ON e.id = m.event_id"
                " WHERE e.complaint_id = $1 AND m.type = 'complaint.erased'",
                uuid.UUID(cid),
            )
            == 1
        )
    # A replay of the intake answers the erased record.
    replay = await ombudsman.post("/v1/complaints", json={}, headers={"Idempotency-Key": key})
    assert identity["name"] not in replay.text


async def test_force_erases_with_an_open_referral(admin, ombudsman):
    identity = _identity()
    complaint = await create_complaint(ombudsman, complainant=identity)
    referral = await ombudsman.post(f"/v1/complaints/{complaint['id']}/referrals", json={"agency_code": SAMARINDA})
    assert referral.status_code == 201
    erased = await admin.post(
        f"/v1/complaints/{complaint['id']}/erase", json={"reason": "Perintah pengadilan", "force": True}
    )
    assert erased.status_code == 200, erased.text
    timeline = (await admin.get(f"/v1/complaints/{complaint['id']}/events")).json()
    assert timeline[-1]["type"] == "complaint.erased" and timeline[-1]["data"]["forced"] is True
    assert (
        await admin.post(f"/v1/complaints/{complaint['id']}/erase", json={})
    ).status_code == 422  # a reason is required


async def _retain(ctx) -> None:
    """Run the retention job until it finds nothing more to erase (other tests' complaints may be due too)."""
    for _ in range(100):
        if await run_retention(ctx) == 0:
            return
    raise AssertionError("the retention job never ran out of work")


async def test_retention_job_erases_by_the_service_clock(app, admin, ombudsman, settings, subscribe):
    """The retention job counts days on the service's clock, and erases the same way as a request: a
    referral closed at T keeps its complaint at T + 29 days (retention 30) and loses it at T + 31; a
    complaint closed later and one never referred are kept."""
    await subscribe(admin, "http://127.0.0.1:9/retention")  # webhook bodies to erase too
    old, recent, unreferred = _identity(), _identity(), _identity()
    note = f"Pelapor {old['name']} setuju ditutup"
    # Long ago, so that no other test's referral closes before it (they close on the real clock, later).
    start = datetime.now(UTC) - timedelta(days=400)
    with frozen_at(start) as clock:
        complaint = await create_complaint(ombudsman, complainant=old, subject=f"Keluhan {old['name']}")
        referral = await ombudsman.post(f"/v1/complaints/{complaint['id']}/referrals", json={"agency_code": SAMARINDA})
        closed = await ombudsman.post(
            f"/v1/referrals/{referral.json()['id']}/close", json={"resolution": "withdrawn", "note": note}
        )
        assert closed.status_code == 200, closed.text
        clock.advance(10 * 86400)
        later = await create_complaint(ombudsman, complainant=recent)
        later_referral = await ombudsman.post(
            f"/v1/complaints/{later['id']}/referrals", json={"agency_code": SAMARINDA}
        )
        assert (
            await ombudsman.post(f"/v1/referrals/{later_referral.json()['id']}/close", json={"resolution": "withdrawn"})
        ).status_code == 200
        never = await create_complaint(ombudsman, complainant=unreferred)

        ctx = WorkerContext(settings.model_copy(update={"retention_days": 30}), app.state.pool)
        clock.advance(19 * 86400)  # T + 29 days
        assert await run_retention(WorkerContext(settings, app.state.pool)) == 0  # unset
        await _retain(ctx)
        assert (await admin.get(f"/v1/complaints/{complaint['id']}")).json()["complainant"]["name"] == old["name"]

        clock.advance(2 * 86400)  # T + 31 days
        await _retain(ctx)
    assert (await admin.get(f"/v1/complaints/{complaint['id']}")).json()["complainant"] is None
    assert (await admin.get(f"/v1/complaints/{later['id']}")).json()["complainant"]["name"] == recent["name"]
    assert (await admin.get(f"/v1/complaints/{never['id']}")).json()["complainant"]["name"] == unreferred["name"]
    assert await tables_holding(app, [*old.values(), note]) == []
    timeline = (await admin.get(f"/v1/complaints/{complaint['id']}/events")).json()
    assert timeline[-1]["type"] == "complaint.erased" and timeline[-1]["actor"]["role"] is None
    assert timeline[-1]["data"]["reason"].startswith("retention: ")
    assert timeline[-1]["data"]["timeline_events_redacted"] == 1  # the closing note


async def test_free_text_of_the_timeline_is_erased_with_the_complaint(app, admin, ombudsman, samarinda, subscribe):
    """Notes, answers, follow-up reasons and closing notes may quote the complainant: erasure replaces them
    in every stored body and in the append-only timeline's own rows, which then hold `[erased]`."""
    await subscribe(admin, "http://127.0.0.1:9/erasure-free-text")
    tag = secrets.token_hex(4)
    texts = {
        "note": f"Pelapor Ibu Sari {tag} menelepon lagi",
        "reason": f"Mohon hubungi Ibu Sari {tag} langsung",
        "summary": f"Izin Ibu Sari {tag} sudah terbit",
        "actions": f"Petugas menemui Ibu Sari {tag}",
        "closing": f"Ibu Sari {tag} menyatakan puas",
    }
    complaint = await create_complaint(ombudsman)
    cid = complaint["id"]
    rid = (await ombudsman.post(f"/v1/complaints/{cid}/referrals", json={"agency_code": SAMARINDA})).json()["id"]
    steps = [
        (ombudsman, "forward", {}),
        (ombudsman, "notes", {"text": texts["note"]}),
        (samarinda, "respond", {"outcome": "action_taken", "summary": "Sedang diproses.", "actions_taken": None}),
        (ombudsman, "request-follow-up", {"reason": texts["reason"]}),
        (
            samarinda,
            "respond",
            {"outcome": "action_taken", "summary": texts["summary"], "actions_taken": texts["actions"]},
        ),
        (ombudsman, "close", {"resolution": "resolved", "note": texts["closing"]}),
    ]
    for api, action, payload in steps:
        response = await api.post(f"/v1/referrals/{rid}/{action}", json={k: v for k, v in payload.items() if v})
        assert response.status_code == 200, response.text
    assert set(await tables_holding(app, list(texts.values()))) >= {
        f"events.data: {texts['note']}",
        f"event_feed.full_body: {texts['note']}",
        f"webhook_messages.body: {texts['closing']}",
    }

    assert (await admin.post(f"/v1/complaints/{cid}/erase", json={"reason": "Permintaan pelapor"})).status_code == 200
    # Not even the append-only timeline's own rows hold the text any more; the erasure says how many it changed.
    assert await tables_holding(app, list(texts.values())) == []
    erased = (await admin.get(f"/v1/complaints/{cid}/events")).json()[-1]
    assert erased["type"] == "complaint.erased" and erased["data"]["timeline_events_redacted"] == 5
    timeline = {e["type"]: e for e in (await admin.get(f"/v1/referrals/{rid}/events")).json()}
    assert timeline["referral.note_added"]["data"] == {"text": "[erased]"}
    assert timeline["referral.follow_up_requested"]["data"]["reason"] == "[erased]"
    assert timeline["referral.follow_up_requested"]["data"]["follow_up_count"] == 1  # the rest is kept
    assert timeline["referral.responded"]["data"] == {
        "outcome": "action_taken",
        "summary": "[erased]",
        "actions_taken": "[erased]",
    }
    assert timeline["referral.closed"]["data"] == {"resolution": "resolved", "note": "[erased]"}
    complaint_timeline = (await admin.get(f"/v1/complaints/{cid}/events")).json()
    assert not any(text in str(complaint_timeline) for text in texts.values())
    agency_view = (await samarinda.get(f"/v1/referrals/{rid}/events")).json()
    assert not any(text in str(agency_view) for text in texts.values())
    feed = (await admin.get("/v1/events", params={"complaint_id": cid})).json()["items"]
    assert feed and not any(text in str(feed) for text in texts.values())
    # The web page of the referral shows the timeline as the API serves it.
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=UI_BASE) as browser:
        assert (await sign_in(browser, ombudsman.key)).status_code == 303
        page = await browser.get(f"/ui/referrals/{rid}")
    assert page.status_code == 200 and "[erased]" in page.text
    assert not any(text in page.text for text in texts.values())
