"""The committed clients match what the generator makes from the committed document.

(The TypeScript types are checked by .ci/run: `npm ci`, regenerate, diff, `tsc`.)
"""

from __future__ import annotations

import difflib
import filecmp
import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import generate_clients  # noqa: E402

REGENERATE = "python3 dev.py generate"


# What installing the client from the checkout leaves beside it (`pip install ./clients/python`, as
# docs/clients.md says, builds in place), and caches: never generated, never committed (.gitignore).
BUILD_OUTPUT = ("build", "dist", "__pycache__", ".ruff_cache")


def _is_build_output(relative: Path) -> bool:
    return any(part in BUILD_OUTPUT or part.endswith(".egg-info") for part in relative.parts)


def _tree(root: Path) -> dict[str, Path]:
    return {
        str(path.relative_to(root)): path
        for path in sorted(root.rglob("*"))
        if path.is_file() and not _is_build_output(path.relative_to(root))
    }


def _first_difference(generated: Path, committed: Path) -> str:
    diff = difflib.unified_diff(
        committed.read_text("utf-8", "replace").splitlines(),
        generated.read_text("utf-8", "replace").splitlines(),
        "committed",
        "generated now",
        lineterm="",
    )
    return "\n".join(list(diff)[:30])


@pytest.mark.skipif(
    importlib.util.find_spec("openapi_python_client") is None,
    reason="openapi-python-client is not installed (pip install -e '.[test]' installs it)",
)
def test_committed_python_client_matches_the_document(tmp_path: Path) -> None:
    fresh = tmp_path / "python"
    generate_clients.generate_python_client(output=fresh, document=generate_clients.DOCUMENT)
    committed, generated = _tree(generate_clients.PYTHON_CLIENT), _tree(fresh)
    missing = sorted(set(generated) - set(committed))
    extra = sorted(set(committed) - set(generated))
    changed = sorted(
        name
        for name in set(generated) & set(committed)
        if not filecmp.cmp(generated[name], committed[name], shallow=False)
    )
    if not (missing or extra or changed):
        return
    report = [f"clients/python differs from what openapi/openapi.json generates; run: {REGENERATE}"]
    if missing:
        report.append(f"{len(missing)} file(s) the generator makes that clients/python lacks: {missing[:20]}")
    if extra:
        report.append(
            f"{len(extra)} file(s) in clients/python the generator does not make (left by hand or by a tool? "
            f"regenerating removes them): {extra[:20]}"
        )
    if changed:
        report.append(f"{len(changed)} file(s) with other content: {changed[:20]}")
        report.append(_first_difference(generated[changed[0]], committed[changed[0]]))
    pytest.fail("\n".join(report))


def test_build_output_of_an_installed_client_is_not_taken_for_drift(tmp_path: Path) -> None:
    """docs/clients.md's `pip install ./clients/python` leaves build/ and *.egg-info beside the
    client: the comparison must not see them (and nothing generated may look like them)."""
    (tmp_path / "build" / "lib" / "referral_service_client").mkdir(parents=True)
    (tmp_path / "build" / "lib" / "referral_service_client" / "client.py").write_text("old")
    (tmp_path / "referral_service_client.egg-info").mkdir()
    (tmp_path / "referral_service_client.egg-info" / "PKG-INFO").write_text("Name: x")
    (tmp_path / "referral_service_client").mkdir()
    (tmp_path / "referral_service_client" / "client.py").write_text("new")
    assert list(_tree(tmp_path)) == ["referral_service_client/client.py"]
    assert not any(_is_build_output(Path(name)) for name in _tree(generate_clients.PYTHON_CLIENT))
