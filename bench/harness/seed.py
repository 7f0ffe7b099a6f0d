"""SQL that fills the benchmark database: base referrals, forwardable referrals, webhook backlogs."""

from __future__ import annotations

import json
import time
from typing import Any

import asyncpg

from .config import BENCH_AGENCY, FORWARD_AGENCY, log

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



# A webhook body of the size a referral event has; the same bytes for every message of a backlog.
BACKLOG_BODY = json.dumps({
    "type": "referral.updated",
    "timestamp": "2026-01-01T00:00:00Z",
    "data": {"referral_id": "00000000-0000-0000-0000-000000000000", "agency_code": FORWARD_AGENCY,
             "state": "forwarded", "summary": "Permohonan izin usaha diajukan tiga bulan lalu. " * 8},
}).encode()

BACKLOG_SQL = """
WITH m AS (
    INSERT INTO webhook_messages (type, body)
    SELECT 'referral.updated', $1::bytea FROM generate_series(1, $2::int)
    RETURNING id
)
INSERT INTO webhook_deliveries (endpoint_id, message_id, ordering_key)
SELECT e.id, m.id, ($4::uuid[])[1 + (m.id % array_length($4::uuid[], 1))]
FROM m CROSS JOIN unnest($3::uuid[]) AS e(id)
ORDER BY m.id, e.id
"""


async def queue_backlog(url: str, endpoint_ids: list[str], messages: int, channel: str) -> dict[str, Any]:
    """`messages` messages, each owed to every endpoint (one delivery per endpoint), two messages per
    ordering key (as a referral's events are), committed in one transaction with the NOTIFY the outbox
    sends. Returns the commit time (time.time())."""
    keys = [r["k"] for r in await _fetch(url, "SELECT gen_random_uuid() AS k FROM generate_series(1, $1::int)",
                                          max(1, messages // 2))]
    conn = await asyncpg.connect(url)
    try:
        async with conn.transaction():
            await conn.execute(BACKLOG_SQL, BACKLOG_BODY, messages, endpoint_ids, keys)
            await conn.execute("SELECT pg_notify($1, '')", channel)
        committed = time.time()
    finally:
        await conn.close()
    return {"committed": committed, "ordering_keys": len(keys)}


async def queue_one(url: str, endpoint_id: str, channel: str) -> tuple[str, float]:
    """One delivery committed with its NOTIFY; returns (webhook-id, commit time)."""
    conn = await asyncpg.connect(url)
    try:
        async with conn.transaction():
            message = await conn.fetchval(
                "INSERT INTO webhook_messages (type, body) VALUES ('referral.updated', $1) RETURNING id", BACKLOG_BODY)
            await conn.execute(
                "INSERT INTO webhook_deliveries (endpoint_id, message_id, ordering_key) VALUES ($1, $2, gen_random_uuid())",
                endpoint_id, message)
            await conn.execute("SELECT pg_notify($1, '')", channel)
        return f"msg_{message}", time.time()
    finally:
        await conn.close()


async def delivery_facts(url: str) -> dict[str, int]:
    """Attempts, undelivered rows, and per-(endpoint, ordering key) order violations (a delivery
    delivered before an earlier one of the same key)."""
    return {
        "attempts": await _fetchval(url, "SELECT count(*) FROM webhook_attempts"),
        "not_delivered": await _fetchval(url, "SELECT count(*) FROM webhook_deliveries WHERE status <> 'delivered'"),
        "order_violations": await _fetchval(url, """
            SELECT count(*) FROM (
                SELECT d.id, lag(d.id) OVER (PARTITION BY d.endpoint_id, d.ordering_key ORDER BY d.delivered_at, d.id) AS prev
                FROM webhook_deliveries d WHERE d.status = 'delivered') s
            WHERE prev > id"""),
    }


async def count_deliveries(url: str, endpoint_ids: list[str]) -> int:
    """Deliveries queued for these endpoints (whatever their status)."""
    return await _fetchval(url, "SELECT count(*) FROM webhook_deliveries WHERE endpoint_id = ANY($1::uuid[])",
                           endpoint_ids)


async def clear_deliveries(url: str) -> None:
    """Forget every delivery (and attempt): the delivery scenario starts each run from an empty outbox."""
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("TRUNCATE webhook_attempts, webhook_deliveries")
    finally:
        await conn.close()


async def listeners(url: str, channel: str) -> int:
    """Backends of this database whose last statement was LISTEN on the channel (a started worker)."""
    return await _fetchval(
        url, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE $1",
        f"LISTEN%{channel}%")


async def _fetchval(url: str, sql: str, *args: Any) -> Any:
    conn = await asyncpg.connect(url)
    try:
        return await conn.fetchval(sql, *args)
    finally:
        await conn.close()


async def _fetch(url: str, sql: str, *args: Any) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(url)
    try:
        return await conn.fetch(sql, *args)
    finally:
        await conn.close()
