"""Targets and verdicts, the printed table, and the JSON record of a run."""

from __future__ import annotations

import json
import math
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any


def judge(r: dict[str, Any], quick: bool) -> list[dict[str, Any]]:
    """One row per figure of the performance issue's table. `met` is whether the value meets the target;
    `pass` is the verdict: None in quick mode (reported, never judged) and for report-only figures."""
    rows: list[dict[str, Any]] = []

    def add(scenario: str, figure: str, value: Any, target: str, ok: Callable[[Any], bool] | None, note: str = "") -> None:
        met = None
        if ok is not None:
            try:
                met = bool(ok(value)) if value is not None else False
            except (TypeError, ValueError):
                met = False
        rows.append({"scenario": scenario, "figure": figure, "value": value, "target": target, "met": met,
                     "pass": None if quick or ok is None else met, "note": note})

    i = r["intake"]
    add("intake (no worker)", "ratio to /healthz", i["ratio_to_healthz"], ">= 0.20", lambda v: v >= 0.20)
    add("intake (no worker)", "p99 ms", i["p99_ms"], "< 100", lambda v: v < 100)
    add("intake (no worker)", "errors", i["errors"], "0", lambda v: v == 0 and i["requests"] > 0)
    scope = r.get("db_cpu_scope", "")
    add("intake (no worker)", "API CPU ms / intake", i.get("api_cpu_ms_per_request"), "<= 0.8", lambda v: v <= 0.8)
    add("intake (no worker)", "PostgreSQL CPU ms / intake", i.get("db_cpu_ms_per_request"), "<= 0.5",
        (lambda v: v <= 0.5) if i.get("db_cpu_ms_per_request") is not None else None,
        "" if i.get("db_cpu_ms_per_request") is not None else scope)
    loop = r.get("intake_with_worker")
    if loop:
        add("intake + 1 worker", "ratio to /healthz", loop["ratio_to_healthz"], "report", None)
        add("intake + 1 worker", "CPU ms / intake, API + worker + PG", loop.get("total_cpu_ms_per_request"), "report", None,
            f"API {_f(loop.get('api_cpu_ms_per_request'), '.3f')} + worker {_f(loop.get('worker_cpu_ms_per_request'), '.3f')}"
            f" + PG {_f(loop.get('db_cpu_ms_per_request'), '.3f')}")
    f = r["forward"]
    add("forward (distinct referrals)", "ratio to /healthz", f["ratio_to_healthz"], ">= 0.20", lambda v: v >= 0.20)
    q = r["agency_queue"]
    add(f"agency queue ({q['db']['referrals']:,} referrals)", "ratio to /healthz", q["ratio_to_healthz"], ">= 0.30",
        lambda v: v >= 0.30)
    if "agency_queue_scale" in r:
        s = r["agency_queue_scale"]
        label = f"agency queue ({s['db']['referrals']:,} referrals)"
        add(label, "ratio to /healthz", s["ratio_to_healthz"], ">= 0.30", lambda v: v >= 0.30)
        add(label, f"p50 / p50 at {q['db']['referrals']:,} (flat)", s["p50_vs_base"], "<= 1.3", lambda v: v <= 1.3)
    d = r.get("deliveries")
    if d:
        add(f"deliveries, 1 worker, {d['endpoints']} endpoints", "deliveries/s", d["deliveries_per_s"], ">= 1,000",
            lambda v: v >= 1000, "" if d["complete"] else f"backlog not finished within {d['timeout_s']:g} s")
    p = r.get("paced_latency")
    if p:
        note = f"intake at {_f(p['achieved_intakes_per_s'], ',.1f')}/s of {_f(p['target_intakes_per_s'], ',.1f')}/s asked"
        if p["delivered"] < p["expected"]:
            note += f"; {p['expected'] - p['delivered']:,} deliveries missing after the drain (counted as slowest)"
        add("commit -> receipt at half intake, 1 worker", "p50 ms", p["p50_ms"], "< 50", lambda v: v < 50, note)
        add("commit -> receipt at half intake, 1 worker", "p99 ms", p["p99_ms"], "< 1,000", lambda v: v < 1000, note)
    for key in ("intake_with_worker", "paced_latency", "deliveries"):
        if isinstance(r.get(key), dict) and "skipped" in r[key]:
            add(key.replace("_", " "), "-", None, "-", None, "skipped: " + r[key]["skipped"])
    m = r["memory"]
    add("memory (mixed requests)", f"RSS MiB after {m['requests']:,} requests", m["rss_mib"], "< 150", lambda v: v < 150)
    add("memory (mixed requests)", "growth after the first 20 %", m["growth_after_warmup"], "<= 10 % (flat)",
        lambda v: v <= 0.10)
    so = r.get("scale_out")
    if so and "error" in so:
        add("scale-out (2 API processes)", "intake vs 1 process", None, "report", None,
            "harness error: " + so["error"].splitlines()[0][:80])
    elif so:
        add("scale-out (2 API processes)", "intake vs 1 process", so["vs_one_process"], "report", None)
    return rows


def _f(value: Any, spec: str = ",.0f") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return format(value, spec)


def _u(value: Any, spec: str, unit: str) -> str:
    shown = _f(value, spec)
    return shown if shown == "-" else shown + unit


def _verdict(row: dict[str, Any], quick: bool) -> str:
    if row["target"] == "report" or row["met"] is None:
        return "report" if row["target"] == "report" else "not measured"
    if quick:
        return "(quick) " + ("met" if row["met"] else "missed")
    return "PASS" if row["pass"] else "FAIL"


def print_table(report: dict[str, Any]) -> None:
    m, r, cfg = report["machine"], report["results"], report["config"]
    quick = report["mode"] == "quick"
    out = [
        "",
        (f"referral-service benchmark ({report['mode']} mode, {cfg['runs']} x {cfg['duration']:g} s per figure, "
         f"median; {cfg['connections']} connections, wrk -t{cfg['threads']})"),
        (f"machine: {m['nproc']} CPUs, {m['cpu_model']}, {m['memory_gib']} GiB; Python {m['python']}; "
         f"PostgreSQL {m.get('postgresql')} ({m.get('database')}); {m['wrk']}"),
        (f"load average (1/5/15 min) at start {m['loadavg_at_start']}, at end {m.get('loadavg_at_end')} "
         "(anything much above 0 before the run means other work shared the CPUs)"),
        f"code: {m['git_commit']}{' + uncommitted changes' if m['git_dirty'] else ''} ({m['service_code']})",
        f"PG cpu = {r.get('db_cpu_scope')}",
        f"webhooks: {report['webhooks']}",
        "",
    ]
    header = (f"{'scenario':<30}{'req/s':>8}{'healthz':>9}{'ratio':>7}{'p50 ms':>8}{'p99 ms':>9}{'errors':>7}{'peak RSS':>10}"
              f"{'API cpu/req':>12}{'PG cpu/req':>11}{'wkr cpu/req':>12}")
    out += [header, "-" * len(header)]

    def row(label: str, s: dict[str, Any]) -> None:
        out.append(
            f"{label:<30}{_f(s['rps']):>8}{_f(s.get('healthz_rps')):>9}{_f(s.get('ratio_to_healthz'), '.2f'):>7}"
            f"{_f(s['p50_ms'], '.1f'):>8}{_f(s['p99_ms'], '.1f'):>9}{_f(s['errors'], 'd'):>7}"
            f"{_u(s.get('peak_rss_mib'), '.0f', ' MiB'):>10}{_u(s.get('api_cpu_ms_per_request'), '.2f', ' ms'):>12}"
            f"{_u(s.get('db_cpu_ms_per_request'), '.2f', ' ms'):>11}{_u(s.get('worker_cpu_ms_per_request'), '.2f', ' ms'):>12}")

    def healthz_row(label: str) -> None:
        h = r["healthz"].get(f"{label}, c={cfg['connections']}")
        if h:
            row(f"healthz ({label})", {**h, "healthz_rps": h["rps"], "ratio_to_healthz": 1.0})

    healthz_row("1 process")
    row(f"agency queue ({r['agency_queue']['db']['referrals']:,} refs)", r["agency_queue"])
    if "agency_queue_scale" in r:
        row(f"agency queue ({r['agency_queue_scale']['db']['referrals']:,} refs)", r["agency_queue_scale"])
    row("intake, no worker", r["intake"])
    loop = r.get("intake_with_worker") or {}
    if "rps" in loop:
        row("intake + 1 delivery worker", loop)
    row("forward (distinct ids)" + (" *" if r["forward"].get("ids_exhausted") else ""), r["forward"])
    so = r.get("scale_out") or {}
    if "rps" in so:
        healthz_row("2 processes")
        row("intake, 2 API processes", so)
    out.append("")
    if "webhook" in loop:
        w = loop["webhook"]
        out.append(f"intake + worker: webhooks delivered {w['delivered']:,} of {w['expected']:,} within {w['drain_timeout_s']:g} s, "
                   f"commit -> receipt p50 {_f(w['p50_ms'], '.1f')} ms, p99 {_f(w['p99_ms'], '.1f')} ms (at full intake); "
                   f"CPU {loop.get('cpu_window')}")
    p = r.get("paced_latency") or {}
    if "p50_ms" in p:
        out.append(f"commit -> receipt, intake paced at {_f(p['achieved_intakes_per_s'], ',.1f')}/s (asked {_f(p['target_intakes_per_s'], ',.1f')}"
                   f" = {p['share']:g} x {_f(p['max_intake_rps'], ',.1f')}): p50 {_f(p['p50_ms'], '.1f')} ms, p99 {_f(p['p99_ms'], '.1f')} ms, "
                   f"max {_f(p['max_ms'], '.1f')} ms; delivered {p['delivered']:,} of {p['expected']:,}")
    d = r.get("deliveries") or {}
    if "deliveries_per_s" in d:
        idle = d["idle_latency"]
        out.append(f"deliveries: {_f(d['deliveries_per_s'], ',.0f')}/s by 1 worker to {d['endpoints']} endpoints "
                   f"({d['deliveries_per_run']:,} per run{'' if d['complete'] else ', NOT all within the timeout'}); "
                   f"worker {_f(d['worker_cpu_ms_per_delivery'], '.3f')} ms + PG {_f(d['db_cpu_ms_per_delivery'], '.3f')} ms "
                   f"CPU per delivery; order violations {d['order_violations']}; idle commit -> receipt p50 "
                   f"{_f(idle['p50_ms'], '.1f')} ms, p99 {_f(idle['p99_ms'], '.1f')} ms ({idle['samples']} samples)")
    mem = r["memory"]
    ph = mem["phases"]
    out.append(f"memory (mixed healthz/queue/intake): RSS {ph[0]['rss_mib']} MiB after {ph[0]['after_requests']:,} requests, "
               f"{ph[1]['rss_mib']} MiB after {ph[1]['after_requests']:,} (growth {_f(mem['growth_after_warmup'], '+.1%')}); "
               f"peak {mem['peak_rss_mib']} MiB")
    if "error" in so:
        out.append(f"scale-out: FAILED: {so['error'].splitlines()[0][:200]}")
    elif so:
        out.append(f"scale-out: intake 2 processes / 1 process = {so['vs_one_process']}x (healthz {so['healthz_vs_one_process']}x)")
    for key in ("intake_with_worker", "paced_latency", "deliveries"):
        if "skipped" in (r.get(key) or {}):
            out.append(f"{key}: skipped ({r[key]['skipped']})")
    if r["forward"].get("ids_exhausted"):
        out.append("* forward: a run used up its ids and ended early; its req/s covers the time it ran")
    out += ["", f"{'scenario':<44}{'figure':<38}{'value':>10}  {'target':<16}verdict", "-" * 124]
    for v in report["targets"]:
        value = v["value"]
        if value is None:
            shown = "-"
        elif isinstance(value, float):
            shown = f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"
        else:
            shown = f"{value:,}"
        out.append(f"{v['scenario']:<44}{v['figure']:<38}{shown:>10}  {v['target']:<16}{_verdict(v, quick)}"
                   + (f"  ({v['note']})" if v.get("note") else ""))
    for name, prof in (r.get("profile") or {}).items():
        if prof:
            out += ["", f"hot spots, {name} ({prof['samples']} samples, {prof['file']}); own time:"]
            out += [f"  {share:5.1f} %  {fn}" for fn, share in prof["self_top"][:10]]
            out.append("  inclusive:")
            out += [f"  {share:5.1f} %  {fn}" for fn, share in prof["inclusive_top"][:12]]
    print("\n".join(out), flush=True)


def write_report(report: dict[str, Any], results_dir: Path, stamp: str) -> Path:
    """One JSON per run, <stamp>[-quick].json, and latest.json, a copy of it."""
    results_dir.mkdir(parents=True, exist_ok=True)
    path = results_dir / f"{stamp}{'-quick' if report['mode'] == 'quick' else ''}.json"
    path.write_text(json.dumps(report, indent=2, default=str) + "\n")
    shutil.copyfile(path, results_dir / "latest.json")
    print(f"results: {path} (copied to latest.json)", flush=True)
    return path
