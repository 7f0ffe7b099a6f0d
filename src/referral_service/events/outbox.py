"""Transactional outbox: turns a recorded event into webhook delivery rows in the same transaction.

The event recorder (events/service.py) runs a `recording_statement` inside the transaction that
makes the change, so the change, its timeline event and its deliveries commit or vanish together; a
worker sends them later (see webhooks/dispatcher.py). Fan-out is one INSERT ... SELECT over the
subscriptions, with each audience's body built once per event. A statement is composed from named
parts once per shape and bound per call, so its text is stable and asyncpg prepares it once.

Who receives what (the subscription's scope is that of the key that created it):
- admin endpoints and national ombudsman endpoints: every event;
- region-limited ombudsman endpoints: events whose region is inside theirs (64 covers 64.72);
- agency endpoints: only referral events about referrals forwarded to that agency
  (`agency_visible`), never complaint-level events, with a confidential complainant redacted.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from referral_service import clock
from referral_service.auth.scope import scope_covers
from referral_service.db.driver import Db, json_param
from referral_service.db.sql import TRUE, Sql
from referral_service.events import payloads
from referral_service.events.catalogue import ENDPOINT_DISABLED_EVENT, TEST_EVENT
from referral_service.events.draft import Actor, EventDraft

NOTIFY_CHANNEL = "webhook_deliveries"
# Feed readers waiting for something new (events/feed.py) hear about it at commit: one NOTIFY per
# event-writing statement whose event was written (none when the guard refused it).
FEED_CHANNEL = "event_feed"

EMPTY = Sql("")

# The parameters the recorder's parts use are named `ev_*`, so the caller's own parts (the change
# the event records, `before`) may name theirs freely otherwise.


def _fan_out(*, event_id: Sql, full_body: Sql, first_of_resource: Sql, guard: Sql, returning: Sql) -> Sql:
    """Pick the subscriptions that may see this event, insert the (at most two) bodies only if
    someone will receive them, queue one delivery per subscription, and NOTIFY the workers if
    anything was queued. `event_id`, `full_body`: SQL expressions for the event's id and the
    Ombudsman-side body (parameters, or columns of a CTE that drew the id).

    Each queued delivery's foreign key takes FOR KEY SHARE on its endpoint row until commit, so a
    transaction recording many events (a reminder batch) collects them in no particular order;
    whoever else locks endpoint rows must therefore never use FOR UPDATE (see webhooks/recording.py,
    LOCK_ENDPOINTS)."""
    covers_complaint_region = scope_covers("e.owner_region_code", ":ev_region::text")
    covers_agency_region = scope_covers("e.owner_region_code", ":ev_agency_region::text")
    return (
        Sql(
            """targets AS (
        SELECT e.id, e.owner_role = 'agency' AS redacted
        FROM webhook_endpoints e
        -- Disabled endpoints are included: their deliveries wait (the claim holds them back) and
        -- go out in order once the endpoint is enabled again. An endpoint whose owner key was
        -- revoked receives nothing more (the bootstrap admin has no api_keys row: NOT EXISTS).
        WHERE NOT EXISTS (
                SELECT 1 FROM api_keys k WHERE k.id = e.owner_key_id AND k.revoked_at IS NOT NULL
              )
          AND """
        )
        + guard
        + Sql(
            """
          AND (:ev_exclude_endpoint::uuid IS NULL OR e.id <> :ev_exclude_endpoint::uuid)
          AND (cardinality(e.event_types) = 0 OR :ev_type::text = ANY (e.event_types))
          AND CASE e.owner_role
                WHEN 'admin' THEN true
                -- The complaint's region, or the agency's for a cross-region referral.
                WHEN 'ombudsman' THEN """
        )
        + covers_complaint_region
        + Sql(
            """
                    OR """
        )
        + covers_agency_region
        + Sql(
            """
                WHEN 'agency' THEN :ev_agency_body::bytea IS NOT NULL AND e.owner_agency_code = :ev_agency_code::text
                ELSE false
              END
    ),
    full_message AS (
        INSERT INTO webhook_messages (event_id, type, body)
        SELECT """
        )
        + event_id
        + Sql(", :ev_type::text, ")
        + full_body
        + Sql(
            """ WHERE EXISTS (SELECT 1 FROM targets WHERE NOT redacted)
        RETURNING id
    ),
    agency_message AS (
        INSERT INTO webhook_messages (event_id, type, body)
        SELECT """
        )
        + event_id
        + Sql(
            """, :ev_type::text, :ev_agency_body::bytea WHERE EXISTS (SELECT 1 FROM targets WHERE redacted)
        RETURNING id
    ),
    queued AS (
        INSERT INTO webhook_deliveries (endpoint_id, message_id, ordering_key, next_attempt_at)
        SELECT t.id,
               CASE WHEN t.redacted THEN (SELECT id FROM agency_message) ELSE (SELECT id FROM full_message) END,
               :ev_ordering_key::uuid,
               -- Not due before the earlier pending delivery of the same resource (it would only
               -- be blocked behind it): keeps blocked rows out of the claim's scan. A resource's
               -- first event (a new complaint or referral) has no earlier delivery to wait for,
               -- and the look-up is skipped (a CASE evaluates only the branch it takes).
               CASE WHEN """
        )
        + first_of_resource
        + Sql(
            """ THEN now() ELSE GREATEST(now(), (
                   SELECT max(p.next_attempt_at) FROM webhook_deliveries p
                   WHERE p.endpoint_id = t.id AND p.ordering_key = :ev_ordering_key::uuid AND p.status = 'pending'
               )) END
        FROM targets t
        ORDER BY t.id
        RETURNING 1
    ),
    counted AS (SELECT count(*) AS queued FROM queued)
    -- Delivered to listening workers at commit (and dropped on rollback), so a healthy receiver
    -- hears about the change right away instead of at the next poll. Only when something was queued.
    SELECT queued, CASE WHEN queued > 0 THEN pg_notify(:ev_notify_channel::text, '') IS NULL END AS notified"""
        )
        + returning
        + Sql("\n    FROM counted\n")
    )


# A service notice (no timeline event) fanned out on its own.
_NOTICE = Sql("\n    WITH ") + _fan_out(
    event_id=Sql(":ev_event_id::bigint"),
    full_body=Sql(":ev_full_body::bytea"),
    first_of_resource=Sql(":ev_ordering_key::uuid IS NULL"),
    guard=TRUE,
    returning=EMPTY,
)


def _recorded(*, event_id: Sql, full_body: Sql, guard: Sql) -> Sql:
    """The timeline event, inserted with the id and time reserved by the caller (see events.service),
    and the feed's copy of both bodies (events/feed.py), whether or not anyone subscribes; when
    `guard` holds."""
    return (
        Sql(
            """recorded AS (
        INSERT INTO events (id, type, occurred_at, complaint_id, referral_id, agency_code, sequence, actor_key_id,
                            actor_role, actor_agency_code, via, from_state, to_state, data)
        SELECT """
        )
        + event_id
        + Sql(
            """, :ev_type::text, :ev_occurred_at, :ev_complaint_id, :ev_referral_id, :ev_agency_code::text,
               :ev_sequence, :ev_actor_key_id, :ev_actor_role, :ev_actor_agency_code, :ev_via, :ev_from_state,
               :ev_to_state, :ev_data
        WHERE """
        )
        + guard
        + Sql(
            """
    ),
    fed AS (
        INSERT INTO event_feed (event_id, type, complaint_id, referral_id, agency_code, region_code, agency_region_code,
                                full_body, agency_body)
        SELECT """
        )
        + event_id
        + Sql(
            """, :ev_type::text, :ev_complaint_id, :ev_referral_id, :ev_agency_code::text, :ev_region::text,
               :ev_agency_region::text, """
        )
        + full_body
        + Sql(
            """, :ev_agency_body::bytea
        WHERE """
        )
        + guard
        + Sql(
            """
        RETURNING 1
    ),
    """
        )
    )


# A statement that draws its timeline event's id itself, so that the statements before it need no
# transaction around them (the intake): the id must be drawn by the transaction that records the event
# (the feed's no-gap rule, events/feed.py), yet the Ombudsman-side body carries it as `data.event_id`.
# The body comes as the two parts around that value (`payloads.full_body_around_event_id`), joined
# here around the id drawn. Only for events no agency receives (their agency body is NULL).
_DRAWN_EVENT = Sql(
    """drawn_event AS (
        SELECT e.id,
               :ev_body_head::bytea || convert_to(e.id::text, 'UTF8') || :ev_body_tail::bytea AS full_body
        FROM (SELECT reserve_event_id() AS id) AS e
    ),
    """
)


def recording_statement(
    *, before: Sql = EMPTY, guard: Sql = TRUE, returning: Sql = EMPTY, draws_event_id: bool = False
) -> Sql:
    """The event insert and its fan-out as one statement, preceded by the caller's own CTEs (`before`,
    each ending with a comma), the event and its deliveries written only when `guard` holds,
    `returning`: extra output columns (each after a comma). Compose once per shape (a module
    constant) and give it its values per call: `recording_values` (or `drawn_event_values` with
    `draws_event_id`) and the caller's own, with `.bind`."""
    if draws_event_id:
        event_id, full_body = Sql("(SELECT id FROM drawn_event)"), Sql("(SELECT full_body FROM drawn_event)")
    else:
        event_id, full_body = Sql(":ev_event_id::bigint"), Sql(":ev_full_body::bytea")
    return (
        Sql("\n    WITH ")
        + (_DRAWN_EVENT if draws_event_id else EMPTY)
        + before
        + _recorded(event_id=event_id, full_body=full_body, guard=guard)
        + _fan_out(
            event_id=event_id,
            full_body=full_body,
            first_of_resource=Sql(":ev_sequence = 1"),  # the event's sequence in its stream
            guard=guard,
            returning=Sql(", (SELECT pg_notify(:ev_feed_channel::text, '') IS NULL FROM fed) AS feed_notified")
            + returning,
        )
    )


# The plain recording: the event and its fan-out, nothing of the caller's.
RECORD = recording_statement()


def _fan_out_values(
    *,
    event_type: str,
    region_code: str | None,
    agency_code: str | None,
    ordering_key: uuid.UUID | None,
    agency_body: bytes | None,
    exclude_endpoint: uuid.UUID | None = None,
    agency_region_code: str | None = None,
) -> dict[str, Any]:
    return {
        "ev_type": event_type,
        "ev_region": region_code,
        "ev_agency_region": agency_region_code,
        "ev_agency_code": agency_code,
        "ev_ordering_key": ordering_key,
        "ev_agency_body": agency_body,
        "ev_exclude_endpoint": exclude_endpoint,
        "ev_notify_channel": NOTIFY_CHANNEL,
    }


def _event_values(occurred_at: datetime, draft: EventDraft, actor: Actor, agency_body: bytes | None) -> dict[str, Any]:
    return {
        **_fan_out_values(
            event_type=draft.type,
            region_code=draft.region_code,
            agency_region_code=draft.agency_region_code,
            agency_code=draft.agency_code,
            # Order is kept per referral; complaint-level events are ordered per complaint.
            ordering_key=draft.referral_id or draft.complaint_id,
            agency_body=agency_body,
        ),
        "ev_feed_channel": FEED_CHANNEL,
        "ev_occurred_at": occurred_at,
        "ev_complaint_id": draft.complaint_id,
        "ev_referral_id": draft.referral_id,
        "ev_sequence": draft.sequence,
        "ev_actor_key_id": actor.key_id,
        "ev_actor_role": actor.role,
        "ev_actor_agency_code": actor.agency_code,
        "ev_via": actor.via,
        "ev_from_state": draft.from_state,
        "ev_to_state": draft.to_state,
        "ev_data": json_param(draft.data),
    }


def recording_values(
    *, event_id: int, occurred_at: datetime, draft: EventDraft, actor: Actor, snapshot: dict[str, Any] | None
) -> dict[str, Any]:
    """The recorder's values for a `recording_statement` (its id and time reserved beforehand)."""
    full_body, agency_body = payloads.event_bodies(event_id, occurred_at, draft, snapshot)
    return {
        **_event_values(occurred_at, draft, actor, agency_body),
        "ev_event_id": event_id,
        "ev_full_body": full_body,
    }


def drawn_event_values(
    *, occurred_at: datetime, draft: EventDraft, actor: Actor, snapshot: dict[str, Any] | None
) -> dict[str, Any]:
    """The recorder's values for a `recording_statement(draws_event_id=True)`."""
    if payloads.agency_may_receive(draft):
        raise ValueError("a statement drawing its event id writes the Ombudsman-side body only")
    head, tail = payloads.full_body_around_event_id(occurred_at, draft, snapshot)
    return {**_event_values(occurred_at, draft, actor, None), "ev_body_head": head, "ev_body_tail": tail}


async def record_and_fan_out(db: Db, statement: Sql) -> int:
    """Run a bound recording statement; how many deliveries it queued."""
    row = await db.fetchrow(statement)
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
    body = payloads.notice_body(
        TEST_EVENT, clock.now(), {"endpoint_id": endpoint_id, "message": "Test event sent on request."}
    )
    return int(await db.fetchval(_ENQUEUE_TEST.bind(body=body, endpoint_id=endpoint_id)))


async def enqueue_endpoint_disabled(db: Db, endpoint: Any, region_code: str | None) -> int:
    """Tell the Ombudsman-side subscriptions whose scope covers `region_code` that an endpoint was disabled.

    `endpoint`: the disabled endpoint as it is now (a `webhooks.repository.Endpoint`, or a row with its
    attributes). `region_code` is its region (its agency's, or its ombudsman key's); None reaches
    only national ombudsman and admin subscriptions.
    """
    body = payloads.notice_body(ENDPOINT_DISABLED_EVENT, clock.now(), {"endpoint": payloads.endpoint_summary(endpoint)})
    values = _fan_out_values(
        event_type=ENDPOINT_DISABLED_EVENT,
        region_code=region_code,
        agency_code=None,
        ordering_key=None,
        agency_body=None,
        exclude_endpoint=endpoint.id,
    )
    return await record_and_fan_out(db, _NOTICE.bind(**values, ev_event_id=None, ev_full_body=body))


_AGENCY_BODIES_OF_COMPLAINT = Sql(
    """
    SELECT m.id, m.body
    FROM events ev
    JOIN webhook_messages m ON m.event_id = ev.id
    WHERE ev.complaint_id = :complaint_id
      AND EXISTS (
          SELECT 1 FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
          WHERE d.message_id = m.id AND e.owner_role = 'agency'
      )
    ORDER BY m.id
    FOR UPDATE OF m
"""
)
_SET_BODY = "UPDATE webhook_messages SET body = :body WHERE id = :id"
_FEED_AGENCY_BODIES_OF_COMPLAINT = Sql(
    """
    SELECT event_id, agency_body FROM event_feed
    WHERE complaint_id = :complaint_id AND agency_body IS NOT NULL
    ORDER BY event_id
    FOR UPDATE
"""
)
_SET_FEED_AGENCY_BODY = "UPDATE event_feed SET agency_body = :body WHERE event_id = :event_id"


async def redact_pending_for_complaint(db: Db, complaint_id: uuid.UUID) -> int:
    """Remove the complainant from every stored agency-audience body of this complaint's events.

    Bodies are built when the event is recorded; a complaint made confidential afterwards must not
    reach an agency through a delivery still queued, retried, resent or recovered later. The
    Ombudsman-side bodies are left as they are. A send already in flight keeps the body it claimed.
    Call it in the transaction that sets `identity_confidential`. Returns how many bodies changed.
    """
    changed = [
        {"id": row["id"], "body": body}
        for row in await db.fetch(_AGENCY_BODIES_OF_COMPLAINT.bind(complaint_id=complaint_id))
        if (body := payloads.strip_complainant(bytes(row["body"]))) is not None
    ]
    await db.executemany(_SET_BODY, changed)
    # The feed serves the same agency bodies (events/feed.py): they follow the same rule.
    fed = [
        {"event_id": row["event_id"], "body": body}
        for row in await db.fetch(_FEED_AGENCY_BODIES_OF_COMPLAINT.bind(complaint_id=complaint_id))
        if (body := payloads.strip_complainant(bytes(row["agency_body"]))) is not None
    ]
    await db.executemany(_SET_FEED_AGENCY_BODY, fed)
    return len(changed)
