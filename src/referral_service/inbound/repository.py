"""The inbound channel's SQL: secrets, status mappings, the inbox of pushes and its log."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import asyncpg

from referral_service.db.driver import Db, json_param
from referral_service.db.sql import TRUE, Sql


@dataclass(frozen=True, slots=True)
class InboundEventRecord:
    """One push in the agency's log (finished: the log never lists one still being processed)."""

    id: uuid.UUID
    agency_code: str
    status: Literal["accepted", "rejected"]
    status_code: int
    reason: str | None
    webhook_id: str | None
    webhook_timestamp: int | None
    event_type: str | None
    referral_id: uuid.UUID | None
    deliveries: int
    received_at: datetime
    last_delivery_at: datetime
    body: bytes | None
    response_body: bytes | None
    source_address: str | None

    @classmethod
    def of(cls, row: asyncpg.Record) -> InboundEventRecord:
        return cls(**{name: row[name] for name in _EVENT_COLUMNS})


@dataclass(frozen=True, slots=True)
class SecretRow:
    secret: str | None
    previous_secret: str | None
    previous_valid_until: datetime | None


@dataclass(frozen=True, slots=True)
class Rotation:
    rotated_at: datetime
    previous_valid_until: datetime | None


_EVENT_COLUMNS = (
    "id",
    "agency_code",
    "status",
    "status_code",
    "reason",
    "webhook_id",
    "webhook_timestamp",
    "event_type",
    "referral_id",
    "deliveries",
    "received_at",
    "last_delivery_at",
    "body",
    "response_body",
    "source_address",
)

_AGENCY_REGION = Sql("SELECT region_code FROM agencies WHERE code = :code")

# One upsert, so two concurrent rotations cannot both miss the row and collide.
_ROTATE = Sql("""
    INSERT INTO inbound_secrets (agency_code, secret, previous_secret, previous_valid_until, created_at, rotated_at)
    VALUES (:code, :secret, NULL, NULL, :now, :now)
    ON CONFLICT (agency_code) DO UPDATE SET
        secret = excluded.secret,
        previous_secret = CASE WHEN :keep_previous::boolean THEN inbound_secrets.secret END,
        previous_valid_until = :until,
        rotated_at = :now
    RETURNING rotated_at, previous_valid_until
""")
# The agency row even without a secret: None from `secrets` means "no such agency".
_SECRETS = Sql("""
    SELECT s.secret, s.previous_secret, s.previous_valid_until
    FROM agencies a LEFT JOIN inbound_secrets s ON s.agency_code = a.code
    WHERE a.code = :code
""")
_GET_MAPPING = Sql("SELECT mapping FROM inbound_status_mappings WHERE agency_code = :code")
_PUT_MAPPING = Sql("""
    INSERT INTO inbound_status_mappings (agency_code, mapping) VALUES (:code, :mapping)
    ON CONFLICT (agency_code) DO UPDATE SET mapping = excluded.mapping, updated_at = now()
""")
_LOG = f"""
    SELECT {", ".join(_EVENT_COLUMNS)} FROM inbound_events
    WHERE agency_code = :code AND status <> 'processing' AND """
_LOG_ORDER = " ORDER BY received_at DESC, id DESC LIMIT :limit"

# Claim (agency, webhook-id): a concurrent duplicate's insert waits on the unique index until the
# first transaction ends, then conflicts (and replays) or claims it (the first rolled back).
_CLAIM = Sql("""
    INSERT INTO inbound_events
        (id, agency_code, webhook_id, webhook_timestamp, status, body, source_address, source_network)
    VALUES (:id, :code, :webhook_id, :webhook_timestamp, 'processing', :body, :source_address, :source_network)
    ON CONFLICT (agency_code, webhook_id) WHERE webhook_id IS NOT NULL DO NOTHING
    RETURNING id
""")
_REPLAY = Sql("""
    UPDATE inbound_events SET deliveries = deliveries + 1, last_delivery_at = now()
    WHERE agency_code = :code AND webhook_id = :webhook_id
    RETURNING status_code, response_body
""")
_FINISH = Sql("""
    UPDATE inbound_events
    SET status = :status, status_code = :status_code, reason = :reason, response_body = :response_body,
        event_type = :event_type, referral_id = :referral_id
    WHERE id = :id
""")

# Pushes whose signature did not verify (unsigned.py).
# Served by ix_inbound_events_signed_sources. Only a push that verified can make a source known.
_KNOWN_SOURCE = Sql("""
    SELECT EXISTS (
        SELECT 1 FROM inbound_events
        WHERE agency_code = :code AND source_network = :network AND webhook_id IS NOT NULL
    )
""")
_KEEP_FAILED = Sql("""
    INSERT INTO inbound_events
        (id, agency_code, status, status_code, reason, response_body, source_address, source_network, known_source)
    VALUES (:id, :code, 'rejected', 401, :reason, :response_body, :source_address, :network, :known)
""")
_TRY_TRIM_LOCK = Sql("SELECT pg_try_advisory_xact_lock(hashtextextended(:lock_name, 0))")


def _drop_older(condition: str) -> Sql:
    """Drop the agency's failed-signature rows matching `condition` (a column test) beyond the newest `:keep`."""
    return Sql(f"""
        DELETE FROM inbound_events WHERE id IN (
            SELECT id FROM inbound_events
            WHERE agency_code = :code AND webhook_id IS NULL AND {condition}
            ORDER BY received_at DESC, id DESC
            OFFSET :keep
        )
    """)


_DROP_OLDER_FROM_SOURCE = _drop_older("source_network = :network")
_DROP_OLDER_IN_BUCKET = _drop_older("known_source = :known")

_REFERRAL_BY_EXTERNAL_REF = Sql("SELECT id FROM referrals WHERE agency_code = :code AND external_ref = :external_ref")
_REFERRAL_REF = Sql("SELECT external_ref, forwarded_at FROM referrals WHERE id = :id AND agency_code = :code")


async def agency_region(db: Db, code: str) -> str | None:
    """The agency's region, or None when there is no such agency."""
    region: str | None = await db.fetchval(_AGENCY_REGION.bind(code=code))
    return region


async def rotate_secret(db: Db, code: str, secret: str, until: datetime | None, now: datetime) -> Rotation:
    row = await db.fetchrow(
        _ROTATE.bind(code=code, secret=secret, keep_previous=until is not None, until=until, now=now)
    )
    assert row is not None
    return Rotation(row["rotated_at"], row["previous_valid_until"])


async def secrets(db: Db, code: str) -> SecretRow | None:
    row = await db.fetchrow(_SECRETS.bind(code=code))
    return None if row is None else SecretRow(row["secret"], row["previous_secret"], row["previous_valid_until"])


async def mapping(db: Db, code: str) -> dict[str, Any]:
    stored: dict[str, Any] | None = await db.fetchval(_GET_MAPPING.bind(code=code))
    return stored or {}


async def put_mapping(db: Db, code: str, stored: dict[str, Any]) -> None:
    await db.execute(_PUT_MAPPING.bind(code=code, mapping=json_param(stored)))


async def log_page(
    db: Db, code: str, *, status: str | None, limit: int, after: tuple[datetime, uuid.UUID] | None
) -> list[InboundEventRecord]:
    """Up to `limit` pushes of the log, newest first, after the position `after`."""
    conditions = [TRUE]
    if status is not None:
        conditions.append(Sql("status = :status", status=status))
    if after is not None:
        conditions.append(Sql("(received_at, id) < (:position, :last_id)", position=after[0], last_id=after[1]))
    statement = Sql(_LOG, code=code) + Sql.join(" AND ", conditions) + Sql(_LOG_ORDER, limit=limit)
    return [InboundEventRecord.of(row) for row in await db.fetch(statement)]


async def claim(
    db: Db,
    code: str,
    *,
    webhook_id: str,
    webhook_timestamp: int,
    body: bytes,
    source_address: str | None,
    source_network: str,
) -> uuid.UUID | None:
    """The new inbox row's id, or None when this webhook-id of the agency was claimed before."""
    claimed: uuid.UUID | None = await db.fetchval(
        _CLAIM.bind(
            id=uuid.uuid4(),
            code=code,
            webhook_id=webhook_id,
            webhook_timestamp=webhook_timestamp,
            body=body,
            source_address=source_address,
            source_network=source_network,
        )
    )
    return claimed


async def replay(db: Db, code: str, webhook_id: str) -> tuple[int, bytes]:
    """Count one more delivery of a claimed push: its stored status code and answer."""
    row = await db.fetchrow(_REPLAY.bind(code=code, webhook_id=webhook_id))
    assert row is not None
    return row["status_code"], row["response_body"]


async def finish(
    db: Db,
    event_id: uuid.UUID,
    *,
    status_code: int,
    reason: str,
    response_body: bytes,
    event_type: str | None,
    referral_id: uuid.UUID | None,
) -> None:
    await db.execute(
        _FINISH.bind(
            id=event_id,
            status="accepted" if status_code < 400 else "rejected",
            status_code=status_code,
            reason=reason,
            response_body=response_body,
            event_type=event_type,
            referral_id=referral_id,
        )
    )


async def is_known_source(db: Db, code: str, network: str) -> bool:
    return bool(await db.fetchval(_KNOWN_SOURCE.bind(code=code, network=network)))


async def keep_failed(
    db: Db, code: str, *, reason: str, response_body: bytes, source_address: str | None, network: str, known: bool
) -> None:
    await db.execute(
        _KEEP_FAILED.bind(
            id=uuid.uuid4(),
            code=code,
            reason=reason,
            response_body=response_body,
            source_address=source_address,
            network=network,
            known=known,
        )
    )


async def try_trim_lock(db: Db, code: str) -> bool:
    """The agency's trimming lock for this transaction, if no one else holds it."""
    return bool(await db.fetchval(_TRY_TRIM_LOCK.bind(lock_name=f"inbound-unsigned:{code}")))


async def drop_older_from_source(db: Db, code: str, network: str, keep: int) -> int:
    return _count(await db.execute(_DROP_OLDER_FROM_SOURCE.bind(code=code, network=network, keep=keep)))


async def drop_older_in_bucket(db: Db, code: str, known: bool, keep: int) -> int:
    return _count(await db.execute(_DROP_OLDER_IN_BUCKET.bind(code=code, known=known, keep=keep)))


def _count(status: str) -> int:
    return int(status.rsplit(" ", 1)[-1])


async def referral_by_external_ref(db: Db, code: str, external_ref: str | None) -> uuid.UUID | None:
    found: uuid.UUID | None = await db.fetchval(_REFERRAL_BY_EXTERNAL_REF.bind(code=code, external_ref=external_ref))
    return found


async def referral_ref(db: Db, referral_id: uuid.UUID, code: str) -> asyncpg.Record | None:
    """The referral's external_ref and forwarded_at, if it is this agency's."""
    return await db.fetchrow(_REFERRAL_REF.bind(id=referral_id, code=code))
