"""Erasure works by structure, not by bytes: values that are JSON tokens leave every stored body
valid, every value the complaint ever had is gone (not only the current ones), and the timeline's
rows accept exactly one change, the erasure's."""

from __future__ import annotations

import secrets
import uuid

import asyncpg
import orjson
import pytest

from tests.conftest import create_complaint
from tests.integration.erasure_support import feed_pages, feed_position, stored_bodies, string_leaves, tables_holding
from tests.integration.inbound_support import SAMARINDA, event, push, rotate

# Values no stored body may hold as a string after the erasure (they are all JSON tokens or digits).
TOKENS = {
    "subject": "null",
    "description": "true",
    "name": "false",
    "phone": "123",
    "address": "0",
    "identity_number": "null",
    "instructions": "false",
    "note": "true",
    "summary": "123",
    "actions_taken": "null",
    "reason": "4567",
    "closing": "false",
    "pushed": "true",
}


async def test_values_that_are_json_tokens_leave_every_body_valid(
    app, admin, ombudsman, ombudsman_kaltim, samarinda, raw_client, subscribe, clock
):
    await subscribe(admin, "http://127.0.0.1:9/tokens-admin")
    await subscribe(samarinda, "http://127.0.0.1:9/tokens-agency")
    start = await feed_position(app)
    complainant = {key: TOKENS[key] for key in ("name", "phone", "address", "identity_number")}
    complaint = await create_complaint(
        ombudsman, complainant=complainant, subject=TOKENS["subject"], description=TOKENS["description"]
    )
    cid = complaint["id"]
    created = await ombudsman.post(
        f"/v1/complaints/{cid}/referrals",
        json={"agency_code": SAMARINDA, "instructions": TOKENS["instructions"]},
        headers={"Idempotency-Key": f"tokens-{uuid.uuid4().hex}"},
    )
    rid = created.json()["id"]
    secret = await rotate(admin, SAMARINDA)
    steps = [
        (ombudsman, "forward", {}),
        (ombudsman, "notes", {"text": TOKENS["note"]}),
        (samarinda, "respond", {"outcome": "action_taken", "summary": TOKENS["summary"]}),
        (ombudsman, "request-follow-up", {"reason": TOKENS["reason"]}),
    ]
    for api, action, payload in steps:
        response = await api.post(f"/v1/referrals/{rid}/{action}", json=payload)
        assert response.status_code == 200, (action, response.text)
    pushed = await push(
        raw_client,
        SAMARINDA,
        event(
            "referral.responded",
            referral_id=rid,
            outcome="action_taken",
            summary=TOKENS["pushed"],
            actions_taken=TOKENS["actions_taken"],
        ),
        secret,
        clock=clock,
    )
    assert pushed.status_code == 200, pushed.text
    closed = await ombudsman.post(
        f"/v1/referrals/{rid}/close", json={"resolution": "resolved", "note": TOKENS["closing"]}
    )
    assert closed.status_code == 200, closed.text

    erased = await admin.post(f"/v1/complaints/{cid}/erase", json={"reason": "Permintaan pelapor"})
    assert erased.status_code == 200, erased.text

    bodies = await stored_bodies(app, cid)
    assert {table for table, _ in bodies} >= {
        "event_feed.full_body",
        "event_feed.agency_body",
        "webhook_messages.body",
        "idempotency_keys.body",
        "inbound_events.body",
        "inbound_events.response_body",
        "events.data",
    }
    for table, body in bodies:
        parsed = orjson.loads(body)  # every stored body is still JSON
        held = [(path, text) for path, text in string_leaves(parsed) if text in TOKENS.values()]
        assert held == [], (table, held)
    # Every key's feed reads past the complaint's events, page by page.
    for api in (admin, ombudsman, ombudsman_kaltim, samarinda):
        items = await feed_pages(api, after=start, limit=3)
        assert any(item["data"].get("complaint_id") == cid for item in items), api.role
        assert await feed_pages(api, complaint_id=cid, limit=2)
    timeline = (await admin.get(f"/v1/referrals/{rid}/events")).json()
    assert {e["type"]: e["data"].get("text") for e in timeline}["referral.note_added"] == "[erased]"


def _person(tag: str) -> dict:
    return {
        "name": f"Nama {tag}",
        "email": f"surel-{tag}@example.org",
        "phone": f"+62 812 {tag}",
        "address": f"Jl. Alamat {tag}",
        "identity_number": f"NIK{tag}",
    }


async def test_every_value_the_complaint_ever_had_is_erased(app, admin, ombudsman, subscribe):
    """Intake with an Idempotency-Key, then the complainant, subject and description changed twice:
    the first and second versions sit in the replay, the feed and the webhook bodies beside the last."""
    await subscribe(admin, "http://127.0.0.1:9/history")
    versions = [secrets.token_hex(5) for _ in range(3)]
    key = f"history-{uuid.uuid4().hex}"
    first = _person(versions[0])
    intake = {
        "channel": "walk_in",
        "complainant": first,
        "subject": f"Perihal {versions[0]}",
        "description": f"Uraian {versions[0]}",
        "category": "penundaan_berlarut",
        "region_code": "64.72",
    }
    created = await ombudsman.post("/v1/complaints", json=intake, headers={"Idempotency-Key": key})
    assert created.status_code == 201, created.text
    cid = created.json()["id"]
    etag = created.headers["etag"]
    for tag in versions[1:]:
        patched = await ombudsman.patch(
            f"/v1/complaints/{cid}",
            json={"complainant": _person(tag), "subject": f"Perihal {tag}", "description": f"Uraian {tag}"},
            headers={"If-Match": etag},
        )
        assert patched.status_code == 200, patched.text
        etag = patched.headers["etag"]
    values = [value for tag in versions for value in (*_person(tag).values(), f"Perihal {tag}", f"Uraian {tag}")]
    assert f"idempotency_keys.body: {first['name']}" in await tables_holding(app, [first["name"]])

    assert (await admin.post(f"/v1/complaints/{cid}/erase", json={"reason": "Permintaan pelapor"})).status_code == 200
    assert await tables_holding(app, values) == []
    feed = await admin.get("/v1/events", params={"complaint_id": cid})
    assert feed.status_code == 200 and not any(value in feed.text for value in values)
    assert [item["data"]["complaint"]["complainant"] for item in feed.json()["items"]] == [None] * 4
    replay = await ombudsman.post("/v1/complaints", json=intake, headers={"Idempotency-Key": key})
    assert replay.status_code == 201 and replay.headers["idempotent-replayed"] == "true"
    assert replay.json()["complainant"] is None and replay.json()["subject"] == "[erased]"


async def _refused(conn, sql: str, *args, erasing: str | None = None) -> None:
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        async with conn.transaction():
            if erasing is not None:
                await conn.execute("SELECT set_config('referral.erasing_complaint', $1, true)", erasing)
            await conn.execute(sql, *args)


async def test_the_timeline_accepts_no_change_but_the_erasure(app, admin, ombudsman):
    complaint = await create_complaint(ombudsman)
    cid = complaint["id"]
    other = (await create_complaint(ombudsman))["id"]
    async with app.state.pool.acquire() as conn:
        created = await conn.fetchval("SELECT id FROM events WHERE complaint_id = $1", uuid.UUID(cid))
        erased_text = "UPDATE events SET data = jsonb_set(data, '{reference}', '\"[erased]\"') WHERE id = $1"
        await _refused(conn, erased_text, created)  # outside an erasure
        await _refused(conn, erased_text, created, erasing=cid)  # the complaint is not erased
        assert (await admin.post(f"/v1/complaints/{cid}/erase", json={"reason": "x"})).status_code == 200
        await _refused(conn, erased_text, created, erasing=other)  # another complaint's erasure
        for change in (
            "UPDATE events SET data = jsonb_set(data, '{reference}', '\"something else\"') WHERE id = $1",
            "UPDATE events SET data = data - 'reference' WHERE id = $1",
            'UPDATE events SET data = data || \'{"added": "[erased]"}\' WHERE id = $1',
            "UPDATE events SET sequence = sequence + 100 WHERE id = $1",
            "UPDATE events SET actor_role = NULL, data = jsonb_set(data, '{reference}', '\"[erased]\"') WHERE id = $1",
            "DELETE FROM events WHERE id = $1",
        ):
            await _refused(conn, change, created, erasing=cid)
        # The one change it takes: a value replaced by `[erased]`, in the erasure's transaction (rolled back).
        transaction = conn.transaction()
        await transaction.start()
        try:
            await conn.execute("SELECT set_config('referral.erasing_complaint', $1, true)", cid)
            assert await conn.execute(erased_text, created) == "UPDATE 1"
        finally:
            await transaction.rollback()


async def test_a_refused_push_naming_the_referral_is_erased_too(app, admin, ombudsman, samarinda, raw_client, clock):
    """A push that did not match the schema was never applied to the referral (the log has no referral
    for it), yet it names the referral and carries the agency's text: erasure finds it by the id."""
    marker = f"Zq{secrets.token_hex(7)}"
    complaint = await create_complaint(ombudsman)
    rid = (await ombudsman.post(f"/v1/complaints/{complaint['id']}/referrals", json={"agency_code": SAMARINDA})).json()[
        "id"
    ]
    assert (await ombudsman.post(f"/v1/referrals/{rid}/forward", json={})).status_code == 200
    secret = await rotate(admin, SAMARINDA)
    refused = await push(
        raw_client,
        SAMARINDA,
        event("referral.note_added", referral_id=rid, text=f"Ibu {marker}", mood=f"{marker} marah"),
        secret,
        clock=clock,
    )
    assert refused.status_code == 422, refused.text
    assert await tables_holding(app, [marker]) == [f"inbound_events.body: {marker}"]
    assert (await ombudsman.post(f"/v1/referrals/{rid}/close", json={"resolution": "resolved"})).status_code == 200
    assert (await admin.post(f"/v1/complaints/{complaint['id']}/erase", json={"reason": "x"})).status_code == 200
    assert await tables_holding(app, [marker]) == []
    logged = [item for item in (await samarinda.get(f"/v1/agencies/{SAMARINDA}/inbound-events")).json()["items"]]
    mine = [
        item
        for item in logged
        if isinstance(item["payload"], dict) and item["payload"]["data"].get("referral_id") == rid
    ]
    assert [item["payload"]["data"] for item in mine] == [{"referral_id": rid, "text": "[erased]", "mood": None}]
