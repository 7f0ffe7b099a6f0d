"""The state one benchmark run shares across its scenarios: the database, the services, keys, results."""

from __future__ import annotations

import asyncio
import secrets
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .config import BENCH_AGENCY, Config, log
from .database import Database
from .load import CpuProbe, Wrk
from .seed import insert_base_referrals
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

    def close(self) -> None:
        self.svc.close()
        self.db.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)
