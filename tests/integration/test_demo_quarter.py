"""`serve --demo` records a demo quarter on a database without complaints, once; nothing else does.

Real `serve` processes on throwaway databases of their own: the demo must be what a first start
shows, and a restart or a database with work in it must be left alone.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import httpx
import pytest

from referral_service.demo import seed_demo
from referral_service.demo_quarter import demo_cases
from tests.conftest import BOOTSTRAP_ADMIN_KEY, _with_database
from tests.integration.test_key_revocation_processes import _free_port, _sql, _wait_ready

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _database(database_url: str, suffix: str) -> str:
    name = urlsplit(database_url).path.lstrip("/") + suffix
    _sql(_with_database(database_url, "postgres"), f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _sql(_with_database(database_url, "postgres"), f'CREATE DATABASE "{name}"')
    return _with_database(database_url, name)


def _drop(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    _sql(_with_database(url, "postgres"), f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def _serving(url: str, workdir: Path, *extra: str) -> Iterator[tuple[str, str]]:
    """`serve` until ready: (its base URL, what it printed); stopped with SIGTERM at the end."""
    port = _free_port()
    log = workdir / f"serve-{port}.log"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "REFERRAL_ADMIN_KEY": BOOTSTRAP_ADMIN_KEY,
        "REFERRAL_DATA_DIR": str(workdir / "unused-data-dir"),
        "PYTHONUNBUFFERED": "1",  # the printed keys reach the log before the server is ready
    }
    command = ["serve", "--port", str(port), "--log-level", "warning", *extra]
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "referral_service.cli", *command],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=workdir,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(process, base, log)
        yield base, log.read_text()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0, log.read_text()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _keys(printed: str) -> dict[str, str]:
    return dict(re.findall(r"export (\w+)=(\S+)", printed))


def _complaints(base: str, key: str) -> int:
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=30) as client:
        count, cursor = 0, None
        while True:
            page = client.get("/v1/complaints", params={"limit": 100, **({"cursor": cursor} if cursor else {})})
            assert page.status_code == 200, page.text
            count += len(page.json()["items"])
            cursor = page.json()["next_cursor"]
            if not cursor:
                return count


def test_serve_demo_records_a_realistic_quarter_once(database_url: str, tmp_path: Path) -> None:
    url = _database(database_url, "_demo")
    try:
        cases = demo_cases()
        with _serving(url, tmp_path, "--demo") as (base, printed):
            assert f"Demo quarter recorded: {len(cases)} complaints" in printed
            _check_the_quarter(base, _keys(printed))
        # A restart: new keys, the same quarter, nothing recorded twice.
        with _serving(url, tmp_path, "--demo") as (base, printed):
            assert "Demo quarter recorded" not in printed
            assert _complaints(base, _keys(printed)["ADMIN_KEY"]) == len(cases)
    finally:
        _drop(url)


def _check_the_quarter(base: str, keys: dict[str, str]) -> None:
    today = datetime.now(UTC).astimezone(ZoneInfo("Asia/Makassar")).date()
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {keys['OMBUDSMAN_KEY']}"}, timeout=30) as api:
        window = {"from": (today - timedelta(days=95)).isoformat(), "to": today.isoformat()}
        report = api.get("/v1/reports/agency-performance", params=window).json()["rows"]
        assert len(report) == 11 and all(row["forwarded"] >= 1 for row in report), report
        # Answered on time and late, still open, overdue, a follow-up: each somewhere.
        assert sum(row["responded_on_time"] for row in report) >= 5
        assert sum(row["responded"] - row["responded_on_time"] for row in report) >= 3
        assert sum(row["open_overdue"] for row in report) >= 3
        assert sum(row["open"] - row["open_overdue"] for row in report) >= 5
        assert sum(row["follow_ups_requested"] for row in report) == 1
        assert sum(row["closed"] for row in report) >= 3
        samarinda = next(row for row in report if row["agency_code"] == "inspektorat-64.72")
        assert samarinda["share_on_time"] is not None and 0 < samarinda["share_on_time"] < 1

        referrals = api.get("/v1/referrals", params={"limit": 100}).json()["items"]
        forwarded_on = {date.fromisoformat(r["forwarded_at"][:10]) for r in referrals if r["forwarded_at"]}
        assert min(forwarded_on) <= today - timedelta(days=80) and max(forwarded_on) >= today - timedelta(days=2)
        assert any(r["state"] == "received" for r in referrals)
        soon = [r for r in referrals if r["state"] == "forwarded" and not r["overdue"]]
        assert any(r["working_days_remaining"] is not None and r["working_days_remaining"] <= 2 for r in soon)
        assert any(r["complaint"]["identity_confidential"] for r in referrals)

        # Documents: a photo and a report (real PNG and PDF bytes), an identity document.
        documents = []
        for referral in referrals:
            documents += api.get(f"/v1/referrals/{referral['id']}/attachments").json()
        types = {document["media_type"] for document in documents}
        assert {"application/pdf", "image/png"} <= types and any(d["contains_identity"] for d in documents)
        report_pdf = next(d for d in documents if d["media_type"] == "application/pdf")
        assert api.get(report_pdf["download_path"]).content.startswith(b"%PDF-1.4")

        # Real timelines and a real event feed.
        answered = next(r for r in referrals if r["follow_up_count"] == 1)
        timeline = [e["type"] for e in api.get(f"/v1/referrals/{answered['id']}/events").json()]
        assert timeline[:3] == ["referral.created", "referral.forwarded", "referral.acknowledged"]
        assert timeline.count("referral.responded") == 2 and "referral.follow_up_requested" in timeline
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {keys['ADMIN_KEY']}"}, timeout=30) as admin:
        feed = admin.get("/v1/events", params={"limit": 1000}).json()["items"]
        assert len(feed) >= 100 and {"complaint.created", "attachment.added"} <= {item["type"] for item in feed}
        # The loader's keys did their work and were revoked.
        loaders = [k for k in admin.get("/v1/api-keys").json() if k["name"].startswith("demo quarter loader")]
        assert len(loaders) == 12 and all(k["revoked_at"] for k in loaders)
    # The agency sees its own: Samarinda's queue holds its forwarded referrals, overdue among them.
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {keys['SAMARINDA_KEY']}"}, timeout=30) as own:
        queue = own.get("/v1/referrals", params={"state": "forwarded"}).json()["items"]
        assert queue and all(r["agency_code"] == "inspektorat-64.72" for r in queue)
        assert any(r["overdue"] for r in queue)


def test_serve_without_demo_and_load_directory_record_no_complaint(database_url: str, tmp_path: Path) -> None:
    url = _database(database_url, "_nodemo")
    try:
        subprocess.run(
            [sys.executable, "-m", "referral_service.cli", "load-directory"],
            env={**os.environ, "DATABASE_URL": url},
            check=True,
            capture_output=True,
            cwd=tmp_path,
        )
        with _serving(url, tmp_path) as (base, printed):
            assert "Demo" not in printed
            assert _complaints(base, BOOTSTRAP_ADMIN_KEY) == 0
    finally:
        _drop(url)


async def test_a_database_with_complaints_gets_no_demo_quarter(admin, ombudsman_kaltim, database_url, settings):
    # The suite's own database holds complaints (this one, at least): the demo leaves it alone.
    created = await ombudsman_kaltim.post(
        "/v1/complaints",
        json={
            "channel": "walk_in",
            "complainant": {"name": "Pelapor Nyata"},
            "subject": "Pengaduan sungguhan",
            "description": "Bukan data demo.",
            "category": "other",
            "region_code": "64.72",
        },
    )
    assert created.status_code == 201
    before = await admin.get("/v1/complaints", params={"limit": 1})
    seeded = await seed_demo(database_url, settings)
    assert seeded.complaints_recorded == 0 and len(seeded.keys) == 4
    after = await admin.get("/v1/complaints", params={"limit": 1})
    assert after.json()["items"][0]["id"] == before.json()["items"][0]["id"]
    assert "demo quarter loader" not in (await admin.get("/v1/api-keys")).text
