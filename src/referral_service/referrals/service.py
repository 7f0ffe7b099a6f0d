"""Referral lifecycle: create, the per-action transitions, scoped reads and the agency queue.

Every transition runs the same way: lock the row, check the caller can see it (404), ask the
transition table (403/409), check If-Match (412), apply, append the timeline event. The row lock
makes two concurrent moves on one referral serialize: the second sees the first's result.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from referral_service import clock
from referral_service.auth.principal import Principal
from referral_service.auth.scope import complaint_visible, may_refer_to, referral_visible
from referral_service.complaints.representation import complaint_dict
from referral_service.db.driver import Db, json_param, unit_of_work
from referral_service.db.sql import Sql
from referral_service.errors import Conflict, Forbidden, NotFound, TransitionConflict, UnprocessableEntity
from referral_service.events import outbox
from referral_service.events.draft import Actor, EventDraft
from referral_service.events.service import record
from referral_service.json_encoding import rfc3339_utc, rfc3339_utc_text
from referral_service.preconditions import check_if_match, etag
from referral_service.referrals import domain, repository
from referral_service.referrals.deadlines import (
    current_calendar,
    due_at_for,
    lock_calendar_for_deadline,
    use_calendar_digest,
)
from referral_service.referrals.domain import ReferralAction, ReferralState
from referral_service.referrals.records import ComplaintRecord, ReferralRecord
from referral_service.referrals.repository import COMPLAINT_PREFIX
from referral_service.schemas import decode_cursor

EVENT_TYPES = {
    ReferralAction.CREATE: "referral.created",
    ReferralAction.FORWARD: "referral.forwarded",
    ReferralAction.ACKNOWLEDGE: "referral.acknowledged",
    ReferralAction.RESPOND: "referral.responded",
    ReferralAction.REQUEST_FOLLOW_UP: "referral.follow_up_requested",
    ReferralAction.CLOSE: "referral.closed",
    ReferralAction.ADD_NOTE: "referral.note_added",
}

# Actions that set a deadline, and so take the calendar lock (see deadlines.py).
_SETS_DEADLINE = frozenset({ReferralAction.FORWARD, ReferralAction.REQUEST_FOLLOW_UP})

REFERRAL_FIELDS = (
    "id",
    "complaint_id",
    "agency_code",
    "state",
    "instructions",
    "forwarded_at",
    "due_at",
    "acknowledged_at",
    "external_ref",
    "response",
    "resolution",
    "closed_at",
    "follow_up_count",
    "created_at",
    "updated_at",
)


@dataclass(slots=True)
class ReferralView:
    """A referral with its complaint, as read (and, for the referral, changed) by a unit of work."""

    referral: ReferralRecord
    complaint: ComplaintRecord
    timezone: str
    # The referred agency's region: a referral is visible to the Ombudsman side of the complaint's
    # region and of the agency's region (they differ for a cross-region referral by a national key).
    agency_region_code: str
    # The agency's default deadline (None: the service default), when the loading query fetched it.
    agency_due_working_days: int | None = None


def referral_dict(referral: Any) -> dict[str, Any]:
    referral_columns = {name: getattr(referral, name) for name in REFERRAL_FIELDS}
    response = referral_columns["response"]
    if response is not None and "responded_at" in response:
        # Answers recorded before `responded_at` was written with `Z` hold `+00:00`.
        referral_columns["response"] = {**response, "responded_at": rfc3339_utc_text(response["responded_at"])}
    return referral_columns


def snapshot(view: ReferralView) -> dict[str, Any]:
    """The resource as the Ombudsman sees it at this event; the outbox redacts it per subscriber."""
    return {"referral": {**referral_dict(view.referral), "complaint": complaint_dict(view.complaint)}}


def _visible_row(principal: Principal, row: Any) -> bool:
    return referral_visible(
        principal,
        agency_code=row["agency_code"],
        state=row["state"],
        forwarded_at=row["forwarded_at"],
        complaint_region_code=row[COMPLAINT_PREFIX + "region_code"],
        agency_region_code=row["agency_region_code"],
    )


def _view_of(row: asyncpg.Record) -> ReferralView:
    """A locked row as a mutable view: the referral's and the complaint's columns as attributes."""
    return ReferralView(
        ReferralRecord.of(row),
        ComplaintRecord.of(row, COMPLAINT_PREFIX),
        row["timezone"],
        row["agency_region_code"],
        row["agency_due_working_days"],
    )


@unit_of_work
async def create_referral(
    db: Db, principal: Principal, complaint_id: uuid.UUID, agency_code: str, instructions: str | None
) -> ReferralView:
    """Refer a complaint to an agency and record `referral.created`: one unit of work."""
    _decide(principal, None, ReferralAction.CREATE)
    row = await repository.complaint_and_agency(db, complaint_id, agency_code)
    # Outside the caller's region is indistinguishable from absent.
    if row is None or not complaint_visible(principal, row["region_code"]):
        raise NotFound("No complaint with this id.")
    if row["agency_code"] is None:
        raise UnprocessableEntity(f"Agency {agency_code!r} is not in the directory.")
    if not row["agency_active"]:
        raise UnprocessableEntity(f"Agency {agency_code!r} is inactive and cannot receive referrals.")
    if not may_refer_to(principal, row["agency_region_code"]):
        raise Forbidden(
            f"This key is limited to region {principal.region_code}; agency {agency_code!r} is in region "
            f"{row['agency_region_code']}, outside it. A national Ombudsman key may refer across regions."
        )
    inserted = await repository.insert(
        db,
        referral_id=uuid.uuid4(),
        complaint_id=complaint_id,
        agency_code=agency_code,
        instructions=instructions,
        now=clock.now(),
    )
    view = ReferralView(
        ReferralRecord.of(inserted), ComplaintRecord.of(row), row["timezone"], row["agency_region_code"]
    )
    await record_referral_event(
        db,
        view,
        EVENT_TYPES[ReferralAction.CREATE],
        {"agency_code": agency_code},
        Actor.of(principal),
        from_state=None,
        reserved=(inserted["event_id"], inserted["event_occurred_at"]),
    )
    return view


def _decide(
    principal: Principal,
    state: ReferralState | None,
    action: ReferralAction,
    before_conflict: Callable[[], None] | None = None,
) -> ReferralState:
    try:
        return domain.decide(state, action, principal.role)
    except domain.RoleNotPermitted as exc:
        raise Forbidden(
            f"Keys with the role {principal.role.value} may not use `{action.value}` on a referral."
        ) from exc
    except domain.TransitionNotAllowed as exc:
        if before_conflict is not None:
            before_conflict()
        allowed = [a.value for a in exc.allowed_actions]
        raise TransitionConflict(
            f"`{action.value}` is not allowed while the referral is {state.value if state else 'new'}.",
            current_state=state.value if state else None,
            allowed_actions=allowed,
        ) from exc


async def record_referral_event(
    db: Db,
    view: ReferralView,
    event_type: str,
    data: dict[str, Any],
    actor: Actor,
    *,
    from_state: str | None,
    reserved: tuple[int, datetime] | None = None,
    statement: Sql = outbox.RECORD,
) -> None:
    """Append an event to the referral's timeline at its current `event_seq` (bumped by the caller
    under the row lock), with the snapshot subscribers receive."""
    referral = view.referral
    await record(
        db,
        EventDraft(
            type=event_type,
            complaint_id=referral.complaint_id,
            sequence=referral.event_seq,
            region_code=view.complaint.region_code,
            agency_region_code=view.agency_region_code,
            referral_id=referral.id,
            agency_code=referral.agency_code,
            from_state=from_state,
            to_state=referral.state,
            data=data,
            agency_visible=referral.forwarded_at is not None,
        ),
        actor,
        snapshot(view),
        reserved=reserved,
        statement=statement,
    )


@unit_of_work
async def transition(
    db: Db,
    principal: Principal,
    referral_id: uuid.UUID,
    action: ReferralAction,
    payload: Any,
    if_match: str | None,
    *,
    default_due_working_days: int,
    via: str = "api",
) -> ReferralView:
    """Apply one action to a referral and record its event: one unit of work (joins the caller's)."""
    if action in _SETS_DEADLINE:
        # Before the row lock's statement, which reads the calendar's digest: see deadlines.py.
        await lock_calendar_for_deadline(db)
    row = await repository.get_for_update(db, referral_id)
    # Another agency's referral, or one not yet forwarded, is indistinguishable from a missing one.
    if row is None or not _visible_row(principal, row):
        raise NotFound("No referral with this id.")
    await use_calendar_digest(db, row["calendar_digest"])
    view = _view_of(row)
    referral = view.referral
    current = ReferralState(referral.state)

    # Order of refusals: unseen (404), wrong role (403), stale If-Match (412), wrong state (409).
    # A stale ETag explains a refused move better than "not allowed": the caller acted on old data.
    def check_freshness() -> None:
        check_if_match(if_match, etag(referral.version), required=False)

    target = _decide(principal, current, action, before_conflict=check_freshness)
    check_freshness()
    now = clock.now()
    data = await _apply(db, view, action, payload, now, default_due_working_days)
    referral.state = target.value
    referral.version += 1
    referral.event_seq += 1
    referral.updated_at = now
    values = {name: getattr(referral, name) for name in repository.MUTABLE}
    values["response"] = json_param(values["response"]) if values["response"] is not None else None
    try:
        # The change, its event and the webhook fan-out: one statement.
        await record_referral_event(
            db,
            view,
            EVENT_TYPES[action],
            data,
            Actor.of(principal, via),
            from_state=current.value,
            reserved=(row["event_id"], row["event_occurred_at"]),
            statement=repository.transition_statement(referral_id, values),
        )
    except asyncpg.UniqueViolationError as exc:
        raise Conflict("Another referral of this agency already uses this external_ref.") from exc
    return view


async def _apply(
    db: Db, view: ReferralView, action: ReferralAction, payload: Any, now: datetime, default_days: int
) -> dict[str, Any]:
    """Apply the action's own effects and return the timeline event's data."""
    referral = view.referral
    if action is ReferralAction.FORWARD:
        if payload.instructions is not None:
            referral.instructions = payload.instructions
        referral.forwarded_at = now
        await _set_deadline(db, view, payload.due_working_days, now, default_days)
        return {"due_at": referral.due_at, "due_working_days": referral.due_working_days}
    if action is ReferralAction.ACKNOWLEDGE:
        if referral.acknowledged_at is None:
            referral.acknowledged_at = now
        if payload.external_ref is not None:
            # Uniqueness per agency is the database's (uq_referrals_agency_external_ref): see `transition`.
            referral.external_ref = payload.external_ref
        return {"external_ref": referral.external_ref}
    if action is ReferralAction.RESPOND:
        if referral.first_responded_at is None:
            await _record_first_response(db, view, now)
        referral.response = {
            "outcome": payload.outcome.value,
            "summary": payload.summary,
            "actions_taken": payload.actions_taken,
            "responded_at": rfc3339_utc(now),
        }
        return {"outcome": payload.outcome.value, "summary": payload.summary, "actions_taken": payload.actions_taken}
    if action is ReferralAction.REQUEST_FOLLOW_UP:
        referral.follow_up_count += 1
        previous_due = referral.due_at
        await _set_deadline(db, view, payload.due_working_days, now, default_days)
        return {
            "reason": payload.reason,
            "follow_up_count": referral.follow_up_count,
            "previous_due_at": previous_due,
            "due_at": referral.due_at,
        }
    if action is ReferralAction.CLOSE:
        referral.resolution = payload.resolution.value
        referral.closed_at = now
        return {"resolution": payload.resolution.value, "note": payload.note}
    if action is ReferralAction.ADD_NOTE:
        return {"text": payload.text}
    raise AssertionError(f"unhandled action {action}")


async def _set_deadline(
    db: Db, view: ReferralView, requested_days: int | None, now: datetime, default_days: int
) -> None:
    referral = view.referral
    days = requested_days or view.agency_due_working_days or default_days
    calendar = await current_calendar(db, for_deadline=True)
    referral.due_working_days = days
    referral.deadline_started_at = now
    referral.due_at = due_at_for(calendar, now, days, view.timezone)
    # A new deadline cycle: due-soon and overdue may be recorded again for it.
    referral.due_soon_notified_for = None
    referral.overdue_notified_for = None


async def _record_first_response(db: Db, view: ReferralView, now: datetime) -> None:
    """Fix the agency-performance facts of the first answer, on the calendar in force now: later
    calendar changes do not rewrite how fast an answer was (its deadline was what it was)."""
    referral = view.referral
    referral.first_responded_at = now
    if referral.forwarded_at is not None:
        calendar = await current_calendar(db)
        referral.first_response_working_days = calendar.working_days_between(referral.forwarded_at, now, view.timezone)
    if referral.due_at is not None:
        referral.first_response_on_time = now <= referral.due_at


async def get_row(db: Db, principal: Principal, referral_id: uuid.UUID) -> asyncpg.Record:
    """One referral with its complaint (under `COMPLAINT_PREFIX`), if the caller may see it (404 otherwise)."""
    row = await repository.get(db, referral_id)
    if row is None or not _visible_row(principal, row):
        raise NotFound("No referral with this id.")
    return row


async def list_rows(
    db: Db,
    principal: Principal,
    *,
    limit: int,
    cursor: str | None,
    state: ReferralState | None,
    agency_code: str | None,
    complaint_id: uuid.UUID | None,
    overdue: bool | None,
    due_before: datetime | None,
) -> tuple[list[asyncpg.Record], bool]:
    """A page of referrals, newest first (and whether another page follows)."""
    # The service clock, not the database's: `overdue` in the list agrees with `overdue` in each item.
    now = clock.now()
    filters = {
        "state": state.value if state is not None else None,
        "agency_code": agency_code,
        "complaint_id": complaint_id,
        "overdue": now if overdue is True else None,
        "not_overdue": now if overdue is False else None,
        "due_before": due_before,
        "cursor": decode_cursor(cursor) if cursor is not None else None,
    }
    rows = await repository.list_page(db, principal, limit=limit + 1, filters=filters)
    return rows[:limit], len(rows) > limit


async def stamp_reminded(db: Db, reminder: repository.Reminder, ids: list[uuid.UUID]) -> list[ReferralView]:
    """The (locked) referrals stamped as reminded (`overdue` or `due_soon`) for their current due_at,
    with their event_seq bumped, as views ready for the reminder's event."""
    return [_view_of(row) for row in await repository.stamp_reminded(db, reminder, ids)]


async def lock_open_deadlines_around(db: Db, day_start: datetime) -> list[ReferralView]:
    """The forwarded referrals whose deadline window may contain the day starting at `day_start`
    (UTC), locked in id order, as views (the caller checks each window exactly)."""
    return [_view_of(row) for row in await repository.lock_open_deadlines_around(db, day_start)]


async def move_deadlines(db: Db, moves: Sequence[tuple[uuid.UUID, datetime]], now: datetime) -> None:
    """Write new due dates (each moved referral gets a new version and event number)."""
    await repository.move_deadlines(db, moves, now)
