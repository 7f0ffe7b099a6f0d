"""Agency directory: create, update, read, list, and loading the shipped regional directories."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from referral_service.agencies.models import Agency
from referral_service.agencies.schemas import AgencyCreate, AgencyUpdate
from referral_service.auth.scope import within_region
from referral_service.errors import Conflict, NotFound, UnprocessableEntity


async def get_agency(session: AsyncSession, code: str, *, for_update: bool = False) -> Agency:
    stmt = select(Agency).where(Agency.code == code)
    if for_update:
        stmt = stmt.with_for_update()
    agency = (await session.execute(stmt)).scalar_one_or_none()
    if agency is None:
        raise NotFound(f"No agency with code {code!r}.")
    return agency


# Is `own` among the ancestors of `parent` (itself included)? UNION, not UNION ALL: it ends even on a
# chain that already loops.
_IS_ANCESTOR = text("""
    WITH RECURSIVE chain(code, parent_code) AS (
        SELECT code, parent_code FROM agencies WHERE code = :parent
        UNION
        SELECT a.code, a.parent_code FROM agencies a JOIN chain c ON a.code = c.parent_code
    )
    SELECT EXISTS (SELECT 1 FROM chain WHERE code = :own)
""")
# Parent changes take turns: two at once (A under B, B under A) could each pass the check alone.
_PARENT_CHANGES_LOCK = text("SELECT pg_advisory_xact_lock(hashtext('referral_service.agencies.parent_code'))")


async def _check_parent(session: AsyncSession, parent_code: str | None, own_code: str, *, existing: bool) -> None:
    if parent_code is None:
        return
    if parent_code == own_code:
        raise UnprocessableEntity("An agency cannot be its own parent.")
    if await session.get(Agency, parent_code) is None:
        raise UnprocessableEntity(f"Parent agency {parent_code!r} does not exist.")
    if existing:  # a new agency has no descendants, so it cannot close a loop
        await session.execute(_PARENT_CHANGES_LOCK)
        if await session.scalar(_IS_ANCESTOR, {"parent": parent_code, "own": own_code}):
            raise UnprocessableEntity(
                f"{parent_code!r} is below {own_code!r} in the directory: the parent chain would loop."
            )


async def create_agency(session: AsyncSession, data: AgencyCreate) -> Agency:
    await _check_parent(session, data.parent_code, data.code, existing=False)
    inserted = await session.scalar(
        insert(Agency)
        .values(**data.model_dump())
        .on_conflict_do_nothing(index_elements=["code"])
        .returning(Agency.code)
    )
    if inserted is None:
        raise Conflict(f"An agency with code {data.code!r} already exists.")
    return await get_agency(session, data.code)


async def update_agency(session: AsyncSession, code: str, data: AgencyUpdate) -> Agency:
    agency = await get_agency(session, code, for_update=True)
    changes = data.model_dump(exclude_unset=True)
    if "parent_code" in changes:
        await _check_parent(session, changes["parent_code"], code, existing=True)
    for name in ("name", "kind", "region_code", "timezone", "active"):
        if name in changes and changes[name] is None:
            raise UnprocessableEntity(f"`{name}` cannot be null.")
    for name, value in changes.items():
        setattr(agency, name, value)
    agency.updated_at = func.now()
    await session.flush()
    await session.refresh(agency)
    return agency


async def list_agencies(
    session: AsyncSession, *, region_code: str | None, kind: str | None, active: bool | None
) -> list[Agency]:
    stmt = select(Agency).order_by(Agency.code)
    if region_code is not None:
        stmt = stmt.where(within_region(Agency.region_code, region_code))
    if kind is not None:
        stmt = stmt.where(Agency.kind == kind)
    if active is not None:
        stmt = stmt.where(Agency.active.is_(active))
    return list((await session.scalars(stmt)).all())


def shipped_directory(name: str = "kalimantan_timur") -> dict[str, Any]:
    text = resources.files("referral_service.data").joinpath(f"{name}.json").read_text("utf-8")
    directory: dict[str, Any] = json.loads(text)
    return directory


async def load_directory(session: AsyncSession, name: str = "kalimantan_timur") -> int:
    """Insert the shipped directory; agencies that already exist are left as they are."""
    directory = shipped_directory(name)
    rows = [{**agency, "timezone": directory["timezone"], "active": True} for agency in directory["agencies"]]
    # Parents first, so the parent_code foreign key is always satisfied.
    rows.sort(key=lambda row: row["parent_code"] is not None)
    result = await session.execute(
        insert(Agency).values(rows).on_conflict_do_nothing(index_elements=["code"]).returning(Agency.code)
    )
    return len(result.all())
