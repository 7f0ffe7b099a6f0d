"""The override calendar's SQL, and the forwarded referrals a change may move."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import asyncpg

from referral_service.complaints.representation import OUT_FIELDS as COMPLAINT_FIELDS
from referral_service.db.driver import Db
from referral_service.db.sql import Sql
from referral_service.referrals import repository as referrals
from referral_service.referrals.domain import ReferralState


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

# The forwarded referrals whose deadline window may contain a day, with their complaint and agency
# as a transition reads them; locked in id order (no deadlocks between changes), served by the
# partial index on due_at.
_OPEN_DEADLINES_AROUND = Sql(f"""
    SELECT {", ".join(f"r.{name}" for name in referrals.COLUMNS)},
           {", ".join(f"c.{name} AS {referrals.COMPLAINT_PREFIX}{name}" for name in COMPLAINT_FIELDS)},
           a.timezone, a.region_code AS agency_region_code, a.default_due_working_days AS agency_due_working_days
    FROM referrals r
    JOIN complaints c ON c.id = r.complaint_id
    JOIN agencies a ON a.code = r.agency_code
    WHERE r.state = '{ReferralState.FORWARDED.value}'
      AND r.due_at >= :window_start AND r.deadline_started_at < :window_end
      AND r.due_working_days IS NOT NULL
    ORDER BY r.id
    FOR UPDATE OF r
""")
_MOVE_DEADLINE = """
    UPDATE referrals SET due_at = :due_at, version = version + 1, event_seq = event_seq + 1, updated_at = :now
    WHERE id = :id
"""


async def set_non_working(db: Db, day: date, name: str, key_id: uuid.UUID) -> None:
    await db.execute(_UPSERT_NON_WORKING.bind(day=day, name=name, key_id=key_id))


async def override_for_update(db: Db, day: date) -> Override | None:
    row = await db.fetchrow(_GET_FOR_UPDATE.bind(day=day))
    return None if row is None else Override(row["day"], row["kind"])


async def delete(db: Db, day: date) -> None:
    await db.execute(_DELETE.bind(day=day))


async def declare_working(db: Db, day: date, key_id: uuid.UUID) -> None:
    await db.execute(_INSERT_WORKING.bind(day=day, key_id=key_id))


async def open_deadlines_around(db: Db, day_start: datetime) -> list[asyncpg.Record]:
    """Candidates for a change on the day starting at `day_start` (UTC): a UTC range one day wider on
    each side than any zone's day, checked exactly by the caller."""
    return await db.fetch(
        _OPEN_DEADLINES_AROUND.bind(
            window_start=day_start - timedelta(days=1), window_end=day_start + timedelta(days=2)
        )
    )


async def move_deadlines(db: Db, moves: Sequence[tuple[uuid.UUID, datetime]], now: datetime) -> None:
    """New due dates, one round trip: each moved referral gets a new version and event number."""
    await db.executemany(_MOVE_DEADLINE, [{"id": id_, "due_at": due_at, "now": now} for id_, due_at in moves])
