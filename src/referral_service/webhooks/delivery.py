"""The delivery rows' SQL: one attempt in three steps that never hold a transaction open across the
network.

1. `claim`: one statement takes due rows with FOR UPDATE SKIP LOCKED and stamps them with a lease
   (`locked_until`, `lease_token`). A worker that dies after this leaves rows that become claimable
   again when the lease runs out: at-least-once, never lost. A worker that stops cleanly hands the
   leases of what it did not finish back at once (`release`).
2. the signed POST, outside any transaction (sending.py);
3. `record_batch` (webhooks.recording): one short transaction writes the attempt log and the outcomes of many sends, each
   only if its lease is still ours (a late result never overwrites a newer claim).

Order per resource: a delivery is claimable only when no earlier delivery for the same endpoint
and ordering key (the referral, or the complaint for complaint-level events) is still pending.
A slow referral therefore holds back only its own later events, not the endpoint's other traffic.
Deliveries of a disabled endpoint (or one whose owner key was revoked) stay pending and are not
claimed; they go out, in order, once it is enabled.

Fair share: one claim takes at most `per_endpoint` deliveries in flight per endpoint (counting those
this worker is still sending), and hands out turns round-robin, counting what each endpoint has in
flight already (an idle endpoint's first due delivery, then every endpoint's next one...), so a
burst to one endpoint (test sends, a manual recovery) cannot hold back the scheduled deliveries of
the others.

Everything here is plain SQL on the driver (`Db`): the worker runs these statements all day.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from referral_service.db.driver import Db
from referral_service.db.sql import Sql

RESPONSE_BODY_LIMIT = 4096

# Claiming costs what there is to claim, not what is waiting:
# - it starts from the enabled endpoints (whose owner key is not revoked), so a disabled
#   endpoint's backlog is never read, and reads at most `per_endpoint` due rows of each through
#   ix_webhook_deliveries_endpoint_due;
# - a delivery blocked behind an earlier pending one of the same resource is normally not due:
#   fan-out queues it no earlier than that one, and `recording.record_batch` pushes it back whenever that
#   one is rescheduled (see recording._RECORD), so it does not appear in the scan until it may go.
# Candidates are read without locks, then locked with SKIP LOCKED in turn order, so concurrent
# workers share the work instead of waiting on each other.
# :limit how many to claim, :per_endpoint the per-endpoint limit, :lease_seconds, and :sending_endpoints /
# :sending_counts the endpoints this worker is still sending to and how many deliveries each.
CLAIM = Sql(
    """
    WITH sending AS (
        SELECT * FROM unnest(:sending_endpoints::uuid[], :sending_counts::integer[]) AS s(endpoint_id, deliveries)
    ),
    candidates AS (
        SELECT c.id, c.next_attempt_at, e.id AS endpoint_id, COALESCE(s.deliveries, 0) AS sending
        FROM webhook_endpoints e
        LEFT JOIN sending s ON s.endpoint_id = e.id
        CROSS JOIN LATERAL (
            SELECT d.id, d.next_attempt_at
            FROM webhook_deliveries d
            WHERE d.endpoint_id = e.id
              AND d.status = 'pending'
              AND d.next_attempt_at <= now()
              AND (d.locked_until IS NULL OR d.locked_until < now())
              AND NOT EXISTS (
                  SELECT 1 FROM webhook_deliveries earlier
                  WHERE earlier.endpoint_id = d.endpoint_id
                    AND earlier.ordering_key = d.ordering_key
                    AND earlier.status = 'pending'
                    AND earlier.id < d.id
                  -- Keeps this a probe of ix_webhook_deliveries_pending_order per candidate: as an
                  -- anti join, a planner without statistics (a table just truncated or filled)
                  -- scanned every pending row of the endpoint per candidate instead.
                  OFFSET 0
              )
            ORDER BY d.next_attempt_at, d.id
            LIMIT GREATEST(:per_endpoint::integer - COALESCE(s.deliveries, 0), 0)
        ) c
        WHERE e.disabled_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM api_keys k WHERE k.id = e.owner_key_id AND k.revoked_at IS NOT NULL)
    ),
    turns AS (
        SELECT id, next_attempt_at,
               sending + row_number() OVER (PARTITION BY endpoint_id ORDER BY next_attempt_at, id) AS turn
        FROM candidates
        ORDER BY turn, next_attempt_at, id
        -- Spares for rows another worker locks first. Also keeps the join below a nested loop on
        -- the primary key: the candidates can be many times what is claimed.
        LIMIT :limit::integer * 2
    ),
    due AS (
        SELECT d.id
        FROM turns t
        JOIN webhook_deliveries d ON d.id = t.id
        WHERE d.status = 'pending'
          AND (d.locked_until IS NULL OR d.locked_until < now())
        ORDER BY t.turn, t.next_attempt_at, t.id
        LIMIT :limit::integer
        FOR UPDATE OF d SKIP LOCKED
    )
    UPDATE webhook_deliveries d
    SET locked_until = now() + make_interval(secs => :lease_seconds::double precision), lease_token = gen_random_uuid()
    FROM due, webhook_endpoints e, webhook_messages m
    WHERE d.id = due.id AND e.id = d.endpoint_id AND m.id = d.message_id
    RETURNING d.id, d.lease_token, d.endpoint_id, d.attempts, d.max_attempts, d.message_id,
              e.url, e.secret,
              CASE WHEN e.previous_secret_expires_at > now() THEN e.previous_secret END AS previous_secret,
              m.body
    """
)


@dataclass(frozen=True, slots=True)
class ClaimedDelivery:
    delivery_id: int
    lease_token: uuid.UUID
    endpoint_id: uuid.UUID
    url: str
    secrets: tuple[str, ...]
    message_id: int
    body: bytes
    attempts: int
    max_attempts: int | None

    @property
    def webhook_id(self) -> str:
        # Stable across retries (receivers de-duplicate on it), distinct per message.
        return f"msg_{self.message_id}"


@dataclass(frozen=True, slots=True)
class AttemptOutcome:
    attempted_at: datetime
    duration_ms: int
    response_status: int | None = None
    response_body: str | None = None
    error: str | None = None
    retry_after: float | None = None

    @property
    def delivered(self) -> bool:
        return self.response_status is not None and 200 <= self.response_status < 300


async def claim(
    db: Db,
    limit: int,
    lease_seconds: float,
    *,
    per_endpoint: int | None = None,
    sending: dict[uuid.UUID, int] | None = None,
) -> list[ClaimedDelivery]:
    """Lease up to `limit` due deliveries, at most `per_endpoint` in flight per endpoint counting the
    `sending` ones (endpoint -> deliveries this worker has not recorded yet); in id order."""
    busy = [(endpoint_id, n) for endpoint_id, n in (sending or {}).items() if n > 0]
    rows = await db.fetch(
        CLAIM.bind(
            limit=limit,
            per_endpoint=per_endpoint if per_endpoint is not None else limit,
            lease_seconds=lease_seconds,
            sending_endpoints=[endpoint_id for endpoint_id, _ in busy],
            sending_counts=[n for _, n in busy],
        )
    )
    rows.sort(key=lambda r: r["id"])
    return [
        ClaimedDelivery(
            row["id"],
            row["lease_token"],
            row["endpoint_id"],
            row["url"],
            # New secret first; the old one is still valid during a rotation's overlap.
            (row["secret"], row["previous_secret"]) if row["previous_secret"] else (row["secret"],),
            row["message_id"],
            row["body"],
            row["attempts"],
            row["max_attempts"],
        )
        for row in rows
    ]


_RELEASE = Sql(
    """
    UPDATE webhook_deliveries d
    SET locked_until = NULL, lease_token = NULL
    FROM unnest(:ids::bigint[], :tokens::uuid[]) AS r(id, lease_token)
    WHERE d.id = r.id AND d.lease_token = r.lease_token
    """
)


async def release(db: Db, deliveries: Sequence[ClaimedDelivery]) -> None:
    """Hand back the leases of claimed deliveries that were not sent (a worker stopping): they are
    claimable again at once instead of when the lease runs out. No attempt is counted."""
    if deliveries:
        await db.execute(
            _RELEASE.bind(ids=[d.delivery_id for d in deliveries], tokens=[d.lease_token for d in deliveries])
        )
