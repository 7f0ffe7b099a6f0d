"""Metrics across real processes: `serve --workers 2` adds up its processes' counts and reports the
database figures once; `worker --metrics-port` serves the worker's own."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from referral_service.metrics import start_metrics_server
from tests.conftest import BOOTSTRAP_ADMIN_KEY, _with_database
from tests.integration.test_key_revocation_processes import _free_port, _sql, _wait_ready

ADMIN = {"Authorization": f"Bearer {BOOTSTRAP_ADMIN_KEY}"}
WORKER_FAMILIES = {
    "referral_webhook_delivery_attempts",
    "referral_webhook_delivery_latency_seconds",
    "referral_deadline_reminder_runs",
    "referral_deadline_reminder_events",
}


def families(text: str) -> dict[str, list]:
    return {family.name: family.samples for family in text_string_to_metric_families(text)}


def total(found: dict[str, list], family: str, sample: str, **labels: str) -> float:
    samples = found.get(family, [])
    return sum(s.value for s in samples if s.name == sample and all(s.labels.get(k) == v for k, v in labels.items()))


@pytest.fixture
def scratch_database(database_url: str):
    """A migrated database of its own: nothing else connects to it, nothing else queues webhooks."""
    name = urlsplit(database_url).path.lstrip("/") + f"_metrics_{os.getpid()}"
    server = _with_database(database_url, "postgres")
    _sql(server, f'CREATE DATABASE "{name}"')
    url = _with_database(database_url, name)
    try:
        from referral_service.db.migrate import upgrade_to_head

        upgrade_to_head(url)
        yield url
    finally:
        _sql(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _stop(process: subprocess.Popen, log: Path) -> None:
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0, log.read_text()


def test_serve_with_two_workers_adds_up_counts_and_reports_database_figures_once(scratch_database, tmp_path) -> None:
    port = _free_port()
    log = tmp_path / "serve.log"
    temp = tmp_path / "tmp"  # where `serve` makes its metrics directory
    temp.mkdir()
    env = {
        **os.environ,
        "DATABASE_URL": scratch_database,
        "REFERRAL_ADMIN_KEY": BOOTSTRAP_ADMIN_KEY,
        "REFERRAL_DATA_DIR": str(tmp_path / "unused-data-dir"),
        "TMPDIR": str(temp),
        "REFERRAL_WEBHOOK_ALLOW_HTTP": "true",
        "REFERRAL_WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8",
        "REFERRAL_LOG_FORMAT": "json",
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
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
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=tmp_path,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(process, base, log)
        directories = list(temp.glob("referral-metrics-*"))
        assert len(directories) == 1, list(temp.iterdir())
        directory = directories[0]

        def pids(prefix: str) -> set[str]:
            return {m.group(1) for p in directory.iterdir() if (m := re.fullmatch(prefix + r"_(\d+)\.db", p.name))}

        deadline = time.monotonic() + 30
        while len(pids("gauge_livesum")) < 2 and time.monotonic() < deadline:  # each samples its pools at start
            time.sleep(0.1)
        assert len(pids("gauge_livesum")) == 2, sorted(p.name for p in directory.iterdir())

        # /healthz on fresh connections until both processes have answered some.
        healthz = 0
        while (len(pids("counter")) < 2 or healthz < 20) and healthz < 400:
            with httpx.Client(base_url=base) as client:
                assert client.get("/healthz").status_code == 200
            healthz += 1
        assert len(pids("counter")) == 2, "both processes served requests"

        with httpx.Client(base_url=base, headers=ADMIN) as client:
            endpoint = client.post("/v1/webhook-endpoints", json={"url": "http://127.0.0.1:9/hook"})
            assert endpoint.status_code == 201, endpoint.text
            for _ in range(3):  # no worker runs: these stay pending
                assert client.post(f"/v1/webhook-endpoints/{endpoint.json()['id']}/test").status_code in (200, 202)

        for _ in range(8):  # whichever process answers, the figures are the same
            with httpx.Client(base_url=base, headers=ADMIN) as client:
                response = client.get("/metrics")
            assert response.status_code == 200, response.text
            found = families(response.text)
            assert total(found, "referral_http_requests", "referral_http_requests_total", route="/healthz") == healthz
            assert total(found, "referral_webhook_outbox_pending", "referral_webhook_outbox_pending") == 3, (
                "not once per process"
            )
            assert len(found["referral_webhook_outbox_pending"]) == 2  # enabled, disabled: one sample each
            assert total(found, "referral_db_pool_connections", "referral_db_pool_connections", pool="asyncpg") >= 2
        lines = [line for line in log.read_text().splitlines() if '"referral_service.access"' in line]
        assert len(lines) >= healthz, "one JSON access line per request, from every process"
    finally:
        if process.poll() is None:
            _stop(process, log)
    assert not directory.exists(), "serve removes the metrics directory it made"


def test_the_metrics_server_serves_the_worker_families() -> None:
    port = _free_port()
    server = start_metrics_server(port)
    try:
        response = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5)
    finally:
        server.shutdown()
        server.server_close()
    assert response.status_code == 200
    assert set(families(response.text)) >= WORKER_FAMILIES


def test_worker_metrics_port(scratch_database, tmp_path) -> None:
    port = _free_port()
    log = tmp_path / "worker.log"
    env = {**os.environ, "DATABASE_URL": scratch_database, "REFERRAL_DATA_DIR": str(tmp_path / "unused-data-dir")}
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "referral_service.cli", "worker", "--metrics-port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=tmp_path,
        )
    try:
        deadline = time.monotonic() + 30
        found: dict[str, list] = {}
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"the worker exited ({process.returncode}):\n{log.read_text()}")
            try:
                found = families(httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2).text)
            except httpx.HTTPError:
                time.sleep(0.1)
                continue
            if (
                total(found, "referral_deadline_reminder_runs", "referral_deadline_reminder_runs_total", result="ok")
                >= 1
            ):
                break
            time.sleep(0.1)
        assert set(found) >= WORKER_FAMILIES, log.read_text()
        assert (
            total(found, "referral_deadline_reminder_runs", "referral_deadline_reminder_runs_total", result="ok") >= 1
        )
    finally:
        if process.poll() is None:
            _stop(process, log)
