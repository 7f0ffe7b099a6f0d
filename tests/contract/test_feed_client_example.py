"""The feed consumer example of docs/webhooks.md ("Reconciling with the feed"), run as written with the
GENERATED Python client against a live server: it resumes from its saved cursor, so a second run
prints only what was recorded since the first, and a third run nothing."""

from __future__ import annotations

import re
import runpy
import sys
from pathlib import Path

import httpx
import pytest

from tests.conftest import BOOTSTRAP_ADMIN_KEY, complaint_body

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "webhooks.md"


@pytest.fixture(scope="module", autouse=True)
def generated_client_importable():
    path = str(ROOT / "clients" / "python")
    sys.path.insert(0, path)
    yield
    sys.path.remove(path)


def doc_example() -> str:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
    examples = [block for block in blocks if "referral_service_client" in block]
    assert len(examples) == 1, "docs/webhooks.md should hold exactly one ```python block using the generated client"
    return examples[0]


def test_feed_consumer_resumes_from_its_saved_cursor(live_server: str, tmp_path, monkeypatch, capsys) -> None:
    script = tmp_path / "feed_example.py"
    script.write_text(doc_example(), encoding="utf-8")
    state = tmp_path / "cursor.txt"
    monkeypatch.setenv("REFERRAL_URL", live_server)
    monkeypatch.setenv("REFERRAL_KEY", BOOTSTRAP_ADMIN_KEY)
    monkeypatch.setenv("FEED_STATE", str(state))
    monkeypatch.setenv("FEED_ONCE", "1")
    monkeypatch.setenv("FEED_WAIT", "0")
    headers = {"Authorization": f"Bearer {BOOTSTRAP_ADMIN_KEY}"}

    created = httpx.post(f"{live_server}/v1/complaints", json=complaint_body(), headers=headers)
    assert created.status_code == 201, created.text
    runpy.run_path(str(script))
    first = capsys.readouterr().out.splitlines()
    assert any(line.split()[1] == "complaint.created" and created.json()["id"] in line for line in first)
    saved = state.read_text()

    later = httpx.post(f"{live_server}/v1/complaints", json=complaint_body(), headers=headers)
    assert later.status_code == 201, later.text
    runpy.run_path(str(script))
    second = capsys.readouterr().out.splitlines()
    assert [line.split()[1] for line in second] == ["complaint.created"]
    assert later.json()["id"] in second[0]
    assert state.read_text() != saved  # moved on, and the cursor is what the feed handed out

    runpy.run_path(str(script))
    assert capsys.readouterr().out == ""
