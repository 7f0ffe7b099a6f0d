"""No loop without a wait, and no log line per failure: the backoff every retry loop waits on, the
log of a run of failures, and the test of "the database could not be reached"."""

import asyncio
import logging
import time

import asyncpg
import pytest
from sqlalchemy.exc import OperationalError

from referral_service.backoff import Backoff
from referral_service.db.driver import describe, unreachable
from referral_service.logs import FailureLog
from referral_service.worker import Job, run_jobs


def test_backoff_doubles_from_a_tenth_of_a_second_up_to_five_and_starts_over_after_a_success():
    backoff = Backoff(rng=lambda: 0.0)  # no jitter drawn: the steps themselves
    assert [backoff.delay() for _ in range(9)] == [0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 5.0, 5.0, 5.0]
    backoff.reset()
    assert backoff.delay() == 0.1


def test_backoff_jitter_shortens_each_wait_by_at_most_half():
    backoff = Backoff(rng=lambda: 1.0)
    assert [backoff.delay() for _ in range(3)] == [0.05, 0.1, 0.2]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_thousand_failures_a_minute_write_a_handful_of_lines(caplog):
    clock = Clock()
    log = FailureLog(logging.getLogger("test.failures"), "claiming", clock=clock)
    with caplog.at_level(logging.WARNING, logger="test.failures"):
        for _ in range(3000):  # three minutes, 1,000 failures a minute
            log.failed("ConnectionRefusedError")
            clock.now += 0.06
        log.succeeded()
    messages = [record.getMessage() for record in caplog.records]
    assert messages[0] == "claiming failed (ConnectionRefusedError); retrying"
    assert len(messages) <= 5, messages  # the first, one count a minute, the recovery
    assert "still failing: " in messages[1] and "more failures in 60 s" in messages[1]
    assert messages[-1] == "claiming works again after 3000 failures in 180.0 s"
    assert not log.failing


def test_after_a_quiet_minute_a_failure_is_logged_in_full_again(caplog):
    clock = Clock()
    log = FailureLog(logging.getLogger("test.quiet"), "requests", then="answered 503")
    log._clock = clock
    with caplog.at_level(logging.WARNING, logger="test.quiet"):
        log.failed("OSError")
        clock.now += 1
        log.failed("OSError")
        clock.now += 61
        log.failed("OSError")
    messages = [record.getMessage() for record in caplog.records]
    assert messages == [
        "requests failed (OSError); answered 503",
        "requests still failing: 1 more failure in 1 s",
        "requests failed (OSError); answered 503",
    ]


@pytest.mark.parametrize(
    "exc",
    [
        ConnectionRefusedError(111, "Connection refused"),
        TimeoutError(),
        asyncpg.exceptions.AdminShutdownError("terminating connection due to administrator command"),
        asyncpg.exceptions.CannotConnectNowError("the database system is starting up"),
        asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
        asyncpg.InterfaceError("cannot call Connection.fetch(): connection is closed"),
        # A pooled connection lost while lent out: its pool took it back (asyncpg's Connection._cleanup).
        asyncpg.InterfaceError("cannot call Connection.fetchrow(): connection has been released back to the pool"),
        asyncpg.InternalClientError("cannot switch to state 12; another operation (2) is in progress"),
        OperationalError("SELECT 1", {}, ConnectionResetError(104, "reset")),
    ],
)
def test_what_counts_as_the_database_being_unreachable(exc):
    assert unreachable(exc)


@pytest.mark.parametrize(
    "exc",
    [
        asyncpg.exceptions.UniqueViolationError("duplicate key value violates unique constraint"),
        asyncpg.InterfaceError("cannot perform operation: another operation is in progress"),
        ValueError("a bug"),
    ],
)
def test_what_does_not(exc):
    assert not unreachable(exc)


def test_a_failure_is_described_without_its_message_unless_it_is_about_reaching_the_database():
    assert describe(asyncpg.exceptions.UniqueViolationError("Key (email)=(budi@example.org)")) == "UniqueViolationError"
    assert (
        describe(ConnectionRefusedError(111, "Connection refused"))
        == "ConnectionRefusedError: [Errno 111] Connection refused"
    )


async def test_a_job_that_keeps_failing_waits_between_attempts_and_logs_a_handful_of_lines(caplog):
    """The worker's loop: a job with no idle interval (webhook delivery) that fails at once every
    time must not spin, and must not write a line per attempt."""
    attempts = 0

    async def unreachable_job(_ctx) -> int:
        nonlocal attempts
        attempts += 1
        raise ConnectionRefusedError(111, "Connection refused")

    stop = asyncio.Event()
    with caplog.at_level(logging.WARNING, logger="referral_service.worker"):
        task = asyncio.create_task(run_jobs(None, stop, [Job("unreachable", unreachable_job, idle_seconds=0)]))  # type: ignore[arg-type]
        started = time.monotonic()
        await asyncio.sleep(2.0)
        stop.set()
        await task
    elapsed = time.monotonic() - started
    # 0.1 s doubling (jitter shortens each by up to half): at most about 6 attempts in 2 s, never thousands.
    assert 3 <= attempts <= 12, (attempts, elapsed)
    assert len(caplog.records) == 1
    assert caplog.records[0].getMessage().startswith("job unreachable failed (ConnectionRefusedError")
