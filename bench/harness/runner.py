"""One benchmark run: the scenarios in order on a Harness (context.py), the report; main()."""

from __future__ import annotations

import asyncio
import os
import platform
import signal
import subprocess
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil

from . import scenarios, webhooks
from .config import (
    INTAKE_ENDPOINTS,
    QUEUE_PATH,
    ROOT,
    HarnessError,
    log,
    parse,
)
from .context import Harness
from .profile import profile
from .report import judge, print_table, write_report
from .seed import db_facts


def run(h: Harness) -> int:
    """The scenarios in order, then the verdicts, the table and the JSON report; the exit status."""
    cfg, results = h.cfg, h.results
    machine = machine_info()
    h.db.start()
    h.svc.start_api(1)
    h.seed()
    machine["postgresql"] = asyncio.run(db_facts(h.db.url))["postgresql"]
    machine["database"] = h.db.kind
    results["db_cpu_scope"] = h.db.detect_cpu_scope()
    log(f"PG cpu = {results['db_cpu_scope']}")
    h.svc.start_receiver()
    note = h.svc.subscribe(INTAKE_ENDPOINTS)
    h.webhooks = note is None
    h.webhook_note = note or (f"{INTAKE_ENDPOINTS} endpoints on a local receiver (bench/receiver.py) subscribed to "
                                 "every event during intake; delivery by separate `referral-service worker` processes")
    log(h.webhook_note)

    scenarios.healthz_for(h, scenarios.ONE)
    results["agency_queue"] = scenarios.agency_queue(h)
    results["intake"] = scenarios.intake(h)
    if h.webhooks:
        results["intake_with_worker"] = webhooks.intake_with_worker(h)
        results["paced_latency"] = webhooks.paced_latency(h, results["intake_with_worker"]["rps"])
        h.svc.stop_workers()
    else:
        for key in ("intake_with_worker", "paced_latency", "deliveries"):
            results[key] = {"skipped": h.webhook_note}
    results["forward"] = scenarios.forward(h)
    if h.webhooks:
        results["deliveries"] = webhooks.delivery_throughput(h)
    results["memory"] = scenarios.memory(h)
    if cfg.profile:
        results["profile"] = {
            "intake": profile(h, "intake", "intake", [f"{h.tag}-prof", h.keys["ombudsman"]]),
            "agency_queue": profile(h, "agency_queue", "get", [h.keys["agency"]], path=QUEUE_PATH),
        }
    if cfg.scale:
        results["agency_queue_scale"] = scenarios.scale(h, results["agency_queue"])
    if cfg.scale_out:
        # A failure here (e.g. the second server does not come up) is reported, not fatal:
        # the figures measured so far are still printed and written.
        try:
            results["scale_out"] = scenarios.scale_out(h, results["intake"])
        except HarnessError as exc:
            log(f"scale-out failed: {exc}")
            results["scale_out"] = {"error": str(exc)[:2000]}
            h.harness_errors.append("scale_out")
    results["healthz"] = {f"{k[0]}, c={k[1]}": v for k, v in h.healthz.items()}

    machine["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    verdicts = judge(results, cfg.quick)
    report = {
        "started": h.started.isoformat(),
        "finished": datetime.now(UTC).isoformat(),
        "mode": "quick" if cfg.quick else "full",
        "config": {k: (str(v) if isinstance(v, Path) else v) for k, v in cfg.__dict__.items()},
        "machine": machine,
        "webhooks": h.webhook_note,
        "results": results,
        "targets": verdicts,
    }
    print_table(report)
    write_report(report, cfg.results_dir, h.stamp)
    if h.harness_errors:
        return 2
    if not cfg.quick and any(v["pass"] is False for v in verdicts):
        return 3
    return 0


def machine_info() -> dict[str, Any]:
    import referral_service

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False).stdout.splitlines()[:1]
    from importlib.metadata import PackageNotFoundError, version

    versions = {}
    for name in ("fastapi", "starlette", "uvicorn", "sqlalchemy", "asyncpg", "pydantic", "uvloop", "httptools", "httpx"):
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = None
    try:
        commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True, check=False).stdout.strip()
        dirty = bool(subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
                                    capture_output=True, text=True, check=False).stdout.strip())
    except OSError:
        commit, dirty = None, None
    return {
        "git_commit": commit,
        "git_dirty": dirty,
        "service_code": str(Path(referral_service.__file__).resolve().parent),
        "python_executable": sys.executable,
        "loadavg_at_start": [round(x, 2) for x in os.getloadavg()],
        "nproc": os.cpu_count(),
        "cpu_model": cpu,
        "memory_gib": round(psutil.virtual_memory().total / 1024**3, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "wrk": wrk_version[0].strip() if wrk_version else None,
        "packages": versions,
    }


def main(argv: list[str] | None = None, description: str | None = None) -> int:
    cfg = parse(argv, description)
    harness = Harness(cfg)
    interrupted = False

    def on_signal(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    started = time.monotonic()
    try:
        code = run(harness)
    except HarnessError as exc:
        print(f"bench: harness error: {exc}", file=sys.stderr)
        code = 2
    except KeyboardInterrupt:
        interrupted = True
        code = 130
    except Exception:
        traceback.print_exc()
        code = 2
    finally:
        harness.close()
    log(f"{'interrupted' if interrupted else 'done'} in {time.monotonic() - started:.0f} s (exit {code})")
    return code
