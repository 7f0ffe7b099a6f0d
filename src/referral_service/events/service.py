"""Appending to the timeline. Every change calls `record` in the transaction that makes it, so the
event, and the webhook deliveries it fans out to, commit or vanish together with the change."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from referral_service.auth.principal import Principal
from referral_service.events.models import Event
from referral_service.webhooks import outbox


@dataclass(frozen=True, slots=True)
class Actor:
    key_id: uuid.UUID | None
    role: str | None
    agency_code: str | None
    via: str = "api"

    @classmethod
    def of(cls, principal: Principal, via: str = "api") -> "Actor":
        return cls(principal.key_id, principal.role.value, principal.agency_code, via)


SYSTEM = Actor(key_id=None, role=None, agency_code=None, via="system")


@dataclass(slots=True)
class EventDraft:
    type: str
    complaint_id: uuid.UUID
    sequence: int
    region_code: str
    # The referred agency's region when it differs from the complaint's (a cross-region referral):
    # region-limited Ombudsman subscribers of either region receive the event.
    agency_region_code: str | None = None
    referral_id: uuid.UUID | None = None
    agency_code: str | None = None
    from_state: str | None = None
    to_state: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    # Whether the referral's agency may see this event (never before the first forward).
    agency_visible: bool = False


# Reserves a timeline event's id and time in a statement the caller runs anyway (e.g. as extra
# RETURNING columns of its INSERT), so that `record(..., reserved=...)` can insert the event and
# fan it out in one round trip. now() is the transaction's start: what `occurred_at` defaults to.
RESERVE_EVENT_COLUMNS = (
    func.nextval(func.pg_get_serial_sequence("events", "id")).label("event_id"),
    func.now().label("event_occurred_at"),
)


async def record(
    session: AsyncSession,
    draft: EventDraft,
    actor: Actor,
    snapshot: dict[str, Any] | None,
    *,
    reserved: tuple[int, datetime] | None = None,
) -> int:
    """Append one event and queue its webhook deliveries. Returns the event id.

    `snapshot` is the resource as the Ombudsman sees it at this event; the outbox derives what
    each subscriber may see from it (agencies never get a confidential complainant's identity).
    `reserved`: (id, occurred_at) from `RESERVE_EVENT_COLUMNS`; saves a round trip.
    """
    columns = {
        "complaint_id": draft.complaint_id,
        "referral_id": draft.referral_id,
        "agency_code": draft.agency_code,
        "sequence": draft.sequence,
        "actor_key_id": actor.key_id,
        "actor_role": actor.role,
        "actor_agency_code": actor.agency_code,
        "via": actor.via,
        "from_state": draft.from_state,
        "to_state": draft.to_state,
        "data": draft.data,
    }
    if reserved is not None:
        event_id, occurred_at = reserved
        await outbox.insert_event_and_enqueue(
            session, event_id=event_id, occurred_at=occurred_at, draft=draft, event_columns=columns, snapshot=snapshot
        )
        return event_id
    row = (await session.execute(_INSERT_EVENT, {**columns, "type": draft.type})).one()
    await outbox.enqueue(session, event_id=row.id, occurred_at=row.occurred_at, draft=draft, snapshot=snapshot)
    return row.id


# Built once, on the table (Core, not the ORM's bulk-insert path): the same for every event.
_EVENTS = Event.__table__
_INSERT_EVENT = insert(_EVENTS).returning(_EVENTS.c.id, _EVENTS.c.occurred_at)


MAX_EVENTS_PER_PAGE = 1000


async def list_events(
    session: AsyncSession,
    *,
    complaint_id: uuid.UUID | None = None,
    referral_id: uuid.UUID | None = None,
    hide_types: tuple[str, ...] = (),
    after_id: int | None = None,
    limit: int = MAX_EVENTS_PER_PAGE,
) -> list[Event]:
    """Oldest first; a client reading a long timeline continues with `after_id` = the last id it got."""
    stmt = select(Event).order_by(Event.id).limit(limit)
    if referral_id is not None:
        stmt = stmt.where(Event.referral_id == referral_id)
    if complaint_id is not None:
        stmt = stmt.where(Event.complaint_id == complaint_id)
    if hide_types:
        stmt = stmt.where(Event.type.not_in(hide_types))
    if after_id is not None:
        stmt = stmt.where(Event.id > after_id)
    return list((await session.scalars(stmt)).all())
