"""The webhook subscriptions' SQL and the attempt log's, for the API (webhooks/service.py).

Statements are `Sql` with named parameters; the visibility rule comes from `auth/scope.py`
(`endpoint_clause`), so a statement's text depends only on the shape of the caller's key and on the
filters asked for: a handful of texts, each prepared once per connection.

The worker's statements (claiming, recording) live in delivery.py and recording.py.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal

import asyncpg

from referral_service.auth.principal import Principal
from referral_service.auth.scope import endpoint_clause
from referral_service.db.driver import Db
from referral_service.db.sql import Sql
from referral_service.webhooks.outbox import NOTIFY_CHANNEL


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A webhook subscription as stored."""

    id: uuid.UUID
    url: str
    description: str | None
    event_types: list[str]
    owner_role: str
    owner_agency_code: str | None
    owner_region_code: str | None
    owner_key_id: uuid.UUID | None
    secret: str
    previous_secret: str | None
    previous_secret_expires_at: datetime | None
    disabled_at: datetime | None
    disabled_reason: str | None
    failing_since: datetime | None
    created_at: datetime
    updated_at: datetime


ENDPOINT_COLUMNS = (
    "id",
    "url",
    "description",
    "event_types",
    "owner_role",
    "owner_agency_code",
    "owner_region_code",
    "owner_key_id",
    "secret",
    "previous_secret",
    "previous_secret_expires_at",
    "disabled_at",
    "disabled_reason",
    "failing_since",
    "created_at",
    "updated_at",
)
# The columns as read through the alias `e`, for statements that join or lock.
ENDPOINT_RETURNING = ", ".join(f"e.{name}" for name in ENDPOINT_COLUMNS)


def endpoint_of(row: asyncpg.Record) -> Endpoint:
    return Endpoint(
        id=row["id"],
        url=row["url"],
        description=row["description"],
        event_types=list(row["event_types"] or []),
        owner_role=row["owner_role"],
        owner_agency_code=row["owner_agency_code"],
        owner_region_code=row["owner_region_code"],
        owner_key_id=row["owner_key_id"],
        secret=row["secret"],
        previous_secret=row["previous_secret"],
        previous_secret_expires_at=row["previous_secret_expires_at"],
        disabled_at=row["disabled_at"],
        disabled_reason=row["disabled_reason"],
        failing_since=row["failing_since"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


# --- subscriptions ------------------------------------------------------------------------------

_SELECT = f"SELECT {ENDPOINT_RETURNING} FROM webhook_endpoints e WHERE "

# Creates are serialised per owner scope (a transaction-scoped advisory lock), so that concurrent
# ones cannot all pass the count that follows it.
_LOCK_OWNER_SCOPE = Sql("SELECT pg_advisory_xact_lock(hashtextextended(:scope, 0))")
_COUNT_OWNED = Sql(
    """
    SELECT count(*) FROM webhook_endpoints
    WHERE owner_role = :role
      AND owner_agency_code IS NOT DISTINCT FROM :agency_code
      AND owner_region_code IS NOT DISTINCT FROM :region_code
    """
)
_INSERT = Sql(
    f"""
    INSERT INTO webhook_endpoints AS e (id, url, description, event_types, owner_role, owner_agency_code,
                                        owner_region_code, owner_key_id, secret)
    VALUES (:id, :url, :description, :event_types, :role, :agency_code, :region_code, :key_id, :secret)
    RETURNING {ENDPOINT_RETURNING}
    """
)
_OWNER_KEY_REVOKED = Sql("SELECT EXISTS (SELECT 1 FROM api_keys WHERE id = :key_id AND revoked_at IS NOT NULL)")
# Every column a change through the API may write, and updated_at.
_UPDATE = Sql(
    f"""
    UPDATE webhook_endpoints e
    SET url = :url, description = :description, event_types = :event_types, disabled_at = :disabled_at,
        disabled_reason = :disabled_reason, failing_since = :failing_since, secret = :secret,
        previous_secret = :previous_secret, previous_secret_expires_at = :previous_secret_expires_at,
        updated_at = now()
    WHERE e.id = :id
    RETURNING {ENDPOINT_RETURNING}
    """
)
_DELETE = Sql("DELETE FROM webhook_endpoints WHERE id = :id")
# Not FOR UPDATE: that would conflict with the fan-out's FOR KEY SHARE (see recording.LOCK_ENDPOINTS).
_ENABLED_OF_KEY = Sql(
    """
    SELECT id FROM webhook_endpoints
    WHERE owner_key_id = :key_id AND disabled_at IS NULL
    ORDER BY id
    FOR NO KEY UPDATE
    """
)

# How `find` locks the row: FOR NO KEY UPDATE lets events keep queueing deliveries to it meanwhile
# (their foreign key takes FOR KEY SHARE; see recording.LOCK_ENDPOINTS); only a delete needs FOR UPDATE.
Lock = Literal["", " FOR NO KEY UPDATE", " FOR UPDATE"]
LOCK_NONE: Final = ""
LOCK_FOR_CHANGE: Final = " FOR NO KEY UPDATE"
LOCK_FOR_DELETE: Final = " FOR UPDATE"


async def lock_owner_scope(db: Db, scope: str) -> None:
    await db.execute(_LOCK_OWNER_SCOPE.bind(scope=scope))


async def count_owned(db: Db, principal: Principal) -> int:
    count = await db.fetchval(
        _COUNT_OWNED.bind(
            role=principal.role.value, agency_code=principal.agency_code, region_code=principal.region_code
        )
    )
    return int(count)


async def insert(
    db: Db, principal: Principal, *, url: str, description: str | None, event_types: list[str], secret: str
) -> Endpoint:
    row = await db.fetchrow(
        _INSERT.bind(
            id=uuid.uuid4(),
            url=url,
            description=description,
            event_types=event_types,
            role=principal.role.value,
            agency_code=principal.agency_code,
            region_code=principal.region_code,
            key_id=principal.key_id,
            secret=secret,
        )
    )
    assert row is not None
    return endpoint_of(row)


async def visible(db: Db, principal: Principal) -> list[Endpoint]:
    rows = await db.fetch(_SELECT + endpoint_clause(principal) + " ORDER BY e.created_at, e.id")
    return [endpoint_of(row) for row in rows]


async def find(db: Db, principal: Principal, endpoint_id: uuid.UUID, *, lock: Lock = LOCK_NONE) -> Endpoint | None:
    """The endpoint if the principal may see it; `lock` is one of the LOCK_* constants."""
    row = await db.fetchrow(
        _SELECT + Sql("e.id = :endpoint_id AND ", endpoint_id=endpoint_id) + endpoint_clause(principal) + lock
    )
    return None if row is None else endpoint_of(row)


async def owner_key_revoked(db: Db, key_id: uuid.UUID) -> bool:
    return bool(await db.fetchval(_OWNER_KEY_REVOKED.bind(key_id=key_id)))


async def update(db: Db, endpoint: Endpoint) -> Endpoint:
    """Write the endpoint's changeable columns as `endpoint` has them; updated_at becomes now."""
    row = await db.fetchrow(
        _UPDATE.bind(
            id=endpoint.id,
            url=endpoint.url,
            description=endpoint.description,
            event_types=endpoint.event_types,
            disabled_at=endpoint.disabled_at,
            disabled_reason=endpoint.disabled_reason,
            failing_since=endpoint.failing_since,
            secret=endpoint.secret,
            previous_secret=endpoint.previous_secret,
            previous_secret_expires_at=endpoint.previous_secret_expires_at,
        )
    )
    assert row is not None  # the caller holds the row locked
    return endpoint_of(row)


async def delete(db: Db, endpoint_id: uuid.UUID) -> None:
    await db.execute(_DELETE.bind(id=endpoint_id))


async def lock_enabled_of_key(db: Db, key_id: uuid.UUID) -> list[uuid.UUID]:
    return [row["id"] for row in await db.fetch(_ENABLED_OF_KEY.bind(key_id=key_id))]


# --- deliveries and the attempt log ---------------------------------------------------------------

_DELIVERY_COLUMNS = """
    d.id, d.endpoint_id, d.message_id, d.status, d.attempts, d.next_attempt_at, d.delivered_at, d.created_at,
    m.type, m.event_id
"""
_DELIVERIES = Sql(
    f"""
    SELECT {_DELIVERY_COLUMNS}
    FROM webhook_deliveries d JOIN webhook_messages m ON m.id = d.message_id
    WHERE d.endpoint_id = :endpoint_id
    """
)
_ATTEMPTS = Sql(
    """
    SELECT delivery_id, attempted_at, duration_ms, response_status, response_body, error
    FROM webhook_attempts
    WHERE delivery_id = ANY(:delivery_ids::bigint[])
    ORDER BY delivery_id, id
    """
)
# With the endpoint's owner, for the visibility check (auth/scope.py's endpoint_visible).
_DELIVERY_FOR_UPDATE = Sql(
    f"""
    SELECT {_DELIVERY_COLUMNS}, e.owner_role, e.owner_agency_code, e.owner_region_code
    FROM webhook_deliveries d
    JOIN webhook_messages m ON m.id = d.message_id
    JOIN webhook_endpoints e ON e.id = d.endpoint_id
    WHERE d.id = :delivery_id
    FOR UPDATE OF d
    """
)
# A failed or delivered one gets one more attempt; a pending one is moved up to now.
_RETRY = Sql(
    """
    WITH retried AS (
        UPDATE webhook_deliveries d
        SET max_attempts = CASE WHEN d.status <> 'pending' THEN d.attempts + 1 ELSE d.max_attempts END,
            status = 'pending', next_attempt_at = now(), updated_at = now()
        WHERE d.id = :delivery_id
        RETURNING d.id, d.endpoint_id, d.message_id, d.status, d.attempts, d.next_attempt_at, d.delivered_at,
                  d.created_at
    )
    SELECT retried.*, pg_notify(:channel, '') IS NULL AS notified FROM retried
    """,
    channel=NOTIFY_CHANNEL,
)
# One more attempt each: a receiver that is still down does not restart the whole schedule.
_RECOVER = Sql(
    """
    UPDATE webhook_deliveries
    SET status = 'pending', next_attempt_at = now(), max_attempts = attempts + 1, updated_at = now()
    WHERE endpoint_id = :endpoint_id AND status = 'failed' AND created_at >= :since
    """
)
_NOTIFY_WORKERS = Sql("SELECT pg_notify(:channel, '')", channel=NOTIFY_CHANNEL)


async def deliveries(
    db: Db, endpoint_id: uuid.UUID, *, status: str | None, before_id: int | None, limit: int
) -> list[asyncpg.Record]:
    """Newest first, with the message's type and event id."""
    query = _DELIVERIES.bind(endpoint_id=endpoint_id)
    if status is not None:
        query += Sql(" AND d.status = :status", status=status)
    if before_id is not None:
        query += Sql(" AND d.id < :before_id", before_id=before_id)
    return await db.fetch(query + Sql(" ORDER BY d.id DESC LIMIT :limit", limit=limit))


async def attempts(db: Db, delivery_ids: list[int]) -> list[asyncpg.Record]:
    """The attempts of these deliveries, oldest first per delivery."""
    return await db.fetch(_ATTEMPTS.bind(delivery_ids=delivery_ids))


async def delivery_for_update(db: Db, delivery_id: int) -> asyncpg.Record | None:
    return await db.fetchrow(_DELIVERY_FOR_UPDATE.bind(delivery_id=delivery_id))


async def retry(db: Db, delivery_id: int) -> asyncpg.Record:
    """Queue the (locked) delivery now and wake the workers at commit."""
    row = await db.fetchrow(_RETRY.bind(delivery_id=delivery_id))
    assert row is not None  # the caller holds the row locked
    return row


async def recover(db: Db, endpoint_id: uuid.UUID, since: datetime, until: datetime | None) -> int:
    """Re-queue the endpoint's failed deliveries created in [since, until); wake the workers if any."""
    query = _RECOVER.bind(endpoint_id=endpoint_id, since=since)
    if until is not None:
        query += Sql(" AND created_at < :until", until=until)
    status = await db.execute(query)
    requeued = int(status.rsplit(" ", 1)[-1])
    if requeued:
        await db.execute(_NOTIFY_WORKERS)
    return requeued
