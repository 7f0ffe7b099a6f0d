"""Lock order between the writers of `webhook_endpoints` rows and the outbox fan-out.

The fan-out (every recorded event: the reminder job, API requests, inbound pushes) inserts
delivery rows, whose foreign key takes FOR KEY SHARE on each target endpoint, one event at a time,
so one transaction picks up endpoint locks in no particular order. The delivery recorder updates
endpoint health. These tests build the interleavings that used to deadlock, step by step with
separate connections running the real code, and check that every transaction now finishes; then
run the reminder job and the delivery dispatcher in two real processes over thousands of overdue
referrals, with every receiver failing, and check that neither ever meets a deadlock.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime

from sqlalchemy import text

from referral_service import clock
from referral_service.reminders.jobs import record_overdue
from referral_service.webhooks import delivery, recording
from referral_service.webhooks.retry import RetryPolicy
from tests.conftest import ROOT, create_agency, issue_key
from tests.integration.deadline_helpers import WITA, act, new_referral
from tests.integration.webhook_support import FAST_ENV
from tests.sessions import db_of

EVENT_TYPES = ["referral.forwarded", "referral.overdue"]
# Never retried within a test, and never disabled by it.
POLICY = RetryPolicy(delays=(0.0, 3600.0), jitter=0.0)
DISABLE_AFTER_SECONDS = 5 * 24 * 3600.0
STEP_TIMEOUT = 15.0


def _failed(status: int = 500) -> delivery.AttemptOutcome:
    return delivery.AttemptOutcome(datetime.now(UTC), 3, status, "answer", error=f"HTTP {status}")


async def _lease(sessionmaker, endpoint_id: str, event_type: str, referral_id: str) -> delivery.ClaimedDelivery:
    """Lease the pending delivery of this event to this endpoint, as `delivery.claim` would."""
    async with sessionmaker() as session, session.begin():
        row = (
            await session.execute(
                text(
                    """
                    UPDATE webhook_deliveries d
                    SET locked_until = now() + interval '5 minutes', lease_token = gen_random_uuid()
                    FROM webhook_messages m
                    WHERE m.id = d.message_id AND d.endpoint_id = CAST(:endpoint_id AS uuid)
                      AND m.type = :type AND d.ordering_key = CAST(:referral_id AS uuid) AND d.status = 'pending'
                    RETURNING d.id, d.lease_token, d.endpoint_id, d.attempts, d.max_attempts, d.message_id, m.body
                    """
                ),
                {"endpoint_id": endpoint_id, "type": event_type, "referral_id": referral_id},
            )
        ).one()
    return delivery.ClaimedDelivery(
        delivery_id=row.id,
        lease_token=row.lease_token,
        endpoint_id=row.endpoint_id,
        url="http://127.0.0.1:9/",
        secrets=("whsec_unused",),
        message_id=row.message_id,
        body=bytes(row.body),
        attempts=row.attempts,
        max_attempts=row.max_attempts,
    )


async def _backend_pid(session) -> int:
    return await session.scalar(text("SELECT pg_backend_pid()"))


async def _blocked_or_done(sessionmaker, pid: int, task: asyncio.Task) -> None:
    """Wait until `task` (running on backend `pid`) has finished or is waiting for a lock."""
    deadline = asyncio.get_running_loop().time() + STEP_TIMEOUT
    async with sessionmaker() as probe:
        while not task.done():
            blockers = await probe.scalar(text("SELECT cardinality(pg_blocking_pids(:pid))"), {"pid": pid})
            await probe.rollback()
            if blockers:
                return
            assert asyncio.get_running_loop().time() < deadline, "the step neither finished nor blocked"
            await asyncio.sleep(0.02)


async def _record_batch(sessionmaker, results, started: asyncio.Future) -> list[str]:
    async with sessionmaker() as session, session.begin():
        started.set_result(await _backend_pid(session))
        return await recording.record_batch(await db_of(session), results, POLICY, DISABLE_AFTER_SECONDS)


async def _agency_with_endpoint(admin, subscribe, url: str) -> tuple[str, dict]:
    code = await create_agency(admin)
    agency_key = await issue_key(admin, "agency", agency_code=code)
    return code, await subscribe(agency_key, url, event_types=EVENT_TYPES)


async def test_reminder_fan_out_and_failed_delivery_records_do_not_deadlock(app, admin, ombudsman, receiver, subscribe):
    """The reminder job holds FOR KEY SHARE on the national endpoint (first overdue referral) and
    next needs the second agency's endpoint; the recorder, recording failures for that agency's
    endpoint and then the national one, used to hold the first FOR UPDATE and wait for the second."""
    sessionmaker = app.state.sessionmaker
    url = receiver.url(receiver.new_path("500"))
    national = await subscribe(ombudsman, url, event_types=EVENT_TYPES)
    first_agency, _first_endpoint = await _agency_with_endpoint(admin, subscribe, url)
    second_agency, second_endpoint = await _agency_with_endpoint(admin, subscribe, url)
    # Overdue since 2019: older than any other test's referrals, so the job takes these two first.
    first = await new_referral(ombudsman, first_agency)
    await act(ombudsman, first, "forward", {"due_working_days": 5}, datetime(2019, 7, 1, 10, tzinfo=WITA))
    second = await new_referral(ombudsman, second_agency)
    await act(ombudsman, second, "forward", {"due_working_days": 5}, datetime(2019, 7, 2, 10, tzinfo=WITA))
    failed_results = [
        (await _lease(sessionmaker, second_endpoint["id"], "referral.forwarded", second), _failed()),
        (await _lease(sessionmaker, national["id"], "referral.forwarded", second), _failed()),
    ]

    async with sessionmaker() as reminders:
        async with reminders.begin():
            # Step 1: the first overdue referral's fan-out: FOR KEY SHARE on the national endpoint
            # and the first agency's.
            assert await record_overdue(await db_of(reminders), clock.now(), limit=1) == 1
            # Step 2: the recorder, concurrently, until it has finished or waits for a lock.
            started = asyncio.get_running_loop().create_future()
            recorder = asyncio.create_task(_record_batch(sessionmaker, failed_results, started))
            await _blocked_or_done(sessionmaker, await asyncio.wait_for(started, STEP_TIMEOUT), recorder)
            # Step 3: the second overdue referral's fan-out needs the second agency's endpoint.
            assert (
                await asyncio.wait_for(record_overdue(await db_of(reminders), clock.now(), limit=1), STEP_TIMEOUT) == 1
            )
        assert await asyncio.wait_for(recorder, STEP_TIMEOUT) == ["pending", "pending"]

    async with sessionmaker() as session:
        stamped = await session.scalar(
            text(
                "SELECT count(*) FROM referrals WHERE id = ANY(CAST(:ids AS uuid[])) AND overdue_notified_for = due_at"
            ),
            {"ids": [first, second]},
        )
        attempts = await session.scalar(
            text("SELECT count(*) FROM webhook_attempts WHERE delivery_id = ANY(CAST(:ids AS bigint[]))"),
            {"ids": [item.delivery_id for item, _ in failed_results]},
        )
    assert (stamped, attempts) == (2, 2)


async def test_recorders_lock_endpoints_in_one_order(app, admin, ombudsman, receiver, subscribe):
    """Two recorders whose batches hold failures for the same two endpoints in opposite orders."""
    sessionmaker = app.state.sessionmaker
    url = receiver.url(receiver.new_path("500"))
    national = await subscribe(ombudsman, url, event_types=EVENT_TYPES)
    agency, agency_endpoint = await _agency_with_endpoint(admin, subscribe, url)
    one, other = [await new_referral(ombudsman, agency) for _ in range(2)]
    for referral_id in (one, other):
        await act(ombudsman, referral_id, "forward", {"due_working_days": 10}, datetime.now(UTC))

    first_batch = [
        (await _lease(sessionmaker, agency_endpoint["id"], "referral.forwarded", one), _failed()),
        (await _lease(sessionmaker, national["id"], "referral.forwarded", one), _failed()),
    ]
    second_batch = [
        (await _lease(sessionmaker, national["id"], "referral.forwarded", other), _failed()),
        (await _lease(sessionmaker, agency_endpoint["id"], "referral.forwarded", other), _failed()),
    ]
    # A third connection holds the first batch's national delivery row, so the first recorder
    # stops right before that row (after having dealt with its first result) until released.
    async with sessionmaker() as holder:
        await holder.execute(
            text("SELECT id FROM webhook_deliveries WHERE id = :id FOR UPDATE"), {"id": first_batch[1][0].delivery_id}
        )
        first_started = asyncio.get_running_loop().create_future()
        first_recorder = asyncio.create_task(_record_batch(sessionmaker, first_batch, first_started))
        await _blocked_or_done(sessionmaker, await asyncio.wait_for(first_started, STEP_TIMEOUT), first_recorder)
        second_started = asyncio.get_running_loop().create_future()
        second_recorder = asyncio.create_task(_record_batch(sessionmaker, second_batch, second_started))
        await _blocked_or_done(sessionmaker, await asyncio.wait_for(second_started, STEP_TIMEOUT), second_recorder)
        await holder.rollback()
    results = await asyncio.wait_for(
        asyncio.gather(first_recorder, second_recorder, return_exceptions=True), STEP_TIMEOUT
    )
    assert results == [["pending", "pending"], ["pending", "pending"]], results


# ---------------------------------------------------------------- two real worker processes

# Overdue referrals inserted directly (the API would take minutes for this many), one complaint
# each, in runs of 50 per agency so that every reminder batch of 100 starts on one agency and
# reaches the next half-way: it holds FOR KEY SHARE on the national and regional endpoints from
# its first event and takes the agencies' endpoints later, while the recorder is writing the
# failures of the previous batches' deliveries to those same endpoints.
_SEED_OVERDUE = text(
    """
    WITH seeded AS (
        SELECT i, gen_random_uuid() AS complaint_id,
               (CAST(:agencies AS text[]))[1 + (i / 50) % cardinality(CAST(:agencies AS text[]))] AS agency_code,
               timestamptz '2021-03-01 09:00+08' + make_interval(mins => i) AS forwarded_at
        FROM generate_series(0, CAST(:count AS integer) - 1) AS i
    ),
    complaints_inserted AS (
        INSERT INTO complaints (id, reference, channel, received_at, complainant, identity_confidential,
                                subject, description, category, region_code)
        SELECT complaint_id, 'LOCK-' || i, 'walk_in', forwarded_at, '{"name": "Budi Santoso"}'::jsonb, false,
               'Izin usaha tidak diproses', 'Belum ada kabar.', 'penundaan_berlarut', '64.72'
        FROM seeded
    )
    INSERT INTO referrals (id, complaint_id, agency_code, state, forwarded_at, deadline_started_at, due_at,
                           due_working_days, created_at, updated_at)
    SELECT gen_random_uuid(), complaint_id, agency_code, 'forwarded', forwarded_at, forwarded_at,
           forwarded_at + interval '7 days', 5, forwarded_at, forwarded_at
    FROM seeded
    """
)
OVERDUE_REFERRALS = 2000
JOBS = ("deadline-reminders", "webhook-delivery")
PROCESS_TEST_TIMEOUT = 180.0


def _start_worker(job: str, database_url: str, log_path) -> subprocess.Popen:
    env = {
        **os.environ,
        **FAST_ENV,
        "DATABASE_URL": database_url,
        # Every send fails at once and is retried a few times: the recorder writes failures
        # (and so locks endpoint rows) for as long as the reminder batches run.
        "REFERRAL_WEBHOOK_RETRY_SCHEDULE": "0,0.5,0.5,0.5",
    }
    log = open(log_path, "ab")  # noqa: SIM115 - the child process writes to it until it is stopped
    command = [sys.executable, "-m", "tests.integration.worker_jobs", job]
    return subprocess.Popen(command, env=env, stdout=log, stderr=log, cwd=ROOT)


async def _stop(process: subprocess.Popen) -> None:
    # Waited for in a thread: the receiver runs on this event loop and must keep answering.
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            await asyncio.to_thread(process.wait, 15)
        except subprocess.TimeoutExpired:
            process.kill()
            await asyncio.to_thread(process.wait)


async def _scalar(sessionmaker, sql: str):
    async with sessionmaker() as session:
        return await session.scalar(text(sql))


async def test_reminder_and_delivery_processes_do_not_deadlock(own_database, receiver, tmp_path):
    url, application, admin = own_database
    sessionmaker = application.state.sessionmaker
    hook = receiver.url(receiver.new_path("500"))
    for ombudsman in (await issue_key(admin, "ombudsman"), await issue_key(admin, "ombudsman", region_code="64")):
        response = await ombudsman.post(
            "/v1/webhook-endpoints", json={"url": hook, "event_types": ["referral.overdue"]}
        )
        assert response.status_code == 201, response.text
    agencies = []
    for _ in range(3):
        code = await create_agency(admin)
        agency_key = await issue_key(admin, "agency", agency_code=code)
        response = await agency_key.post(
            "/v1/webhook-endpoints", json={"url": hook, "event_types": ["referral.overdue"]}
        )
        assert response.status_code == 201, response.text
        agencies.append(code)
    async with sessionmaker() as session, session.begin():
        await session.execute(_SEED_OVERDUE, {"agencies": agencies, "count": OVERDUE_REFERRALS})

    # One process runs the reminder job, the other the delivery dispatcher (and so its recorder):
    # whatever deadlocks here is between those two.
    logs = [tmp_path / f"worker{n}.log" for n in range(len(JOBS))]
    workers = [_start_worker(job, url, log) for job, log in zip(JOBS, logs, strict=True)]

    def assert_no_deadlock() -> None:
        lines = [line for log in logs for line in log.read_text(errors="replace").splitlines()]
        assert not [line for line in lines if "deadlock detected" in line.lower()], [
            line for line in lines if "eadlock" in line
        ][:5]

    try:
        deadline = asyncio.get_running_loop().time() + PROCESS_TEST_TIMEOUT
        while True:
            assert_no_deadlock()  # at once: the reminder job pauses a minute after a failed pass
            reminded = await _scalar(sessionmaker, "SELECT count(*) FROM referrals WHERE overdue_notified_for = due_at")
            if reminded == OVERDUE_REFERRALS:
                break
            assert asyncio.get_running_loop().time() < deadline, (
                f"only {reminded} of {OVERDUE_REFERRALS} reminded in time"
            )
            assert all(w.poll() is None for w in workers), "a worker process died"
            await asyncio.sleep(0.5)
        # Let the last batches' deliveries fail and be recorded too: more attempts than now.
        attempts = await _scalar(sessionmaker, "SELECT count(*) FROM webhook_attempts")
        while await _scalar(sessionmaker, "SELECT count(*) FROM webhook_attempts") <= attempts:
            assert asyncio.get_running_loop().time() < deadline, "no attempt recorded after the reminders"
            assert_no_deadlock()
            await asyncio.sleep(0.1)
    finally:
        for worker in workers:
            await _stop(worker)

    assert_no_deadlock()
    # Backends report their statistics when they exit: the workers' have.
    await asyncio.sleep(1)
    assert await _scalar(sessionmaker, "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()") == 0
    overdue_events = await _scalar(
        sessionmaker,
        "SELECT count(DISTINCT referral_id) FILTER (WHERE type = 'referral.overdue') || '/' || count(*) "
        "FILTER (WHERE type = 'referral.overdue') FROM events",
    )
    assert overdue_events == f"{OVERDUE_REFERRALS}/{OVERDUE_REFERRALS}", "each reminder recorded exactly once"
    assert await _scalar(sessionmaker, "SELECT count(*) FROM webhook_attempts") > 0, "the deliveries were attempted"
