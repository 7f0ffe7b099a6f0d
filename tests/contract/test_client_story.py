"""The seed story through the GENERATED Python client against a live server.

The code is the Python client example in docs/clients.md, run as written: if the documentation's example
breaks, this test does.
"""

from __future__ import annotations

import re
import runpy
import sys
from pathlib import Path

import pytest

from tests.conftest import BOOTSTRAP_ADMIN_KEY

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "clients.md"


@pytest.fixture(scope="module", autouse=True)
def generated_client_importable():
    path = str(ROOT / "clients" / "python")
    sys.path.insert(0, path)
    yield
    sys.path.remove(path)


def doc_example() -> str:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
    examples = [block for block in blocks if "referral_service_client" in block]
    assert len(examples) == 1, "docs/clients.md should hold exactly one ```python block using the generated client"
    return examples[0]


def test_seed_story_through_the_generated_client(live_server: str, tmp_path, monkeypatch, capsys) -> None:
    script = tmp_path / "client_example.py"
    script.write_text(doc_example(), encoding="utf-8")
    monkeypatch.setenv("REFERRAL_BASE_URL", live_server)
    monkeypatch.setenv("ADMIN_KEY", BOOTSTRAP_ADMIN_KEY)

    namespace = runpy.run_path(str(script))

    referral = namespace["referral"]
    assert str(referral.state) == "closed" and str(referral.resolution) == "resolved"
    assert referral.follow_up_count == 1 and referral.external_ref == f"SMD-{str(referral.id)[:8]}"
    assert referral.complaint.region_code == "64.72" and referral.agency_code == "inspektorat-64.72"
    printed = capsys.readouterr().out.splitlines()
    timeline = [line.split()[1] for line in printed if re.match(r"\d+ ", line)]
    assert timeline == [
        "referral.forwarded",
        "referral.acknowledged",
        "referral.responded",
        "referral.follow_up_requested",
        "referral.responded",
        "referral.closed",
    ]


def test_generated_client_reports_problems(live_server: str) -> None:
    from referral_service_client import AuthenticatedClient
    from referral_service_client.api.complaints import complaints_list
    from referral_service_client.models import Problem

    response = complaints_list.sync_detailed(client=AuthenticatedClient(base_url=live_server, token="not-a-key"))
    assert response.status_code == 401 and isinstance(response.parsed, Problem)
    assert response.parsed.type_ == "https://referral-service.dev/problems/unauthorized"
