#!/usr/bin/env python3
"""Regenerate everything derived from the API: openapi/openapi.json, clients/python, clients/typescript/api.d.ts.

    python3 dev.py generate            (runs this inside .venv)
    .venv/bin/python scripts/generate_clients.py [--skip-typescript]

The tests in tests/contract regenerate into a temporary directory and fail when the committed
files differ, so run this after changing a route or a schema, and commit the result.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCUMENT = ROOT / "openapi" / "openapi.json"
PYTHON_CLIENT = ROOT / "clients" / "python"
PYTHON_CONFIG = ROOT / "clients" / "python-client-config.yml"
TYPESCRIPT_DIR = ROOT / "clients" / "typescript"
TYPESCRIPT_TYPES = TYPESCRIPT_DIR / "api.d.ts"


def _bin(name: str) -> str:
    """A console script installed next to this interpreter (the venv's), else from PATH."""
    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.exists() else (shutil.which(name) or name)


def generate_document(output: Path = DOCUMENT) -> None:
    from referral_service.openapi_export import openapi_json

    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(openapi_json(), encoding="utf-8")


def generate_python_client(output: Path = PYTHON_CLIENT, document: Path = DOCUMENT) -> None:
    """openapi-python-client into `output` (replaced). Its post hooks run ruff: the venv's, first on PATH."""
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    with tempfile.TemporaryDirectory() as scratch:
        target = Path(scratch) / "client"
        subprocess.run(
            [
                _bin("openapi-python-client"), "generate", "--path", str(document), "--output-path", str(target),
                "--meta", "setup", "--config", str(PYTHON_CONFIG), "--fail-on-warning",
            ],
            check=True, env=env, cwd=scratch,
        )
        if output.exists():
            shutil.rmtree(output)
        shutil.copytree(target, output, ignore=shutil.ignore_patterns(".ruff_cache", "__pycache__"))


def generate_typescript_types(output: Path = TYPESCRIPT_TYPES, document: Path = DOCUMENT) -> None:
    """openapi-typescript, the version pinned in clients/typescript/package-lock.json (`npm ci` first)."""
    if not (TYPESCRIPT_DIR / "node_modules" / ".bin" / "openapi-typescript").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], check=True, cwd=TYPESCRIPT_DIR)
    subprocess.run(
        ["npx", "--no-install", "openapi-typescript", str(document), "-o", str(output)],
        check=True, cwd=TYPESCRIPT_DIR,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--skip-typescript", action="store_true", help="do not regenerate clients/typescript/api.d.ts (no npm)")
    args = parser.parse_args(argv)
    generate_document()
    print(f"wrote {DOCUMENT.relative_to(ROOT)}", file=sys.stderr)
    generate_python_client()
    print(f"wrote {PYTHON_CLIENT.relative_to(ROOT)}/", file=sys.stderr)
    if not args.skip_typescript:
        generate_typescript_types()
        print(f"wrote {TYPESCRIPT_TYPES.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
