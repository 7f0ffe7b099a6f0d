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
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import BYTEA, JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from referral_service.webhooks import payloads
from referral_service.webhooks.catalogue import ENDPOINT_DISABLED_EVENT, TEST_EVENT

if TYPE_CHECKING:
    from referral_service.events.service import EventDraft
    from referral_service.webhooks.models import WebhookEndpoint

NOTIFY_CHANNEL = "webhook_deliveries"

# One statement: pick the subscriptions that may see this event, insert the (at most two) bodies
# only if someone will receive them, queue one delivery per subscription, and NOTIFY the workers
# if anything was queued. `{event_cte}` is empty, or (see `record_and_enqueue`) the INSERT of the
# timeline event itself, so that the event, its bodies and its deliveries cost one round trip.
# Each queued delivery's foreign key takes FOR KEY SHARE on its endpoint row until commit, so a
# transaction recording many events (a reminder batch) collects them in no particular order;
# whoever else locks endpoint rows must therefore never use FOR UPDATE (see delivery._LOCK_ENDPOINTS).
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
          AND (CAST(:exclude_endpoint AS uuid) IS NULL OR e.id <> CAST(:exclude_endpoint AS uuid))
          AND (cardinality(e.event_types) = 0 OR CAST(:type AS text) = ANY (e.event_types))
          AND CASE e.owner_role
                WHEN 'admin' THEN true
                WHEN 'ombudsman' THEN e.owner_region_code IS NULL
                    OR CAST(:region AS text) = e.owner_region_code
                    OR starts_with(CAST(:region AS text), e.owner_region_code || '.')
                WHEN 'agency' THEN CAST(:agency_body AS bytea) IS NOT NULL
                    AND e.owner_agency_code = CAST(:agency_code AS text)
                ELSE false
              END
    ),
    full_message AS (
        INSERT INTO webhook_messages (event_id, type, body)
        SELECT CAST(:event_id AS bigint), CAST(:type AS text), :full_body WHERE EXISTS (SELECT 1 FROM targets WHERE NOT redacted)
        RETURNING id
    ),
    agency_message AS (
        INSERT INTO webhook_messages (event_id, type, body)
        SELECT CAST(:event_id AS bigint), CAST(:type AS text), :agency_body WHERE EXISTS (SELECT 1 FROM targets WHERE redacted)
        RETURNING id
    ),
    queued AS (
        INSERT INTO webhook_deliveries (endpoint_id, message_id, ordering_key, next_attempt_at)
        SELECT t.id,
               CASE WHEN t.redacted THEN (SELECT id FROM agency_message) ELSE (SELECT id FROM full_message) END,
               CAST(:ordering_key AS uuid),
               -- Not due before the earlier pending delivery of the same resource (it would only
               -- be blocked behind it): keeps blocked rows out of the claim's scan.
               GREATEST(now(), (
                   SELECT max(p.next_attempt_at) FROM webhook_deliveries p
                   WHERE p.endpoint_id = t.id AND p.ordering_key = CAST(:ordering_key AS uuid) AND p.status = 'pending'
               ))
        FROM targets t
        ORDER BY t.id
        RETURNING 1
    ),
    counted AS (SELECT count(*) AS queued FROM queued)
    -- Delivered to listening workers at commit (and dropped on rollback), so a healthy receiver
    -- hears about the change right away instead of at the next poll. Only when something was queued.
    SELECT queued, CASE WHEN queued > 0 THEN pg_notify(CAST(:channel AS text), '') IS NULL END AS notified
    FROM counted
"""

_BODY_PARAMS = (bindparam("full_body", type_=BYTEA), bindparam("agency_body", type_=BYTEA))
_FAN_OUT = text(_FAN_OUT_SQL.format(event_cte="")).bindparams(*_BODY_PARAMS)

# The timeline event, inserted with the id and time reserved by the caller (see events.service).
_RECORD_AND_FAN_OUT = text(
    _FAN_OUT_SQL.format(
        event_cte="""recorded AS (
        INSERT INTO events (id, occurred_at, complaint_id, referral_id, agency_code, sequence, type, actor_key_id,
                            actor_role, actor_agency_code, via, from_state, to_state, data)
        VALUES (CAST(:event_id AS bigint), :occurred_at, :complaint_id, :referral_id, :agency_code, :sequence,
                CAST(:type AS text), :actor_key_id, :actor_role, :actor_agency_code, :via, :from_state, :to_state, :data)
    ),
    """
    )
).bindparams(*_BODY_PARAMS, bindparam("data", type_=JSONB))


def _fan_out_params(
    *,
    event_type: str,
    event_id: int | None,
    region_code: str | None,
    agency_code: str | None,
    ordering_key: uuid.UUID | None,
    full_body: bytes,
    agency_body: bytes | None,
    exclude_endpoint: uuid.UUID | None = None,
) -> dict[str, Any]:
    return {
        "type": event_type,
        "event_id": event_id,
        "region": region_code,
        "agency_code": agency_code,
        "ordering_key": ordering_key,
        "full_body": full_body,
        "agency_body": agency_body,
        "exclude_endpoint": exclude_endpoint,
        "channel": NOTIFY_CHANNEL,
    }


async def _fan_out(session: AsyncSession, **kwargs: Any) -> int:
    queued = await session.scalar(_FAN_OUT, _fan_out_params(**kwargs))
    return queued or 0


def _event_fan_out_params(event_id: int, occurred_at: datetime, draft: "EventDraft", snapshot: dict[str, Any] | None) -> dict[str, Any]:
    full_body, agency_body = payloads.event_bodies(event_id, occurred_at, draft, snapshot)
    return _fan_out_params(
        event_type=draft.type,
        event_id=event_id,
        region_code=draft.region_code,
        agency_code=draft.agency_code,
        # Order is kept per referral; complaint-level events are ordered per complaint.
        ordering_key=draft.referral_id or draft.complaint_id,
        full_body=full_body,
        agency_body=agency_body,
    )


async def enqueue(
    session: AsyncSession, *, event_id: int, occurred_at: datetime, draft: "EventDraft", snapshot: dict[str, Any] | None
) -> int:
    """Queue the deliveries of one timeline event already inserted. Returns how many were queued."""
    queued = await session.scalar(_FAN_OUT, _event_fan_out_params(event_id, occurred_at, draft, snapshot))
    return queued or 0


async def insert_event_and_enqueue(
    session: AsyncSession,
    *,
    event_id: int,
    occurred_at: datetime,
    draft: "EventDraft",
    event_columns: dict[str, Any],
    snapshot: dict[str, Any] | None,
) -> int:
    """Insert the timeline event (its id and time reserved beforehand) and queue its deliveries, in
    one statement. `event_columns`: the events columns other than id, occurred_at and type."""
    params = _event_fan_out_params(event_id, occurred_at, draft, snapshot)
    params.update(event_columns, occurred_at=occurred_at)
    queued = await session.scalar(_RECORD_AND_FAN_OUT, params)
    return queued or 0


async def enqueue_test(session: AsyncSession, endpoint: "WebhookEndpoint") -> int:
    """Queue a `webhook.test` message to this endpoint only. Returns the delivery id."""
    now = datetime.now(timezone.utc)
    body = payloads.notice_body(
        TEST_EVENT, now, {"endpoint_id": endpoint.id, "message": "Test event sent on request."}
    )
    delivery_id = await session.scalar(
        text(
            """
            WITH message AS (
                INSERT INTO webhook_messages (type, body) VALUES (:type, :body) RETURNING id
            )
            INSERT INTO webhook_deliveries (endpoint_id, message_id)
            SELECT CAST(:endpoint_id AS uuid), id FROM message
            RETURNING id
            """
        ).bindparams(bindparam("body", type_=BYTEA)),
        {"type": TEST_EVENT, "body": body, "endpoint_id": endpoint.id},
    )
    await session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": NOTIFY_CHANNEL})
    return int(delivery_id)


async def enqueue_endpoint_disabled(session: AsyncSession, endpoint: "WebhookEndpoint", region_code: str | None) -> int:
    """Tell the Ombudsman-side subscriptions whose scope covers `region_code` that an endpoint was disabled.

    `region_code` is the disabled endpoint's region (its agency's, or its ombudsman key's); None
    reaches only national ombudsman and admin subscriptions.
    """
    now = datetime.now(timezone.utc)
    body = payloads.notice_body(ENDPOINT_DISABLED_EVENT, now, {"endpoint": payloads.endpoint_summary(endpoint)})
    return await _fan_out(
        session,
        event_type=ENDPOINT_DISABLED_EVENT,
        event_id=None,
        region_code=region_code,
        agency_code=None,
        ordering_key=None,
        full_body=body,
        agency_body=None,
        exclude_endpoint=endpoint.id,
    )


async def redact_pending_for_complaint(session: AsyncSession, complaint_id: uuid.UUID) -> int:
    """Remove the complainant from every stored agency-audience body of this complaint's events.

    Bodies are built when the event is recorded; a complaint made confidential afterwards must not
    reach an agency through a delivery still queued, retried, resent or recovered later. The
    Ombudsman-side bodies are left as they are. A send already in flight keeps the body it claimed.
    Call it in the transaction that sets `identity_confidential`. Returns how many bodies changed.
    """
    rows = (
        await session.execute(
            text(
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
            ),
            {"complaint_id": complaint_id},
        )
    ).all()
    changed = 0
    for row in rows:
        body = payloads.strip_complainant(bytes(row.body))
        if body is not None:
            await session.execute(
                text("UPDATE webhook_messages SET body = :body WHERE id = :id").bindparams(bindparam("body", type_=BYTEA)),
                {"body": body, "id": row.id},
            )
            changed += 1
    return changed
