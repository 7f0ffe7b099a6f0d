"""One delivery attempt, in three steps that never hold a transaction open across the network:

1. `claim`: a short transaction takes due rows with FOR UPDATE SKIP LOCKED and stamps them with a
   lease (`locked_until`, `lease_token`), then commits. A worker that dies after this leaves rows
   that become claimable again when the lease runs out: at-least-once, never lost.
2. `send`: the signed POST, outside any transaction.
3. `record`: a second short transaction writes the attempt log and the outcome, only if the lease
   is still ours (a late result never overwrites a newer claim).

Order per resource: a delivery is claimable only when no earlier delivery for the same endpoint
and ordering key (the referral, or the complaint for complaint-level events) is still pending.
A slow referral therefore holds back only its own later events, not the endpoint's other traffic.
Deliveries of a disabled endpoint (or one whose owner key was revoked) stay pending and are not
claimed; they go out, in order, once it is enabled.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from referral_service import __version__
from referral_service.agencies.models import Agency
from referral_service.webhooks import outbox, signing
from referral_service.webhooks.models import WebhookAttempt, WebhookEndpoint
from referral_service.webhooks.retry import RetryPolicy, parse_retry_after
from referral_service.webhooks.ssrf import BlockedDestination

logger = logging.getLogger("referral_service.webhooks.delivery")

RESPONSE_BODY_LIMIT = 4096
USER_AGENT = f"referral-service-webhooks/{__version__}"

# Claiming costs what there is to claim, not what is waiting:
# - it starts from the enabled endpoints (whose owner key is not revoked), so a disabled
#   endpoint's backlog is never read, and reads each one's due rows through
#   ix_webhook_deliveries_endpoint_due;
# - a delivery blocked behind an earlier pending one of the same resource is normally not due:
#   fan-out queues it no earlier than that one, and `record` pushes it back whenever that one is
#   rescheduled (see _PUSH_FOLLOWERS), so it does not appear in the scan until it may go.
# Candidates are read without locks and a few more than asked for, then locked with SKIP LOCKED,
# so concurrent workers share the work instead of waiting on each other.
_CLAIM = text(
    """
    WITH candidates AS (
        SELECT c.id, c.next_attempt_at
        FROM webhook_endpoints e
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
              )
            ORDER BY d.next_attempt_at, d.id
            LIMIT CAST(:limit AS integer) * 4
        ) c
        WHERE e.disabled_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM api_keys k WHERE k.id = e.owner_key_id AND k.revoked_at IS NOT NULL)
        ORDER BY c.next_attempt_at, c.id
        LIMIT CAST(:limit AS integer) * 4
    ),
    due AS (
        SELECT d.id
        FROM candidates c
        JOIN webhook_deliveries d ON d.id = c.id
        WHERE d.status = 'pending'
          AND (d.locked_until IS NULL OR d.locked_until < now())
        ORDER BY c.next_attempt_at, c.id
        LIMIT :limit
        FOR UPDATE OF d SKIP LOCKED
    )
    UPDATE webhook_deliveries d
    SET locked_until = now() + make_interval(secs => :lease_seconds), lease_token = gen_random_uuid()
    FROM due, webhook_endpoints e, webhook_messages m
    WHERE d.id = due.id AND e.id = d.endpoint_id AND m.id = d.message_id
    RETURNING d.id, d.lease_token, d.endpoint_id, d.attempts, d.max_attempts, d.message_id,
              e.url, e.secret,
              CASE WHEN e.previous_secret_expires_at > now() THEN e.previous_secret END AS previous_secret,
              m.body
    """
)

# A rescheduled delivery takes the later pending deliveries of its resource along: none of them
# may go before it, so none is due before it.
_PUSH_FOLLOWERS = text(
    """
    UPDATE webhook_deliveries f
    SET next_attempt_at = h.next_attempt_at
    FROM webhook_deliveries h
    WHERE h.id = :id
      AND f.endpoint_id = h.endpoint_id
      AND f.ordering_key = h.ordering_key
      AND f.status = 'pending'
      AND f.id > h.id
      AND f.next_attempt_at < h.next_attempt_at
    """
)

# A delivery that is done (delivered, or given up on) releases the next one of its resource. That
# one may have been pushed back to this delivery's retry time, which a manual retry can undercut.
_RELEASE_NEXT = text(
    """
    UPDATE webhook_deliveries n
    SET next_attempt_at = now()
    FROM webhook_deliveries h
    WHERE h.id = :id
      AND h.ordering_key IS NOT NULL
      AND n.id = (
          SELECT min(p.id) FROM webhook_deliveries p
          WHERE p.endpoint_id = h.endpoint_id AND p.ordering_key = h.ordering_key AND p.status = 'pending'
      )
      AND n.attempts = 0
      AND n.next_attempt_at > now()
    """
)


# Lock order of a recording transaction, which makes deadlocks impossible:
#
# 1. Endpoint rows first, all of the batch's at once, in ascending id order, FOR NO KEY UPDATE;
# 2. then delivery rows: the leased ones and their resources' followers. (Disabling an endpoint
#    also fans out a notice, i.e. takes FOR KEY SHARE on other endpoints, which conflicts with
#    nothing but FOR UPDATE, see below.)
#
# - Against the outbox fan-out (the reminder job, API requests, inbound pushes): its INSERT INTO
#   webhook_deliveries takes FOR KEY SHARE on each target endpoint through the foreign key, event
#   after event, so one such transaction collects endpoint locks in no particular order.
#   FOR NO KEY UPDATE does not conflict with FOR KEY SHARE, so neither side ever waits for the
#   other's endpoint locks, whatever their order, and the fan-out locks no existing delivery row.
#   (FOR UPDATE did conflict: a recorder holding endpoint A FOR UPDATE and waiting for B, while a
#   reminder batch held B FOR KEY SHARE and wanted A, was a deadlock.)
# - Against another recorder: each takes its endpoint locks in one statement, in id order, before
#   any delivery row, so whoever gets the lower endpoint first also gets the higher ones; the
#   delivery rows come after and belong to resources the transaction holds leases for.
# - Against the API: PATCH, rotation and key revocation lock endpoints FOR NO KEY UPDATE (in id
#   order); only DELETE takes FOR UPDATE, on one endpoint, before its deliveries (the cascade),
#   which is this order too; a manual retry or recovery locks delivery rows only.
_LOCK_ENDPOINTS = text(
    """
    SELECT id FROM webhook_endpoints WHERE id = ANY(CAST(:ids AS uuid[])) ORDER BY id FOR NO KEY UPDATE
    """
)


async def _lock_endpoints(session: AsyncSession, endpoint_ids: set[uuid.UUID]) -> None:
    await session.execute(_LOCK_ENDPOINTS, {"ids": sorted(endpoint_ids)})


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


async def claim(session: AsyncSession, limit: int, lease_seconds: float) -> list[ClaimedDelivery]:
    rows = (await session.execute(_CLAIM, {"limit": limit, "lease_seconds": lease_seconds})).all()
    return [
        ClaimedDelivery(
            delivery_id=row.id,
            lease_token=row.lease_token,
            endpoint_id=row.endpoint_id,
            url=row.url,
            # New secret first; the old one is still valid during a rotation's overlap.
            secrets=(row.secret, row.previous_secret) if row.previous_secret else (row.secret,),
            message_id=row.message_id,
            body=bytes(row.body),
            attempts=row.attempts,
            max_attempts=row.max_attempts,
        )
        for row in sorted(rows, key=lambda r: r.id)
    ]


async def _read_prefix(response: httpx.Response, limit: int) -> bytes:
    collected = bytearray()
    async for chunk in response.aiter_bytes():
        collected.extend(chunk)
        if len(collected) >= limit:
            break  # the rest is not stored; closing the stream discards it
    return bytes(collected[:limit])


def _as_text(raw: bytes) -> str:
    # PostgreSQL text cannot hold NUL; the log is for humans, so lenient decoding is fine.
    return raw.decode("utf-8", "replace").replace("\x00", "\ufffd")


async def send(client: httpx.AsyncClient, delivery: ClaimedDelivery, timeout_seconds: float) -> AttemptOutcome:
    headers = signing.build_headers(list(delivery.secrets), delivery.webhook_id, delivery.body)
    headers["content-type"] = "application/json"
    headers["user-agent"] = USER_AGENT
    attempted_at = datetime.now(UTC)
    started = time.monotonic()

    def elapsed_ms() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        # One deadline for the whole exchange: httpx's timeouts are per read, so a receiver that
        # trickles bytes could otherwise hold a worker slot indefinitely.
        async with asyncio.timeout(timeout_seconds):
            async with client.stream("POST", delivery.url, content=delivery.body, headers=headers) as response:
                raw = await _read_prefix(response, RESPONSE_BODY_LIMIT)
    except (TimeoutError, httpx.TimeoutException):
        return AttemptOutcome(attempted_at, elapsed_ms(), error=f"timed out after {timeout_seconds:g} s")
    except BlockedDestination as exc:
        return AttemptOutcome(attempted_at, elapsed_ms(), error=f"refused by the egress policy: {exc.reason}"[:500])
    except httpx.HTTPError as exc:
        return AttemptOutcome(attempted_at, elapsed_ms(), error=f"{type(exc).__name__}: {exc}"[:500])
    retry_after = None
    if response.status_code in (429, 503):
        retry_after = parse_retry_after(response.headers.get("retry-after"))
    error = None
    if 300 <= response.status_code < 400:
        error = "redirects are not followed; configure the final URL"
    elif not 200 <= response.status_code < 300:
        error = f"HTTP {response.status_code}"
    return AttemptOutcome(
        attempted_at, elapsed_ms(), response.status_code, _as_text(raw), error=error, retry_after=retry_after
    )


_RECORD = text(
    """
    UPDATE webhook_deliveries
    SET status = CAST(:status AS varchar),
        attempts = attempts + 1,
        next_attempt_at = CASE WHEN CAST(:status AS varchar) = 'pending'
                               THEN now() + make_interval(secs => CAST(:delay AS double precision))
                               ELSE next_attempt_at END,
        delivered_at = CASE WHEN CAST(:status AS varchar) = 'delivered' THEN now() ELSE delivered_at END,
        last_response_status = CAST(:response_status AS smallint),
        last_error = CAST(:error AS varchar),
        locked_until = NULL,
        lease_token = NULL,
        updated_at = now()
    WHERE id = :id AND lease_token = :lease_token
    RETURNING id
    """
)


async def record(
    session: AsyncSession,
    delivery: ClaimedDelivery,
    outcome: AttemptOutcome,
    policy: RetryPolicy,
    disable_after_seconds: float,
) -> str:
    """Write the attempt and its consequences. Returns the delivery's new status."""
    await _lock_endpoints(session, {delivery.endpoint_id})  # before any delivery row: see _LOCK_ENDPOINTS
    session.add(
        WebhookAttempt(
            delivery_id=delivery.delivery_id,
            attempted_at=outcome.attempted_at,
            duration_ms=outcome.duration_ms,
            response_status=outcome.response_status,
            response_body=outcome.response_body,
            error=outcome.error,
        )
    )
    await session.flush()
    gone = outcome.response_status == 410
    attempts_made = delivery.attempts + 1
    delay: float | None = 0.0
    if outcome.delivered:
        status = "delivered"
    else:
        out_of_manual_budget = delivery.max_attempts is not None and attempts_made >= delivery.max_attempts
        delay = None if gone or out_of_manual_budget else policy.delay_after(attempts_made, retry_after=outcome.retry_after)
        status = "failed" if delay is None else "pending"
    updated = await session.scalar(
        _RECORD,
        {
            "status": status,
            "delay": delay or 0.0,
            "response_status": outcome.response_status,
            "error": outcome.error,
            "id": delivery.delivery_id,
            "lease_token": delivery.lease_token,
        },
    )
    if updated is None:
        # Our lease ran out and another worker owns the row now; the attempt stays in the log.
        logger.warning("delivery %s: lease lost before the result was recorded", delivery.delivery_id)
        return "lease-lost"
    await session.execute(_PUSH_FOLLOWERS if status == "pending" else _RELEASE_NEXT, {"id": delivery.delivery_id})
    await _update_endpoint_health(session, delivery.endpoint_id, outcome, gone, disable_after_seconds)
    return status


async def _update_endpoint_health(
    session: AsyncSession, endpoint_id: uuid.UUID, outcome: AttemptOutcome, gone: bool, disable_after_seconds: float
) -> None:
    # Locked already (record takes it first); FOR NO KEY UPDATE again, never FOR UPDATE: see _LOCK_ENDPOINTS.
    endpoint = await session.get(WebhookEndpoint, endpoint_id, with_for_update={"key_share": True})
    if endpoint is None:
        return
    now = datetime.now(UTC)
    if outcome.delivered:
        endpoint.failing_since = None
        return
    if endpoint.failing_since is None:
        endpoint.failing_since = now
    if endpoint.disabled_at is not None:
        return
    if gone:
        await disable_endpoint(session, endpoint, "The endpoint answered 410 Gone.")
    elif now - endpoint.failing_since >= timedelta(seconds=disable_after_seconds):
        await disable_endpoint(
            session, endpoint, f"Every delivery failed since {endpoint.failing_since.isoformat(timespec='seconds')}."
        )


async def disable_endpoint(session: AsyncSession, endpoint: WebhookEndpoint, reason: str) -> None:
    """Disable and tell the Ombudsman-side subscribers whose scope covers the endpoint's owner."""
    endpoint.disabled_at = datetime.now(UTC)
    endpoint.disabled_reason = reason[:200]
    endpoint.updated_at = endpoint.disabled_at
    await session.flush()
    region = endpoint.owner_region_code
    if endpoint.owner_agency_code is not None:
        region = await session.scalar(select(Agency.region_code).where(Agency.code == endpoint.owner_agency_code))
    await outbox.enqueue_endpoint_disabled(session, endpoint, region)
    logger.warning("webhook endpoint %s disabled: %s", endpoint.id, reason)


# Batched recording (see record_batch): the hot path, a batch of successful sends, costs four
# set-based statements whatever its size.
_RECORD_DELIVERED = text(
    """
    UPDATE webhook_deliveries d
    SET status = 'delivered',
        attempts = d.attempts + 1,
        delivered_at = now(),
        last_response_status = r.response_status,
        last_error = NULL,
        locked_until = NULL,
        lease_token = NULL,
        updated_at = now()
    FROM unnest(CAST(:ids AS bigint[]), CAST(:tokens AS uuid[]), CAST(:statuses AS smallint[]))
         AS r(id, lease_token, response_status)
    WHERE d.id = r.id AND d.lease_token = r.lease_token
    RETURNING d.id
    """
)

# _RELEASE_NEXT for many finished deliveries at once. A batch never holds two deliveries of one
# resource (the second is not claimable before the first is recorded), so the rows do not interact.
_RELEASE_NEXT_MANY = text(
    """
    UPDATE webhook_deliveries n
    SET next_attempt_at = now()
    FROM webhook_deliveries h
    WHERE h.id = ANY(CAST(:ids AS bigint[]))
      AND h.ordering_key IS NOT NULL
      AND n.id = (
          SELECT min(p.id) FROM webhook_deliveries p
          WHERE p.endpoint_id = h.endpoint_id AND p.ordering_key = h.ordering_key AND p.status = 'pending'
      )
      AND n.attempts = 0
      AND n.next_attempt_at > now()
    """
)

# What _update_endpoint_health does after a success: the endpoint is healthy again. The rows that
# change are locked in id order first (an UPDATE alone locks in whatever order its plan visits them).
_ENDPOINTS_HEALTHY = text(
    """
    UPDATE webhook_endpoints e SET failing_since = NULL
    FROM (
        SELECT id FROM webhook_endpoints
        WHERE id = ANY(CAST(:ids AS uuid[])) AND failing_since IS NOT NULL
        ORDER BY id
        FOR NO KEY UPDATE
    ) failing
    WHERE e.id = failing.id
    """
)


async def record_batch(
    session: AsyncSession,
    results: list[tuple[ClaimedDelivery, AttemptOutcome]],
    policy: RetryPolicy,
    disable_after_seconds: float,
) -> list[str]:
    """`record` for several results in one transaction; returns each one's new status, in order.

    When every result is a success (the common case) the writes are set-based: the attempt rows,
    the deliveries, the release of each resource's next delivery and the endpoints' health, one
    statement each. Otherwise each result goes through `record` in turn (retries, give-ups and
    endpoint disabling read and lock the endpoint and depend on the order of results).
    Either way the endpoints are locked first, in id order (see _LOCK_ENDPOINTS).
    """
    endpoint_ids = {item.endpoint_id for item, _ in results}
    if not all(outcome.delivered for _, outcome in results):
        await _lock_endpoints(session, endpoint_ids)
        return [await record(session, item, outcome, policy, disable_after_seconds) for item, outcome in results]
    # Every receiver answered 2xx: those endpoints are healthy, whether or not each lease held.
    await session.execute(_ENDPOINTS_HEALTHY, {"ids": sorted(endpoint_ids)})
    await session.execute(
        insert(WebhookAttempt),
        [
            {
                "delivery_id": item.delivery_id,
                "attempted_at": outcome.attempted_at,
                "duration_ms": outcome.duration_ms,
                "response_status": outcome.response_status,
                "response_body": outcome.response_body,
                "error": outcome.error,
            }
            for item, outcome in results
        ],
    )
    updated = set(
        (
            await session.execute(
                _RECORD_DELIVERED,
                {
                    "ids": [item.delivery_id for item, _ in results],
                    "tokens": [item.lease_token for item, _ in results],
                    "statuses": [outcome.response_status for _, outcome in results],
                },
            )
        ).scalars()
    )
    statuses = []
    for item, _ in results:
        if item.delivery_id in updated:
            statuses.append("delivered")
        else:
            # Our lease ran out and another worker owns the row now; the attempt stays in the log.
            logger.warning("delivery %s: lease lost before the result was recorded", item.delivery_id)
            statuses.append("lease-lost")
    if updated:
        await session.execute(_RELEASE_NEXT_MANY, {"ids": sorted(updated)})
    return statuses
