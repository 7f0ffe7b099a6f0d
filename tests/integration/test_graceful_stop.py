"""`serve` on SIGTERM: it stops accepting connections at once, lets the requests in flight finish
(up to REFERRAL_SHUTDOWN_GRACE_SECONDS) and exits 0; with one process and with `--workers 2`.

The in-flight request is made slow deterministically: the test holds a row lock on the complaint
from its own connection, so the `PATCH` waits in PostgreSQL until the test lets it go.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import httpx
import pytest

from tests.conftest import BOOTSTRAP_ADMIN_KEY, _asyncpg_dsn, _with_database, complaint_body
from tests.integration.test_key_revocation_processes import _free_port, _sql, _wait_ready

AUTH = {"Authorization": f"Bearer {BOOTSTRAP_ADMIN_KEY}"}


@pytest.fixture(scope="module")
def stop_database(database_url: str) -> Iterator[str]:
    name = urlsplit(database_url).path.lstrip("/") + "_stop"
    server = _with_database(database_url, "postgres")
    _sql(server, f'CREATE DATABASE "{name}"')
    url = _with_database(database_url, name)
    try:
        from referral_service.db.migrate import upgrade_to_head

        upgrade_to_head(url)
        yield url
    finally:
        _sql(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _serve(url: str, port: int, workers: int, grace: int, log: Path, workdir: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "REFERRAL_ADMIN_KEY": BOOTSTRAP_ADMIN_KEY,
        "REFERRAL_SHUTDOWN_GRACE_SECONDS": str(grace),
        "REFERRAL_DATA_DIR": str(workdir / "unused-data-dir"),
    }
    with open(log, "wb") as out:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "referral_service.cli",
                "serve",
                "--no-migrate",
                "--workers",
                str(workers),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "info",
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=workdir,
        )


class RowLock:
    """`SELECT ... FOR UPDATE` on one complaint, held in an open transaction until `release`."""

    def __init__(self, url: str, complaint_id: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.connection = self.loop.run_until_complete(asyncpg.connect(_asyncpg_dsn(url)))
        self.transaction = self.connection.transaction()
        self.loop.run_until_complete(self.transaction.start())
        self.loop.run_until_complete(
            self.connection.execute("SELECT 1 FROM complaints WHERE id = $1 FOR UPDATE", complaint_id)
        )

    def release(self) -> None:
        if not self.loop.is_closed():
            self.loop.run_until_complete(self.transaction.rollback())
            self.loop.run_until_complete(self.connection.close())
            self.loop.close()


def _waiting_on_a_lock(url: str) -> int:
    rows = _sql(
        url,
        "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
    )
    return rows[0]["n"]


def _start_slow_patch(base: str, url: str, complaint_id: str) -> tuple[threading.Thread, dict]:
    """PATCH the locked complaint from a thread; returns once the request waits on the lock."""
    outcome: dict = {}

    def send() -> None:
        try:
            outcome["response"] = httpx.patch(
                f"{base}/v1/complaints/{complaint_id}",
                content=b'{"subject": "Izin usaha belum terbit"}',
                headers={**AUTH, "Content-Type": "application/merge-patch+json", "If-Match": '"1"'},
                timeout=120,
            )
        except httpx.HTTPError as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=send, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not _waiting_on_a_lock(url):
        assert time.monotonic() < deadline and thread.is_alive(), outcome
        time.sleep(0.05)
    return thread, outcome


def _refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    except ConnectionRefusedError:
        return True
    return False


def _until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@pytest.mark.parametrize("workers", [1, 2])
def test_sigterm_finishes_the_request_in_flight_refuses_new_ones_and_exits_0(
    stop_database: str, tmp_path: Path, workers: int
) -> None:
    port, log = _free_port(), tmp_path / "serve.log"
    process = _serve(stop_database, port, workers, grace=60, log=log, workdir=tmp_path)
    lock = None
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_ready(process, base, log)
        created = httpx.post(f"{base}/v1/complaints", json=complaint_body(), headers=AUTH, timeout=30)
        assert created.status_code == 201, created.text
        complaint_id = created.json()["id"]
        lock = RowLock(stop_database, complaint_id)
        thread, outcome = _start_slow_patch(base, stop_database, complaint_id)

        process.send_signal(signal.SIGTERM)
        assert _until(lambda: _refused(port), 10), "new connections are still accepted after SIGTERM"
        time.sleep(0.5)
        assert process.poll() is None, log.read_text()  # still draining: the request waits on the lock
        assert thread.is_alive() and not outcome

        lock.release()
        thread.join(timeout=30)
        assert "error" not in outcome, outcome
        assert outcome["response"].status_code == 200, outcome["response"].text
        assert outcome["response"].json()["subject"] == "Izin usaha belum terbit"
        assert process.wait(timeout=30) == 0, log.read_text()
    finally:
        if lock is not None:
            lock.release()
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.parametrize("workers", [1, 2])
def test_a_request_still_running_after_the_grace_period_is_cancelled_and_serve_exits_0(
    stop_database: str, tmp_path: Path, workers: int
) -> None:
    port, log = _free_port(), tmp_path / "serve.log"
    process = _serve(stop_database, port, workers, grace=2, log=log, workdir=tmp_path)
    lock = None
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_ready(process, base, log)
        created = httpx.post(f"{base}/v1/complaints", json=complaint_body(), headers=AUTH, timeout=30)
        assert created.status_code == 201, created.text
        lock = RowLock(stop_database, created.json()["id"])
        thread, outcome = _start_slow_patch(base, stop_database, created.json()["id"])

        stopped_at = time.monotonic()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0, log.read_text()
        # Not before the grace period; the lock is still held, so only the grace period ended it.
        assert time.monotonic() - stopped_at >= 2
        thread.join(timeout=10)
        assert "response" not in outcome or outcome["response"].status_code >= 500, outcome
        assert "timeout graceful shutdown exceeded" in log.read_text()
    finally:
        if lock is not None:
            lock.release()
        if process.poll() is None:
            process.kill()
            process.wait()
