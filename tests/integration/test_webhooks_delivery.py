"""Delivery to a real receiver on loopback, verified with the `standardwebhooks` package:
latency, scoping, rotation, fault modes, retries, order per resource, disabling, recovery."""

import asyncio
import socket
from datetime import UTC, datetime, timedelta

from referral_service.webhooks import sending
from tests.conftest import create_complaint, issue_key
from tests.integration.webhook_support import claim_rounds, leased, listening


async def _deliveries(api, endpoint_id, **params):
    response = await api.get(f"/v1/webhook-endpoints/{endpoint_id}/deliveries", params=params)
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def _wait_status(api, endpoint_id, status, count=1, timeout=5.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        items = await _deliveries(api, endpoint_id, status=status)
        if len(items) >= count:
            return items
        assert asyncio.get_running_loop().time() < deadline, (
            f"no {count} {status} deliveries: {await _deliveries(api, endpoint_id)}"
        )
        await asyncio.sleep(0.05)


async def test_complaint_event_arrives_within_a_second_signed_and_scoped(
    admin, ombudsman, samarinda, receiver, subscribe, worker
):
    dispatcher = worker()
    national_path, kalsel_path, agency_path = receiver.new_path(), receiver.new_path(), receiver.new_path()
    national = await subscribe(ombudsman, receiver.url(national_path))
    kalsel = await subscribe(await issue_key(admin, "ombudsman", region_code="63"), receiver.url(kalsel_path))
    agency = await subscribe(samarinda, receiver.url(agency_path))
    await listening(dispatcher)  # the worker is idle and listening

    complaint = await create_complaint(ombudsman)
    committed = asyncio.get_running_loop().time()
    await receiver.wait_for(lambda: receiver.at(national_path), timeout=2)
    got = receiver.at(national_path)[0]
    assert got.at - committed < 1.0
    assert got.verifies_with(national["secret"])
    body = got.json
    assert body["type"] == "complaint.created"
    assert body["timestamp"].endswith("Z")
    data = body["data"]
    assert data["complaint_id"] == complaint["id"] and data["sequence"] == 1 and data["event_id"] >= 1
    assert data["complaint"]["complainant"]["name"] == "Budi Santoso"

    # Who receives is decided at commit: nothing was queued for these two, so nothing can arrive.
    assert await _deliveries(admin, kalsel["id"]) == [] and receiver.at(kalsel_path) == []  # another province
    assert (
        await _deliveries(admin, agency["id"]) == [] and receiver.at(agency_path) == []
    )  # agencies never get complaint events
    delivered = await _wait_status(ombudsman, national["id"], "delivered")
    assert delivered[0]["attempts"][0]["response_status"] == 204
    assert delivered[0]["webhook_id"] == got.webhook_id


async def test_rotation_signs_with_both_secrets(ombudsman, receiver, subscribe, worker):
    worker()
    path = receiver.new_path()
    endpoint = await subscribe(ombudsman, receiver.url(path))
    rotated = (await ombudsman.post(f"/v1/webhook-endpoints/{endpoint['id']}/rotate-secret", json={})).json()
    assert (await ombudsman.post(f"/v1/webhook-endpoints/{endpoint['id']}/test")).status_code == 202
    await receiver.wait_for(lambda: receiver.at(path))
    got = receiver.at(path)[0]
    assert got.json["type"] == "webhook.test"
    assert len(got.headers["webhook-signature"].split(" ")) == 2
    assert got.verifies_with(rotated["secret"]) and got.verifies_with(endpoint["secret"])

    await ombudsman.post(f"/v1/webhook-endpoints/{endpoint['id']}/rotate-secret", json={"overlap_hours": 0})
    latest = (
        await ombudsman.post(f"/v1/webhook-endpoints/{endpoint['id']}/rotate-secret", json={"overlap_hours": 0})
    ).json()
    await ombudsman.post(f"/v1/webhook-endpoints/{endpoint['id']}/test")
    await receiver.wait_for(lambda: len(receiver.at(path)) == 2)
    second = receiver.at(path)[1]
    assert second.verifies_with(latest["secret"]) and not second.verifies_with(rotated["secret"])


async def test_500_is_retried_with_same_id_and_logged(ombudsman, receiver, subscribe, worker):
    worker()
    answers = iter(["500", "500", "ok"])
    path = receiver.new_path(lambda _r: next(answers))
    endpoint = await subscribe(ombudsman, receiver.url(path))
    await ombudsman.post(f"/v1/webhook-endpoints/{endpoint['id']}/test")
    await receiver.wait_for(lambda: len(receiver.at(path)) == 3)
    got = receiver.at(path)
    assert len({r.webhook_id for r in got}) == 1
    assert all(r.verifies_with(endpoint["secret"]) for r in got)
    [delivery] = await _wait_status(ombudsman, endpoint["id"], "delivered")
    assert [a["response_status"] for a in delivery["attempts"]] == [500, 500, 204]
    assert delivery["attempts"][0]["response_body"] == "answer 500"
    assert all(a["duration_ms"] >= 0 for a in delivery["attempts"])
    current = (await ombudsman.get(f"/v1/webhook-endpoints/{endpoint['id']}")).json()
    assert current["failing_since"] is None  # cleared by the success


async def test_timeout_redirect_and_refused_connection_fail_then_recover(ombudsman, receiver, subscribe, worker):
    worker(webhook_timeout_seconds=0.5)
    receiver.slow_seconds = 2.0
    slow_path, redirect_path = receiver.new_path("slow"), receiver.new_path("redirect")
    receiver.behaviours["/redirected"] = lambda _r: "ok"
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    slow = await subscribe(ombudsman, receiver.url(slow_path))
    redirect = await subscribe(ombudsman, receiver.url(redirect_path))
    refused = await subscribe(ombudsman, f"http://127.0.0.1:{closed_port}/hook")
    for endpoint in (slow, redirect, refused):
        await ombudsman.post(f"/v1/webhook-endpoints/{endpoint['id']}/test")

    [failed_redirect] = await _wait_status(ombudsman, redirect["id"], "failed", timeout=6)
    assert [a["response_status"] for a in failed_redirect["attempts"]] == [307] * 4
    assert "redirect" in failed_redirect["attempts"][0]["error"]
    assert receiver.at("/redirected") == []  # never followed
    [failed_refused] = await _wait_status(ombudsman, refused["id"], "failed", timeout=6)
    assert all(a["response_status"] is None and a["error"] for a in failed_refused["attempts"])
    [failed_slow] = await _wait_status(ombudsman, slow["id"], "failed", timeout=8)
    assert "timed out" in failed_slow["attempts"][0]["error"]
    assert failed_slow["attempts"][0]["duration_ms"] < 1500

    # The receiver is fixed: recover re-queues what failed in the window, one more attempt each.
    receiver.behaviours[slow_path] = lambda _r: "ok"
    since = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
    recovered = await ombudsman.post(f"/v1/webhook-endpoints/{slow['id']}/recover", json={"since": since})
    assert recovered.status_code == 202 and recovered.json() == {"requeued": 1}
    await _wait_status(ombudsman, slow["id"], "delivered")
    future = (datetime.now(UTC) + timedelta(minutes=5)).isoformat()
    none = await ombudsman.post(f"/v1/webhook-endpoints/{redirect['id']}/recover", json={"since": future})
    assert none.json() == {"requeued": 0}

    # A single resend of a failed delivery.
    receiver.behaviours[redirect_path] = lambda _r: "ok"
    assert (await ombudsman.post(f"/v1/webhook-deliveries/{failed_redirect['id']}/retry")).status_code == 202
    await _wait_status(ombudsman, redirect["id"], "delivered")


async def test_429_retry_after_is_honoured(ombudsman, receiver, subscribe, worker):
    worker()
    answers = iter(["429", "ok"])
    path = receiver.new_path(lambda _r: next(answers))
    endpoint = await subscribe(ombudsman, receiver.url(path))
    await ombudsman.post(f"/v1/webhook-endpoints/{endpoint['id']}/test")
    await receiver.wait_for(lambda: len(receiver.at(path)) == 2, timeout=4)
    first, second = receiver.at(path)
    assert second.at - first.at >= 0.95  # Retry-After: 1, although the schedule says 0.2 s


async def test_410_disables_at_once_and_notifies_ombudsman_side(
    admin, ombudsman, samarinda, receiver, subscribe, worker
):
    worker()
    gone_path, watch_path = receiver.new_path("410"), receiver.new_path()
    watcher = await subscribe(admin, receiver.url(watch_path), event_types=["webhook.endpoint_disabled"])
    gone = await subscribe(samarinda, receiver.url(gone_path))
    await samarinda.post(f"/v1/webhook-endpoints/{gone['id']}/test")
    await receiver.wait_for(lambda: receiver.at(watch_path))
    assert len(receiver.at(gone_path)) == 1  # no retries after 410
    notice = receiver.at(watch_path)[0]
    assert notice.verifies_with(watcher["secret"])
    assert notice.json["type"] == "webhook.endpoint_disabled"
    assert notice.json["data"]["endpoint"]["id"] == gone["id"]
    assert "secret" not in notice.body.decode()
    state = (await samarinda.get(f"/v1/webhook-endpoints/{gone['id']}")).json()
    assert state["disabled"] is True and "410" in state["disabled_reason"]


async def test_continuous_failure_disables_endpoint(app, admin, ombudsman, receiver, subscribe, worker):
    dispatcher = worker(webhook_disable_after_seconds=0.3, webhook_retry_schedule="0,0.2,0.2,0.2,0.2,0.2")
    failing_path, watch_path = receiver.new_path("500"), receiver.new_path()
    await subscribe(ombudsman, receiver.url(watch_path), event_types=["webhook.endpoint_disabled"])
    failing = await subscribe(ombudsman, receiver.url(failing_path))
    await ombudsman.post(f"/v1/webhook-endpoints/{failing['id']}/test")
    # The watcher hears of every endpoint disabled in its scope (other tests' too): wait for this one's.
    await receiver.wait_for(
        lambda: any(r.json["data"]["endpoint"]["id"] == failing["id"] for r in receiver.at(watch_path)), timeout=5
    )
    state = (await ombudsman.get(f"/v1/webhook-endpoints/{failing['id']}")).json()
    assert state["disabled"] is True and "failed since" in state["disabled_reason"]
    # A send already under way when it was disabled (a notice about another endpoint, in a full run)
    # finishes and is recorded; no lease on it can appear after that.
    deadline = asyncio.get_running_loop().time() + 5
    while await leased(app, failing["id"]):
        assert asyncio.get_running_loop().time() < deadline, "a send to the disabled endpoint was not recorded"
        await asyncio.sleep(0.02)
    attempts_when_disabled = len(receiver.at(failing_path))
    await claim_rounds(dispatcher)  # claims that started after that
    # Nothing more is sent, nor claimed.
    assert len(receiver.at(failing_path)) == attempts_when_disabled and await leased(app, failing["id"]) == 0


async def test_order_per_complaint_without_blocking_others(ombudsman, receiver, subscribe, worker):
    worker()
    stuck_complaint: dict[str, str] = {}
    failures = {"left": 3}

    def behaviour(request):
        # The first complaint's first event fails three times; everything else succeeds.
        if request.json["data"]["complaint_id"] == stuck_complaint.get("id") and failures["left"] > 0:
            failures["left"] -= 1
            return "500"
        return "ok"

    path = receiver.new_path(behaviour)
    endpoint = await subscribe(ombudsman, receiver.url(path), event_types=["complaint.created", "complaint.updated"])
    first = await create_complaint(ombudsman, subject="first")
    stuck_complaint["id"] = first["id"]
    etag = '"1"'
    for n in range(3):
        response = await ombudsman.patch(
            f"/v1/complaints/{first['id']}", json={"subject": f"first v{n}"}, headers={"If-Match": etag}
        )
        assert response.status_code == 200, response.text
        etag = response.headers["etag"]
    other = await create_complaint(ombudsman, subject="other")

    await receiver.wait_for(lambda: len({r.webhook_id for r in receiver.at(path)}) == 5, timeout=6)
    delivered = [r for r in receiver.at(path) if r.json["data"]["complaint_id"] == first["id"]]
    firsts: list[int] = []
    for request in delivered:
        if request.json["data"]["sequence"] not in firsts:
            firsts.append(request.json["data"]["sequence"])
    assert firsts == [1, 2, 3, 4]
    # The other complaint's event was not held back behind the failing one.
    other_at = next(r.at for r in receiver.at(path) if r.json["data"]["complaint_id"] == other["id"])
    first_success = [r.at for r in delivered][3]  # after three failures
    assert other_at < first_success
    assert all(r.verifies_with(endpoint["secret"]) for r in receiver.at(path))


async def test_a_burst_of_test_sends_does_not_hold_back_other_endpoints(ombudsman, receiver, subscribe, worker):
    # Eight slots in all; a slow endpoint with a burst of test sends may take its share (four) only.
    worker(webhook_concurrency=8)
    receiver.slow_seconds = 0.5
    burst_path, other_path = receiver.new_path("slow"), receiver.new_path()
    burst = await subscribe(ombudsman, receiver.url(burst_path))
    await subscribe(ombudsman, receiver.url(other_path), event_types=["complaint.created"])
    for _ in range(60):
        assert (await ombudsman.post(f"/v1/webhook-endpoints/{burst['id']}/test")).status_code == 202
    await receiver.wait_for(lambda: receiver.at(burst_path))  # the burst is being sent

    await create_complaint(ombudsman)
    committed = asyncio.get_running_loop().time()
    await receiver.wait_for(lambda: receiver.at(other_path), timeout=3)
    assert receiver.at(other_path)[0].at - committed < 1.0
    # ...while most of the burst, queued before it, is still waiting.
    assert len(receiver.at(burst_path)) <= 24
    assert len(await _deliveries(ombudsman, burst["id"], status="pending", limit=100)) >= 30


async def test_a_send_that_breaks_in_the_worker_is_recorded_and_retried(
    ombudsman, receiver, subscribe, worker, monkeypatch
):
    real_get, broken = sending.EndpointClients.get, {"left": 1}

    def get(self, item):
        if broken["left"]:
            broken["left"] -= 1
            raise RuntimeError("a bug of ours")
        return real_get(self, item)

    monkeypatch.setattr(sending.EndpointClients, "get", get)
    worker()
    path = receiver.new_path()
    endpoint = await subscribe(ombudsman, receiver.url(path))
    await ombudsman.post(f"/v1/webhook-endpoints/{endpoint['id']}/test")
    [delivered] = await _wait_status(ombudsman, endpoint["id"], "delivered")
    assert [a["error"] for a in delivered["attempts"]] == ["RuntimeError in the worker", None]
    assert len(receiver.at(path)) == 1


async def test_delivery_attempts_and_latency_are_counted(ombudsman, receiver, subscribe, worker):
    """The worker's metrics: attempts by outcome (a 500 then a 2xx) and commit-to-2xx latency."""
    from referral_service.metrics import WEBHOOK_DELIVERY_ATTEMPTS, WEBHOOK_DELIVERY_LATENCY

    def attempts(outcome: str) -> float:
        return WEBHOOK_DELIVERY_ATTEMPTS.labels(outcome)._value.get()

    def observed() -> float:
        return next(s.value for s in WEBHOOK_DELIVERY_LATENCY.collect()[0].samples if s.name.endswith("_count"))

    before = (attempts("delivered"), attempts("retry"), observed())
    failing_once = iter(["500"])
    path = receiver.new_path(lambda _received: next(failing_once, "ok"))
    worker(webhook_retry_schedule="0,0.1")
    await subscribe(ombudsman, receiver.url(path), event_types=["complaint.created"])
    await create_complaint(ombudsman)
    await receiver.wait_for(lambda: len(receiver.at(path)) >= 2, timeout=5)
    await receiver.wait_for(lambda: attempts("delivered") > before[0], timeout=5)  # recorded after the 2xx
    assert attempts("retry") > before[1]
    assert observed() > before[2]
