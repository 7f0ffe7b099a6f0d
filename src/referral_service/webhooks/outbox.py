"""Transactional outbox: turns a recorded event into webhook delivery rows in the same transaction.

`enqueue` is called by the event recorder inside the transaction that makes the change, so the
change, its timeline event and its deliveries commit or vanish together; a worker sends them
later (see dispatcher.py). Fan-out is one INSERT ... SELECT over the subscriptions, with each
audience's body built once per event.

Who receives what (the subscription's scope is that of the key that created it):
- admin endpoints and national ombudsman endpoints: every event;
- region-limited ombudsman endpoints: events whose region is inside theirs (64 covers 64.72);
- agency endpoints: only referral events about referrals forwarded to that agency
  (`agency_visible`), never complaint-level events, with a confidential complainant redacted.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from referral_service.auth.scope import scope_covers_sql
from referral_service.db.driver import Db
from referral_service.db.sql import Sql
from referral_service.events.draft import EventDraft
from referral_service.webhooks import payloads
from referral_service.webhooks.catalogue import ENDPOINT_DISABLED_EVENT, TEST_EVENT

NOTIFY_CHANNEL = "webhook_deliveries"

# One statement: pick the subscriptions that may see this event, insert the (at most two) bodies
# only if someone will receive them, queue one delivery per subscription, and NOTIFY the workers
# if anything was queued. `{event_cte}` is empty, or the INSERT of the timeline event itself, so
# that the event, its bodies and its deliveries cost one round trip. Parameters:
# $1 type, $2 event id, $3 complaint region, $4 agency region, $5 agency code, $6 ordering key,
# $7 Ombudsman-side body, $8 agency body (NULL: no agency may see it), $9 endpoint to leave out,
# $10 NOTIFY channel; with the event CTE also $11.. (see `record_and_fan_out_sql`).
# Each queued delivery's foreign key takes FOR KEY SHARE on its endpoint row until commit, so a
# transaction recording many events (a reminder batch) collects them in no particular order;
# whoever else locks endpoint rows must therefore never use FOR UPDATE (see recording.LOCK_ENDPOINTS).
_FAN_OUT_SQL = """
    WITH {event_cte}targets AS (
        SELECT e.id, e.owner_role = 'agency' AS redacted
        FROM webhook_endpoints e
        -- Disabled endpoints are included: their deliveries wait (the claim holds them back) and
        -- go out in order once the endpoint is enabled again. An endpoint whose owner key was
        -- revoked receives nothing more (the bootstrap admin has no api_keys row: NOT EXISTS).
        WHERE NOT EXISTS (
                SELECT 1 FROM api_keys k WHERE k.id = e.owner_key_id AND k.revoked_at IS NOT NULL
              )
          AND {guard}
          AND ($9::uuid IS NULL OR e.id <> $9::uuid)
          AND (cardinality(e.event_types) = 0 OR $1::text = ANY (e.event_types))
          AND CASE e.owner_role
                WHEN 'admin' THEN true
                -- The complaint's region, or the agency's for a cross-region referral.
                WHEN 'ombudsman' THEN {covers_complaint_region}
                    OR {covers_agency_region}
                WHEN 'agency' THEN $8::bytea IS NOT NULL AND e.owner_agency_code = $5::text
                ELSE false
              END
    ),
    full_message AS (
        INSERT INTO webhook_messages (event_id, type, body)
        SELECT $2::bigint, $1::text, $7::bytea WHERE EXISTS (SELECT 1 FROM targets WHERE NOT redacted)
        RETURNING id
    ),
    agency_message AS (
        INSERT INTO webhook_messages (event_id, type, body)
        SELECT $2::bigint, $1::text, $8::bytea WHERE EXISTS (SELECT 1 FROM targets WHERE redacted)
        RETURNING id
    ),
    queued AS (
        INSERT INTO webhook_deliveries (endpoint_id, message_id, ordering_key, next_attempt_at)
        SELECT t.id,
               CASE WHEN t.redacted THEN (SELECT id FROM agency_message) ELSE (SELECT id FROM full_message) END,
               $6::uuid,
               -- Not due before the earlier pending delivery of the same resource (it would only
               -- be blocked behind it): keeps blocked rows out of the claim's scan. A resource's
               -- first event (a new complaint or referral) has no earlier delivery to wait for,
               -- and the look-up is skipped (a CASE evaluates only the branch it takes).
               CASE WHEN {{first_of_resource}} THEN now() ELSE GREATEST(now(), (
                   SELECT max(p.next_attempt_at) FROM webhook_deliveries p
                   WHERE p.endpoint_id = t.id AND p.ordering_key = $6::uuid AND p.status = 'pending'
               )) END
        FROM targets t
        ORDER BY t.id
        RETURNING 1
    ),
    counted AS (SELECT count(*) AS queued FROM queued)
    -- Delivered to listening workers at commit (and dropped on rollback), so a healthy receiver
    -- hears about the change right away instead of at the next poll. Only when something was queued.
    SELECT queued, CASE WHEN queued > 0 THEN pg_notify($10::text, '') IS NULL END AS notified{returning}
    FROM counted
"""

_FAN_OUT_SQL = _FAN_OUT_SQL.replace(
    "{covers_complaint_region}", scope_covers_sql("e.owner_region_code", "$3::text")
).replace("{covers_agency_region}", scope_covers_sql("e.owner_region_code", "$4::text"))
_FAN_OUT = _FAN_OUT_SQL.format(event_cte="", guard="true", returning="").replace(
    "{first_of_resource}", "$6::uuid IS NULL"
)

# The timeline event, inserted with the id and time reserved by the caller (see events.service),
# when `guard` holds. Parameters $11.. are the event's own columns (see `insert_event_and_enqueue`).
_EVENT_CTE = """recorded AS (
        INSERT INTO events (id, type, occurred_at, complaint_id, referral_id, agency_code, sequence, actor_key_id,
                            actor_role, actor_agency_code, via, from_state, to_state, data)
        SELECT $2::bigint, $1::text, $11, $12, $13, $5::text, $14, $15, $16, $17, $18, $19, $20, $21
        WHERE {guard}
    ),
    fed AS (
        -- The feed's copy of both bodies (events/feed.py), whether or not anyone subscribes.
        INSERT INTO event_feed (event_id, type, complaint_id, referral_id, agency_code, region_code, agency_region_code,
                                full_body, agency_body)
        SELECT $2::bigint, $1::text, $12, $13, $5::text, $3::text, $4::text, $7::bytea, $8::bytea
        WHERE {guard}
        RETURNING 1
    ),
    """
# Feed readers waiting for something new (events/feed.py) hear about it at commit: one NOTIFY per
# event-writing statement whose event was written (none when the guard refused it).
FEED_CHANNEL = "event_feed"
_FEED_NOTIFY = f", (SELECT pg_notify('{FEED_CHANNEL}', '') IS NULL FROM fed) AS feed_notified"
FIRST_FREE_PARAM = 22  # the first parameter a statement built by `record_and_fan_out_sql` leaves to its caller


@lru_cache(maxsize=64)
def record_and_fan_out_sql(*, before: str = "", guard: str = "true", returning: str = "") -> str:
    """The event insert and its fan-out as one statement, preceded by the caller's own CTEs (`before`,
    each ending with a comma, using parameters from `FIRST_FREE_PARAM` on), the event and its
    deliveries written only when `guard` (SQL) holds, `returning` extra output columns."""
    return _FAN_OUT_SQL.format(
        event_cte=before + _EVENT_CTE.format(guard=guard), guard=guard, returning=_FEED_NOTIFY + returning
    ).replace("{first_of_resource}", "$14 = 1")  # the event's sequence in its stream


# A statement that draws its timeline event's id itself, so that the statements before it need no
# transaction around them (the intake): the id must be drawn by the transaction that records the event
# (the feed's no-gap rule, events/feed.py), yet the Ombudsman-side body carries it as `data.event_id`.
# The body is built with EVENT_ID_PLACEHOLDER there, and the statement writes the id it drew in its
# place; $2 carries the placeholder's (1-based) byte position in the body instead of the id.
EVENT_ID_PLACEHOLDER = 0
_PLACEHOLDER_FIELD = b'"event_id":'
_DRAWN_EVENT_CTE = """drawn_event AS (
        SELECT e.id,
               overlay(CAST($7 AS bytea) PLACING convert_to(e.id::text, 'UTF8') FROM CAST($2 AS integer) FOR 1)
                   AS full_body
        FROM (SELECT reserve_event_id() AS id) AS e
    ),
    """


def drawing_its_event_id(sql: str) -> str:
    """A `record_and_fan_out_sql` statement turned into one that draws its event id (see above). For
    events no agency receives (their agency body, $8, is NULL): only the Ombudsman-side body is completed."""
    completed = sql.replace("$2::bigint", "(SELECT id FROM drawn_event)").replace(
        "$7::bytea", "(SELECT full_body FROM drawn_event)"
    )
    return completed.replace("WITH ", "WITH " + _DRAWN_EVENT_CTE, 1)


def placeholder_args(args: list[Any]) -> list[Any]:
    """`event_args` built with EVENT_ID_PLACEHOLDER, as a `drawing_its_event_id` statement takes them."""
    if args[7] is not None:
        raise ValueError("a statement drawing its event id completes the Ombudsman-side body only")
    body: bytes = args[6]
    # `data.event_id` is the body's first field of that name: "type" and "timestamp" come before
    # "data", and inside strings JSON escapes every quote.
    marker = _PLACEHOLDER_FIELD + str(EVENT_ID_PLACEHOLDER).encode() + b","
    return [args[0], body.index(marker) + len(_PLACEHOLDER_FIELD) + 1, *args[2:]]


def event_args(
    *,
    event_id: int,
    occurred_at: datetime,
    draft: EventDraft,
    snapshot: dict[str, Any] | None,
    event_columns: list[Any],
) -> list[Any]:
    """The arguments $1..$21 of a `record_and_fan_out_sql` statement."""
    return [*_event_fan_out_args(event_id, occurred_at, draft, snapshot), occurred_at, *event_columns]


def _fan_out_args(
    *,
    event_type: str,
    event_id: int | None,
    region_code: str | None,
    agency_code: str | None,
    ordering_key: uuid.UUID | None,
    full_body: bytes,
    agency_body: bytes | None,
    exclude_endpoint: uuid.UUID | None = None,
    agency_region_code: str | None = None,
) -> list[Any]:
    return [
        event_type,
        event_id,
        region_code,
        agency_region_code,
        agency_code,
        ordering_key,
        full_body,
        agency_body,
        exclude_endpoint,
        NOTIFY_CHANNEL,
    ]


def _event_fan_out_args(
    event_id: int, occurred_at: datetime, draft: EventDraft, snapshot: dict[str, Any] | None
) -> list[Any]:
    full_body, agency_body = payloads.event_bodies(event_id, occurred_at, draft, snapshot)
    return _fan_out_args(
        event_type=draft.type,
        event_id=event_id,
        region_code=draft.region_code,
        agency_region_code=draft.agency_region_code,
        agency_code=draft.agency_code,
        # Order is kept per referral; complaint-level events are ordered per complaint.
        ordering_key=draft.referral_id or draft.complaint_id,
        full_body=full_body,
        agency_body=agency_body,
    )


async def insert_event_and_enqueue(
    db: Db,
    *,
    event_id: int,
    occurred_at: datetime,
    draft: EventDraft,
    event_columns: list[Any],
    snapshot: dict[str, Any] | None,
    before: str = "",
    before_args: Sequence[Any] = (),
) -> int:
    """Insert the timeline event (its id and time reserved beforehand) and queue its deliveries, in
    one statement. `event_columns`: complaint_id, referral_id, sequence, actor_key_id, actor_role,
    actor_agency_code, via, from_state, to_state, data (JSON text), in that order. `before`: the
    caller's own CTEs to run in the same statement (the change the event records), with their
    arguments from `FIRST_FREE_PARAM` on."""
    args = event_args(
        event_id=event_id, occurred_at=occurred_at, draft=draft, snapshot=snapshot, event_columns=event_columns
    )
    row = await db.fetchrow(record_and_fan_out_sql(before=before), *args, *before_args)
    return int(row["queued"]) if row else 0


_ENQUEUE_TEST = Sql(
    """
    WITH message AS (
        INSERT INTO webhook_messages (type, body) VALUES (:type, :body) RETURNING id
    )
    INSERT INTO webhook_deliveries (endpoint_id, message_id)
    SELECT :endpoint_id, id FROM message
    RETURNING id, pg_notify(:channel, '') IS NULL AS notified
    """,
    type=TEST_EVENT,
    channel=NOTIFY_CHANNEL,
)


async def enqueue_test(db: Db, endpoint_id: uuid.UUID) -> int:
    """Queue a `webhook.test` message to this endpoint only. Returns the delivery id."""
    now = datetime.now(UTC)
    body = payloads.notice_body(TEST_EVENT, now, {"endpoint_id": endpoint_id, "message": "Test event sent on request."})
    return int(await db.fetchval(_ENQUEUE_TEST.bind(body=body, endpoint_id=endpoint_id)))


async def enqueue_endpoint_disabled(db: Db, endpoint: Any, region_code: str | None) -> int:
    """Tell the Ombudsman-side subscriptions whose scope covers `region_code` that an endpoint was disabled.

    `endpoint`: the disabled endpoint as it is now (a `repository.Endpoint`, or a row with its
    attributes). `region_code` is its region (its agency's, or its ombudsman key's); None reaches
    only national ombudsman and admin subscriptions.
    """
    now = datetime.now(UTC)
    body = payloads.notice_body(ENDPOINT_DISABLED_EVENT, now, {"endpoint": payloads.endpoint_summary(endpoint)})
    args = _fan_out_args(
        event_type=ENDPOINT_DISABLED_EVENT,
        event_id=None,
        region_code=region_code,
        agency_code=None,
        ordering_key=None,
        full_body=body,
        agency_body=None,
        exclude_endpoint=endpoint.id,
    )
    row = await db.fetchrow(_FAN_OUT, *args)
    return int(row["queued"]) if row else 0


_AGENCY_BODIES_OF_COMPLAINT = """
    SELECT m.id, m.body
    FROM events ev
    JOIN webhook_messages m ON m.event_id = ev.id
    WHERE ev.complaint_id = $1
      AND EXISTS (
          SELECT 1 FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
          WHERE d.message_id = m.id AND e.owner_role = 'agency'
      )
    ORDER BY m.id
    FOR UPDATE OF m
"""
_SET_BODY = "UPDATE webhook_messages SET body = $2 WHERE id = $1"


async def redact_pending_for_complaint(db: Db, complaint_id: uuid.UUID) -> int:
    """Remove the complainant from every stored agency-audience body of this complaint's events.

    Bodies are built when the event is recorded; a complaint made confidential afterwards must not
    reach an agency through a delivery still queued, retried, resent or recovered later. The
    Ombudsman-side bodies are left as they are. A send already in flight keeps the body it claimed.
    Call it in the transaction that sets `identity_confidential`. Returns how many bodies changed.
    """
    changed = [
        (row["id"], body)
        for row in await db.fetch(_AGENCY_BODIES_OF_COMPLAINT, complaint_id)
        if (body := payloads.strip_complainant(bytes(row["body"]))) is not None
    ]
    if changed:
        await db.conn.executemany(_SET_BODY, changed)
    # The feed serves the same agency bodies (events/feed.py): they follow the same rule.
    fed = [
        (row["event_id"], body)
        for row in await db.fetch(_FEED_AGENCY_BODIES_OF_COMPLAINT, complaint_id)
        if (body := payloads.strip_complainant(bytes(row["agency_body"]))) is not None
    ]
    if fed:
        await db.conn.executemany(_SET_FEED_AGENCY_BODY, fed)
    return len(changed)


_FEED_AGENCY_BODIES_OF_COMPLAINT = """
    SELECT event_id, agency_body FROM event_feed
    WHERE complaint_id = $1 AND agency_body IS NOT NULL
    ORDER BY event_id
    FOR UPDATE
"""
_SET_FEED_AGENCY_BODY = "UPDATE event_feed SET agency_body = $2 WHERE event_id = $1"
