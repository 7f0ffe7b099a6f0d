"""Property-based API tests: Schemathesis against a live server, with valid credentials.

Every check (`--checks all`): no 5xx, status codes / content types / headers / bodies as documented,
invalid input refused, valid input accepted (with the exceptions in schemathesis.toml, each with
its reason), 405s with a correct `Allow`. Bounded by a fixed seed and a number of examples per
operation so the whole file stays within about two minutes on two cores.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pydantic import BaseModel

from tests.conftest import BOOTSTRAP_ADMIN_KEY

ROOT = Path(__file__).resolve().parents[2]
SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"

pytestmark = pytest.mark.skipif(
    not SCHEMATHESIS.exists(), reason="schemathesis is not installed (pip install -e '.[test]')"
)


def run_schemathesis(base_url: str, key: str, tmp_path: Path, *extra: str) -> None:
    command = [
        str(SCHEMATHESIS),
        "--no-color",
        "--config-file",
        str(ROOT / "schemathesis.toml"),
        "run",
        f"{base_url}/openapi.json",
        # One worker: with two, schemathesis calls ast.parse from two threads at once, which CPython
        # 3.11 does not survive reliably ("SystemError: AST constructor recursion depth mismatch").
        "--checks",
        "all",
        "--seed",
        "1",
        "--workers",
        "1",
        "--generation-database",
        "none",
        "--header",
        f"Authorization: Bearer {key}",
        "--request-timeout",
        "30",
        *extra,
    ]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"schemathesis found failures (exit {result.returncode}):\n{output[-20000:]}"


def issue(base_url: str, body: dict) -> str:
    response = httpx.post(
        f"{base_url}/v1/api-keys", json=body, headers={"Authorization": f"Bearer {BOOTSTRAP_ADMIN_KEY}"}, timeout=30
    )
    assert response.status_code == 201, response.text
    return response.json()["key"]


def test_schemathesis_admin_key(live_server: str, tmp_path: Path) -> None:
    """Every operation, every phase (examples, coverage, fuzzing, stateful via the inferred links)."""
    run_schemathesis(live_server, BOOTSTRAP_ADMIN_KEY, tmp_path, "--max-examples", "15")


def test_schemathesis_agency_key(live_server: str, tmp_path: Path) -> None:
    """The same API seen by an agency key: mostly 403/404, which must be documented too."""
    key = issue(live_server, {"role": "agency", "name": "schemathesis agency", "agency_code": "inspektorat-64.72"})
    run_schemathesis(live_server, key, tmp_path, "--max-examples", "5", "--phases", "examples,fuzzing")


# ---- the harness itself: it can fail on a server error -------------------------------------------


class Item(BaseModel):
    name: str
    count: int


def _statuses(pattern: str) -> set[int]:
    pattern = pattern.lower()
    return {code for code in range(100, 600) if all(p in ("x", c) for p, c in zip(pattern, str(code), strict=True))}


def test_the_configuration_accepts_no_server_error() -> None:
    config = tomllib.loads((ROOT / "schemathesis.toml").read_text("utf-8"))
    sections = [("checks", config.get("checks", {}))] + [
        (f"operations[{op.get('include-name')}]", op.get("checks", {})) for op in config.get("operations", [])
    ]
    for where, checks in sections:
        assert checks.get("not_a_server_error", {}).get("enabled", True), f"{where}: not_a_server_error is off"
        for name, check in checks.items():
            server_errors = [s for s in check.get("expected-statuses", []) if max(_statuses(str(s)), default=0) >= 500]
            assert not server_errors, f"{where}.{name} accepts server errors: {server_errors}"


@pytest.fixture
def failing_server() -> Iterator[str]:
    """A one-operation API that answers 500 to input it should refuse: what the contract run must catch."""
    import uvicorn
    from fastapi import FastAPI
    from fastapi.exceptions import RequestValidationError
    from starlette.responses import JSONResponse

    app = FastAPI()

    @app.exception_handler(RequestValidationError)
    async def crash(_request, _exc) -> JSONResponse:
        return JSONResponse({"detail": "boom"}, status_code=500)

    @app.post("/items", status_code=201, responses={422: {"description": "invalid"}})
    async def create(item: Item) -> Item:
        return item

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="critical"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


def test_the_contract_run_fails_on_a_server_error(failing_server: str, tmp_path: Path) -> None:
    with pytest.raises(AssertionError, match="schemathesis found failures") as failed:
        run_schemathesis(failing_server, "any-key", tmp_path, "--max-examples", "5", "--phases", "coverage")
    assert "Server error" in str(failed.value)
