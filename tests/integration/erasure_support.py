"""Helpers for the erasure tests: where a value may still be stored, every stored body about a
complaint, and every page of the event feed a key can read."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import orjson

from referral_service.webhooks import delivery
from tests.conftest import Api


async def tables_holding(app, needles: list[str]) -> list[str]:
    """Every (table.column: needle) of the database holding any needle, in any text, json, jsonb,
    bytea or tsvector column of any table (a tsvector in lower case, as it stores its words)."""
    found = []
    async with app.state.pool.acquire() as conn:
        columns = await conn.fetch(
            """
            SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c
            JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
            WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
              AND c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'bytea', 'tsvector')
            """
        )
        assert {"complaints", "events", "event_feed", "webhook_messages", "idempotency_keys", "inbound_events"} <= {
            c["table_name"] for c in columns
        }
        for column in columns:
            table, name, data_type = column["table_name"], column["column_name"], column["data_type"]
            if data_type == "bytea":
                condition = f"position(convert_to(n, 'UTF8') IN \"{name}\") > 0"
            elif data_type == "tsvector":
                condition = f'strpos("{name}"::text, lower(n)) > 0'
            else:
                condition = f'strpos("{name}"::text, n) > 0'
            for row in await conn.fetch(
                f'SELECT n FROM unnest($1::text[]) AS n WHERE EXISTS (SELECT 1 FROM "{table}" WHERE {condition})',
                needles,
            ):
                found.append(f"{table}.{name}: {row['n']}")
    return found


async def stored_bodies(app, complaint_id: str) -> list[tuple[str, bytes]]:
    """Every stored JSON body about the complaint, as (table.column, bytes): feed bodies, webhook
    messages and the receivers' answers to them, replays naming it, inbound pushes about its referrals
    and the answers to them."""
    cid = uuid.UUID(complaint_id)
    bodies: list[tuple[str, bytes]] = []
    async with app.state.pool.acquire() as conn:
        for row in await conn.fetch("SELECT full_body, agency_body FROM event_feed WHERE complaint_id = $1", cid):
            bodies.append(("event_feed.full_body", bytes(row["full_body"])))
            if row["agency_body"] is not None:
                bodies.append(("event_feed.agency_body", bytes(row["agency_body"])))
        for row in await conn.fetch(
            "SELECT m.body FROM webhook_messages m JOIN events e ON e.id = m.event_id WHERE e.complaint_id = $1", cid
        ):
            bodies.append(("webhook_messages.body", bytes(row["body"])))
        for row in await conn.fetch(
            "SELECT a.response_body FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id "
            "JOIN webhook_messages m ON m.id = d.message_id JOIN events e ON e.id = m.event_id "
            "WHERE e.complaint_id = $1 AND a.response_body IS NOT NULL",
            cid,
        ):
            bodies.append(("webhook_attempts.response_body", row["response_body"].encode()))
        for row in await conn.fetch(
            "SELECT body FROM idempotency_keys WHERE position(convert_to($1::text, 'UTF8') IN body) > 0", str(cid)
        ):
            bodies.append(("idempotency_keys.body", bytes(row["body"])))
        for row in await conn.fetch(
            "SELECT i.body, i.response_body FROM inbound_events i JOIN referrals r ON r.id = i.referral_id "
            "WHERE r.complaint_id = $1",
            cid,
        ):
            for column in ("body", "response_body"):
                if row[column] is not None:
                    bodies.append((f"inbound_events.{column}", bytes(row[column])))
        for row in await conn.fetch("SELECT data::text AS data FROM events WHERE complaint_id = $1", cid):
            bodies.append(("events.data", row["data"].encode()))
    return bodies


async def feed_pages(api: Api, *, after: str | None = None, limit: int = 50, **params: Any) -> list[dict]:
    """Every item of the feed this key may read from `after` on, page by page; each page must be valid
    JSON, and its `next_cursor` must lead on to the next one. The first page is a long poll: on a busy
    machine the feed may not yet have settled its horizon past events just recorded (events/feed.py)."""
    items: list[dict] = []
    cursor = after
    while True:
        wait = {} if items else {"wait": 10}
        query = {"limit": limit, **params, **wait, **({"after": cursor} if cursor else {})}
        response = await api.get("/v1/events", params=query)
        assert response.status_code == 200, response.text
        page = orjson.loads(response.content)  # raises on a page that is not JSON
        items.extend(page["items"])
        if not page["items"]:
            return items
        assert page["next_cursor"] != cursor
        cursor = page["next_cursor"]


async def feed_position(app) -> str:
    """A feed cursor at the newest event recorded so far: read from there, the feed serves what comes next."""
    from referral_service.events.feed import encode_feed_cursor

    async with app.state.pool.acquire() as conn:
        last = await conn.fetchval("SELECT coalesce(max(id), 0) FROM events")
    return encode_feed_cursor(last)


def string_leaves(value: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], str]]:
    """Every string in a parsed JSON value, with its path ("*" for a list's items)."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, child in value.items():
            yield from string_leaves(child, (*path, key))
    elif isinstance(value, list):
        for child in value:
            yield from string_leaves(child, (*path, "*"))


async def leased_delivery(app, endpoint_id: str, ordering_key: str, body: bytes) -> delivery.ClaimedDelivery:
    """Lease the (first) pending delivery of this resource to this endpoint, as a worker's claim would."""
    async with app.state.pool.acquire() as conn:
        row = await conn.fetchrow(
            """
            UPDATE webhook_deliveries d
            SET locked_until = now() + interval '5 minutes', lease_token = gen_random_uuid()
            WHERE d.id = (
                SELECT min(id) FROM webhook_deliveries
                WHERE endpoint_id = $1 AND ordering_key = $2 AND status = 'pending'
            )
            RETURNING d.id, d.lease_token, d.endpoint_id, d.attempts, d.max_attempts, d.message_id
            """,
            uuid.UUID(endpoint_id),
            uuid.UUID(ordering_key),
        )
    assert row is not None, "no pending delivery to lease"
    return delivery.ClaimedDelivery(
        row["id"], row["lease_token"], row["endpoint_id"], "http://127.0.0.1:9/", ("whsec_unused",),
        row["message_id"], body, row["attempts"], row["max_attempts"],
    )  # fmt: skip
