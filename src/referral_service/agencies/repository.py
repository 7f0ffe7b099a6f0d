"""The agency directory's SQL."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from referral_service.auth.scope import in_region
from referral_service.db.driver import Db
from referral_service.db.sql import TRUE, Sql


@dataclass(frozen=True, slots=True)
class Agency:
    """One agency of the directory, as stored."""

    code: str
    name: str
    kind: str
    region_code: str
    parent_code: str | None
    timezone: str
    active: bool
    default_due_working_days: int | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: asyncpg.Record) -> Agency:
        return cls(**dict(row))


COLUMNS = (
    "code",
    "name",
    "kind",
    "region_code",
    "parent_code",
    "timezone",
    "active",
    "default_due_working_days",
    "created_at",
    "updated_at",
)
# What a create or an update may set, in this order.
WRITABLE = ("name", "kind", "region_code", "parent_code", "timezone", "active", "default_due_working_days")
_SELECT = f"SELECT {', '.join(COLUMNS)} FROM agencies"

_GET = Sql(f"{_SELECT} WHERE code = :code")
_GET_FOR_UPDATE = Sql(f"{_SELECT} WHERE code = :code FOR UPDATE")
_EXISTS = Sql("SELECT EXISTS (SELECT 1 FROM agencies WHERE code = :code)")
_INSERT = f"""
    INSERT INTO agencies (code, {", ".join(WRITABLE)})
    VALUES (:code, {", ".join(f":{name}" for name in WRITABLE)})
    ON CONFLICT (code) DO NOTHING
    RETURNING {", ".join(COLUMNS)}
"""
# Every writable column from the parameters: the service passes the stored value for what the
# request left out, so one statement text serves every update.
_UPDATE = Sql(f"""
    UPDATE agencies SET {", ".join(f"{name} = :{name}" for name in WRITABLE)}, updated_at = now()
    WHERE code = :code
    RETURNING {", ".join(COLUMNS)}
""")
# Is `own` among the ancestors of `parent` (itself included)? UNION, not UNION ALL: it ends even on a
# chain that already loops.
_IS_ANCESTOR = Sql("""
    WITH RECURSIVE chain(code, parent_code) AS (
        SELECT code, parent_code FROM agencies WHERE code = :parent
        UNION
        SELECT a.code, a.parent_code FROM agencies a JOIN chain c ON a.code = c.parent_code
    )
    SELECT EXISTS (SELECT 1 FROM chain WHERE code = :own)
""")
# Parent changes take turns (agencies.service.update_agency).
_PARENT_CHANGES_LOCK = Sql("SELECT pg_advisory_xact_lock(hashtext('referral_service.agencies.parent_code'))")
# The shipped directory, in one statement (the foreign key on parent_code is checked at its end):
# agencies that exist are left as they are.
_LOAD = Sql("""
    INSERT INTO agencies (code, name, kind, region_code, parent_code, timezone, active)
    SELECT * FROM unnest(:codes::text[], :names::text[], :kinds::text[], :region_codes::text[],
                         :parent_codes::text[], :timezones::text[], :actives::boolean[])
    ON CONFLICT (code) DO NOTHING
    RETURNING code
""")


async def get(db: Db, code: str, *, for_update: bool = False) -> Agency | None:
    row = await db.fetchrow((_GET_FOR_UPDATE if for_update else _GET).bind(code=code))
    return None if row is None else Agency.of(row)


async def exists(db: Db, code: str) -> bool:
    return bool(await db.fetchval(_EXISTS.bind(code=code)))


async def insert(db: Db, code: str, values: Mapping[str, Any]) -> Agency | None:
    """The new agency, or None when one with this code exists."""
    row = await db.fetchrow(Sql(_INSERT, code=code, **{name: values[name] for name in WRITABLE}))
    return None if row is None else Agency.of(row)


async def update(db: Db, code: str, values: Mapping[str, Any]) -> Agency:
    row = await db.fetchrow(_UPDATE.bind(code=code, **{name: values[name] for name in WRITABLE}))
    assert row is not None  # the caller holds the row locked
    return Agency.of(row)


async def lock_parent_changes(db: Db) -> None:
    """Wait for the parent changes in flight; held until the transaction ends."""
    await db.execute(_PARENT_CHANGES_LOCK)


async def is_ancestor(db: Db, parent_code: str, own_code: str) -> bool:
    return bool(await db.fetchval(_IS_ANCESTOR.bind(parent=parent_code, own=own_code)))


async def list_(db: Db, *, region_code: str | None, kind: str | None, active: bool | None) -> list[Agency]:
    conditions = [TRUE]
    if region_code is not None:
        conditions.append(in_region("region_code", region_code))
    if kind is not None:
        conditions.append(Sql("kind = :kind", kind=kind))
    if active is not None:
        conditions.append(Sql("active = :active", active=active))
    statement = Sql(f"{_SELECT} WHERE ") + Sql.join(" AND ", conditions) + " ORDER BY code"
    return [Agency.of(row) for row in await db.fetch(statement)]


async def load(db: Db, rows: Sequence[Mapping[str, Any]]) -> int:
    """Insert `rows` where absent; how many were new."""
    inserted = await db.fetch(
        _LOAD.bind(
            codes=[row["code"] for row in rows],
            names=[row["name"] for row in rows],
            kinds=[row["kind"] for row in rows],
            region_codes=[row["region_code"] for row in rows],
            parent_codes=[row.get("parent_code") for row in rows],
            timezones=[row["timezone"] for row in rows],
            actives=[row["active"] for row in rows],
        )
    )
    return len(inserted)


_NAMES = Sql("SELECT code, name FROM agencies WHERE code = ANY(:codes::text[])")


async def names(db: Db, codes: Sequence[str]) -> dict[str, str]:
    return {row["code"]: row["name"] for row in await db.fetch(_NAMES.bind(codes=list(codes)))}
