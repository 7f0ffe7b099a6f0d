"""The override calendar's SQL (the referrals a change moves are read and moved by the referrals feature)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from referral_service.db.driver import Db
from referral_service.db.sql import Sql


@dataclass(frozen=True, slots=True)
class Override:
    day: date
    kind: str  # 'non_working' or 'working'


_UPSERT_NON_WORKING = Sql("""
    INSERT INTO calendar_overrides (day, kind, name, changed_by_key_id, changed_at)
    VALUES (:day, 'non_working', :name, :key_id, now())
    ON CONFLICT (day) DO UPDATE SET kind = 'non_working', name = excluded.name,
        changed_by_key_id = excluded.changed_by_key_id, changed_at = excluded.changed_at
""")
_GET_FOR_UPDATE = Sql("SELECT day, kind FROM calendar_overrides WHERE day = :day FOR UPDATE")
_DELETE = Sql("DELETE FROM calendar_overrides WHERE day = :day")
_INSERT_WORKING = Sql("""
    INSERT INTO calendar_overrides (day, kind, changed_by_key_id) VALUES (:day, 'working', :key_id)
""")


async def set_non_working(db: Db, day: date, name: str, key_id: uuid.UUID) -> None:
    await db.execute(_UPSERT_NON_WORKING.bind(day=day, name=name, key_id=key_id))


async def override_for_update(db: Db, day: date) -> Override | None:
    row = await db.fetchrow(_GET_FOR_UPDATE.bind(day=day))
    return None if row is None else Override(row["day"], row["kind"])


async def delete(db: Db, day: date) -> None:
    await db.execute(_DELETE.bind(day=day))


async def declare_working(db: Db, day: date, key_id: uuid.UUID) -> None:
    await db.execute(_INSERT_WORKING.bind(day=day, key_id=key_id))
