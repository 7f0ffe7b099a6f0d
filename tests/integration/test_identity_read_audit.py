"""Identity-read audit: every response that shows a confidential complainant's identity to an
Ombudsman or admin key writes exactly one audit row per complaint shown; agencies and
non-confidential reads write none; the table is append-only; admins list it."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from tests.conftest import CONFIDENTIAL_NAME, create_complaint


async def _count(app, complaint_id: str) -> list[asyncpg.Record]:
    async with app.state.pool.acquire() as conn:
        return await conn.fetch(
            "SELECT key_id, role, route, method, access_reason FROM identity_reads WHERE complaint_id = $1 ORDER BY id",
            uuid.UUID(complaint_id),
        )


@pytest.fixture
async def confidential(ombudsman, samarinda, app):
    complaint = await create_complaint(ombudsman, identity_confidential=True, complainant={"name": CONFIDENTIAL_NAME})
    referral = await ombudsman.post(
        f"/v1/complaints/{complaint['id']}/referrals", json={"agency_code": "inspektorat-64.72"}
    )
    assert referral.status_code == 201
    return complaint, referral.json()


async def test_every_endpoint_showing_the_identity_writes_one_row(app, admin, ombudsman, samarinda, confidential):
    complaint, referral = confidential
    cid, rid = complaint["id"], referral["id"]
    rows = await _count(app, cid)
    # Intake and the referral's creation (its body embeds the complaint) each wrote one.
    assert [(r["route"], r["method"]) for r in rows] == [
        ("/v1/complaints", "POST"),
        ("/v1/complaints/{complaint_id}/referrals", "POST"),
    ]
    etag = (await admin.get(f"/v1/complaints/{cid}")).headers["etag"]
    first = await admin.get("/v1/events", params={"complaint_id": cid, "limit": 1, "wait": 10})
    head = first.json()["items"][0]["id"]
    calls = [
        (
            "/v1/complaints/{complaint_id}",
            "GET",
            lambda: ombudsman.get(f"/v1/complaints/{cid}", headers={"X-Access-Reason": "Case 12/2026 review"}),
        ),
        ("/v1/complaints", "GET", lambda: ombudsman.get("/v1/complaints", params={"limit": 100})),
        (
            "/v1/complaints/{complaint_id}",
            "PATCH",
            lambda: admin.patch(
                f"/v1/complaints/{cid}", json={"subject": "Izin usaha tidak diproses juga"}, headers={"If-Match": etag}
            ),
        ),
        ("/v1/referrals/{referral_id}", "GET", lambda: ombudsman.get(f"/v1/referrals/{rid}")),
        ("/v1/referrals", "GET", lambda: ombudsman.get("/v1/referrals", params={"complaint_id": cid})),
        (
            "/v1/referrals/{referral_id}/forward",
            "POST",
            lambda: ombudsman.post(f"/v1/referrals/{rid}/forward", json={}),
        ),
        ("/v1/events", "GET", lambda: admin.get("/v1/events", params={"complaint_id": cid, "wait": 10})),
    ]
    # The first GET above (for the ETag) and the feed read (for nothing) were audited too.
    expected = len(rows) + 2
    assert len(await _count(app, cid)) == expected
    for route, method, call in calls:
        response = await call()
        assert response.status_code == 200, (route, response.text)
        assert CONFIDENTIAL_NAME in response.text
        after = await _count(app, cid)
        assert len(after) == expected + 1, route
        assert (after[-1]["route"], after[-1]["method"]) == (route, method)
        expected += 1
    assert (await _count(app, cid))[-len(calls)]["access_reason"] == "Case 12/2026 review"
    assert head  # (used only to make sure the feed served the complaint)

    # Timelines carry no identity: nothing written.
    assert (await ombudsman.get(f"/v1/complaints/{cid}/events")).status_code == 200
    assert (await ombudsman.get(f"/v1/referrals/{rid}/events")).status_code == 200
    # Agencies never see it: nothing written, whatever they read or do.
    assert (await samarinda.get(f"/v1/referrals/{rid}")).status_code == 200
    assert (await samarinda.get("/v1/referrals", params={"complaint_id": cid})).status_code == 200
    assert (await samarinda.post(f"/v1/referrals/{rid}/acknowledge", json={})).status_code == 200
    feed = await samarinda.get("/v1/events", params={"referral_id": rid, "wait": 10})
    assert feed.json()["items"] and CONFIDENTIAL_NAME not in feed.text
    assert len(await _count(app, cid)) == expected


async def test_non_confidential_reads_write_nothing(app, ombudsman):
    complaint = await create_complaint(ombudsman)
    assert (await ombudsman.get(f"/v1/complaints/{complaint['id']}")).status_code == 200
    assert (await ombudsman.get("/v1/events", params={"complaint_id": complaint["id"], "wait": 10})).json()["items"]
    assert await _count(app, complaint["id"]) == []


async def test_access_reason_is_validated(ombudsman, confidential):
    complaint, _ = confidential
    bad = await ombudsman.get(f"/v1/complaints/{complaint['id']}", headers={"X-Access-Reason": "x" * 501})
    assert bad.status_code == 422
    bad = await ombudsman.get(f"/v1/complaints/{complaint['id']}", headers={"X-Access-Reason": "<script>"})
    assert bad.status_code == 422


async def test_the_audit_is_append_only_and_listed_for_admins(app, admin, ombudsman, confidential):
    complaint, _ = confidential
    assert (await ombudsman.get(f"/v1/complaints/{complaint['id']}")).status_code == 200
    async with app.state.pool.acquire() as conn:
        for statement in (
            "UPDATE identity_reads SET role = 'x'",
            "DELETE FROM identity_reads",
            "TRUNCATE identity_reads",
        ):
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await conn.execute(statement)

    assert (await ombudsman.get("/v1/audit/identity-reads")).status_code == 403
    listed = await admin.get("/v1/audit/identity-reads", params={"complaint_id": complaint["id"], "limit": 1})
    assert listed.status_code == 200
    first = listed.json()
    assert len(first["items"]) == 1 and first["next_cursor"]
    assert (
        first["items"][0]["key_id"] == ombudsman.key_id
        and first["items"][0]["route"] == "/v1/complaints/{complaint_id}"
    )
    rest = await admin.get(
        "/v1/audit/identity-reads", params={"complaint_id": complaint["id"], "cursor": first["next_cursor"]}
    )
    ids = [first["items"][0]["id"]] + [item["id"] for item in rest.json()["items"]]
    assert ids == sorted(ids, reverse=True) and len(ids) == len(await _count(app, complaint["id"]))
    by_key = await admin.get(
        "/v1/audit/identity-reads", params={"key_id": ombudsman.key_id, "from": "2000-01-01T00:00:00Z"}
    )
    assert all(item["key_id"] == ombudsman.key_id for item in by_key.json()["items"])
