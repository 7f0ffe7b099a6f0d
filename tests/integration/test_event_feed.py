"""The event feed: scope per role, agency redaction, stable cursors, long polls, and no gaps under
concurrent writers that commit out of id order."""

from __future__ import annotations

import asyncio
import random
import time
import uuid

import pytest

from referral_service.db.driver import Db, create_pool
from referral_service.db.sql import Sql
from referral_service.events import feed
from referral_service.events.draft import SYSTEM, EventDraft
from referral_service.events.service import RESERVE_EVENT_SQL, record
from tests.conftest import CONFIDENTIAL_NAME, complaint_body, create_agency, create_complaint, issue_key


async def _all(api, after: str | None = None, **params) -> tuple[list[dict], str]:
    items: list[dict] = []
    while True:
        response = await api.get("/v1/events", params={**({"after": after} if after else {}), "limit": 1000, **params})
        assert response.status_code == 200, response.text
        page = response.json()
        items += page["items"]
        if not page["items"]:
            return items, page["next_cursor"]
        after = page["next_cursor"]


async def _head(api) -> str:
    return (await _all(api))[1]


async def _refer_and_forward(api, complaint_id: str, agency_code: str) -> str:
    created = await api.post(f"/v1/complaints/{complaint_id}/referrals", json={"agency_code": agency_code})
    assert created.status_code == 201, created.text
    referral_id = created.json()["id"]
    forwarded = await api.post(f"/v1/referrals/{referral_id}/forward", json={})
    assert forwarded.status_code == 200, forwarded.text
    return referral_id


@pytest.fixture(scope="module")
async def keys(admin, ombudsman, kaltim):
    agency_63 = await create_agency(admin, region_code="63.71", kind="inspektorat_kota")
    return {
        "omb_64": await issue_key(admin, "ombudsman", region_code="64"),
        "omb_63": await issue_key(admin, "ombudsman", region_code="63"),
        "agency_63": agency_63,
        "agency_63_key": await issue_key(admin, "agency", agency_code=agency_63),
    }


async def test_scope_per_role(admin, ombudsman, samarinda, bontang, keys):
    omb_64, omb_63, agency_63_key = keys["omb_64"], keys["omb_63"], keys["agency_63_key"]
    heads = {
        name: await _head(api)
        for name, api in {
            "admin": admin,
            "national": ombudsman,
            "omb_64": omb_64,
            "omb_63": omb_63,
            "samarinda": samarinda,
            "bontang": bontang,
            "agency_63": agency_63_key,
        }.items()
    }

    local = await create_complaint(ombudsman, region_code="64.72")
    local_referral = await _refer_and_forward(ombudsman, local["id"], "inspektorat-64.72")
    unforwarded = await ombudsman.post(
        f"/v1/complaints/{local['id']}/referrals", json={"agency_code": "inspektorat-64.74"}
    )
    assert unforwarded.status_code == 201
    cross = await create_complaint(ombudsman, region_code="64.74")
    cross_referral = await _refer_and_forward(ombudsman, cross["id"], keys["agency_63"])

    async def seen(api, head):
        items, _ = await _all(api, head)
        return [(item["type"], item["data"]["complaint_id"], item["data"]["referral_id"]) for item in items]

    everything = await seen(admin, heads["admin"])
    assert ("complaint.created", local["id"], None) in everything
    assert ("referral.forwarded", None, cross_referral) not in everything  # complaint_id is always set
    assert ("referral.forwarded", cross["id"], cross_referral) in everything
    assert ("referral.created", local["id"], unforwarded.json()["id"]) in everything
    ids = [item["id"] for item in (await _all(admin, heads["admin"]))[0]]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert await seen(ombudsman, heads["national"]) == everything

    mine = {local["id"], cross["id"]}
    in_64 = [e for e in await seen(omb_64, heads["omb_64"]) if e[1] in mine]
    assert in_64 == [e for e in everything if e[1] in mine]
    in_63 = [e for e in await seen(omb_63, heads["omb_63"]) if e[1] in mine]
    # Only the cross-region referral's events: not the complaint's own, not the local complaint's.
    assert in_63 == [e for e in everything if e[2] == cross_referral]
    assert in_63 and all(e[0].startswith("referral.") for e in in_63)

    samarinda_seen = await seen(samarinda, heads["samarinda"])
    assert samarinda_seen == [("referral.forwarded", local["id"], local_referral)]
    assert await seen(bontang, heads["bontang"]) == []  # created for it, never forwarded
    assert await seen(keys["agency_63_key"], heads["agency_63"]) == [
        ("referral.forwarded", cross["id"], cross_referral)
    ]


async def test_items_are_the_webhook_bodies_and_agencies_never_see_a_confidential_identity(admin, ombudsman, samarinda):
    admin_head, agency_head = await _head(admin), await _head(samarinda)
    complaint = await create_complaint(
        ombudsman, identity_confidential=True, complainant={"name": CONFIDENTIAL_NAME, "email": "rahasia@example.org"}
    )
    referral_id = await _refer_and_forward(ombudsman, complaint["id"], "inspektorat-64.72")
    assert (await samarinda.post(f"/v1/referrals/{referral_id}/acknowledge", json={})).status_code == 200

    full, _ = await _all(admin, admin_head, complaint_id=complaint["id"])
    assert [item["type"] for item in full] == [
        "complaint.created",
        "referral.created",
        "referral.forwarded",
        "referral.acknowledged",
    ]
    assert all(set(item) == {"id", "cursor", "type", "timestamp", "data"} for item in full)
    assert full[0]["data"]["complaint"]["complainant"]["name"] == CONFIDENTIAL_NAME
    assert full[0]["data"]["event_id"] == full[0]["id"]

    response = await samarinda.get("/v1/events", params={"after": agency_head, "referral_id": referral_id})
    assert CONFIDENTIAL_NAME not in response.text and "rahasia@example.org" not in response.text
    redacted = response.json()["items"]
    assert [item["type"] for item in redacted] == ["referral.forwarded", "referral.acknowledged"]
    assert redacted[0]["data"]["referral"]["complaint"]["complainant"] is None

    # Filters: by type (repeatable) and referral.
    typed, _ = await _all(
        admin, admin_head, type=["referral.forwarded", "referral.acknowledged"], referral_id=referral_id
    )
    assert [item["type"] for item in typed] == ["referral.forwarded", "referral.acknowledged"]


async def test_cursor_is_stable_across_a_restart(admin, ombudsman, database_url, settings):
    import httpx

    from referral_service.main import create_app

    head = await _head(admin)
    complaint = await create_complaint(ombudsman)
    items, _ = await _all(admin, head, complaint_id=complaint["id"])
    assert items[0]["cursor"] == feed.encode_feed_cursor(items[0]["id"])

    fresh = create_app(settings, database_url=database_url)
    async with fresh.router.lifespan_context(fresh):  # noqa: SIM117 - the app's lifespan wraps the client's
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=fresh), base_url="http://testserver") as client:
            response = await client.get(
                "/v1/events",
                params={"after": head, "complaint_id": complaint["id"]},
                headers={"Authorization": f"Bearer {admin.key}"},
            )
    assert response.status_code == 200
    assert response.json()["items"] == items

    bad = await admin.get("/v1/events", params={"after": "not-a-cursor"})
    assert bad.status_code == 400


async def test_long_poll_returns_promptly_after_a_commit(admin, ombudsman, monkeypatch):
    # The fallback re-check made rare, so only the commit's notification can answer within the bound
    # below, however busy the machine is.
    monkeypatch.setattr(feed, "RECHECK_SECONDS", 8.0)
    head = await _head(admin)
    started = time.monotonic()
    waiting = asyncio.create_task(admin.get("/v1/events", params={"after": head, "wait": 20}))
    await asyncio.sleep(0.5)
    assert not waiting.done()
    complaint = await create_complaint(ombudsman)
    committed = time.monotonic()
    response = await asyncio.wait_for(waiting, 10)
    assert response.status_code == 200
    assert [item["data"]["complaint_id"] for item in response.json()["items"]] == [complaint["id"]]
    assert time.monotonic() - committed < 6  # the notification, not the (now 8-second) re-check
    assert time.monotonic() - started < 10

    # Nothing new: the wait runs out and the cursor is handed back unchanged.
    quiet = await admin.get(
        "/v1/events", params={"after": response.json()["next_cursor"], "wait": 1, "complaint_id": str(uuid.uuid4())}
    )
    assert quiet.json() == {"items": [], "next_cursor": response.json()["next_cursor"]}


def test_horizon_waits_for_every_transaction_running_after_the_sequence_was_read():
    horizon = feed.FeedHorizon()
    horizon.observe("100:105:101,103", 10, [101, 103])  # drawn 10; nothing paired yet
    horizon.observe("101:107:101,105", 12, [101, 105, 107])  # 10 waits for 101, 105 and 107 (not below xmax)
    assert horizon.settled == 0
    horizon.observe("105:108:105,107", 12, [105, 107])  # 101 ended; 105 and 107 still running
    assert horizon.settled == 0
    horizon.observe("107:109:107", 12, [107])  # 105 ended; 107 still running
    assert horizon.settled == 0
    horizon.observe("109:109:", 13, [])  # all ended: 10 settles, and 12 (nothing was running)
    assert horizon.settled == 12
    # 32-bit ids from pg_stat_activity are placed in the snapshot's epoch.
    assert feed._full_xid(5, 2**32 + 3) == 2**32 + 5
    assert feed._full_xid(2**32 - 2, 2**32 + 3) == 2**32 - 2


async def test_no_gap_with_concurrent_writers_committing_out_of_order(admin, ombudsman, database_url):
    complaint = await create_complaint(ombudsman)
    complaint_id = uuid.UUID(complaint["id"])
    head = await _head(admin)
    pool = await create_pool(database_url, size=10)
    sequences = iter(range(1000, 100000))
    writers_done = asyncio.Event()
    rng = random.Random(7)

    async def writer(n: int) -> None:
        for i in range(15):
            try:
                async with pool.acquire() as conn, conn.transaction():
                    db = Db(conn)
                    # The id is drawn first, as the service does (in the statement that locks or
                    # inserts the resource); the event is written and committed after a pause: most
                    # short, some held open while other writers draw later ids and commit.
                    row = await db.fetchrow(Sql(f"SELECT {RESERVE_EVENT_SQL}"))
                    await asyncio.sleep(0.15 if (i + n) % 6 == 0 else rng.choice([0, 0.001, 0.005, 0.02]))
                    draft = EventDraft(
                        type="complaint.updated",
                        complaint_id=complaint_id,
                        sequence=next(sequences),
                        region_code="64.72",
                        data={"changed_fields": ["subject"]},
                    )
                    await record(db, draft, SYSTEM, None, reserved=(row["event_id"], row["event_occurred_at"]))
                    await asyncio.sleep(rng.random() * 0.01)
                    if (i + 2 * n) % 7 == 3:
                        raise _Rollback()  # drew an id, wrote the event, rolled back: the id never appears
            except _Rollback:
                pass

    seen: list[int] = []
    pages = 0

    async def reader() -> None:
        nonlocal pages
        after = head
        while True:
            finished = writers_done.is_set()
            response = await admin.get(
                "/v1/events", params={"after": after, "complaint_id": complaint["id"], "limit": 7}
            )
            assert response.status_code == 200, response.text
            page = response.json()
            pages += 1
            seen.extend(item["id"] for item in page["items"])
            after = page["next_cursor"]
            if finished and not page["items"]:
                return
            if not page["items"]:
                await asyncio.sleep(0.002)

    try:
        reading = asyncio.create_task(reader())
        await asyncio.gather(*(writer(n) for n in range(8)))
        writers_done.set()
        await asyncio.wait_for(reading, 60)
        async with pool.acquire() as conn:
            stored = [
                r["id"]
                for r in await conn.fetch(
                    "SELECT id FROM events WHERE complaint_id = $1 AND sequence >= 1000 ORDER BY id", complaint_id
                )
            ]
    finally:
        await pool.close()
    assert 8 * 15 > len(stored) > 8 * 12
    assert seen == stored  # no gap, no duplicate, same order
    assert pages > 10  # the reader really followed the writers


class _Rollback(Exception):
    pass


async def test_a_complaint_made_confidential_later_disappears_from_agency_items(admin, ombudsman, samarinda):
    agency_head = await _head(samarinda)
    name = f"Terbuka Kemudian {uuid.uuid4().hex[:6]}"
    complaint = await create_complaint(ombudsman, complainant={"name": name, "email": "kemudian@example.org"})
    referral_id = await _refer_and_forward(ombudsman, complaint["id"], "inspektorat-64.72")
    before = await samarinda.get("/v1/events", params={"after": agency_head, "referral_id": referral_id})
    assert name in before.text
    current = await ombudsman.get(f"/v1/complaints/{complaint['id']}")
    patched = await ombudsman.patch(
        f"/v1/complaints/{complaint['id']}",
        json={"identity_confidential": True},
        headers={"If-Match": current.headers["etag"]},
    )
    assert patched.status_code == 200, patched.text
    after = await samarinda.get("/v1/events", params={"after": agency_head, "referral_id": referral_id})
    assert [item["id"] for item in after.json()["items"]] == [item["id"] for item in before.json()["items"]]
    assert name not in after.text and "kemudian@example.org" not in after.text


@pytest.mark.parametrize("idempotency_key", [None, "feed-horizon"], ids=["without a key", "with a key"])
async def test_an_intake_holds_the_horizon_back_between_drawing_its_event_id_and_recording_it(
    app, ombudsman, monkeypatch, idempotency_key
):
    """The intake draws its event id in one statement and records the event in the next: the feed must
    not settle past the id in between, or a reader would move its cursor over the event for good."""
    from referral_service.complaints import intake

    record_as_drawn = intake._record
    seen: dict[str, int] = {}

    async def settle_the_feed_in_between(db, principal, data, drawn, idempotency):
        async with app.state.pool.acquire() as other:
            seen["settled"] = await feed.FeedHorizon().advance(Db(other))
        return await record_as_drawn(db, principal, data, drawn, idempotency)

    monkeypatch.setattr(intake, "_record", settle_the_feed_in_between)
    headers = {"Idempotency-Key": f"{idempotency_key}-{uuid.uuid4()}"} if idempotency_key else {}
    response = await ombudsman.post("/v1/complaints", json=complaint_body(), headers=headers)
    assert response.status_code == 201, response.text
    [created] = (await ombudsman.get(f"/v1/complaints/{response.json()['id']}/events")).json()
    assert seen["settled"] < created["id"]
    # The webhook body and the feed carry the id the event was recorded with.
    items = (await ombudsman.get("/v1/events", params={"complaint_id": response.json()["id"]})).json()["items"]
    assert [item["data"]["event_id"] for item in items] == [created["id"]]
