"""Agency directory: create, update, read, list, and loading the shipped regional directories."""

from __future__ import annotations

import json
from collections.abc import Iterable
from importlib import resources
from typing import Any

from referral_service.agencies import repository
from referral_service.agencies.repository import Agency
from referral_service.agencies.schemas import AgencyCreate, AgencyUpdate
from referral_service.db.driver import Db
from referral_service.errors import Conflict, NotFound, UnprocessableEntity


async def get_agency(db: Db, code: str, *, for_update: bool = False) -> Agency:
    agency = await repository.get(db, code, for_update=for_update)
    if agency is None:
        raise NotFound(f"No agency with code {code!r}.")
    return agency


async def _check_parent(db: Db, parent_code: str | None, own_code: str, *, existing: bool) -> None:
    if parent_code is None:
        return
    if parent_code == own_code:
        raise UnprocessableEntity("An agency cannot be its own parent.")
    if not await repository.exists(db, parent_code):
        raise UnprocessableEntity(f"Parent agency {parent_code!r} does not exist.")
    # A new agency has no descendants, so it cannot close a loop. An existing one's caller holds the
    # parent-changes lock.
    if existing and await repository.is_ancestor(db, parent_code, own_code):
        raise UnprocessableEntity(
            f"{parent_code!r} is below {own_code!r} in the directory: the parent chain would loop."
        )


async def create_agency(db: Db, data: AgencyCreate) -> Agency:
    async with db.transaction():
        await _check_parent(db, data.parent_code, data.code, existing=False)
        created = await repository.insert(db, data.code, data.model_dump())
    if created is None:
        raise Conflict(f"An agency with code {data.code!r} already exists.")
    return created


async def update_agency(db: Db, code: str, data: AgencyUpdate) -> Agency:
    changes = data.model_dump(exclude_unset=True)
    async with db.transaction():
        if changes.get("parent_code") is not None:
            # Parent changes take turns (two at once, A under B and B under A, could each pass the
            # check alone), and take their turn before locking the row: the new parent's foreign key
            # check waits for a row the other change may hold.
            await repository.lock_parent_changes(db)
        agency = await get_agency(db, code, for_update=True)
        if "parent_code" in changes:
            await _check_parent(db, changes["parent_code"], code, existing=True)
        for name in ("name", "kind", "region_code", "timezone", "active"):
            if name in changes and changes[name] is None:
                raise UnprocessableEntity(f"`{name}` cannot be null.")
        values = {name: changes.get(name, getattr(agency, name)) for name in repository.WRITABLE}
        return await repository.update(db, code, values)


async def list_agencies(db: Db, *, region_code: str | None, kind: str | None, active: bool | None) -> list[Agency]:
    return await repository.list_(db, region_code=region_code, kind=kind, active=active)


def shipped_directory(name: str = "kalimantan_timur") -> dict[str, Any]:
    text = resources.files("referral_service.data").joinpath(f"{name}.json").read_text("utf-8")
    directory: dict[str, Any] = json.loads(text)
    return directory


async def load_directory(db: Db, name: str = "kalimantan_timur") -> int:
    """Insert the shipped directory; agencies that already exist are left as they are."""
    directory = shipped_directory(name)
    rows = [{**agency, "timezone": directory["timezone"], "active": True} for agency in directory["agencies"]]
    return await repository.load(db, rows)


async def names(db: Db, codes: Iterable[str]) -> dict[str, str]:
    """The directory names of the agencies with these codes (codes not in the directory are left out)."""
    return await repository.names(db, list(codes))
