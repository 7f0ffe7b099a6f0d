"""Appending to the timeline. Every change calls `record` in the transaction that makes it, so the
event, and the webhook deliveries it fans out to, commit or vanish together with the change."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from referral_service.db.driver import Db
from referral_service.db.sql import Sql
from referral_service.events import outbox
from referral_service.events.draft import Actor, EventDraft

# Reserves a timeline event's id and time in a statement the caller runs anyway (extra columns of
# its INSERT ... RETURNING or its row-locking SELECT), so that `record` can insert the event and fan
# it out in one round trip. now() is the transaction's start: what `occurred_at` defaults to.
# `reserve_event_id()` (migration 0010) gives the transaction its transaction id before drawing from
# the sequence: the event feed's no-gap rule depends on it (events/feed.py). Never draw event ids
# with a bare nextval.
RESERVE_EVENT_SQL = "reserve_event_id() AS event_id, now() AS event_occurred_at"
_RESERVE_EVENT = Sql(f"SELECT {RESERVE_EVENT_SQL}")


async def record(
    db: Db,
    draft: EventDraft,
    actor: Actor,
    snapshot: dict[str, Any] | None,
    *,
    reserved: tuple[int, datetime] | None = None,
    statement: Sql = outbox.RECORD,
) -> int:
    """Append one event and queue its webhook deliveries, in one statement. Returns the event id.

    `snapshot` is the resource as the Ombudsman sees it at this event; the outbox derives what
    each subscriber may see from it (agencies never get a confidential complainant's identity).
    `reserved`: (event_id, event_occurred_at) from `RESERVE_EVENT_SQL`; saves a round trip.
    `statement`: an `outbox.recording_statement` carrying the change itself as CTEs of the same
    statement, with the change's values bound (the recorder binds the event's).
    """
    if reserved is None:
        row = await db.fetchrow(_RESERVE_EVENT)
        assert row is not None
        reserved = (row["event_id"], row["event_occurred_at"])
    event_id, occurred_at = reserved
    values = outbox.recording_values(
        event_id=event_id, occurred_at=occurred_at, draft=draft, actor=actor, snapshot=snapshot
    )
    await outbox.record_and_fan_out(db, statement.bind(**values))
    return event_id


MAX_EVENTS_PER_PAGE = 1000

_EVENT_COLUMNS = (
    "id, complaint_id, referral_id, sequence, type, occurred_at, actor_key_id, actor_role, actor_agency_code, via, "
    "from_state, to_state, data"
)
# Oldest first from a position. (A referral's timeline is read under the scope's timeline rule:
# referrals/timeline.py.)
_COMPLAINT_EVENTS = Sql(f"""
    SELECT {_EVENT_COLUMNS}
    FROM events
    WHERE complaint_id = :complaint_id AND id > :after_id
    ORDER BY id LIMIT :limit
""")


async def list_complaint_events(
    db: Db, complaint_id: uuid.UUID, *, after_id: int | None = None, limit: int = MAX_EVENTS_PER_PAGE
) -> list[Any]:
    """A complaint's whole timeline (its own events and every referral's), oldest first."""
    return await db.fetch(_COMPLAINT_EVENTS.bind(complaint_id=complaint_id, after_id=after_id or 0, limit=limit))
