"""Inbound settings per agency: who may manage them, the signing secret, the status mapping, the log."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from referral_service.auth import scope
from referral_service.auth.principal import Principal
from referral_service.auth.roles import Role
from referral_service.db.driver import Db
from referral_service.errors import Forbidden, NotFound
from referral_service.inbound import repository
from referral_service.inbound.repository import InboundEventRecord, Rotation
from referral_service.inbound.schemas import StatusMappingEntry
from referral_service.schemas import decode_cursor
from referral_service.signing import generate_secret

# Actor key ids for the inbound channels: stable per agency, so the timeline can tell pushes from
# REST calls by the agency's own keys, and the same channel always has the same id.
_INBOUND_NAMESPACE = uuid.UUID("6c1b7f0e-3a55-4d0c-9a4e-8f2f6b1d2c11")


def inbound_principal(agency_code: str) -> Principal:
    """Whom a verified push acts as: the agency itself, exactly like its REST API key would."""
    return Principal(
        key_id=uuid.uuid5(_INBOUND_NAMESPACE, agency_code),
        role=Role.AGENCY,
        name="inbound webhook",
        agency_code=agency_code,
    )


async def agency_in_scope(db: Db, principal: Principal, code: str, *, manage: bool) -> None:
    """Whether this key may read (or, with `manage`, change) the agency's inbound settings and log.

    Admin: any agency. An agency key: its own only; another agency is indistinguishable from a
    missing one (404). Ombudsman keys may read within their region but never manage (403).
    """
    if principal.role is Role.AGENCY and principal.agency_code != code:
        raise NotFound(f"No agency with code {code!r}.")
    if principal.role is Role.OMBUDSMAN and manage:
        raise Forbidden("Only the agency itself or an admin may change its inbound settings.")
    region = await repository.agency_region(db, code)
    if region is None or not scope.reaches_agency(principal, code, region):
        raise NotFound(f"No agency with code {code!r}.")


async def rotate_secret(db: Db, code: str, overlap_hours: int, now: datetime) -> tuple[str, Rotation]:
    """Create the agency's first secret, or replace it keeping the old one valid for the overlap."""
    secret = generate_secret()
    until = now + timedelta(hours=overlap_hours) if overlap_hours > 0 else None
    return secret, await repository.rotate_secret(db, code, secret, until, now)


async def verifying_secrets(db: Db, code: str, now: datetime) -> list[str] | None:
    """The secrets that verify a push to this agency right now; None when the agency does not exist."""
    row = await repository.secrets(db, code)
    if row is None:
        return None
    secrets = [row.secret] if row.secret else []
    if row.previous_secret and row.previous_valid_until and row.previous_valid_until > now:
        secrets.append(row.previous_secret)
    return secrets


async def get_mapping(db: Db, code: str) -> dict[str, Any]:
    return await repository.mapping(db, code)


async def put_mapping(db: Db, code: str, mapping: dict[str, StatusMappingEntry]) -> dict[str, Any]:
    stored = {word: entry.model_dump(mode="json", exclude_none=True) for word, entry in mapping.items()}
    await repository.put_mapping(db, code, stored)
    return stored


async def list_inbound_events(
    db: Db, code: str, *, status: str | None, limit: int, cursor: str | None
) -> tuple[list[InboundEventRecord], bool]:
    after = decode_cursor(cursor) if cursor is not None else None
    rows = await repository.log_page(db, code, status=status, limit=limit + 1, after=after)
    return rows[:limit], len(rows) > limit
