"""Command line, settings and constants of the benchmark harness."""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench"
HOST = "127.0.0.1"  # all traffic stays on the loopback interface
BENCH_AGENCY = "inspektorat-64.72"  # owns the agency queue that the queue scenario lists
FORWARD_AGENCY = "inspektorat-64.74"  # receives the referrals that the forward scenario forwards
QUEUE_PATH = "/v1/referrals?state=forwarded&limit=20"
INTAKE_ENDPOINTS = 2  # webhook subscriptions during the intake scenarios
DELIVERY_ENDPOINTS = 50  # endpoints of the delivery-throughput scenario
PACED_SHARE = 0.5  # the commit -> receipt scenario runs intake at this share of its measured maximum
MiB = 1024 * 1024


class HarnessError(RuntimeError):
    """The harness itself broke (as opposed to a target being missed)."""


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


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
    deliveries: int
    delivery_timeout: float
    idle_latency_samples: int

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> Config:
        quick = args.quick
        duration = args.duration or (2.0 if quick else 10.0)
        mem_total = args.memory_requests or (1_500 if quick else 100_000)
        return cls(
            quick=quick,
            runs=args.runs or (1 if quick else 3),
            duration=duration,
            connections=args.connections,
            threads=max(1, min(args.threads or min(os.cpu_count() or 2, 4), args.connections)),
            base_rows=args.base_rows or (2_000 if quick else 10_000),
            forward_rows=args.forward_rows or (3_000 if quick else 40_000),
            mem_warmup=mem_total // 5,
            mem_total=mem_total,
            drain_timeout=5.0 if quick else 30.0,
            warmup=1.0 if quick else 3.0,
            mem_phase_cap=4.0 if quick else 600.0,
            scale=args.scale and not quick,
            scale_rows=args.scale_rows,
            profile=args.profile,
            scale_out=not args.no_scale_out,
            results_dir=Path(args.results_dir).resolve(),
            deliveries=args.deliveries or (1_000 if quick else 10_000),
            delivery_timeout=10.0 if quick else max(60.0, 6 * duration),
            idle_latency_samples=10 if quick else 50,
        )


def build_parser(description: str | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="CI smoke run: 1 x 2 s, small data, thresholds not judged")
    parser.add_argument("--scale", action="store_true", help="also measure the agency queue at --scale-rows referrals (full mode)")
    parser.add_argument("--scale-rows", type=int, default=1_000_000, help="referrals for --scale (default 1,000,000)")
    parser.add_argument("--runs", type=int, help="runs per figure (default 3, quick 1)")
    parser.add_argument("--duration", type=float, help="seconds per run (default 10, quick 2)")
    parser.add_argument("--connections", type=int, default=64, help="wrk connections (default 64)")
    parser.add_argument("--threads", type=int, help="wrk threads (default min(nproc, 4))")
    parser.add_argument("--base-rows", type=int, help="referrals seeded before the queue test (default 10,000; quick 2,000)")
    parser.add_argument("--forward-rows", type=int, help="received referrals for the forward test (default 40,000; quick 3,000)")
    parser.add_argument("--memory-requests", type=int, help="requests in the memory soak (default 100,000; quick 1,500)")
    parser.add_argument("--deliveries", type=int,
                        help="webhook backlog per run of the delivery-throughput scenario (default 10,000; quick 1,000)")
    parser.add_argument("--no-scale-out", action="store_true", help="skip the two-API-process scenario")
    parser.add_argument("--profile", action="store_true",
                        help="py-spy the API during one extra intake and queue run; profiles go to the results dir")
    parser.add_argument("--results-dir", default=str(BENCH / "results"), help="where the JSON (and profiles) go")
    return parser


def parse(argv: list[str] | None = None, description: str | None = None) -> Config:
    args = build_parser(description).parse_args(argv)
    for name in ("runs", "duration", "connections", "threads", "base_rows", "forward_rows", "memory_requests", "deliveries"):
        value = getattr(args, name)
        if value is not None and value <= 0:
            build_parser().error(f"--{name.replace('_', '-')} must be positive")
    return Config.from_args(args)
