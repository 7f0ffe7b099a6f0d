"""Inbound settings per agency: who may manage them, the signing secret, the status mapping, the log."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from referral_service.agencies.models import Agency
from referral_service.auth.principal import Principal
from referral_service.auth.roles import Role
from referral_service.auth.scope import reaches_agency
from referral_service.errors import Forbidden, NotFound
from referral_service.inbound.models import InboundEvent, InboundSecret, StatusMapping
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


async def agency_in_scope(session: AsyncSession, principal: Principal, code: str, *, manage: bool) -> Agency:
    """The agency, if this key may read (or, with `manage`, change) its inbound settings.

    Admin: any agency. An agency key: its own only; another agency is indistinguishable from a
    missing one (404). Ombudsman keys may read within their region but never manage (403).
    """
    if principal.role is Role.AGENCY and principal.agency_code != code:
        raise NotFound(f"No agency with code {code!r}.")
    if principal.role is Role.OMBUDSMAN and manage:
        raise Forbidden("Only the agency itself or an admin may change its inbound settings.")
    agency = await session.get(Agency, code)
    if agency is None or not reaches_agency(principal, code, agency.region_code):
        raise NotFound(f"No agency with code {code!r}.")
    return agency


async def rotate_secret(
    session: AsyncSession, code: str, overlap_hours: int, now: datetime
) -> tuple[str, InboundSecret]:
    """Create the agency's first secret, or replace it keeping the old one valid for the overlap.

    One upsert statement, so two concurrent rotations cannot both miss the row and collide.
    """
    secret = generate_secret()
    keep_previous = overlap_hours > 0
    until = now + timedelta(hours=overlap_hours) if keep_previous else None
    table = InboundSecret.__table__
    new_row = insert(InboundSecret).values(
        agency_code=code, secret=secret, previous_secret=None, previous_valid_until=None, created_at=now, rotated_at=now
    )
    stmt = new_row.on_conflict_do_update(
        index_elements=[table.c.agency_code],
        set_={
            "secret": new_row.excluded.secret,
            "previous_secret": table.c.secret if keep_previous else None,
            "previous_valid_until": until,
            "rotated_at": now,
        },
    ).returning(InboundSecret)
    row = (await session.execute(stmt)).scalar_one()
    return secret, row


async def verifying_secrets(session: AsyncSession, code: str, now: datetime) -> list[str] | None:
    """The secrets that verify a push to this agency right now; None when the agency does not exist."""
    row = (
        await session.execute(
            select(Agency.code, InboundSecret.secret, InboundSecret.previous_secret, InboundSecret.previous_valid_until)
            .outerjoin(InboundSecret, InboundSecret.agency_code == Agency.code)
            .where(Agency.code == code)
        )
    ).first()
    if row is None:
        return None
    secrets = [row.secret] if row.secret else []
    if row.previous_secret and row.previous_valid_until and row.previous_valid_until > now:
        secrets.append(row.previous_secret)
    return secrets


async def get_mapping(session: AsyncSession, code: str) -> dict[str, Any]:
    return await session.scalar(select(StatusMapping.mapping).where(StatusMapping.agency_code == code)) or {}


async def put_mapping(session: AsyncSession, code: str, mapping: dict[str, StatusMappingEntry]) -> dict[str, Any]:
    stored = {word: entry.model_dump(mode="json", exclude_none=True) for word, entry in mapping.items()}
    stmt = insert(StatusMapping).values(agency_code=code, mapping=stored)
    stmt = stmt.on_conflict_do_update(
        index_elements=[StatusMapping.__table__.c.agency_code], set_={"mapping": stored, "updated_at": func.now()}
    )
    await session.execute(stmt)
    return stored


async def list_inbound_events(
    session: AsyncSession, code: str, *, status: str | None, limit: int, cursor: str | None
) -> tuple[list[InboundEvent], bool]:
    stmt = (
        select(InboundEvent)
        .where(InboundEvent.agency_code == code, InboundEvent.status != "processing")
        .order_by(InboundEvent.received_at.desc(), InboundEvent.id.desc())
        .limit(limit + 1)
    )
    if status is not None:
        stmt = stmt.where(InboundEvent.status == status)
    if cursor is not None:
        position, last_id = decode_cursor(cursor)
        stmt = stmt.where(tuple_(InboundEvent.received_at, InboundEvent.id) < tuple_(position, last_id))
    rows = list((await session.scalars(stmt)).all())
    return rows[:limit], len(rows) > limit
