"""Regression tests for the webhook review findings: deliveries queued while disabled, revoked owner
keys, confidentiality decided after the event, DNS timeouts at save time, unrepresentable
datetimes, the cost of claiming, and the per-owner endpoint limit under concurrency."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import orjson
from sqlalchemy import text

from referral_service.webhooks import delivery, recording, ssrf
from referral_service.webhooks import service as webhook_service
from referral_service.webhooks.retry import RetryPolicy
from tests.conftest import create_agency, create_complaint, issue_key
from tests.integration.webhook_support import claim_rounds, fast_settings, leased
from tests.sessions import db_of

URL = "http://127.0.0.1:9/hook"


async def _deliveries(api, endpoint_id, **params):
    response = await api.get(f"/v1/webhook-endpoints/{endpoint_id}/deliveries", params=params)
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def _wait_status(api, endpoint_id, status, count=1, timeout=6.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        items = await _deliveries(api, endpoint_id, status=status)
        if len(items) >= count:
            return items
        assert asyncio.get_running_loop().time() < deadline, (
            f"no {count} {status} deliveries: {await _deliveries(api, endpoint_id)}"
        )
        await asyncio.sleep(0.05)


async def _attempted(api, endpoint_id, attempts) -> bool:
    return sum(len(d["attempts"]) for d in await _deliveries(api, endpoint_id)) >= attempts


async def _wait_for(condition, timeout=6.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while not await condition():
        assert asyncio.get_running_loop().time() < deadline, "timed out waiting for the condition"
        await asyncio.sleep(0.05)


async def _patch_complaint(api, complaint_id, body):
    current = await api.get(f"/v1/complaints/{complaint_id}")
    response = await api.patch(
        f"/v1/complaints/{complaint_id}", json=body, headers={"If-Match": current.headers["etag"]}
    )
    assert response.status_code == 200, response.text
    return response.json()


async def _forwarded_referral(api, complaint_id, agency_code="inspektorat-64.72"):
    created = await api.post(f"/v1/complaints/{complaint_id}/referrals", json={"agency_code": agency_code})
    assert created.status_code == 201, created.text
    rid = created.json()["id"]
    forwarded = await api.post(
        f"/v1/referrals/{rid}/forward", json={"due_working_days": 10}, headers={"If-Match": created.headers["etag"]}
    )
    assert forwarded.status_code == 200, forwarded.text
    return rid


# ---------------------------------------------------------------- finding 1


async def test_events_recorded_while_disabled_go_out_in_order_once_enabled(app, ombudsman, receiver, subscribe, worker):
    dispatcher = worker()
    path = receiver.new_path()
    endpoint = await subscribe(ombudsman, receiver.url(path), event_types=["complaint.created", "complaint.updated"])
    paused = await ombudsman.patch(f"/v1/webhook-endpoints/{endpoint['id']}", json={"disabled": True})
    assert paused.status_code == 200 and paused.json()["disabled"] is True

    complaint = await create_complaint(ombudsman, subject="recorded while paused")
    for n in range(2):
        await _patch_complaint(ombudsman, complaint["id"], {"subject": f"recorded while paused v{n}"})
    await claim_rounds(dispatcher)  # claims that started after the three were queued
    assert receiver.at(path) == [] and await leased(app, endpoint["id"]) == 0  # held back while disabled...
    pending = await _deliveries(ombudsman, endpoint["id"], status="pending")
    assert len(pending) == 3 and all(d["attempts"] == [] for d in pending)  # ...but queued

    resumed = await ombudsman.patch(f"/v1/webhook-endpoints/{endpoint['id']}", json={"disabled": False})
    assert resumed.status_code == 200 and resumed.json()["disabled"] is False
    await receiver.wait_for(lambda: len(receiver.at(path)) == 3)
    got = receiver.at(path)
    assert [r.json["data"]["sequence"] for r in got] == [1, 2, 3]
    assert all(r.json["data"]["complaint_id"] == complaint["id"] for r in got)
    assert all(r.verifies_with(endpoint["secret"]) for r in got)


# ---------------------------------------------------------------- finding 2


async def test_revoking_a_key_disables_its_subscriptions(admin, ombudsman, receiver, subscribe, worker):
    worker()
    leaked_key = await issue_key(admin, "ombudsman")
    leaked_path, other_path, watch_path = receiver.new_path(), receiver.new_path(), receiver.new_path()
    leaked = await subscribe(leaked_key, receiver.url(leaked_path))
    await subscribe(ombudsman, receiver.url(other_path), event_types=["complaint.created"])
    await subscribe(admin, receiver.url(watch_path), event_types=["webhook.endpoint_disabled"])

    assert (await admin.delete(f"/v1/api-keys/{leaked_key.key_id}")).status_code == 204
    state = (await admin.get(f"/v1/webhook-endpoints/{leaked['id']}")).json()
    assert state["disabled"] is True and "owner key revoked" in state["disabled_reason"]
    await receiver.wait_for(lambda: receiver.at(watch_path))  # the Ombudsman side is told
    assert receiver.at(watch_path)[0].json["data"]["endpoint"]["id"] == leaked["id"]

    await create_complaint(ombudsman, subject="after the revocation")
    await receiver.wait_for(lambda: receiver.at(other_path))
    # Nothing was queued for it (who receives is decided at commit), so nothing can arrive either.
    assert await _deliveries(admin, leaked["id"]) == []
    assert receiver.at(leaked_path) == []

    # Another key of the same scope cannot switch the leaked subscription back on.
    again = await admin.patch(f"/v1/webhook-endpoints/{leaked['id']}", json={"disabled": False})
    assert again.status_code == 409, again.text


async def test_fan_out_skips_endpoints_of_revoked_keys_even_if_enabled(app, admin, ombudsman, subscribe):
    key = await issue_key(admin, "ombudsman")
    endpoint = await subscribe(key, URL)
    # Simulate a revocation that bypassed the API (e.g. done in SQL by an operator).
    async with app.state.sessionmaker() as session, session.begin():
        await session.execute(
            text("UPDATE api_keys SET revoked_at = now() WHERE id = :id"), {"id": uuid.UUID(key.key_id)}
        )
    await create_complaint(ombudsman)
    assert await _deliveries(admin, endpoint["id"]) == []
    # The bootstrap admin has no api_keys row; its endpoints still receive.
    admin_endpoint = await subscribe(admin, URL, event_types=["complaint.created"])
    await create_complaint(ombudsman)
    assert len(await _deliveries(admin, admin_endpoint["id"])) == 1


# ---------------------------------------------------------------- finding 3

LATE_SECRET_NAME = "Kemudian Dirahasiakan Sulistyowati"


async def test_confidentiality_decided_later_reaches_retried_agency_deliveries(
    ombudsman, samarinda, receiver, subscribe, worker
):
    worker(webhook_retry_schedule="0,0.3,0.3,0.3,0.3,0.3,0.3,0.3,0.3,0.3,0.3,0.3")
    up = {"now": False}
    path = receiver.new_path(lambda _r: "ok" if up["now"] else "500")
    endpoint = await subscribe(samarinda, receiver.url(path))
    complaint = await create_complaint(
        ombudsman, region_code="64.72", complainant={"name": LATE_SECRET_NAME, "email": "kemudian@example.org"}
    )
    await _forwarded_referral(ombudsman, complaint["id"])
    await receiver.wait_for(lambda: receiver.at(path))
    assert LATE_SECRET_NAME.encode() in receiver.at(path)[0].body  # not confidential yet

    await _patch_complaint(ombudsman, complaint["id"], {"identity_confidential": True})
    up["now"] = True
    await _wait_status(samarinda, endpoint["id"], "delivered")
    delivered = [r for r in receiver.at(path) if r.answered == "ok"]
    assert delivered
    for request in delivered:
        assert LATE_SECRET_NAME.encode() not in request.body and b"kemudian@example.org" not in request.body
        assert request.json["data"]["referral"]["complaint"]["complainant"] is None
        assert request.verifies_with(endpoint["secret"])


async def test_confidentiality_decided_later_reaches_recovered_agency_deliveries(
    admin, ombudsman, samarinda, receiver, subscribe, worker
):
    worker()
    up = {"now": False}
    agency_path, omb_path = receiver.new_path(lambda _r: "ok" if up["now"] else "500"), receiver.new_path()
    agency_endpoint = await subscribe(samarinda, receiver.url(agency_path))
    await subscribe(ombudsman, receiver.url(omb_path), event_types=["referral.forwarded"])
    complaint = await create_complaint(
        ombudsman, region_code="64.72", complainant={"name": LATE_SECRET_NAME, "email": "kemudian@example.org"}
    )
    await _forwarded_referral(ombudsman, complaint["id"])
    await _wait_status(samarinda, agency_endpoint["id"], "failed")

    await _patch_complaint(ombudsman, complaint["id"], {"identity_confidential": True})
    up["now"] = True
    since = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
    recovered = await samarinda.post(f"/v1/webhook-endpoints/{agency_endpoint['id']}/recover", json={"since": since})
    assert recovered.json() == {"requeued": 1}
    await _wait_status(samarinda, agency_endpoint["id"], "delivered")
    last = [r for r in receiver.at(agency_path) if r.answered == "ok"][-1]
    assert LATE_SECRET_NAME.encode() not in last.body
    assert last.json["data"]["referral"]["complaint"]["complainant"] is None
    # The Ombudsman side keeps seeing the identity.
    await receiver.wait_for(lambda: receiver.at(omb_path))
    assert LATE_SECRET_NAME.encode() in receiver.at(omb_path)[0].body


# ---------------------------------------------------------------- finding 5


async def test_slow_dns_at_save_time_is_a_422_not_a_hang(ombudsman, monkeypatch):
    async def never_answers(host, port):
        await asyncio.sleep(30)
        raise AssertionError("unreachable")

    monkeypatch.setattr(ssrf, "_getaddrinfo", never_answers)
    monkeypatch.setattr(webhook_service, "RESOLVE_TIMEOUT_SECONDS", 0.3, raising=False)
    response = await asyncio.wait_for(
        ombudsman.post("/v1/webhook-endpoints", json={"url": "http://slow-dns.example/hook"}), timeout=5
    )
    assert response.status_code == 422, response.text
    assert "in time" in response.json()["detail"]


# ---------------------------------------------------------------- finding 6


async def test_recover_with_a_datetime_outside_utc_range_is_422(ombudsman, subscribe):
    endpoint = await subscribe(ombudsman, URL)
    for body in (
        {"since": "0001-01-01T00:00:00+14:00"},
        {"since": "2020-01-01T00:00:00Z", "until": "0001-01-01T00:00:00+14:00"},
    ):
        response = await ombudsman.post(f"/v1/webhook-endpoints/{endpoint['id']}/recover", json=body)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"


# ---------------------------------------------------------------- finding 8


def _rows_read(plan: dict, relation: str) -> int:
    total = 0
    loops = plan.get("Actual Loops", 1)
    if plan.get("Relation Name") == relation:
        total += (plan.get("Actual Rows", 0) + plan.get("Rows Removed by Filter", 0)) * loops
    for child in plan.get("Plans", []):
        total += _rows_read(child, relation)
    return total


async def test_claiming_does_not_rescan_blocked_or_disabled_backlog(own_database, settings):
    # In a database of its own: other tests' leftovers (dead rows, bloated indexes) change the plan,
    # and with it what this test measures.
    _, application, admin = own_database
    ombudsman = await issue_key(admin, "ombudsman")
    backlog = 1500
    disabled = (await ombudsman.post("/v1/webhook-endpoints", json={"url": URL})).json()
    await ombudsman.patch(f"/v1/webhook-endpoints/{disabled['id']}", json={"disabled": True})
    blocked = (await ombudsman.post("/v1/webhook-endpoints", json={"url": URL})).json()
    key = uuid.uuid4()
    sessionmaker = application.state.sessionmaker
    async with sessionmaker() as session, session.begin():
        message_id = await session.scalar(
            text("INSERT INTO webhook_messages (type, body) VALUES ('webhook.test', '\\x7b7d') RETURNING id")
        )
        # A disabled endpoint's backlog, and one referral whose head delivery will fail.
        await session.execute(
            text(
                "INSERT INTO webhook_deliveries (endpoint_id, message_id, ordering_key) "
                "SELECT CAST(:e AS uuid), :m, gen_random_uuid() FROM generate_series(1, :n)"
            ),
            {"e": disabled["id"], "m": message_id, "n": backlog},
        )
        await session.execute(
            text(
                "INSERT INTO webhook_deliveries (endpoint_id, message_id, ordering_key) "
                "SELECT CAST(:e AS uuid), :m, :k FROM generate_series(1, :n)"
            ),
            {"e": blocked["id"], "m": message_id, "k": key, "n": backlog + 1},
        )
    async with sessionmaker() as session, session.begin():
        claimed = await delivery.claim(await db_of(session), 50, 30)
    assert [c.endpoint_id for c in claimed] == [uuid.UUID(blocked["id"])]  # the head only
    [head] = claimed
    policy = RetryPolicy.from_settings(fast_settings(settings, webhook_retry_schedule="0,3600"))
    failure = delivery.AttemptOutcome(datetime.now(UTC), 5, 500, "down", error="HTTP 500")
    async with sessionmaker() as session, session.begin():
        assert await recording.record(await db_of(session), head, failure, policy, 10**9) == "pending"

    async with sessionmaker() as session:
        async with session.begin():
            assert await delivery.claim(await db_of(session), 50, 30) == []
        # Production tables have statistics (autovacuum analyzes them); without them the planner
        # guesses a tiny table and the plan, not the query, decides what this test measures.
        async with session.begin():
            await session.execute(text("ANALYZE webhook_deliveries"))
        transaction = await session.begin()
        try:
            plan = await (await db_of(session)).fetchval(
                "EXPLAIN (ANALYZE, FORMAT JSON) "
                + delivery.CLAIM.bind(
                    limit=50, per_endpoint=50, lease_seconds=30, sending_endpoints=[], sending_counts=[]
                )
            )
        finally:
            await transaction.rollback()
    plan = plan if isinstance(plan, list) else orjson.loads(plan)
    read = _rows_read(plan[0]["Plan"], "webhook_deliveries")
    assert read < 100, f"the claim read {read} delivery rows for no claimable work"


# ---------------------------------------------------------------- finding 9


async def test_endpoint_limit_holds_under_concurrent_creates(app, admin):
    original = app.state.settings
    app.state.settings = original.model_copy(update={"webhook_max_endpoints_per_owner": 2})
    try:
        agency_key = await issue_key(admin, "agency", agency_code=await create_agency(admin))
        responses = await asyncio.gather(
            *(agency_key.post("/v1/webhook-endpoints", json={"url": URL}) for _ in range(8))
        )
    finally:
        app.state.settings = original
    statuses = sorted(r.status_code for r in responses)
    for response in responses:
        if response.status_code == 201:
            await admin.delete(f"/v1/webhook-endpoints/{response.json()['id']}")
    assert statuses == [201, 201] + [422] * 6, [r.text for r in responses]


async def test_later_events_follow_a_manually_retried_head_at_once(app, ombudsman, receiver, subscribe, worker):
    # The head's retry is an hour away, so its follower is not due before then either; a manual
    # retry that delivers the head must release the follower, not leave it waiting for the hour.
    dispatcher = worker(webhook_retry_schedule="0,3600")
    answers = iter(["500"])
    path = receiver.new_path(lambda _r: next(answers, "ok"))
    endpoint = await subscribe(ombudsman, receiver.url(path), event_types=["complaint.created", "complaint.updated"])
    complaint = await create_complaint(ombudsman, subject="head fails once")
    await receiver.wait_for(lambda: receiver.at(path))
    await _patch_complaint(ombudsman, complaint["id"], {"subject": "head fails once, v2"})
    # The head's failure recorded (it is rescheduled, not leased), then claims that started after.
    await _wait_for(lambda: _attempted(ombudsman, endpoint["id"], 1))
    await claim_rounds(dispatcher)
    assert (
        len(receiver.at(path)) == 1 and await leased(app, endpoint["id"]) == 0
    )  # the follower waits behind the failed head
    pending = await _deliveries(ombudsman, endpoint["id"], status="pending")
    assert len(pending) == 2
    head = min(pending, key=lambda d: d["id"])
    assert max(pending, key=lambda d: d["id"])["attempts"] == []
    assert (await ombudsman.post(f"/v1/webhook-deliveries/{head['id']}/retry")).status_code == 202
    await receiver.wait_for(lambda: len(receiver.at(path)) == 3, timeout=3)
    assert [r.json["data"]["sequence"] for r in receiver.at(path)] == [1, 1, 2]
