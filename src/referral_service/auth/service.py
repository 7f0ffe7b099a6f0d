"""API keys: issuing one, and the principal an active key stands for."""

from __future__ import annotations

import uuid

from referral_service.auth import repository
from referral_service.auth.keys import display_prefix, generate_api_key, hash_api_key
from referral_service.auth.principal import Principal
from referral_service.auth.repository import ApiKeyRecord as ApiKeyRecord  # the record callers receive
from referral_service.auth.roles import Role
from referral_service.db.driver import Db


async def issue(
    db: Db, *, name: str, role: Role, agency_code: str | None, region_code: str | None
) -> tuple[str, ApiKeyRecord]:
    """A new key (shown once: only its hash is stored) and its stored record."""
    key = generate_api_key()
    record = await repository.insert(
        db,
        name=name,
        role=role,
        agency_code=agency_code,
        region_code=region_code,
        key_prefix=display_prefix(key),
        key_hash=hash_api_key(key),
    )
    return key, record


async def principal_of(db: Db, api_key: str) -> Principal | None:
    """The principal of an active issued key; None for an unknown or revoked one."""
    return await repository.active_principal(db, hash_api_key(api_key))


async def agency_exists(db: Db, code: str) -> bool:
    """Whether an agency key may be bound to `code` (auth's own look-up: the core reads no feature)."""
    return await repository.agency_exists(db, code)


async def list_keys(db: Db) -> list[ApiKeyRecord]:
    """Every issued key (never the keys themselves), newest first."""
    return await repository.list_all(db)


async def revoke(db: Db, key_id: uuid.UUID) -> bytes | None:
    """Mark the key revoked; its hash, or None when no active key has this id."""
    return await repository.revoke(db, key_id)
