"""The guides' examples, run one after another, twice, on one `serve --demo` server, as a reader
trying them all on `python3 dev.py serve` would: the README's tour and docs/walkthrough.md (bash,
curl and jq), the generated client's story in docs/clients.md, and the integrator's script in
docs/inbound.md (docs/inbound.id.md carries the same code: tests/unit/test_docs.py). None may
depend on being the first to run: ids, idempotency keys and agencies' case numbers are each run's
own.
"""

from __future__ import annotations

import os
import re
import runpy
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import BOOTSTRAP_ADMIN_KEY
from tests.live_server import _live_database, _live_server

ROOT = Path(__file__).resolve().parents[2]
DOCS_BASE = "http://127.0.0.1:8000"

pytestmark = pytest.mark.skipif(
    not (shutil.which("bash") and shutil.which("curl") and shutil.which("jq")), reason="needs bash, curl and jq"
)


@dataclass
class Demo:
    base: str
    keys: dict[str, str]  # the four `export` lines `serve --demo` prints, issued alike


def _issue(base: str, body: dict) -> str:
    response = httpx.post(
        f"{base}/v1/api-keys", json=body, headers={"Authorization": f"Bearer {BOOTSTRAP_ADMIN_KEY}"}, timeout=30
    )
    assert response.status_code == 201, response.text
    return response.json()["key"]


@pytest.fixture(scope="module")
def demo(database_url: str, tmp_path_factory) -> Iterator[Demo]:
    with (
        _live_database(database_url, "_guides", tmp_path_factory) as url,
        _live_server(url, tmp_path_factory, demo=True) as base,
    ):
        keys = {
            "ADMIN_KEY": _issue(base, {"role": "admin", "name": "guides admin"}),
            "OMBUDSMAN_KEY": _issue(base, {"role": "ombudsman", "name": "guides ombudsman", "region_code": "64"}),
            "SAMARINDA_KEY": _issue(
                base, {"role": "agency", "name": "guides samarinda", "agency_code": "inspektorat-64.72"}
            ),
            "BONTANG_KEY": _issue(
                base, {"role": "agency", "name": "guides bontang", "agency_code": "inspektorat-64.74"}
            ),
        }
        yield Demo(base, keys)


def _shell_blocks(page: Path) -> list[str]:
    return re.findall(r"```sh\n(.*?)```", page.read_text("utf-8"), flags=re.S)


def _bash(script: str, demo: Demo, workdir: Path) -> str:
    workdir.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        ["bash", "-c", "set -eo pipefail\n" + script.replace(DOCS_BASE, demo.base)],
        cwd=workdir,
        env={**os.environ, **demo.keys},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result.stdout


def readme_tour(demo: Demo, workdir: Path) -> None:
    tour = (ROOT / "README.md").read_text("utf-8").split("## A five-minute tour", 1)[1]
    script = re.search(r"```sh\n(.*?)```", tour, flags=re.S)
    assert script
    out = _bash(script.group(1), demo, workdir)
    assert '{"state":"responded"}' in out and "3 referral.responded by agency" in out, out


def walkthrough(demo: Demo, workdir: Path) -> None:
    blocks = [block for block in _shell_blocks(ROOT / "docs" / "walkthrough.md") if "dev.py serve" not in block]
    out = _bash("\n".join(blocks), demo, workdir)
    assert re.search(r"^idempotent-replayed: true", out, flags=re.M | re.I), out
    assert re.search(r'^\{"state":"forwarded","external_ref":"SMD-[0-9a-f]{8}"\}$', out, flags=re.M), out
    assert '{"state":"closed","resolution":"resolved"}' in out
    assert "7 referral.closed responded -> closed by ombudsman" in out


def clients_story(demo: Demo, workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "docs" / "clients.md").read_text("utf-8"), flags=re.S)
    (example,) = [block for block in blocks if "referral_service_client" in block]
    workdir.mkdir(parents=True, exist_ok=True)
    script = workdir / "client_story.py"
    script.write_text(example, "utf-8")
    monkeypatch.setenv("REFERRAL_BASE_URL", demo.base)
    monkeypatch.setenv("ADMIN_KEY", demo.keys["ADMIN_KEY"])
    monkeypatch.syspath_prepend(str(ROOT / "clients" / "python"))
    referral = runpy.run_path(str(script))["referral"]
    assert str(referral.state) == "closed"


def inbound_script(demo: Demo, workdir: Path) -> None:
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "docs" / "inbound.md").read_text("utf-8"), flags=re.S)
    (example,) = [block for block in blocks if "def send_event" in block]
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "send_event.py").write_text(example, "utf-8")

    def call(key: str, path: str, body: dict | None = None) -> dict:
        response = httpx.post(f"{demo.base}{path}", json=body, headers={"Authorization": f"Bearer {key}"}, timeout=30)
        assert response.status_code in (200, 201), response.text
        return response.json()

    omb, samarinda = demo.keys["OMBUDSMAN_KEY"], demo.keys["SAMARINDA_KEY"]
    complaint = call(
        omb,
        "/v1/complaints",
        {
            "channel": "walk_in",
            "complainant": {"name": "Budi Santoso"},
            "subject": "Izin usaha tidak diproses",
            "description": "Belum ada kabar.",
            "category": "penundaan_berlarut",
            "region_code": "64.72",
        },
    )
    referral = call(omb, f"/v1/complaints/{complaint['id']}/referrals", {"agency_code": "inspektorat-64.72"})
    call(omb, f"/v1/referrals/{referral['id']}/forward", {})
    secret = call(samarinda, "/v1/agencies/inspektorat-64.72/inbound-secret", {"overlap_hours": 168})["secret"]
    result = subprocess.run(
        [sys.executable, "send_event.py", referral["id"]],
        cwd=workdir,
        env={**os.environ, "REFERRAL_BASE_URL": demo.base, "REFERRAL_INBOUND_SECRET": secret},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["200 accepted", "200 accepted"], result.stdout


def test_every_guide_runs_after_the_others_on_one_server(demo, tmp_path, monkeypatch):
    for round_ in (1, 2):
        readme_tour(demo, tmp_path / f"tour-{round_}")
        walkthrough(demo, tmp_path / f"walkthrough-{round_}")
        clients_story(demo, tmp_path / f"clients-{round_}", monkeypatch)
        inbound_script(demo, tmp_path / f"inbound-{round_}")
