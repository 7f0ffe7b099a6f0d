#!/usr/bin/env python3
"""Benchmarks for referral-service: intake (with and without a delivery worker), forward, agency queue,
webhook delivery throughput and commit -> receipt latency, memory, scale-out.

    python3 bench/run.py             # full run: 3 x 10 s per figure, prints targets and verdicts
    python3 bench/run.py --quick     # CI smoke run: 1 x 2 s, small data, never fails on targets
    python3 bench/run.py --scale     # full run plus the agency queue at 1,000,000 referrals
    python3 bench/run.py --profile   # + py-spy profiles of the API into the results dir

Starts the service on a fresh database (embedded PostgreSQL, or a scratch database on the server of
DATABASE_URL), drives it with wrk and writes one JSON per run to the results dir (bench/results/ by
default; latest.json is a copy of the newest). The code is in bench/harness/; see bench/README.md.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
NEEDED = ("asyncpg", "httpx", "psutil", "fastapi", "uvicorn", "sqlalchemy")


def _use_this_checkout() -> None:
    """This checkout's src/ first, here and in every child process: the code measured is the code next to
    the harness (a git worktree's), whichever environment provides the dependencies."""
    sys.path.insert(0, str(SRC))
    os.environ["PYTHONPATH"] = os.pathsep.join([str(SRC), *filter(None, [os.environ.get("PYTHONPATH")])])


def _venv_pythons() -> list[Path]:
    """The checkout's .venv, then (in a git worktree) the main checkout's."""
    found = [ROOT / ".venv" / "bin" / "python"]
    try:
        common = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--git-common-dir"],
                                capture_output=True, text=True, check=True).stdout.strip()
        found.append((ROOT / common).resolve().parent / ".venv" / "bin" / "python")
    except (OSError, subprocess.CalledProcessError):
        pass
    return found


def _ensure_environment() -> None:
    """Run under the current interpreter when it has the project's dependencies; otherwise re-run under
    a virtualenv that has them (`python3 bench/run.py` may be the system Python)."""
    _use_this_checkout()
    missing = [name for name in NEEDED if importlib.util.find_spec(name) is None]
    if not missing:
        return
    if not os.environ.get("_BENCH_REEXEC"):
        for python in _venv_pythons():
            if python.exists() and Path(sys.prefix).resolve() != python.parent.parent.resolve():
                os.environ["_BENCH_REEXEC"] = "1"
                os.execv(str(python), [str(python), str(Path(__file__).resolve()), *sys.argv[1:]])
    sys.exit(f"bench/run.py: {', '.join(missing)} not importable by {sys.executable}; run it with the project's "
             "virtualenv (python3 dev.py sets one up in .venv/) or pip install -e . first")


if __name__ == "__main__":
    _ensure_environment()
    from harness.runner import main

    sys.exit(main(description=__doc__))
