"""The API keys' SQL: issuing, listing, revoking, and the look-ups authentication makes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from referral_service.auth.principal import Principal, principal_of_key
from referral_service.auth.roles import Role
from referral_service.db.driver import Db
from referral_service.db.sql import Sql


@dataclass(frozen=True, slots=True)
class ApiKeyRecord:
    """An issued key as stored (its hash, never the key)."""

    id: uuid.UUID
    role: str
    name: str
    agency_code: str | None
    region_code: str | None
    key_prefix: str
    key_hash: bytes
    created_at: datetime
    revoked_at: datetime | None

    @classmethod
    def of(cls, row: asyncpg.Record) -> ApiKeyRecord:
        return cls(**{name: row[name] for name in _COLUMNS})


_COLUMNS = ("id", "role", "name", "agency_code", "region_code", "key_prefix", "key_hash", "created_at", "revoked_at")
_RETURNING = ", ".join(_COLUMNS)

_INSERT = Sql(f"""
    INSERT INTO api_keys (id, name, role, agency_code, region_code, key_prefix, key_hash)
    VALUES (:id, :name, :role, :agency_code, :region_code, :key_prefix, :key_hash)
    RETURNING {_RETURNING}
""")
_LIST = Sql(f"SELECT {_RETURNING} FROM api_keys ORDER BY created_at DESC, id")
_REVOKE = Sql("UPDATE api_keys SET revoked_at = now() WHERE id = :id AND revoked_at IS NULL RETURNING key_hash")
_ACTIVE_KEY_BY_HASH = Sql("""
    SELECT id, role, name, agency_code, region_code, rate_limit_per_minute
    FROM api_keys WHERE key_hash = :key_hash AND revoked_at IS NULL
""")
_ACTIVE_KEY_HASHES = Sql("SELECT key_hash FROM api_keys WHERE revoked_at IS NULL")
_AGENCY_EXISTS = Sql("SELECT EXISTS (SELECT 1 FROM agencies WHERE code = :code)")


async def insert(
    db: Db,
    *,
    name: str,
    role: Role,
    agency_code: str | None,
    region_code: str | None,
    key_prefix: str,
    key_hash: bytes,
) -> ApiKeyRecord:
    row = await db.fetchrow(
        _INSERT.bind(
            id=uuid.uuid4(),
            name=name,
            role=role.value,
            agency_code=agency_code,
            region_code=region_code,
            key_prefix=key_prefix,
            key_hash=key_hash,
        )
    )
    assert row is not None
    return ApiKeyRecord.of(row)


async def agency_exists(db: Db, code: str) -> bool:
    """Whether an agency key may be bound to `code` (the foreign key would refuse it otherwise)."""
    return bool(await db.fetchval(_AGENCY_EXISTS.bind(code=code)))


async def list_all(db: Db) -> list[ApiKeyRecord]:
    """Every key, newest first."""
    return [ApiKeyRecord.of(row) for row in await db.fetch(_LIST)]


async def revoke(db: Db, key_id: uuid.UUID) -> bytes | None:
    """Revoke an active key; its hash, or None when no active key has this id."""
    key_hash: bytes | None = await db.fetchval(_REVOKE.bind(id=key_id))
    return key_hash


async def active_principal(db: Db, key_hash: bytes) -> Principal | None:
    """The principal of the active key with this hash."""
    row = await db.fetchrow(_ACTIVE_KEY_BY_HASH.bind(key_hash=key_hash))
    return None if row is None else principal_of_key(row)


async def active_key_hashes(db: Db) -> list[bytes]:
    """The hashes of every key not revoked."""
    return [row["key_hash"] for row in await db.fetch(_ACTIVE_KEY_HASHES)]
