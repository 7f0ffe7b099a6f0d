"""Revocation with two real `referral-service serve` processes, each caching API keys in memory.

They get a database of their own (migrated, nothing else connected), so the listener connections
counted in pg_stat_activity are theirs, and switching a trigger off for a moment disturbs no one.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import httpx
import pytest

from referral_service.auth.key_listener import APPLICATION_NAME
from tests.conftest import BOOTSTRAP_ADMIN_KEY, _asyncpg_dsn, _with_database

ADMIN = {"Authorization": f"Bearer {BOOTSTRAP_ADMIN_KEY}"}


@dataclass
class Processes:
    database_url: str
    a: str  # base URLs
    b: str


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _sql(url: str, statement: str, *args):
    async def run():
        connection = await asyncpg.connect(_asyncpg_dsn(url))
        try:
            return await connection.fetch(statement, *args)
        finally:
            await connection.close()

    return asyncio.run(run())


def _start(database_url: str, port: int, workdir: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REFERRAL_ADMIN_KEY": BOOTSTRAP_ADMIN_KEY,
        "REFERRAL_KEY_CACHE_SECONDS": "30",
        "REFERRAL_DATA_DIR": str(workdir / "unused-data-dir"),  # never the embedded server
    }
    # The child gets its own descriptor; this process need not keep the file open.
    with open(workdir / f"serve-{port}.log", "wb") as log:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "referral_service.cli",
                "serve",
                "--no-migrate",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=workdir,
        )


def _wait_ready(process: subprocess.Popen, base_url: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            pytest.fail(f"{base_url} exited ({process.returncode}):\n{log.read_text()}")
        try:
            if httpx.get(f"{base_url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"{base_url} did not become ready:\n{log.read_text()}")
        time.sleep(0.1)


@pytest.fixture(scope="module")
def processes(database_url: str, tmp_path_factory) -> Iterator[Processes]:
    name = urlsplit(database_url).path.lstrip("/") + "_keys"
    server = _with_database(database_url, "postgres")
    _sql(server, f'CREATE DATABASE "{name}"')
    url = _with_database(database_url, name)
    started: list[subprocess.Popen] = []
    try:
        from referral_service.db.migrate import upgrade_to_head

        upgrade_to_head(url)
        workdir = tmp_path_factory.mktemp("two-api-processes")
        ports = [_free_port(), _free_port()]
        started = [_start(url, port, workdir) for port in ports]
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        for process, base, port in zip(started, bases, ports, strict=True):
            _wait_ready(process, base, workdir / f"serve-{port}.log")
        yield Processes(url, *bases)
    finally:
        for process in started:
            process.terminate()
        for process in started:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        _sql(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _listeners(database_url: str) -> int:
    rows = _sql(
        database_url,
        "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1",
        APPLICATION_NAME,
    )
    return rows[0]["n"]


def _issue(client: httpx.Client, base: str) -> dict:
    response = client.post(f"{base}/v1/api-keys", json={"role": "ombudsman", "name": "two processes"}, headers=ADMIN)
    assert response.status_code == 201, response.text
    return response.json()


def _status(client: httpx.Client, base: str, key: str) -> int:
    return client.get(f"{base}/v1/agencies", headers={"Authorization": f"Bearer {key}"}).status_code


def _use_everywhere(client: httpx.Client, processes: Processes, key: str) -> None:
    # Twice each: whatever the key's own "issued" notification does, each process holds it afterwards.
    for base in (processes.a, processes.b) * 2:
        assert _status(client, base, key) == 200


def test_both_processes_listen_for_key_changes(processes):
    assert _listeners(processes.database_url) == 2


def test_a_key_revoked_through_one_process_is_refused_by_the_other_within_a_second(processes):
    with httpx.Client(timeout=5) as client:
        key = _issue(client, processes.a)
        _use_everywhere(client, processes, key["key"])

        revoked = client.delete(f"{processes.a}/v1/api-keys/{key['id']}", headers=ADMIN)
        assert revoked.status_code == 204
        committed_at = time.monotonic()  # the revocation commits before its response is sent

        assert _status(client, processes.a, key["key"]) == 401  # the revoking process: at once
        while (status := _status(client, processes.b, key["key"])) == 200:
            assert time.monotonic() - committed_at < 1.0, "process B still accepts the revoked key after 1 s"
            time.sleep(0.01)
        assert status == 401
        assert time.monotonic() - committed_at < 1.0


def test_without_the_notification_the_other_process_would_keep_accepting_the_key(processes):
    """The control experiment: the processes really answer from memory, so it is the trigger's
    NOTIFY that makes the revocation reach them. Switched off, a revocation goes unheard."""
    url = processes.database_url
    with httpx.Client(timeout=5) as client:
        key = _issue(client, processes.a)
        _use_everywhere(client, processes, key["key"])
        _sql(url, "ALTER TABLE api_keys DISABLE TRIGGER api_keys_notify_row_change")
        try:
            _sql(url, "UPDATE api_keys SET revoked_at = now() WHERE id = $1::uuid", key["id"])
        finally:
            _sql(url, "ALTER TABLE api_keys ENABLE TRIGGER api_keys_notify_row_change")
        for base in (processes.a, processes.b):
            assert _status(client, base, key["key"]) == 200, "served from memory: nobody announced the change"

        # Any later change to the row (here by an operator in SQL) is announced, and both refuse it.
        _sql(url, "UPDATE api_keys SET name = 'revoked by hand' WHERE id = $1::uuid", key["id"])
        deadline = time.monotonic() + 1.0
        for base in (processes.a, processes.b):
            while _status(client, base, key["key"]) == 200:
                assert time.monotonic() < deadline, f"{base} still accepts the revoked key after 1 s"
                time.sleep(0.01)


def test_a_key_issued_through_one_process_is_accepted_by_the_other_within_a_second(processes):
    """Each process refuses keys it does not know from memory: a new key must reach it by NOTIFY."""
    with httpx.Client(timeout=5) as client:
        # B has read the hashes of the active keys (an unknown key makes it), before the key exists.
        assert _status(client, processes.b, "rsk_unknown-" + os.urandom(8).hex()) == 401
        key = _issue(client, processes.a)
        committed_at = time.monotonic()
        assert _status(client, processes.a, key["key"]) == 200  # the issuing process: at once
        while (status := _status(client, processes.b, key["key"])) == 401:
            assert time.monotonic() - committed_at < 1.0, "process B still refuses the new key after 1 s"
            time.sleep(0.01)
        assert status == 200
