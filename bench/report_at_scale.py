"""Time the agency-performance report at 100,000 referrals.

    .venv/bin/python bench/report_at_scale.py [--referrals 100000]

Uses DATABASE_URL's server when set, otherwise an embedded PostgreSQL under
.referral-data/bench-pg. Creates a scratch database `referral_bench_<random>`, migrates it,
loads the Kalimantan Timur directory (11 Inspektorats), bulk-inserts complaints and referrals
with generate_series (two years of history; states, answers and follow-ups spread the way the
fixture comments say), ANALYZEs, runs the report's single query several times, prints the
timings and the plan, and drops the scratch database.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import sys
import time
import uuid
from datetime import date, datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from referral_service.agencies.service import load_directory  # noqa: E402
from referral_service.auth.principal import Principal  # noqa: E402
from referral_service.auth.roles import Role  # noqa: E402
from referral_service.db.driver import create_pool, pooled  # noqa: E402
from referral_service.db.migrate import upgrade_to_head  # noqa: E402
from referral_service.db.sql import Sql  # noqa: E402
from referral_service.reports.repository import performance_statement  # noqa: E402
from referral_service.reports.service import agency_performance  # noqa: E402

SEED_COMPLAINTS = """
INSERT INTO complaints (id, reference, channel, received_at, complainant, identity_confidential,
                        subject, description, category, region_code)
SELECT gen_random_uuid(), 'BENCH-' || i, 'walk_in', now(), '{"name": "x"}'::jsonb, false,
       'Bench', 'Bench complaint', 'penundaan_berlarut', '64.72'
FROM generate_series(1, $1) AS i
"""

# Forwarded at a random moment of 2025-2026; 14 working days approximated as 20 calendar days for
# the seed (the report reads stored facts, so the seed's arithmetic does not affect its cost).
SEED_REFERRALS = """
WITH a AS (SELECT array_agg(code ORDER BY code) AS codes FROM agencies),
     c AS (SELECT id, row_number() OVER () AS n FROM complaints WHERE reference LIKE 'BENCH-%'),
     base AS (
        SELECT c.id AS complaint_id, c.n,
               a.codes[1 + (c.n % array_length(a.codes, 1))] AS agency_code,
               timestamptz '2025-01-01 00:00+00' + (random() * interval '700 days') AS forwarded_at,
               random() AS r1, random() AS r2
        FROM c, a)
INSERT INTO referrals (id, complaint_id, agency_code, state, forwarded_at, due_at, due_working_days,
                       deadline_started_at, first_responded_at, first_response_working_days,
                       first_response_on_time, follow_up_count, closed_at, event_seq, created_at, updated_at)
SELECT gen_random_uuid(), complaint_id, agency_code,
       CASE WHEN r1 < 0.70 THEN 'closed' WHEN r1 < 0.85 THEN 'responded' ELSE 'forwarded' END,
       forwarded_at, forwarded_at + interval '20 days', 14, forwarded_at,
       CASE WHEN r1 < 0.85 THEN forwarded_at + (r2 * interval '30 days') END,
       CASE WHEN r1 < 0.85 THEN (r2 * 21)::int END,
       CASE WHEN r1 < 0.85 THEN r2 < 0.66 END,
       CASE WHEN r2 > 0.9 THEN 1 ELSE 0 END,
       CASE WHEN r1 < 0.70 THEN forwarded_at + interval '40 days' END,
       2, forwarded_at - interval '1 hour', now()
FROM base
"""


def _with_database(url: str, database: str) -> str:
    parts = urlsplit(url.replace("postgresql+asyncpg://", "postgresql://"))
    return urlunsplit((parts.scheme, parts.netloc, "/" + database, parts.query, parts.fragment))


def _server_url() -> str:
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    from referral_service.db.embedded import start_embedded

    return start_embedded(ROOT / ".referral-data" / "bench-pg", "postgres")


async def _admin(url: str, sql: str) -> None:
    conn = await asyncpg.connect(_with_database(url, "postgres"))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def run(count: int, repeats: int) -> None:
    server = _server_url()
    name = f"referral_bench_{secrets.token_hex(4)}"
    await _admin(server, f'CREATE DATABASE "{name}"')
    url = _with_database(server, name)
    try:
        await asyncio.to_thread(upgrade_to_head, url)
        pool = await create_pool(url, size=2)
        started = time.perf_counter()
        async with pooled(pool) as db, db.transaction():
            await load_directory(db)
        conn = await asyncpg.connect(url)
        try:
            await conn.execute(SEED_COMPLAINTS, count)
            await conn.execute(SEED_REFERRALS)
            await conn.execute("VACUUM ANALYZE referrals")
            await conn.execute("VACUUM ANALYZE agencies")
            total = await conn.fetchval("SELECT count(*) FROM referrals")
        finally:
            await conn.close()
        print(f"seeded {total} referrals in {time.perf_counter() - started:.1f}s")

        principal = Principal(key_id=uuid.uuid4(), role=Role.OMBUDSMAN, name="bench")
        windows = {
            "one quarter (2026-01-01..2026-03-31)": (date(2026, 1, 1), date(2026, 3, 31)),
            "one year (2025-01-01..2025-12-31)": (date(2025, 1, 1), date(2025, 12, 31)),
            "everything (2025-01-01..2026-12-31)": (date(2025, 1, 1), date(2026, 12, 31)),
        }
        for label, (start, end) in windows.items():
            timings = []
            for _ in range(repeats):
                async with pooled(pool) as db:
                    t0 = time.perf_counter()
                    rows = await agency_performance(db, principal, start, end, None)
                    timings.append((time.perf_counter() - t0) * 1000)
            cohort = sum(r.forwarded for r in rows)
            print(f"{label}: {len(rows)} agencies, {cohort} referrals in the cohort; "
                  f"median {statistics.median(timings):.1f} ms, min {min(timings):.1f} ms, max {max(timings):.1f} ms")
        async with pooled(pool) as db:
            stmt = performance_statement(principal, date(2026, 1, 1), date(2026, 3, 31), None, datetime.now(timezone.utc))
            plan = await db.fetch(Sql("EXPLAIN (ANALYZE, BUFFERS) ") + stmt)
            print("\nplan for one quarter:\n" + "\n".join(row[0] for row in plan))
        await pool.close()
    finally:
        await _admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--referrals", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    asyncio.run(run(args.referrals, args.repeats))


if __name__ == "__main__":
    main()
