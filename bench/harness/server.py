"""The processes the harness starts: the API, delivery workers, the webhook receiver.

Every `referral-service` command runs under the interpreter that runs the harness (what the console
script does: import referral_service.cli and call main), with this checkout's src/ first on
PYTHONPATH (see bench/run.py), so the code measured is the code next to the harness whichever
virtualenv provides the dependencies.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import psutil

from .config import BENCH, HOST, HarnessError, log
from .database import Database
from .seed import listeners

SERVICE = [sys.executable, "-c", "import sys; from referral_service.cli import main; sys.exit(main())"]
NOTIFY_CHANNEL = "webhook_deliveries"  # referral_service.events.outbox.NOTIFY_CHANNEL


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Proc:
    """A child process we started (own session, so we can stop it and only it)."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], cwd: Path, logdir: Path, stdout_pipe: bool = False):
        self.name = name
        self.log_path = logdir / f"{name}.log"
        self._log = open(self.log_path, "wb")
        self.popen = subprocess.Popen(
            argv, env=env, cwd=cwd, stdout=subprocess.PIPE if stdout_pipe else self._log, stderr=self._log,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self, timeout: float = 15.0) -> None:
        if self.popen.poll() is None:
            try:
                os.killpg(self.popen.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.popen.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.popen.wait(5)
        self._log.close()

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


class Services:
    """The API (one or more uvicorn processes), the delivery workers and the receiver of one run."""

    def __init__(self, db: Database, workdir: Path, admin_key: str) -> None:
        self.db = db
        self.workdir = workdir
        self.admin_key = admin_key
        self.procs: list[Proc] = []
        self.server: Proc | None = None
        self.api_processes = 0
        self.workers: list[Proc] = []
        self.receiver: Proc | None = None
        self.receiver_port = 0
        self.base_url = ""
        self.endpoint_ids: list[str] = []

    # -- processes ------------------------------------------------------------------------------
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("REFERRAL_") and k != "_BENCH_REEXEC"}
        env.update(
            DATABASE_URL=self.db.url,
            REFERRAL_ADMIN_KEY=self.admin_key,
            REFERRAL_WEBHOOK_ALLOW_HTTP="true",
            REFERRAL_WEBHOOK_ALLOWED_NETWORKS="127.0.0.0/8",
            # wrk drives one key at thousands of requests a second: limits out of its reach, but with the
            # lease batch of the defaults (30 tokens), so the rate limiter's cost is measured as it runs.
            **{f"REFERRAL_RATE_LIMIT_{kind}_PER_MINUTE": "1000000000" for kind in ("ADMIN", "OMBUDSMAN", "AGENCY", "ADDRESS", "INBOUND")},
            REFERRAL_RATE_LIMIT_LEASE_FRACTION="3e-8",
        )
        # Knobs of the worker (REFERRAL_WEBHOOK_CONCURRENCY...) may be given to the harness.
        env.update({k: v for k, v in os.environ.items() if k.startswith("REFERRAL_WEBHOOK_") and k not in env})
        return env

    def spawn(self, name: str, argv: list[str], stdout_pipe: bool = False) -> Proc:
        proc = Proc(name, argv, self.env(), self.workdir, self.workdir, stdout_pipe)
        self.procs.append(proc)
        return proc

    def stop_proc(self, proc: Proc | None) -> None:
        if proc is not None:
            proc.stop()
            if proc in self.procs:
                self.procs.remove(proc)

    def close(self) -> None:
        for proc in reversed(self.procs):
            proc.stop()
        self.procs.clear()

    # -- the API ----------------------------------------------------------------------------------
    def start_api(self, processes: int = 1) -> None:
        """`referral-service serve` (migrates at start; no background jobs in-process, DATABASE_URL is set)."""
        port = free_port()
        self.base_url = f"http://{HOST}:{port}"
        self.api_processes = processes
        self.server = self.spawn(
            f"server-{processes}p",
            [*SERVICE, "serve", "--host", HOST, "--port", str(port), "--log-level", "warning", "--workers", str(processes)],
        )
        self.wait_ready(self.server)

    def stop_api(self) -> None:
        self.stop_proc(self.server)
        self.server = None

    def wait_ready(self, proc: Proc, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        last = ""
        while time.monotonic() < deadline:
            if not proc.alive():
                raise HarnessError(f"{proc.name} exited during start-up:\n{proc.tail()}")
            try:
                r = httpx.get(self.base_url + "/readyz", timeout=2)
                if r.status_code == 200 and len(self.api_pids()) >= self.api_processes:
                    return
                last = f"/readyz -> {r.status_code} {r.text[:300]}"
            except httpx.HTTPError as exc:
                last = repr(exc)
            time.sleep(0.2)
        raise HarnessError(f"{proc.name} not ready after {timeout:.0f} s ({last}):\n{proc.tail()}")

    def api_pids(self) -> list[int]:
        """The process(es) serving requests: the server itself, or its uvicorn worker processes."""
        if self.server is None:
            return []
        if self.api_processes == 1:
            return [self.server.pid]
        try:
            children = psutil.Process(self.server.pid).children()
        except psutil.Error:
            return []
        return [c.pid for c in children if "resource_tracker" not in " ".join(_cmdline(c))]

    def settle(self, timeout: float = 30.0) -> None:
        """Wait until the API processes are (nearly) idle: requests a previous wrk run left queued in
        the server would otherwise be served during the next run and count against it."""
        try:
            procs = [psutil.Process(pid) for pid in self.api_pids()]
            for proc in procs:
                proc.cpu_percent(None)
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                time.sleep(0.3)
                if sum(proc.cpu_percent(None) for proc in procs) < 15.0:
                    return
            log("server still busy before the next run (continuing)")
        except psutil.Error:
            pass

    # -- delivery workers ---------------------------------------------------------------------------
    def start_workers(self, count: int, timeout: float = 30.0) -> None:
        """`referral-service worker` processes; returns once each LISTENs for new deliveries."""
        if count <= 0:
            return
        before = asyncio.run(listeners(self.db.url, NOTIFY_CHANNEL))
        for _ in range(count):
            self.workers.append(self.spawn(f"worker-{len(self.workers) + 1}", [*SERVICE, "worker"]))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for w in self.workers:
                if not w.alive():
                    raise HarnessError(f"{w.name} exited:\n{w.tail()}")
            if asyncio.run(listeners(self.db.url, NOTIFY_CHANNEL)) >= before + count:
                return
            time.sleep(0.2)
        log(f"delivery worker(s) not listening after {timeout:.0f} s (continuing; they poll)")

    def stop_workers(self) -> None:
        for w in self.workers:
            self.stop_proc(w)
        self.workers = []

    def worker_pids(self) -> list[int]:
        return [w.pid for w in self.workers if w.alive()]

    # -- requests ------------------------------------------------------------------------------------
    def api(self, method: str, path: str, key: str, **kw) -> httpx.Response:
        headers = {"Authorization": f"Bearer {key}", **kw.pop("headers", {})}
        return httpx.request(method, self.base_url + path, headers=headers, timeout=30, **kw)

    def check(self, method: str, path: str, key: str, expect: int, **kw) -> httpx.Response:
        r = self.api(method, path, key, **kw)
        if r.status_code != expect:
            raise HarnessError(f"{method} {path} -> {r.status_code} (expected {expect}): {r.text[:500]}")
        return r

    # -- the receiver and subscriptions -------------------------------------------------------------
    def start_receiver(self) -> None:
        self.receiver = self.spawn("receiver", [sys.executable, str(BENCH / "receiver.py")], stdout_pipe=True)
        line = self.receiver.popen.stdout.readline().decode().strip()
        if not line.startswith("PORT "):
            raise HarnessError(f"webhook receiver did not start: {line!r}\n{self.receiver.tail()}")
        self.receiver_port = int(line.split()[1])

    def receiver_call(self, path: str) -> dict[str, Any]:
        method = "POST" if path == "/_reset" else "GET"
        return httpx.request(method, f"http://{HOST}:{self.receiver_port}{path}", timeout=60).json()

    def subscribe(self, count: int, prefix: str = "hook") -> str | None:
        """`count` endpoints on the receiver (paths /<prefix>/1..count), created through the API with the
        admin key. Returns None, or why webhooks are not available."""
        for n in range(1, count + 1):
            url = f"http://{HOST}:{self.receiver_port}/{prefix}/{n}"
            r = self.api("POST", "/v1/webhook-endpoints", self.admin_key, json={"url": url})
            if r.status_code in (404, 405):
                return f"webhooks not available (POST /v1/webhook-endpoints -> {r.status_code})"
            if r.status_code not in (200, 201):
                raise HarnessError(f"POST /v1/webhook-endpoints -> {r.status_code}: {r.text[:300]}")
            self.endpoint_ids.append(r.json()["id"])
        return None

    def unsubscribe(self) -> None:
        """Delete our endpoints; their undelivered backlog goes with them (ON DELETE CASCADE). Stop the
        workers first: a worker holds row locks on the deliveries it is sending."""
        for endpoint_id in self.endpoint_ids:
            r = self.api("DELETE", f"/v1/webhook-endpoints/{endpoint_id}", self.admin_key)
            if r.status_code not in (204, 404):
                raise HarnessError(f"DELETE /v1/webhook-endpoints/{endpoint_id} -> {r.status_code}: {r.text[:300]}")
        self.endpoint_ids = []

    def resubscribe(self, workers: int, count: int) -> None:
        """Fresh endpoints with an empty backlog, then `workers` delivery workers, and a reset receiver:
        a measured run is not delayed by deliveries queued by earlier runs or scenarios."""
        self.stop_workers()
        self.settle()
        self.unsubscribe()
        self.subscribe(count)
        self.receiver_call("/_reset")
        self.start_workers(workers)


def _cmdline(proc: psutil.Process) -> list[str]:
    try:
        return proc.cmdline() or []
    except psutil.Error:
        return []
