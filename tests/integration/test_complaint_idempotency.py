"""Complaint intake with an Idempotency-Key: replays, a reused key with another body, keys scoped per
caller, a request still in flight, concurrent duplicates, failed requests and malformed keys."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import pytest

from tests.conftest import complaint_body
from tests.integration.complaint_support import count_rows, token
from tests.integration.problem_support import assert_problem

# ---------------------------------------------------------------------------------------------
# Idempotency-Key


async def test_idempotent_replay_returns_the_first_response(app, ombudsman):
    word = token()
    body = complaint_body(subject=word)
    headers = {"Idempotency-Key": f"idem-{uuid.uuid4()}"}
    first = await ombudsman.post("/v1/complaints", json=body, headers=headers)
    assert first.status_code == 201, first.text
    assert "idempotent-replayed" not in first.headers
    second = await ombudsman.post("/v1/complaints", json=body, headers=headers)
    assert second.status_code == 201, second.text
    assert second.headers["idempotent-replayed"] == "true"
    assert second.json() == first.json()
    assert second.headers["location"] == first.headers["location"]
    assert second.headers["etag"] == first.headers["etag"]
    assert second.headers["content-type"].startswith("application/json")
    assert await count_rows(app, subject=word) == 1


async def test_same_key_different_body_is_422(app, ombudsman):
    key = f"idem-{uuid.uuid4()}"
    word = token()
    first = await ombudsman.post("/v1/complaints", json=complaint_body(subject=word), headers={"Idempotency-Key": key})
    assert first.status_code == 201
    other = await ombudsman.post(
        "/v1/complaints", json=complaint_body(subject=word + " changed"), headers={"Idempotency-Key": key}
    )
    problem = assert_problem(other, 422)
    assert problem["type"].endswith("/idempotency-key-reused")
    assert await count_rows(app, subject=word) == 1
    assert await count_rows(app, subject=word + " changed") == 0


async def test_idempotency_keys_are_scoped_per_caller(app, ombudsman, ombudsman_kaltim):
    key = f"shared-{uuid.uuid4()}"
    word = token()
    body = complaint_body(subject=word)
    a = await ombudsman.post("/v1/complaints", json=body, headers={"Idempotency-Key": key})
    b = await ombudsman_kaltim.post("/v1/complaints", json=body, headers={"Idempotency-Key": key})
    assert a.status_code == b.status_code == 201
    assert "idempotent-replayed" not in b.headers
    assert a.json()["id"] != b.json()["id"]
    assert await count_rows(app, subject=word) == 2
    # And each still replays its own.
    a2 = await ombudsman.post("/v1/complaints", json=body, headers={"Idempotency-Key": key})
    b2 = await ombudsman_kaltim.post("/v1/complaints", json=body, headers={"Idempotency-Key": key})
    assert (a2.json()["id"], b2.json()["id"]) == (a.json()["id"], b.json()["id"])
    assert a2.headers["idempotent-replayed"] == b2.headers["idempotent-replayed"] == "true"


async def test_in_flight_duplicate_is_409(app, database_url, ombudsman):
    """Hold the request's advisory lock from another connection: that is exactly 'first request still running'."""
    key = f"inflight-{uuid.uuid4()}"
    word = token()
    body = complaint_body(subject=word)
    conn = await asyncpg.connect(database_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        tx = conn.transaction()
        await tx.start()
        await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 7))", f"idem:{ombudsman.key_id}:{key}")
        blocked = await ombudsman.post("/v1/complaints", json=body, headers={"Idempotency-Key": key})
        problem = assert_problem(blocked, 409)
        assert problem["type"].endswith("/idempotency-key-in-use")
        assert await count_rows(app, subject=word) == 0
        # A different key from the same caller is not blocked.
        other = await ombudsman.post("/v1/complaints", json=body, headers={"Idempotency-Key": key + "-other"})
        assert other.status_code == 201
        await tx.rollback()
    finally:
        await conn.close()
    after = await ombudsman.post("/v1/complaints", json=body, headers={"Idempotency-Key": key})
    assert after.status_code == 201
    assert "idempotent-replayed" not in after.headers
    assert await count_rows(app, subject=word) == 2


async def test_concurrent_identical_requests_create_one_record(app, ombudsman):
    key = f"race-{uuid.uuid4()}"
    word = token()
    body = complaint_body(subject=word)
    responses = await asyncio.gather(
        *(ombudsman.post("/v1/complaints", json=body, headers={"Idempotency-Key": key}) for _ in range(12))
    )
    statuses = [r.status_code for r in responses]
    assert set(statuses) <= {201, 409}, [r.text for r in responses]
    originals = [r for r in responses if r.status_code == 201 and "idempotent-replayed" not in r.headers]
    replays = [r for r in responses if r.status_code == 201 and r.headers.get("idempotent-replayed") == "true"]
    assert len(originals) == 1
    assert {r.json()["id"] for r in replays} <= {originals[0].json()["id"]}
    for conflict in (r for r in responses if r.status_code == 409):
        assert_problem(conflict, 409)
    assert await count_rows(app, subject=word) == 1
    # Once settled, a retry is a replay.
    retry = await ombudsman.post("/v1/complaints", json=body, headers={"Idempotency-Key": key})
    assert retry.status_code == 201 and retry.headers["idempotent-replayed"] == "true"
    assert retry.json()["id"] == originals[0].json()["id"]


async def test_failed_request_does_not_bind_the_key(app, ombudsman_kaltim):
    key = f"fail-{uuid.uuid4()}"
    word = token()
    refused = await ombudsman_kaltim.post(
        "/v1/complaints", json=complaint_body(region_code="63.71", subject=word), headers={"Idempotency-Key": key}
    )
    assert refused.status_code == 403
    ok = await ombudsman_kaltim.post(
        "/v1/complaints", json=complaint_body(region_code="64.72", subject=word), headers={"Idempotency-Key": key}
    )
    assert ok.status_code == 201, ok.text
    assert "idempotent-replayed" not in ok.headers
    assert await count_rows(app, subject=word) == 1


async def test_a_refused_agency_does_not_bind_the_key(app, ombudsman):
    """The agency check is the database's, in the statement that would also record the key: refused,
    nothing is recorded, so the same request is refused again and a corrected one is created."""
    key = f"agency-{uuid.uuid4()}"
    word = token()
    unknown = complaint_body(subject=word, reported_party={"name": "Dinas X", "agency_code": "no-such-agency"})
    for _ in range(2):
        refused = await ombudsman.post("/v1/complaints", json=unknown, headers={"Idempotency-Key": key})
        assert_problem(refused, 422)
        assert "idempotent-replayed" not in refused.headers
    corrected = complaint_body(subject=word, reported_party={"name": "Dinas X", "agency_code": "inspektorat-64.72"})
    created = await ombudsman.post("/v1/complaints", json=corrected, headers={"Idempotency-Key": key})
    assert created.status_code == 201, created.text
    assert "idempotent-replayed" not in created.headers
    assert await count_rows(app, subject=word) == 1


async def test_a_key_recorded_by_an_intake_meanwhile_turns_another_routes_request_into_a_409(
    app, ombudsman, monkeypatch
):
    """An intake records its key in its second statement, without the key's advisory lock. A request of
    another route with the same key that took the lock and found no record in between is rolled back
    with a 409 when it comes to record the key itself."""
    from referral_service.complaints import intake
    from referral_service.referrals import service as referrals

    key = f"cross-{uuid.uuid4()}"
    complaint = (await ombudsman.post("/v1/complaints", json=complaint_body())).json()
    intake_drawn, referral_made, intake_recorded = asyncio.Event(), asyncio.Event(), asyncio.Event()
    record, create_referral = intake._record, referrals.create_referral

    async def record_once_the_referral_is_made(*args, **kwargs):
        intake_drawn.set()
        await referral_made.wait()
        try:
            return await record(*args, **kwargs)
        finally:
            intake_recorded.set()

    async def create_and_wait_for_the_intake(*args, **kwargs):
        view = await create_referral(*args, **kwargs)
        referral_made.set()
        await intake_recorded.wait()
        return view

    monkeypatch.setattr(intake, "_record", record_once_the_referral_is_made)
    monkeypatch.setattr(referrals, "create_referral", create_and_wait_for_the_intake)
    headers = {"Idempotency-Key": key}
    intake_request = asyncio.create_task(ombudsman.post("/v1/complaints", json=complaint_body(), headers=headers))
    await asyncio.wait_for(intake_drawn.wait(), 10)
    referral = await asyncio.wait_for(
        ombudsman.post(
            f"/v1/complaints/{complaint['id']}/referrals", json={"agency_code": "inspektorat-64.72"}, headers=headers
        ),
        10,
    )
    created = await asyncio.wait_for(intake_request, 10)
    assert created.status_code == 201, created.text
    problem = assert_problem(referral, 409)
    assert problem["type"].endswith("/idempotency-key-in-use")
    listed = (await ombudsman.get("/v1/referrals", params={"complaint_id": complaint["id"]})).json()["items"]
    assert listed == []  # rolled back with the 409


@pytest.mark.parametrize("bad_key", ["x" * 256, "", "caf\u00e9"], ids=["too-long", "empty", "non-ascii"])
async def test_bad_idempotency_key_is_a_4xx_problem(ombudsman, bad_key):
    try:
        response = await ombudsman.post(
            "/v1/complaints", json=complaint_body(), headers={"Idempotency-Key": bad_key.encode("utf-8")}
        )
    except (UnicodeEncodeError, ValueError):
        pytest.skip("the HTTP client refuses this header value")
    assert response.status_code in (400, 422), response.text
    assert_problem(response, response.status_code)
