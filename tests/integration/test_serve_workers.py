"""`referral-service serve --workers N`: N API processes share the port, and SIGTERM stops them all."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from urllib.parse import urlsplit

import httpx

from referral_service.auth.key_listener import APPLICATION_NAME
from tests.conftest import BOOTSTRAP_ADMIN_KEY, _with_database
from tests.integration.test_key_revocation_processes import _free_port, _sql, _wait_ready


def _api_processes(database_url: str) -> int:
    """Each API process holds one key-change listener connection: counting them counts processes."""
    rows = _sql(
        database_url,
        "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1",
        APPLICATION_NAME,
    )
    return rows[0]["n"]


def test_two_workers_serve_and_stop_on_sigterm(database_url: str, tmp_path) -> None:
    name = urlsplit(database_url).path.lstrip("/") + "_workers"
    server = _with_database(database_url, "postgres")
    _sql(server, f'CREATE DATABASE "{name}"')
    url = _with_database(database_url, name)
    port = _free_port()
    log = tmp_path / "serve.log"
    process = None
    try:
        from referral_service.db.migrate import upgrade_to_head

        upgrade_to_head(url)
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "REFERRAL_ADMIN_KEY": BOOTSTRAP_ADMIN_KEY,
            "REFERRAL_DATA_DIR": str(tmp_path / "unused-data-dir"),
        }
        with open(log, "wb") as out:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "referral_service.cli",
                    "serve",
                    "--no-migrate",
                    "--workers",
                    "2",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--log-level",
                    "warning",
                ],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=tmp_path,
            )
        base = f"http://127.0.0.1:{port}"
        _wait_ready(process, base, log)
        deadline = time.monotonic() + 30
        while _api_processes(url) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _api_processes(url) == 2, log.read_text()
        with httpx.Client(base_url=base) as client:
            for _ in range(20):  # spread over both processes by the kernel; every one answers
                listed = client.get("/v1/agencies", headers={"Authorization": f"Bearer {BOOTSTRAP_ADMIN_KEY}"})
                assert listed.status_code == 200, listed.text
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0, log.read_text()
        deadline = time.monotonic() + 5  # the server notices closed connections asynchronously
        while _api_processes(url) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _api_processes(url) == 0
    finally:
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()
        _sql(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
