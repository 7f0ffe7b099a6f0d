"""Recording what sends did: the attempt log, each delivery's next step, and endpoint health.

The third step of a delivery (see webhooks.delivery): one short transaction per batch of results,
after the signed POSTs, writes everything they change in one statement, each outcome only if the
send's lease is still ours. Disabling an endpoint (410 Gone, or failing past the window) is the rare
path, and tells the Ombudsman-side subscribers.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence

from referral_service.db.driver import Db
from referral_service.db.sql import Sql
from referral_service.events import outbox
from referral_service.webhooks.delivery import AttemptOutcome, ClaimedDelivery
from referral_service.webhooks.repository import ENDPOINT_RETURNING, endpoint_of
from referral_service.webhooks.retry import RetryPolicy

logger = logging.getLogger("referral_service.webhooks.delivery")


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
# - The recording statement also takes FOR KEY SHARE on the complaint rows of the batch's events (see
#   _RECORD), which only FOR UPDATE conflicts with: a complaint PATCH or an erasure, neither of which
#   waits for an endpoint or delivery row lock (their fan-out takes FOR KEY SHARE on endpoints).
# The statements after the lock (health, disabling) update endpoint rows the transaction already
# holds, so they wait for nothing new.
LOCK_ENDPOINTS = Sql(
    "SELECT id FROM webhook_endpoints WHERE id = ANY(:endpoint_ids::uuid[]) ORDER BY id FOR NO KEY UPDATE"
)

# Everything a batch of results changes after the endpoint locks, in one statement (one round trip):
# - the attempt log (a delivery deleted with its endpoint before the locks were taken has no row to
#   log against any more; the endpoint cannot be deleted after: DELETE waits for the lock), without
#   the receiver's answer when the event's complaint has been erased (`about`: its complaint row is
#   locked FOR KEY SHARE until commit, which only FOR UPDATE conflicts with. An erasure holding the
#   row, FOR UPDATE from its start, is waited for and its outcome read from the row as it is after
#   the wait; an erasure coming later waits for this transaction, then finds the attempt and drops
#   its answer: erasure/service.py);
# - every outcome: delivered, rescheduled (`delay` seconds from now) or given up on, each only if
#   its lease is still ours;
# - a rescheduled delivery takes the later pending deliveries of its resource along: none of them
#   may go before it, so none is due before it;
# - a delivery that is done (delivered, or given up on) releases the next one of its resource. That
#   one may have been pushed back to this delivery's retry time, which a manual retry can undercut.
#   (The statement sees the rows as they were before it: the finished delivery itself still reads
#   as pending, hence `p.id <> h.id`.) A batch never holds two deliveries of one resource whose
#   leases both hold (the second is not claimable before the first is recorded), so the rows these
#   parts update are distinct;
# - endpoint health, endpoint by endpoint (`failing_since`: the start of the current unbroken run of
#   failed attempts): a last answer that succeeded clears it; failures after a success in the same
#   batch start a new run now; failures alone keep the run going (or start it). Rows whose value
#   does not change are not written. Every attempt counts, whether or not its lease held.
# Returns the deliveries recorded (delivery_id), and the failing endpoints still enabled
# (endpoint_id), with whether their run has lasted past the failure window (:disable_after seconds).
_RECORD = Sql(
    """
    WITH batch AS (
        SELECT *
        FROM unnest(:ids::bigint[], :tokens::uuid[], :statuses::varchar[], :delays::double precision[],
                    :attempted_at::timestamptz[], :durations::integer[], :response_statuses::smallint[],
                    :bodies::text[], :errors::varchar[])
             AS b(id, lease_token, status, delay, attempted_at, duration_ms, response_status, response_body, error)
    ),
    about AS MATERIALIZED (
        SELECT b.id, c.erased_at IS NOT NULL AS erased
        FROM batch b
        JOIN webhook_deliveries d ON d.id = b.id
        JOIN webhook_messages m ON m.id = d.message_id
        JOIN events ev ON ev.id = m.event_id
        JOIN complaints c ON c.id = ev.complaint_id
        FOR KEY SHARE OF c
    ),
    attempts AS (
        INSERT INTO webhook_attempts (delivery_id, attempted_at, duration_ms, response_status, response_body, error)
        SELECT b.id, b.attempted_at, b.duration_ms, b.response_status,
               CASE WHEN a.erased THEN NULL ELSE b.response_body END, b.error
        FROM batch b
        LEFT JOIN about a ON a.id = b.id
        WHERE EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.id = b.id)
    ),
    recorded AS (
        UPDATE webhook_deliveries d
        SET status = b.status,
            attempts = d.attempts + 1,
            next_attempt_at = CASE WHEN b.status = 'pending' THEN now() + make_interval(secs => b.delay) ELSE d.next_attempt_at END,
            delivered_at = CASE WHEN b.status = 'delivered' THEN now() ELSE d.delivered_at END,
            last_response_status = b.response_status,
            last_error = b.error,
            locked_until = NULL,
            lease_token = NULL,
            updated_at = now()
        FROM batch b
        WHERE d.id = b.id AND d.lease_token = b.lease_token
        RETURNING d.id, d.endpoint_id, d.ordering_key, d.status, d.next_attempt_at
    ),
    pushed AS (
        UPDATE webhook_deliveries f
        SET next_attempt_at = h.next_attempt_at
        FROM recorded h
        WHERE h.status = 'pending'
          AND f.endpoint_id = h.endpoint_id
          AND f.ordering_key = h.ordering_key
          AND f.status = 'pending'
          AND f.id > h.id
          AND f.next_attempt_at < h.next_attempt_at
    ),
    released AS (
        UPDATE webhook_deliveries n
        SET next_attempt_at = now()
        FROM recorded h
        WHERE h.status <> 'pending'
          AND h.ordering_key IS NOT NULL
          AND n.id = (
              SELECT min(p.id) FROM webhook_deliveries p
              WHERE p.endpoint_id = h.endpoint_id AND p.ordering_key = h.ordering_key AND p.status = 'pending'
                AND p.id <> h.id
          )
          AND n.attempts = 0
          AND n.next_attempt_at > now()
    ),
    outcome AS (
        SELECT * FROM unnest(:endpoint_ids::uuid[], :healthy::boolean[], :restart::boolean[]) AS o(id, healthy, restart)
    ),
    health AS (
        SELECT e.id, e.failing_since AS before, e.disabled_at, o.healthy,
               CASE WHEN o.healthy THEN NULL
                    WHEN o.restart THEN now()
                    ELSE COALESCE(e.failing_since, now()) END AS failing_since
        FROM outcome o JOIN webhook_endpoints e ON e.id = o.id
    ),
    changed AS (
        UPDATE webhook_endpoints e SET failing_since = h.failing_since
        FROM health h
        WHERE e.id = h.id AND h.failing_since IS DISTINCT FROM h.before
    )
    SELECT id AS delivery_id, NULL::uuid AS endpoint_id, NULL::timestamptz AS failing_since, NULL::boolean AS too_long
    FROM recorded
    UNION ALL
    SELECT NULL, id, failing_since, now() - failing_since >= make_interval(secs => :disable_after::double precision)
    FROM health
    WHERE NOT healthy AND disabled_at IS NULL
    """
)

_DISABLE = Sql(
    f"""
    UPDATE webhook_endpoints e
    SET disabled_at = now(), disabled_reason = left(:reason::text, 200), updated_at = now()
    WHERE e.id = :endpoint_id AND e.disabled_at IS NULL
    RETURNING {ENDPOINT_RETURNING},
              CASE WHEN e.owner_agency_code IS NOT NULL
                   THEN (SELECT a.region_code FROM agencies a WHERE a.code = e.owner_agency_code)
                   ELSE e.owner_region_code END AS region_code
    """
)

GONE_REASON = "The endpoint answered 410 Gone."


def decide(item: ClaimedDelivery, outcome: AttemptOutcome, policy: RetryPolicy) -> tuple[str, float]:
    """The delivery's next status after this attempt, and the delay before the next one if any."""
    if outcome.delivered:
        return "delivered", 0.0
    attempts_made = item.attempts + 1
    gone = outcome.response_status == 410
    out_of_manual_budget = item.max_attempts is not None and attempts_made >= item.max_attempts
    delay = None if gone or out_of_manual_budget else policy.delay_after(attempts_made, retry_after=outcome.retry_after)
    return ("failed", 0.0) if delay is None else ("pending", delay)


async def record_batch(
    db: Db,
    results: Sequence[tuple[ClaimedDelivery, AttemptOutcome]],
    policy: RetryPolicy,
    disable_after_seconds: float,
) -> list[str]:
    """Write the attempts of many sends and their consequences, set-based, in the caller's transaction.
    Returns each one's new status, in order ("lease-lost" when another worker owns the row by now).

    The endpoints are locked first, in id order (see LOCK_ENDPOINTS); then one statement writes the
    attempt log, the deliveries, the resources' next deliveries and the endpoints' health, whatever
    the batch's size and mix of outcomes (see _RECORD). Disabling (410 Gone, or failures for longer
    than the window) is the rare path, one endpoint at a time.
    """
    if not results:
        return []
    ids, tokens, statuses, delays = [], [], [], []
    attempted_at, durations, response_statuses, bodies, errors = [], [], [], [], []
    # Per endpoint, in the batch's order: (healthy at the end, failures started again after a success, any 410).
    health: dict[uuid.UUID, list[bool]] = {}
    for item, outcome in results:
        status, delay = decide(item, outcome, policy)
        ids.append(item.delivery_id)
        tokens.append(item.lease_token)
        statuses.append(status)
        delays.append(delay)
        attempted_at.append(outcome.attempted_at)
        durations.append(outcome.duration_ms)
        response_statuses.append(outcome.response_status)
        bodies.append(outcome.response_body)
        errors.append(outcome.error)
        state = health.get(item.endpoint_id)
        if state is None:
            health[item.endpoint_id] = [outcome.delivered, False, outcome.response_status == 410]
        else:
            if not outcome.delivered and state[0]:
                state[1] = True  # a success earlier in this batch: a new run of failures starts now
            state[0] = outcome.delivered
            state[2] = state[2] or outcome.response_status == 410
    endpoint_ids = sorted(health)
    # Before any delivery row: see LOCK_ENDPOINTS.
    await db.execute(LOCK_ENDPOINTS.bind(endpoint_ids=endpoint_ids))
    rows = await db.fetch(
        _RECORD.bind(
            ids=ids,
            tokens=tokens,
            statuses=statuses,
            delays=delays,
            attempted_at=attempted_at,
            durations=durations,
            response_statuses=response_statuses,
            bodies=bodies,
            errors=errors,
            endpoint_ids=endpoint_ids,
            healthy=[health[e][0] for e in endpoint_ids],
            restart=[health[e][1] for e in endpoint_ids],
            disable_after=disable_after_seconds,
        )
    )
    updated = {row["delivery_id"] for row in rows if row["delivery_id"] is not None}
    failing = [row for row in rows if row["endpoint_id"] is not None]
    out = []
    for delivery_id, status in zip(ids, statuses, strict=True):
        if delivery_id in updated:
            out.append(status)
        else:
            # Our lease ran out and another worker owns the row now; the attempt stays in the log.
            logger.warning("delivery %s: lease lost before the result was recorded", delivery_id)
            out.append("lease-lost")
    for row in failing:
        if health[row["endpoint_id"]][2]:
            await disable(db, row["endpoint_id"], GONE_REASON)
        elif row["too_long"]:
            since = row["failing_since"].isoformat(timespec="seconds")
            await disable(db, row["endpoint_id"], f"Every delivery failed since {since}.")
    return out


async def record(
    db: Db, delivery: ClaimedDelivery, outcome: AttemptOutcome, policy: RetryPolicy, disable_after_seconds: float
) -> str:
    """`record_batch` for one result. Returns the delivery's new status."""
    return (await record_batch(db, [(delivery, outcome)], policy, disable_after_seconds))[0]


async def disable(db: Db, endpoint_id: uuid.UUID, reason: str) -> None:
    """Disable the endpoint (if it is not already) and tell the Ombudsman-side subscribers whose scope
    covers its owner. The caller holds the endpoint FOR NO KEY UPDATE."""
    row = await db.fetchrow(_DISABLE.bind(endpoint_id=endpoint_id, reason=reason))
    if row is None:
        return
    endpoint = endpoint_of(row)
    await outbox.enqueue_endpoint_disabled(db, endpoint, row["region_code"])
    logger.warning("webhook endpoint %s disabled: %s", endpoint_id, endpoint.disabled_reason)
