#!/usr/bin/env python3
"""The delivery scenarios of the harness alone, for working on the worker:

    python3 bench/deliveries.py                    # deliveries scenario (3 x 10,000 deliveries to 50 endpoints)
    python3 bench/deliveries.py --runs 1 --deliveries 5000 --profile-worker
    python3 bench/deliveries.py --loop             # + intake with a worker, and commit -> receipt at half of it

The same database, API, receiver, worker processes and scenario code as bench/run.py (harness/webhooks.py),
without the other scenarios. --profile-worker runs py-spy on the worker during the first run of the
deliveries scenario and prints its hot spots (collapsed stacks in the results dir). Prints a summary and
writes `<results dir>/<stamp>-deliveries.json`. Accepts bench/run.py's options (--runs, --duration,
--deliveries, --quick, --results-dir...).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run  # noqa: E402  (bench/run.py: the environment checks)


def _ensure_environment() -> None:
    """As bench/run.py does: this checkout's src/ first, and the project's virtualenv if this interpreter
    lacks the dependencies."""
    import importlib.util
    import os

    run._use_this_checkout()
    if all(importlib.util.find_spec(name) is not None for name in run.NEEDED):
        return
    if not os.environ.get("_BENCH_REEXEC"):
        for python in run._venv_pythons():
            if python.exists() and Path(sys.prefix).resolve() != python.parent.parent.resolve():
                os.environ["_BENCH_REEXEC"] = "1"
                os.execv(str(python), [str(python), str(Path(__file__).resolve()), *sys.argv[1:]])
    sys.exit(f"bench/deliveries.py: the project's dependencies are not importable by {sys.executable}")


def main(argv: list[str]) -> int:
    from harness import webhooks
    from harness.config import INTAKE_ENDPOINTS, log
    from harness.config import parse as parse_config
    from harness.profile import hot_spots
    from harness.context import Harness

    loop = "--loop" in argv
    profile_worker = "--profile-worker" in argv
    argv = [a for a in argv if a not in ("--loop", "--profile-worker")]
    cfg = parse_config(argv, __doc__)
    h = Harness(cfg)
    results: dict = {}
    spy_out = cfg.results_dir / f"{h.stamp}-profile-worker.txt"
    local = Path(sys.executable).parent / "py-spy"
    spy = shutil.which("py-spy") or (str(local) if local.exists() else None)
    if profile_worker and spy is None:
        log("py-spy not found: no worker profile")
        profile_worker = False
    try:
        h.db.start()
        h.svc.start_api(1)
        h.svc.start_receiver()
        if loop:
            h.seed()
            results["db_cpu_scope"] = h.db.detect_cpu_scope()
            note = h.svc.subscribe(INTAKE_ENDPOINTS)
            if note:
                log(note)
                return 2
            results["intake_with_worker"] = webhooks.intake_with_worker(h)
            results["paced_latency"] = webhooks.paced_latency(h, results["intake_with_worker"]["rps"])
            h.svc.stop_workers()
        else:
            results["db_cpu_scope"] = h.db.detect_cpu_scope()
        if profile_worker:
            cfg.results_dir.mkdir(parents=True, exist_ok=True)
            start_workers = h.svc.start_workers
            spies: list[subprocess.Popen] = []

            def start_and_profile(count: int, timeout: float = 30.0) -> None:
                start_workers(count, timeout)
                if not spies:  # the first run only
                    spies.append(subprocess.Popen(
                        [spy, "record", "--pid", str(h.svc.worker_pids()[0]), "--rate", "250", "--format", "raw",
                         "--nonblocking", "--output", str(spy_out)],
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))

            h.svc.start_workers = start_and_profile  # type: ignore[method-assign]
        results["deliveries"] = webhooks.delivery_throughput(h)
        if profile_worker:
            for proc in spies:
                proc.wait(60)
    finally:
        h.close()
    cfg.results_dir.mkdir(parents=True, exist_ok=True)
    out = cfg.results_dir / f"{h.stamp}-deliveries.json"
    out.write_text(json.dumps(results, indent=2, default=str) + "\n")
    d = results["deliveries"]
    print(f"\nPG cpu = {results['db_cpu_scope']}")
    for i, r in enumerate(d["runs"], 1):
        print(f"run {i}: {r['received']:,}/{r['queued']:,} received, {r['deliveries_per_s']} deliveries/s, "
              f"worker {r.get('worker_cpu_ms_per_delivery')} ms + PG {r.get('db_cpu_ms_per_delivery')} ms CPU per delivery, "
              f"first receipt {r['first_receipt_after_commit_ms']} ms after commit, order violations {r['order_violations']}, "
              f"attempts {r['attempts']:,}, not delivered {r['not_delivered']}")
    idle = d["idle_latency"]
    print(f"deliveries: median {d['deliveries_per_s']}/s; worker {d['worker_cpu_ms_per_delivery']} ms + PG "
          f"{d['db_cpu_ms_per_delivery']} ms CPU per delivery; idle commit -> receipt p50 {idle['p50_ms']} ms, "
          f"p99 {idle['p99_ms']} ms ({idle['samples']} samples)")
    if loop:
        w, p = results["intake_with_worker"], results["paced_latency"]
        print(f"intake + 1 worker: {w['rps']:,.0f} intakes/s; webhooks p50 {w['webhook']['p50_ms']} ms, p99 "
              f"{w['webhook']['p99_ms']} ms, delivered {w['webhook']['delivered']:,}/{w['webhook']['expected']:,}; CPU per intake "
              f"API {w.get('api_cpu_ms_per_request')} + worker {w.get('worker_cpu_ms_per_request')} + PG {w.get('db_cpu_ms_per_request')} ms")
        print(f"commit -> receipt at {p['achieved_intakes_per_s']}/s (asked {p['target_intakes_per_s']}/s): p50 {p['p50_ms']} ms, "
              f"p99 {p['p99_ms']} ms, max {p['max_ms']} ms; delivered {p['delivered']:,}/{p['expected']:,}")
    if profile_worker and spy_out.exists():
        spots = hot_spots(spy_out, top=25)
        print(f"\nworker profile ({spots['samples']} samples, {spy_out}); own time:")
        print("\n".join(f"  {share:5.1f} %  {fn}" for fn, share in spots["self_top"]))
        print("  inclusive:")
        print("\n".join(f"  {share:5.1f} %  {fn}" for fn, share in spots["inclusive_top"]))
    print(f"results: {out}")
    return 0


if __name__ == "__main__":
    _ensure_environment()
    sys.exit(main(sys.argv[1:]))
