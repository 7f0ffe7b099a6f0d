"""A live server (uvicorn in a subprocess) for tests that need HTTP.

It gets a throwaway database of its own (`<run database>_live`, dropped at the end): Schemathesis
changes whatever an admin key may change (it deactivates agencies, edits the directory), which
must not leak into the rest of the suite.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import httpx
import pytest

from tests.conftest import BOOTSTRAP_ADMIN_KEY, _asyncpg_dsn, _with_database

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def _live_database(database_url: str, suffix: str, tmp_path_factory: Any) -> Iterator[str]:
    """A further throwaway database on the same server, migrated, with the Kalimantan Timur directory."""
    name = urlsplit(database_url).path.lstrip("/") + suffix
    admin_dsn = _asyncpg_dsn(_with_database(database_url, "postgres"))

    async def _execute(sql: str) -> None:
        conn = await asyncpg.connect(admin_dsn)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(_execute(f'CREATE DATABASE "{name}"'))
    url = _with_database(database_url, name)
    try:
        subprocess.run(
            [sys.executable, "-m", "referral_service.cli", "load-directory"],  # migrates, then loads
            env={**os.environ, "DATABASE_URL": url},
            check=True,
            capture_output=True,
            cwd=tmp_path_factory.mktemp("live-load"),
        )
        yield url
    finally:
        asyncio.run(_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextmanager
def _live_server(database_url: str, tmp_path_factory: Any, *, demo: bool = False) -> Iterator[str]:
    """Base URL of `referral-service serve` on 127.0.0.1:<random port>; the bootstrap admin key works.
    `demo`: `serve --demo`, as `python3 dev.py serve` runs it (plain HTTP, demo keys)."""
    port = _free_port()
    log_path = tmp_path_factory.mktemp("live-server") / "server.log"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REFERRAL_ADMIN_KEY": BOOTSTRAP_ADMIN_KEY,
        "REFERRAL_DATA_DIR": str(tmp_path_factory.mktemp("unused-data-dir")),  # never the embedded server
        # Schemathesis sends thousands of requests, unauthenticated ones included, from one address.
        "REFERRAL_RATE_LIMITS_ENABLED": "false",
    }
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
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
                *(["--demo"] if demo else []),
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=tmp_path_factory.mktemp("live-cwd"),
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                pytest.fail(f"the live server exited ({process.returncode}):\n{log_path.read_text()}")
            try:
                if httpx.get(f"{base_url}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the live server did not become ready:\n{log_path.read_text()}")
            time.sleep(0.2)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def live_database_url(database_url: str, tmp_path_factory: Any) -> Iterator[str]:
    with _live_database(database_url, "_live", tmp_path_factory) as url:
        yield url


@pytest.fixture(scope="session")
def live_server(live_database_url: str, tmp_path_factory: Any) -> Iterator[str]:
    """The contract tests' server. Schemathesis changes whatever an admin key may (it deactivates
    agencies, edits the directory): nothing else shares it."""
    with _live_server(live_database_url, tmp_path_factory) as url:
        yield url


@pytest.fixture(scope="session")
def ui_live_server(database_url: str, tmp_path_factory: Any) -> Iterator[str]:
    """The browser tests' server, on a database of its own (see `live_server` for why), run as
    `python3 dev.py serve` runs it: `serve --demo` over plain HTTP, where signing in must work."""
    with (
        _live_database(database_url, "_ui", tmp_path_factory) as url,
        _live_server(url, tmp_path_factory, demo=True) as base,
    ):
        yield base
