"""The committed clients match what the generator makes from the committed document.

(The TypeScript types are checked by .ci/run: `npm ci`, regenerate, diff, `tsc`.)
"""

from __future__ import annotations

import filecmp
import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import generate_clients  # noqa: E402

REGENERATE = "python3 dev.py generate"


def _tree(root: Path) -> dict[str, Path]:
    skip = {"__pycache__", ".ruff_cache"}
    return {
        str(path.relative_to(root)): path
        for path in sorted(root.rglob("*"))
        if path.is_file() and not skip.intersection(path.relative_to(root).parts)
    }


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
    assert not (missing or extra or changed), (
        f"clients/python is out of date with openapi/openapi.json; run: {REGENERATE}\n"
        f"missing: {missing}\nnot generated any more: {extra}\nchanged: {changed}"
    )
