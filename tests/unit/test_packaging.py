"""The wheel's package list is written out in pyproject.toml (the migrations folder is mapped into the
package from the top of the repository): it must name every package of the tree."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_package_is_listed_for_the_wheel() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]
    in_tree = {".".join(init.parent.relative_to(ROOT / "src").parts) for init in (ROOT / "src").rglob("__init__.py")}
    in_tree |= {"referral_service.migrations", "referral_service.migrations.versions"}
    assert set(config["packages"]) == in_tree
    assert config["package-dir"]["referral_service.migrations"] == "migrations"
    assert (ROOT / "migrations" / "env.py").is_file() and list((ROOT / "migrations" / "versions").glob("0001_*.py"))
