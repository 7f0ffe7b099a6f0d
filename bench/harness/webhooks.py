"""Webhook scenarios: intake with a delivery worker beside it (the whole loop on one machine), commit ->
receipt latency at half the loop's maximum intake rate, and one worker's deliveries per second.

Latency is receiver arrival time - the event time in the payload (`timestamp`: PostgreSQL's now(),
the start of the transaction that recorded the event). Each measured run gets freshly created
endpoints and a reset receiver, so every delivery they see belongs to that run.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import Counter
from typing import TYPE_CHECKING, Any

from .config import DELIVERY_ENDPOINTS, INTAKE_ENDPOINTS, PACED_SHARE, log
from .load import CpuProbe, median, pct, summarize
from .scenarios import check_intake, measure, warm_up, with_ratio
from .seed import (
    clear_deliveries,
    count_deliveries,
    delivery_facts,
    queue_backlog,
    queue_one,
)
from .server import NOTIFY_CHANNEL

if TYPE_CHECKING:
    from .context import Harness


def collect(h: Harness) -> dict[str, Any]:
    """After a run on freshly created endpoints (so every delivery they have is the run's): wait until the
    API is idle (every request answered or abandoned has committed), count the run's deliveries in the
    outbox, then wait for the receiver to have them all (up to the drain timeout; less once nothing
    arrived for 5 s) and compute their latencies."""
    h.svc.settle()
    expected = asyncio.run(count_deliveries(h.db.url, h.svc.endpoint_ids))
    started = time.monotonic()
    deadline = started + h.cfg.drain_timeout
    last, since = -1, time.monotonic()
    while time.monotonic() < deadline:
        count = h.svc.receiver_call("/_count")["count"]
        if count >= expected:
            break
        if count != last:
            last, since = count, time.monotonic()
        elif time.monotonic() - since > 5:
            break
        time.sleep(0.25)
    samples = [x for x in h.svc.receiver_call("/_stats")["samples"] if x[1] is not None]
    latencies = [(a - ts) * 1000 for a, ts, _, _ in samples]
    ids = Counter((path, wid) for _, _, path, wid in samples if wid)
    return {
        "deliveries": len(samples),
        "expected": expected,
        "waited_s": round(time.monotonic() - started, 1),
        "all_delivered": len(samples) >= expected,
        "duplicates": sum(n - 1 for n in ids.values() if n > 1),
        "p50_ms": round(pct(latencies, 50), 1) if latencies else None,
        "p99_ms": round(pct(latencies, 99), 1) if latencies else None,
        "max_ms": round(max(latencies), 1) if latencies else None,
        "_latencies": latencies,
    }


def _pooled(hooks: list[dict[str, Any]], drain_timeout: float) -> dict[str, Any]:
    """Percentiles over every delivery of every run (not medians of per-run percentiles). Deliveries
    still missing after the drain count as the slowest ones (their latency exceeds the drain time), so
    a percentile that falls among them is None rather than an underestimate."""
    latencies = sorted(x for hk in hooks for x in hk.pop("_latencies"))
    missing = sum(max(0, hk["expected"] - hk["deliveries"]) for hk in hooks)
    padded = latencies + [math.inf] * missing

    def p(q: float) -> float | None:
        value = pct(padded, q)
        return round(value, 1) if padded and value != math.inf else None

    return {
        "p50_ms": p(50),
        "p99_ms": p(99),
        "max_ms": round(latencies[-1], 1) if latencies and not missing else None,
        "p99_ms_delivered_only": round(pct(latencies, 99), 1) if latencies else None,
        "delivered": sum(hk["deliveries"] for hk in hooks),
        "expected": sum(hk["expected"] for hk in hooks),
        "missing": missing,
        "duplicates": sum(hk["duplicates"] for hk in hooks),
        "drain_timeout_s": drain_timeout,
        "runs": hooks,
    }


def intake_with_worker(h: Harness) -> dict[str, Any]:
    """Intake as in `intake`, with one `referral-service worker` delivering to the two subscriptions at the
    same time. CPU per request: API, worker and PostgreSQL from the run's start until its deliveries
    arrived (or the drain timeout), divided by the intakes."""
    check_intake(h, "loop")
    h.svc.resubscribe(1, INTAKE_ENDPOINTS)
    warm_up(h, "intake", [f"{h.tag}-loop-warm", h.keys["ombudsman"]])
    runs, hooks, loop_cpu = [], [], []
    for i in range(h.cfg.runs):
        h.svc.resubscribe(1, INTAKE_ENDPOINTS)  # drops the backlog of the warm-up or the previous run
        result = measure(h, "intake + worker", "intake", [f"{h.tag}-loop-{i}", h.keys["ombudsman"]], runs=1)[0]
        hook = collect(h)
        used = CpuProbe.seconds(result.cpu_before, h.probe.snapshot())
        loop_cpu.append({g: 1000 * s / result.requests for g, s in used.items()} if result.requests else {})
        log(f"  webhooks: {hook['deliveries']:,}/{hook['expected']:,} delivered (waited {hook['waited_s']} s after the run), "
            f"p50 {hook['p50_ms']} ms, p99 {hook['p99_ms']} ms")
        runs.append(result)
        hooks.append(hook)
    summary = with_ratio(h, summarize(runs))
    for group in sorted({g for c in loop_cpu for g in c}):
        summary[f"{group}_cpu_ms_per_request"] = round(median([c[group] for c in loop_cpu if group in c]), 3)
    parts = [summary.get(f"{g}_cpu_ms_per_request") for g in ("api", "worker", "db")]
    summary["total_cpu_ms_per_request"] = round(sum(parts), 3) if all(p is not None for p in parts) else None
    summary["cpu_window"] = "from the run's start until its deliveries arrived (or the drain timeout)"
    summary["subscriptions"] = INTAKE_ENDPOINTS
    summary["delivery_workers"] = 1
    summary["webhook"] = _pooled(hooks, h.cfg.drain_timeout)
    return summary


def paced_latency(h: Harness, max_rps: float) -> dict[str, Any]:
    """Commit -> receipt with one worker while intake runs at PACED_SHARE of `max_rps` (paced by the Lua
    script's delay(); wrk has no rate option)."""
    rate = max(1.0, PACED_SHARE * max_rps)
    threads = min(h.cfg.threads, h.cfg.connections)
    # Enough connections to hold the rate up to 200 ms of latency; fewer means a smaller opening burst.
    per_thread = max(1, min(h.cfg.connections // threads, math.ceil(rate * 0.2 / threads)))
    conns = per_thread * threads
    log(f"paced intake: {rate:,.1f} intakes/s ({PACED_SHARE:g} x {max_rps:,.1f}) on {conns} connections")
    runs, hooks = [], []
    for i in range(h.cfg.runs):
        h.svc.resubscribe(1, INTAKE_ENDPOINTS)
        result = h.wrk.run(h.svc.base_url, "paced_intake",
                           [f"{h.tag}-paced-{i}", h.keys["ombudsman"], f"{rate / threads:.4f}", str(per_thread)],
                           connections=conns, pids=h.svc.api_pids())
        achieved = result.counted / result.seconds if result.seconds else 0.0
        hook = collect(h)
        hook.update(intakes=result.counted, intakes_per_s=round(achieved, 1), errors=result.errors,
                    intake_p50_ms=result.p50_ms, intake_p99_ms=result.p99_ms)
        log(f"paced run {i + 1}: {achieved:,.1f} intakes/s, errors {result.errors}; webhooks {hook['deliveries']:,}/"
            f"{hook['expected']:,}, p50 {hook['p50_ms']} ms, p99 {hook['p99_ms']} ms")
        runs.append(result)
        hooks.append(hook)
    out = _pooled(hooks, h.cfg.drain_timeout)
    achieved = median([hk["intakes_per_s"] for hk in hooks])
    out.update(
        target_intakes_per_s=round(rate, 1), achieved_intakes_per_s=round(achieved, 1),
        pace_held=achieved >= 0.9 * rate, max_intake_rps=max_rps, share=PACED_SHARE, connections=conns,
        delivery_workers=1, subscriptions=INTAKE_ENDPOINTS, errors=sum(r.errors for r in runs),
    )
    if not out["pace_held"]:
        log(f"paced intake reached {achieved:,.1f}/s of the {rate:,.1f}/s asked (server too slow at this moment)")
    return out


def _wait_count(h: Harness, expected: int, deadline: float) -> int:
    count = 0
    while time.time() < deadline:
        count = h.svc.receiver_call("/_count")["count"]
        if count >= expected:
            break
        time.sleep(0.2)
    return count


def delivery_throughput(h: Harness) -> dict[str, Any]:
    """One worker, DELIVERY_ENDPOINTS endpoints (paths of one local keep-alive receiver): a backlog of
    --deliveries deliveries queued in one transaction while the worker idles; deliveries/s over the
    receiver's arrivals (first to last), CPU per delivery of the worker and PostgreSQL; then the idle
    commit -> receipt latency of single deliveries."""
    cfg, svc, url = h.cfg, h.svc, h.db.url
    svc.stop_workers()
    svc.unsubscribe()
    svc.subscribe(DELIVERY_ENDPOINTS, prefix="hook/ep")
    messages = max(1, cfg.deliveries // DELIVERY_ENDPOINTS)
    expected = messages * DELIVERY_ENDPOINTS
    runs = []
    for i in range(cfg.runs):
        asyncio.run(clear_deliveries(url))
        svc.receiver_call("/_reset")
        svc.start_workers(1)
        before = h.probe.snapshot()
        queued = asyncio.run(queue_backlog(url, svc.endpoint_ids, messages, NOTIFY_CHANNEL))
        count = _wait_count(h, expected, queued["committed"] + cfg.delivery_timeout)
        used = CpuProbe.seconds(before, h.probe.snapshot())
        arrivals = sorted(s[0] for s in svc.receiver_call("/_stats")["samples"])
        svc.stop_workers()  # lets it record what it sent
        facts = asyncio.run(delivery_facts(url))
        span = arrivals[-1] - arrivals[0] if len(arrivals) > 1 else 0.0
        run = {
            "queued": expected, "received": len(arrivals), "complete": max(count, len(arrivals)) >= expected,
            "deliveries_per_s": round((len(arrivals) - 1) / span, 1) if span else None,
            "first_receipt_after_commit_ms": round((arrivals[0] - queued["committed"]) * 1000, 1) if arrivals else None,
            "seconds_commit_to_last": round(arrivals[-1] - queued["committed"], 2) if arrivals else None,
            "ordering_keys": queued["ordering_keys"],
            **{f"{g}_cpu_ms_per_delivery": round(1000 * s / len(arrivals), 3) for g, s in used.items() if arrivals and g != "api"},
            **facts,
        }
        log(f"deliveries run {i + 1}: {run['received']:,}/{expected:,} received, {run['deliveries_per_s']} deliveries/s, "
            f"order violations {facts['order_violations']}, attempts {facts['attempts']:,}")
        runs.append(run)
    idle = idle_latency(h)
    svc.stop_workers()
    asyncio.run(clear_deliveries(url))
    svc.unsubscribe()

    def med(key: str) -> float | None:
        values = [r[key] for r in runs if r.get(key) is not None]
        return round(median(values), 3) if values else None

    return {
        "endpoints": DELIVERY_ENDPOINTS, "workers": 1, "deliveries_per_run": expected, "messages_per_run": messages,
        "deliveries_per_s": med("deliveries_per_s"), "complete": all(r["complete"] for r in runs),
        "worker_cpu_ms_per_delivery": med("worker_cpu_ms_per_delivery"),
        "db_cpu_ms_per_delivery": med("db_cpu_ms_per_delivery"),
        "order_violations": sum(r["order_violations"] for r in runs),
        "timeout_s": cfg.delivery_timeout, "runs": runs, "idle_latency": idle,
    }


def idle_latency(h: Harness) -> dict[str, Any]:
    """Single deliveries committed 0.1 s apart (with the outbox's NOTIFY) to an idle worker."""
    svc = h.svc
    svc.receiver_call("/_reset")
    svc.start_workers(1)
    commits: dict[str, float] = {}
    for _ in range(h.cfg.idle_latency_samples):
        webhook_id, committed = asyncio.run(queue_one(h.db.url, svc.endpoint_ids[0], NOTIFY_CHANNEL))
        commits[webhook_id] = committed
        time.sleep(0.1)
    _wait_count(h, len(commits), time.time() + 5)
    samples = svc.receiver_call("/_stats")["samples"]
    latencies = [(s[0] - commits[s[3]]) * 1000 for s in samples if s[3] in commits]
    return {"samples": len(latencies), "p50_ms": round(pct(latencies, 50), 1) if latencies else None,
            "p99_ms": round(pct(latencies, 99), 1) if latencies else None,
            "max_ms": round(max(latencies), 1) if latencies else None}
