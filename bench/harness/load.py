"""wrk as the load generator, its result parsing, and CPU / RSS sampling from /proc."""

from __future__ import annotations

import json
import os
import shutil
import signal
import statistics
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

from .config import BENCH, Config, HarnessError, MiB, log

CLK_TCK = os.sysconf("SC_CLK_TCK")
# CPU seconds per process, keyed by (pid, start time) so that a reused pid is a different process.
Snapshot = dict[str, dict[tuple[int, int], float]]


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


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def pct(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


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


def proc_cpu(pid: int) -> tuple[tuple[int, int], float] | None:
    """((pid, start time), user + system CPU seconds) from /proc/<pid>/stat; None once it has gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read()
    except OSError:
        return None
    fields = data[data.rindex(b")") + 2:].split()  # fields[0] is field 3 (state) of proc(5)
    return (pid, int(fields[19])), (int(fields[11]) + int(fields[12])) / CLK_TCK


class CpuProbe:
    """CPU seconds used by groups of processes ("api", "db", "worker"): each group is a function that
    returns the pids to count at that moment (None: not measurable). Between two snapshots a process
    that appeared counts from zero (it started in between: its whole life is in the interval) and a
    process that exited is missed (its last stretch was never read)."""

    def __init__(self) -> None:
        self.groups: dict[str, Callable[[], list[int] | None]] = {}

    def snapshot(self) -> Snapshot:
        out: Snapshot = {}
        for name, pids_of in self.groups.items():
            pids = pids_of()
            if pids is None:
                continue
            seen = out[name] = {}
            for pid in pids:
                got = proc_cpu(pid)
                if got is not None:
                    seen[got[0]] = got[1]
        return out

    @staticmethod
    def seconds(before: Snapshot, after: Snapshot) -> dict[str, float]:
        return {
            name: sum(v - before[name].get(key, 0.0) for key, v in procs.items())
            for name, procs in after.items() if name in before
        }


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
    counted: int = 0  # what the script counted itself (the paced intake: intakes, not the openers)
    mem: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)  # "<group>_cpu_ms_per_request"
    cpu_before: Snapshot = field(default_factory=dict, repr=False)

    def as_dict(self) -> dict[str, Any]:
        out = self.__dict__.copy()
        out.pop("cpu_before")
        return out


class Wrk:
    def __init__(self, cfg: Config, workdir: Path, probe: CpuProbe, settle: Callable[[], None] | None = None) -> None:
        self.cfg = cfg
        self.workdir = workdir
        self.binary = ensure_wrk()
        self.probe = probe
        self.settle = settle  # called before every run: waits until the server has worked off earlier load
        self._scripts: dict[str, Path] = {}
        self._markers = 0

    def script(self, name: str) -> Path:
        if name not in self._scripts:
            path = self.workdir / f"wrk-{name}.lua"
            path.write_text((BENCH / "lua" / "common.lua").read_text() + "\n" + (BENCH / "lua" / f"{name}.lua").read_text())
            self._scripts[name] = path
        return self._scripts[name]

    def run(
        self, base_url: str, script: str, args: list[str], *, path: str = "/", duration: float | None = None,
        connections: int | None = None, stop_when_exhausted: bool = False, pids: list[int] | None = None,
        during: Callable[[], Callable[[], None]] | None = None,
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
        before = self.probe.snapshot()
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
        after = self.probe.snapshot()
        if side is not None:
            side()
        line = next((x for x in out.splitlines() if x.startswith("WRKJSON ")), None)
        if proc.returncode not in (0, None) or line is None:
            raise HarnessError(f"wrk failed (rc={proc.returncode}): {err.strip() or out.strip()}")
        data = json.loads(line[len("WRKJSON "):])
        seconds = data["duration_us"] / 1e6
        detail = {k[4:]: data[k] for k in ("err_connect", "err_read", "err_write", "err_status", "err_timeout") if data[k]}
        cpu = {f"{group}_cpu_ms_per_request": round(1000 * used / data["requests"], 3)
               for group, used in CpuProbe.seconds(before, after).items() if data["requests"]}
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
            counted=data.get("counted", 0),
            mem=mem_of(pids or []),
            cpu=cpu,
            cpu_before=before,
        )


def summarize(runs: list[WrkResult]) -> dict[str, Any]:
    """Medians over runs (throughput, latency percentiles, CPU per request); errors and requests summed."""
    groups = sorted({key for r in runs for key in r.cpu})
    out: dict[str, Any] = {
        "rps": round(median([r.rps for r in runs]), 1),
        "p50_ms": round(median([r.p50_ms for r in runs]), 2),
        "p99_ms": round(median([r.p99_ms for r in runs]), 2),
        "errors": sum(r.errors for r in runs),
        "requests": sum(r.requests for r in runs),
        "peak_rss_mib": max((r.mem.get("peak_rss_mib", 0) for r in runs), default=0),
        "api_cpu_ms_per_request": None,
        "db_cpu_ms_per_request": None,
    }
    for key in groups:
        values = [r.cpu[key] for r in runs if key in r.cpu]
        out[key] = round(median(values), 3) if values else None
    out["runs"] = [r.as_dict() for r in runs]
    return out
