"""--profile: py-spy samples the API process during one extra intake run and one extra queue run.

The collapsed stacks go to the results directory beside the run's JSON (<stamp>-profile-<name>.txt;
feed them to flamegraph.pl or speedscope); the JSON and the table get their hot spots.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import log

if TYPE_CHECKING:
    from .context import Harness


def profile(h: Harness, name: str, script: str, args: list[str], path: str = "/") -> dict[str, Any] | None:
    local = Path(sys.executable).parent / "py-spy"
    spy = shutil.which("py-spy") or (str(local) if local.exists() else None)
    if spy is None:
        log("py-spy not installed: `pip install py-spy` into the venv to profile")
        return None
    h.cfg.results_dir.mkdir(parents=True, exist_ok=True)
    out = h.cfg.results_dir / f"{h.stamp}-profile-{name}.txt"
    duration = max(2, int(h.cfg.duration))
    pid = h.svc.api_pids()[0]

    def during():
        spy_proc = subprocess.Popen(
            [spy, "record", "--pid", str(pid), "--duration", str(duration), "--rate", "200", "--format", "raw",
             "--nonblocking", "--output", str(out)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        return lambda: spy_proc.wait(60)

    h.wrk.run(h.svc.base_url, script, args, path=path, duration=duration, during=during)
    if not out.exists():
        log(f"py-spy wrote no profile for {name} (permissions? see `py-spy record --help`)")
        return None
    return {"file": str(out), **hot_spots(out)}


def hot_spots(path: Path, top: int = 15) -> dict[str, Any]:
    """Top frames by own (leaf) samples and by inclusive samples, from py-spy's collapsed stacks."""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = stack.split(";")
        frames = [f for f in frames if not f.startswith("process ") and not f.startswith("thread ")]
        if not frames:
            continue
        own[_short(frames[-1])] += n
        for f in {_short(f) for f in frames}:
            inclusive[f] += n

    def rows(counter: Counter[str]) -> list[list[Any]]:
        return [[name, round(100 * n / total, 1)] for name, n in counter.most_common(top)]

    # Inclusive: skip the server/framework plumbing that is on every request's stack.
    plumbing = ("(uvicorn/", "(starlette/", "(fastapi/", "(asyncio/", "(stdlib/asyncio", "(<frozen", "(referral_service/middleware",
                "(referral_service/cli", "(referral-service")
    inc = Counter({k: v for k, v in inclusive.items() if not any(p in k for p in plumbing)})
    return {"samples": total, "self_top": rows(own), "inclusive_top": rows(inc)}


def _short(frame: str) -> str:
    # "func (path/to/site-packages/pkg/mod.py:123)" -> "func (pkg/mod.py)"
    name, _, rest = frame.partition(" (")
    rest = rest.rstrip(")")
    file = rest.rsplit(":", 1)[0]
    for marker in ("site-packages/", "/src/", "lib/python3."):
        if marker in file:
            file = file.split(marker, 1)[1]
            if marker == "lib/python3.":
                file = "stdlib/" + file.split("/", 1)[-1]
            break
    return f"{name} ({file})"
