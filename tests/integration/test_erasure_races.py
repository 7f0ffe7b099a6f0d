"""A receiver's answer to a webhook about an erased complaint is not kept, whenever it arrives: after
the erasure committed, while the erasure runs, or just before it. Each interleaving is built step by
step with separate connections running the real code (and once end to end, with a real worker and a
receiver that echoes what it was sent)."""

from __future__ import annotations

import asyncio
import secrets
import time
import uuid
from datetime import UTC, datetime

from referral_service.db.driver import Db
from referral_service.erasure.service import erase
from referral_service.events.draft import SYSTEM
from referral_service.webhooks import delivery, recording
from referral_service.webhooks.retry import RetryPolicy
from tests.conftest import create_complaint
from tests.integration.erasure_support import leased_delivery, tables_holding

POLICY = RetryPolicy(delays=(0.0, 3600.0), jitter=0.0)
DISABLE_AFTER_SECONDS = 5 * 24 * 3600.0
STEP_TIMEOUT = 15.0


def _identity() -> dict:
    tag = secrets.token_hex(5)
    return {"name": f"Gema Lestari {tag}", "phone": f"+62 813 {tag}", "identity_number": f"6472{tag}"}


async def _attempts(app, complaint_id: str) -> list:
    async with app.state.pool.acquire() as conn:
        return await conn.fetch(
            "SELECT a.response_status, a.response_body FROM webhook_attempts a "
            "JOIN webhook_deliveries d ON d.id = a.delivery_id JOIN webhook_messages m ON m.id = d.message_id "
            "JOIN events e ON e.id = m.event_id WHERE e.complaint_id = $1",
            uuid.UUID(complaint_id),
        )


async def test_an_answer_arriving_after_the_erasure_is_not_kept(app, admin, ombudsman, receiver, subscribe, worker):
    identity = _identity()
    path = receiver.new_path("stall-echo")
    endpoint = await subscribe(admin, receiver.url(path), event_types=["complaint.created"])
    complaint = await create_complaint(ombudsman, complainant=identity)
    cid = complaint["id"]
    worker(webhook_timeout_seconds=30.0, webhook_lease_seconds=60.0)
    await receiver.wait_for(lambda: any(r.json["data"]["complaint_id"] == cid for r in receiver.at(path)), 15)

    # The send is in flight (the receiver holds its answer) when the complaint is erased.
    assert (await admin.post(f"/v1/complaints/{cid}/erase", json={"reason": "Permintaan pelapor"})).status_code == 200
    receiver.release.set()
    deadline = time.monotonic() + STEP_TIMEOUT
    while not (attempts := await _attempts(app, cid)):
        assert time.monotonic() < deadline, "the attempt was never recorded"
        await asyncio.sleep(0.05)
    assert [(a["response_status"], a["response_body"]) for a in attempts] == [(200, None)]
    log = await admin.get(f"/v1/webhook-endpoints/{endpoint['id']}/deliveries")
    assert log.status_code == 200 and log.json()["items"] and identity["name"] not in log.text
    assert await tables_holding(app, list(identity.values())) == []


async def _blocked_by(app, pid: int, task: asyncio.Task) -> None:
    """Wait until some backend waits for a lock `pid` holds (or `task` has finished: it did not wait)."""
    deadline = time.monotonic() + STEP_TIMEOUT
    async with app.state.pool.acquire() as probe:
        while not task.done():
            if await probe.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE $1 = ANY (pg_blocking_pids(pid))", pid
            ):
                return
            assert time.monotonic() < deadline, "nothing waited for the open transaction"
            await asyncio.sleep(0.02)


async def _scene(
    app, admin, ombudsman, subscribe
) -> tuple[str, dict, delivery.ClaimedDelivery, delivery.AttemptOutcome]:
    identity = _identity()
    endpoint = await subscribe(admin, "http://127.0.0.1:9/erasure-race", event_types=["complaint.created"])
    complaint = await create_complaint(ombudsman, complainant=identity)
    claimed = await leased_delivery(app, endpoint["id"], complaint["id"], b"{}")
    echo = f'{{"received": "{identity["name"]} {identity["phone"]} {identity["identity_number"]}"}}'
    return complaint["id"], identity, claimed, delivery.AttemptOutcome(datetime.now(UTC), 12, 200, echo)


async def _record(app, claimed, outcome) -> list[str]:
    async with app.state.pool.acquire() as conn, conn.transaction():
        return await recording.record_batch(Db(conn), [(claimed, outcome)], POLICY, DISABLE_AFTER_SECONDS)


async def test_an_answer_recorded_while_the_erasure_runs_waits_and_is_dropped(app, admin, ombudsman, subscribe):
    cid, identity, claimed, outcome = await _scene(app, admin, ombudsman, subscribe)
    async with app.state.pool.acquire() as conn:
        transaction = conn.transaction()
        await transaction.start()
        try:
            await erase(Db(conn), uuid.UUID(cid), SYSTEM, reason="Permintaan pelapor", force=False)
            recorder = asyncio.create_task(_record(app, claimed, outcome))
            await _blocked_by(app, conn.get_server_pid(), recorder)
            assert not recorder.done(), "the recorder did not wait for the erasure"
        except BaseException:
            await transaction.rollback()
            raise
        await transaction.commit()
    assert await recorder == ["delivered"]
    assert [(a["response_status"], a["response_body"]) for a in await _attempts(app, cid)] == [(200, None)]
    assert await tables_holding(app, list(identity.values())) == []


async def test_an_answer_recorded_just_before_the_erasure_is_dropped_by_it(app, admin, ombudsman, subscribe):
    cid, identity, claimed, outcome = await _scene(app, admin, ombudsman, subscribe)
    async with app.state.pool.acquire() as conn:
        transaction = conn.transaction()
        await transaction.start()
        try:
            assert await recording.record_batch(Db(conn), [(claimed, outcome)], POLICY, DISABLE_AFTER_SECONDS) == [
                "delivered"
            ]
            eraser = asyncio.create_task(admin.post(f"/v1/complaints/{cid}/erase", json={"reason": "Permintaan"}))
            await _blocked_by(app, conn.get_server_pid(), eraser)
            assert not eraser.done(), "the erasure did not wait for the recording"
        except BaseException:
            await transaction.rollback()
            raise
        await transaction.commit()
    assert (await eraser).status_code == 200
    assert [(a["response_status"], a["response_body"]) for a in await _attempts(app, cid)] == [(200, None)]
    assert await tables_holding(app, list(identity.values())) == []


async def test_a_referral_created_while_the_erasure_runs_carries_none_of_its_values(app, admin, ombudsman, subscribe):
    """A new referral embeds the complaint in its event's bodies: created while an erasure runs, it waits
    for the erasure and embeds the erased complaint, not the one it would have read before."""
    identity = _identity()
    await subscribe(admin, "http://127.0.0.1:9/erasure-race-referral")
    complaint = await create_complaint(ombudsman, complainant=identity, subject=f"Perihal {identity['name']}")
    cid = complaint["id"]
    async with app.state.pool.acquire() as conn:
        transaction = conn.transaction()
        await transaction.start()
        try:
            await erase(Db(conn), uuid.UUID(cid), SYSTEM, reason="Permintaan pelapor", force=False)
            creating = asyncio.create_task(
                ombudsman.post(f"/v1/complaints/{cid}/referrals", json={"agency_code": "inspektorat-64.72"})
            )
            await _blocked_by(app, conn.get_server_pid(), creating)
            assert not creating.done(), "the referral's creation did not wait for the erasure"
        except BaseException:
            await transaction.rollback()
            raise
        await transaction.commit()
    created = await creating
    assert created.status_code == 201, created.text
    assert created.json()["complaint"]["complainant"] is None
    assert await tables_holding(app, list(identity.values())) == []


async def test_a_transition_waiting_for_the_erasure_carries_none_of_its_values(app, admin, ombudsman, subscribe):
    """A transition embeds the complaint in its event's bodies. One that waits for an erasure holding its
    referral must read the complaint as the erasure left it, not as it was when the transition's statement
    began (PostgreSQL re-reads only the rows a statement locks once their lock is granted)."""
    identity = _identity()
    await subscribe(admin, "http://127.0.0.1:9/erasure-race-transition")
    complaint = await create_complaint(ombudsman, complainant=identity, subject=f"Perihal {identity['name']}")
    cid = complaint["id"]
    created = await ombudsman.post(f"/v1/complaints/{cid}/referrals", json={"agency_code": "inspektorat-64.72"})
    assert created.status_code == 201, created.text
    rid = created.json()["id"]
    async with app.state.pool.acquire() as conn:
        transaction = conn.transaction()
        await transaction.start()
        try:
            await erase(Db(conn), uuid.UUID(cid), SYSTEM, reason="Permintaan pelapor", force=True)
            forwarding = asyncio.create_task(ombudsman.post(f"/v1/referrals/{rid}/forward", json={}))
            await _blocked_by(app, conn.get_server_pid(), forwarding)
            assert not forwarding.done(), "the transition did not wait for the erasure"
        except BaseException:
            await transaction.rollback()
            raise
        await transaction.commit()
    forwarded = await forwarding
    assert forwarded.status_code == 200, forwarded.text
    assert forwarded.json()["complaint"]["complainant"] is None
    assert await tables_holding(app, list(identity.values())) == []
