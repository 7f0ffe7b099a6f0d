"""One benchmark run: database, service, seeding, the scenarios in order, the report; main()."""

from __future__ import annotations

import asyncio
import os
import platform
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil

from . import scenarios, webhooks
from .config import (
    BENCH_AGENCY,
    INTAKE_ENDPOINTS,
    QUEUE_PATH,
    ROOT,
    Config,
    HarnessError,
    log,
    parse,
)
from .database import Database
from .load import CpuProbe, Wrk
from .profile import profile
from .report import judge, print_table, write_report
from .seed import db_facts, insert_base_referrals
from .server import Services


class Harness:
    def __init__(self, cfg: Config) -> None:
        self.cfg = cfg
        self.workdir = Path(tempfile.mkdtemp(prefix="referral-bench-"))
        self.db = Database(self.workdir)
        self.svc = Services(self.db, self.workdir, "bench-admin-" + secrets.token_urlsafe(24))
        self.keys: dict[str, str] = {}
        self.webhooks = False
        self.webhook_note = ""
        self.healthz: dict[tuple[str, int], dict[str, Any]] = {}
        self.results: dict[str, Any] = {}
        self.harness_errors: list[str] = []
        self.tag = secrets.token_hex(4)
        self.probe = CpuProbe()
        self.probe.groups = {"api": self.svc.api_pids, "db": self.db.cpu_pids,
                             "worker": lambda: self.svc.worker_pids() or None}
        self.wrk = Wrk(cfg, self.workdir, self.probe, settle=self.svc.settle)
        self.started = datetime.now(UTC)
        self.stamp = self.started.strftime("%Y%m%dT%H%M%SZ")

    def seed(self) -> None:
        from referral_service.demo import seed_directory

        added = asyncio.run(seed_directory(self.db.url))
        for label, body in (
            ("ombudsman", {"role": "ombudsman", "name": "bench ombudsman"}),
            ("agency", {"role": "agency", "name": "bench agency", "agency_code": BENCH_AGENCY}),
        ):
            r = self.svc.check("POST", "/v1/api-keys", self.svc.admin_key, 201, json=body)
            self.keys[label] = r.json()["key"]
        seconds = asyncio.run(insert_base_referrals(self.db.url, 1, self.cfg.base_rows))
        log(f"seeded: {added} agencies, ombudsman + agency keys, {self.cfg.base_rows:,} referrals in {seconds:.1f} s")

    def run(self) -> int:
        cfg, results = self.cfg, self.results
        machine = machine_info()
        self.db.start()
        self.svc.start_api(1)
        self.seed()
        machine["postgresql"] = asyncio.run(db_facts(self.db.url))["postgresql"]
        machine["database"] = self.db.kind
        results["db_cpu_scope"] = self.db.detect_cpu_scope()
        log(f"PG cpu = {results['db_cpu_scope']}")
        self.svc.start_receiver()
        note = self.svc.subscribe(INTAKE_ENDPOINTS)
        self.webhooks = note is None
        self.webhook_note = note or (f"{INTAKE_ENDPOINTS} endpoints on a local receiver (bench/receiver.py) subscribed to "
                                     "every event during intake; delivery by separate `referral-service worker` processes")
        log(self.webhook_note)

        scenarios.healthz_for(self, scenarios.ONE)
        results["agency_queue"] = scenarios.agency_queue(self)
        results["intake"] = scenarios.intake(self)
        if self.webhooks:
            results["intake_with_worker"] = webhooks.intake_with_worker(self)
            results["paced_latency"] = webhooks.paced_latency(self, results["intake_with_worker"]["rps"])
            self.svc.stop_workers()
        else:
            for key in ("intake_with_worker", "paced_latency", "deliveries"):
                results[key] = {"skipped": self.webhook_note}
        results["forward"] = scenarios.forward(self)
        if self.webhooks:
            results["deliveries"] = webhooks.delivery_throughput(self)
        results["memory"] = scenarios.memory(self)
        if cfg.profile:
            results["profile"] = {
                "intake": profile(self, "intake", "intake", [f"{self.tag}-prof", self.keys["ombudsman"]]),
                "agency_queue": profile(self, "agency_queue", "get", [self.keys["agency"]], path=QUEUE_PATH),
            }
        if cfg.scale:
            results["agency_queue_scale"] = scenarios.scale(self, results["agency_queue"])
        if cfg.scale_out:
            # A failure here (e.g. the second server does not come up) is reported, not fatal:
            # the figures measured so far are still printed and written.
            try:
                results["scale_out"] = scenarios.scale_out(self, results["intake"])
            except HarnessError as exc:
                log(f"scale-out failed: {exc}")
                results["scale_out"] = {"error": str(exc)[:2000]}
                self.harness_errors.append("scale_out")
        results["healthz"] = {f"{k[0]}, c={k[1]}": v for k, v in self.healthz.items()}

        machine["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
        verdicts = judge(results, cfg.quick)
        report = {
            "started": self.started.isoformat(),
            "finished": datetime.now(UTC).isoformat(),
            "mode": "quick" if cfg.quick else "full",
            "config": {k: (str(v) if isinstance(v, Path) else v) for k, v in cfg.__dict__.items()},
            "machine": machine,
            "webhooks": self.webhook_note,
            "results": results,
            "targets": verdicts,
        }
        print_table(report)
        write_report(report, cfg.results_dir, self.stamp)
        if self.harness_errors:
            return 2
        if not cfg.quick and any(v["pass"] is False for v in verdicts):
            return 3
        return 0

    def close(self) -> None:
        self.svc.close()
        self.db.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)


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
        code = harness.run()
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
