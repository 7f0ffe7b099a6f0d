"""The packages depend downward only: the layers contract in pyproject.toml ([tool.importlinter]) holds
for the source, and the same check fails on a copy of the source with one import that breaks it, so it
cannot pass by checking nothing. A feature's repository (its SQL) is that feature's own."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src"
PACKAGE = "referral_service"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(src: Path, config: Path = ROOT / "pyproject.toml") -> tuple[int, str]:
    """Run the contract over the package found in `src` (first on the path, so a copy wins over the
    installed tree); the output with its line wrapping undone."""
    env = {**os.environ, "PYTHONPATH": str(src), "COLUMNS": "200", "NO_COLOR": "1"}
    done = subprocess.run(
        [str(LINT_IMPORTS), "--config", str(config), "--no-cache"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return done.returncode, re.sub(r"\s+", " ", done.stdout + done.stderr)


def test_the_source_keeps_the_layers() -> None:
    code, output = lint_imports(SRC)
    assert code == 0, output
    assert "Feature packages depend downward only KEPT" in output, output


@pytest.fixture
def copy_of_source(tmp_path: Path) -> Path:
    shutil.copytree(SRC / PACKAGE, tmp_path / PACKAGE, ignore=shutil.ignore_patterns("__pycache__", "*.json"))
    return tmp_path


@pytest.mark.parametrize(
    ("module", "added", "complaint"),
    [
        # The core importing a feature.
        (
            "clock.py",
            "from referral_service.ui import pages\n",
            "referral_service.clock is not allowed to import referral_service.ui",
        ),
        # A feature importing one above it.
        (
            "agencies/upward.py",
            "from referral_service.referrals import domain\n",
            "referral_service.agencies is not allowed to import referral_service.referrals",
        ),
        # A feature importing another of its row.
        (
            "reports/sideways.py",
            "from referral_service.inbound import planning\n",
            "referral_service.reports is not allowed to import referral_service.inbound",
        ),
        # A new module directly under the package that no layer names.
        ("unplaced.py", "", "The following modules are not listed as layers: - referral_service.unplaced"),
    ],
)
def test_an_import_that_breaks_the_layers_is_caught(
    copy_of_source: Path, module: str, added: str, complaint: str
) -> None:
    path = copy_of_source / PACKAGE / module
    path.write_text((path.read_text("utf-8") if path.exists() else "") + added, "utf-8")
    code, output = lint_imports(copy_of_source)
    assert code != 0, output
    assert "Feature packages depend downward only BROKEN" in output, output
    assert complaint in output, output


def test_an_exception_that_no_longer_matches_an_import_fails(tmp_path: Path) -> None:
    """Exceptions are deleted as the imports they excuse go away, so the list only shrinks."""
    tool = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["importlinter"]
    (contract,) = tool["contracts"]
    stale = "referral_service.clock -> referral_service.ui.pages"
    contract = {**contract, "ignore_imports": [*contract.get("ignore_imports", []), stale]}
    # JSON's strings, booleans and lists of strings are TOML's too.
    lines = [
        "[tool.importlinter]",
        f"root_packages = {json.dumps(tool['root_packages'])}",
        "[[tool.importlinter.contracts]]",
    ]
    lines += [f"{key} = {json.dumps(value)}" for key, value in contract.items()]
    (tmp_path / "pyproject.toml").write_text("\n".join(lines) + "\n", "utf-8")
    code, output = lint_imports(SRC, tmp_path / "pyproject.toml")
    assert code != 0, output
    assert f"No matches for ignored import {stale}" in output, output


# Imports of a feature's repository from outside the feature, each with the change that removes it.
REPOSITORY_EXCEPTIONS: set[str] = set()


def test_a_features_repository_is_imported_by_that_feature_only() -> None:
    graph = grimp.build_graph(PACKAGE, cache_dir=None)
    repositories = {m for m in graph.modules if re.fullmatch(rf"{PACKAGE}\.\w+\.repository", m)}
    assert {"referral_service.complaints.repository", "referral_service.referrals.repository"} <= repositories
    outside = {
        f"{importer} -> {repository}"
        for repository in repositories
        for importer in graph.find_modules_that_directly_import(repository)
        if not importer.startswith(repository.rpartition(".")[0] + ".")
    }
    assert outside == REPOSITORY_EXCEPTIONS, (
        "another feature reaches into a repository (call that feature's service instead), or a listed "
        "exception no longer happens (delete it)"
    )
