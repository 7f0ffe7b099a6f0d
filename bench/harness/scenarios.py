"""API scenarios: /healthz (the yardstick), agency queue, intake, forward, memory, scale, scale-out.

Each takes the running Harness (runner.py) and returns the figures of its part of the JSON record.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any

from .config import INTAKE_ENDPOINTS, QUEUE_PATH, log
from .load import WrkResult, mem_of, summarize
from .seed import db_facts, insert_base_referrals, insert_forwardable

if TYPE_CHECKING:
    from .context import Harness

ONE = "1 process"


# -- helpers -------------------------------------------------------------------------------------------


def measure(h: Harness, label: str, script: str, args: list[str], runs: int | None = None, **kw) -> list[WrkResult]:
    out = []
    for i in range(runs or h.cfg.runs):
        result = h.wrk.run(h.svc.base_url, script, args, pids=h.svc.api_pids(), **kw)
        log(f"{label} run {i + 1}: {result.rps:,.0f} req/s, p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms, "
            f"errors {result.errors}{' ' + str(result.error_detail) if result.errors else ''}"
            f"{' (ids exhausted: run ended early)' if result.exhausted else ''}")
        out.append(result)
    return out


def warm_up(h: Harness, script: str, args: list[str], path: str = "/", **kw) -> None:
    """An unrecorded run first: opens the DB pool, fills the statement caches, imports lazily."""
    h.wrk.run(h.svc.base_url, script, args, path=path, duration=h.cfg.warmup, **kw)


def healthz_for(h: Harness, server_label: str) -> dict[str, Any]:
    """GET /healthz on the same server at the same connection count: what every ratio divides by."""
    key = (server_label, h.cfg.connections)
    if key not in h.healthz:
        if not h.cfg.quick:
            warm_up(h, "get", [""], path="/healthz")
        runs = measure(h, f"healthz[{server_label}]", "get", [""], path="/healthz")
        h.healthz[key] = summarize(runs)
    return h.healthz[key]


def with_ratio(h: Harness, summary: dict[str, Any], server_label: str = ONE) -> dict[str, Any]:
    base = healthz_for(h, server_label)
    summary["connections"] = h.cfg.connections
    summary["healthz_rps"] = base["rps"]
    summary["ratio_to_healthz"] = round(summary["rps"] / base["rps"], 3) if base["rps"] else None
    if summary["requests"] == 0:
        log("WARNING: no request completed in the measured runs (server overloaded or broken?)")
    return summary


def check_intake(h: Harness, name: str) -> None:
    h.svc.check(
        "POST", "/v1/complaints", h.keys["ombudsman"], 201, headers={"Idempotency-Key": f"check-{h.tag}-{name}"},
        json={"channel": "web", "complainant": {"name": "Budi"}, "subject": "cek", "description": "cek",
              "category": "other", "region_code": "64.72"},
    )


# -- scenarios ---------------------------------------------------------------------------------------


def agency_queue(h: Harness, name: str = "agency_queue") -> dict[str, Any]:
    """GET /v1/referrals?state=forwarded&limit=20 with the agency key."""
    r = h.svc.check("GET", QUEUE_PATH, h.keys["agency"], 200)
    items = len(r.json()["items"])
    warm_up(h, "get", [h.keys["agency"]], path=QUEUE_PATH)
    runs = measure(h, name, "get", [h.keys["agency"]], path=QUEUE_PATH)
    summary = with_ratio(h, summarize(runs))
    summary["db"] = asyncio.run(db_facts(h.db.url))
    summary["page_items"] = items
    return summary


def intake(h: Harness, name: str = "intake", server_label: str = ONE) -> dict[str, Any]:
    """POST /v1/complaints with a fresh Idempotency-Key, two webhook subscriptions, no delivery worker
    running (the deliveries it queues stay pending: the worker's cost is not in these figures)."""
    if h.webhooks:
        h.svc.resubscribe(0, INTAKE_ENDPOINTS)
    check_intake(h, name)
    warm_up(h, "intake", [f"{h.tag}-{name}-warm", h.keys["ombudsman"]])
    runs = []
    for i in range(h.cfg.runs):
        runs += measure(h, name, "intake", [f"{h.tag}-{name}-{i}", h.keys["ombudsman"]], runs=1)
    summary = with_ratio(h, summarize(runs), server_label)
    summary["subscriptions"] = INTAKE_ENDPOINTS if h.webhooks else 0
    summary["delivery_workers"] = 0
    return summary


def forward(h: Harness) -> dict[str, Any]:
    """POST /v1/referrals/{id}/forward, each id once (no delivery worker running)."""
    started = time.perf_counter()
    ids = asyncio.run(insert_forwardable(h.db.url, h.cfg.forward_rows))
    log(f"forward: {len(ids):,} received referrals inserted in {time.perf_counter() - started:.1f} s")
    h.svc.check("POST", f"/v1/referrals/{ids[0]}/forward", h.keys["ombudsman"], 200, json={})
    threads = str(min(h.cfg.threads, h.cfg.connections))
    warm = max(200, len(ids) // 50)
    warm_file = h.workdir / "forward-ids-warm.txt"
    warm_file.write_text("\n".join(ids[1:warm]) + "\n")
    warm_up(h, "forward", [str(warm_file), threads, h.keys["ombudsman"]], stop_when_exhausted=True)
    ids = ids[warm:]
    chunk = len(ids) // h.cfg.runs
    runs = []
    for i in range(h.cfg.runs):
        path = h.workdir / f"forward-ids-{i}.txt"
        path.write_text("\n".join(ids[i * chunk:(i + 1) * chunk]) + "\n")
        runs += measure(h, "forward", "forward", [str(path), threads, h.keys["ombudsman"]], runs=1,
                        stop_when_exhausted=True)
    summary = with_ratio(h, summarize(runs))
    summary["ids_per_run"] = chunk
    summary["ids_exhausted"] = any(r.exhausted for r in runs)
    return summary


def memory(h: Harness) -> dict[str, Any]:
    """A fixed number of mixed requests (healthz : queue : intake = 2 : 1 : 1) in two phases, the first
    20 % as warm-up; RSS of the API process after each."""
    threads = min(h.cfg.threads, h.cfg.connections)
    phases = []
    done = 0
    for target in (h.cfg.mem_warmup, h.cfg.mem_total):
        per_thread = max(1, (target - done) // threads)
        result = h.wrk.run(
            h.svc.base_url, "mixed", [f"{h.tag}-mem{target}", h.keys["ombudsman"], h.keys["agency"], str(per_thread)],
            duration=h.cfg.mem_phase_cap, stop_when_exhausted=True, pids=h.svc.api_pids(),
        )
        if not result.exhausted:
            log(f"memory: phase capped at {h.cfg.mem_phase_cap:.0f} s before its {target:,} requests")
        done += result.requests
        mem = mem_of(h.svc.api_pids())
        phases.append({"after_requests": done, **mem, "rps": round(result.rps, 1), "errors": result.errors,
                       "p99_ms": result.p99_ms})
        log(f"memory: after {done:,} requests RSS {mem['rss_mib']} MiB (peak {mem['peak_rss_mib']} MiB), "
            f"{result.rps:,.0f} req/s, errors {result.errors}")
    warm, end = phases
    growth = (end["rss_mib"] - warm["rss_mib"]) / warm["rss_mib"] if warm["rss_mib"] else None
    return {"phases": phases, "requests": done, "rss_mib": end["rss_mib"], "peak_rss_mib": end["peak_rss_mib"],
            "growth_after_warmup": round(growth, 3) if growth is not None else None,
            "errors": sum(p["errors"] for p in phases)}


def scale(h: Harness, base: dict[str, Any]) -> dict[str, Any]:
    """The agency queue again once the table holds --scale-rows referrals."""
    facts = asyncio.run(db_facts(h.db.url))
    missing = h.cfg.scale_rows - facts["referrals"]
    if missing > 0:
        log(f"scale: inserting {missing:,} referrals (to {h.cfg.scale_rows:,}) with generate_series...")
        seconds = asyncio.run(insert_base_referrals(h.db.url, 1, missing, prefix="BENCHS-"))
        log(f"scale: inserted in {seconds:.0f} s (ANALYZE included)")
    big = agency_queue(h, "agency_queue@scale")
    big["p50_vs_base"] = round(big["p50_ms"] / base["p50_ms"], 2) if base["p50_ms"] else None
    return big


def scale_out(h: Harness, one_process_intake: dict[str, Any]) -> dict[str, Any]:
    """`serve --workers 2`: /healthz and intake (no delivery worker) again. Report only: on a machine with
    few cores this measures oversubscription as much as the design's scaling."""
    h.svc.stop_workers()
    h.svc.stop_api()
    h.svc.start_api(2)
    label = "2 processes"
    healthz_for(h, label)
    out = intake(h, "intake_2p", label)
    one = one_process_intake["rps"]
    out["vs_one_process"] = round(out["rps"] / one, 2) if one else None
    one_h = h.healthz[(ONE, h.cfg.connections)]["rps"]
    out["healthz_vs_one_process"] = round(h.healthz[(label, h.cfg.connections)]["rps"] / one_h, 2) if one_h else None
    return out
