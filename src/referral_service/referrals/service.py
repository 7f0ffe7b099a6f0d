"""Referral lifecycle: create, the per-action transitions, scoped reads and the agency queue.

Every transition runs the same way: lock the row, check the caller can see it (404), ask the
transition table (403/409), check If-Match (412), apply, append the timeline event. The row lock
makes two concurrent moves on one referral serialize: the second sees the first's result.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import RowMapping, Select, select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from referral_service import clock
from referral_service.agencies.models import Agency
from referral_service.auth.principal import Principal, region_prefix_pattern
from referral_service.auth.roles import Role
from referral_service.complaints.models import Complaint
from referral_service.complaints.representation import OUT_FIELDS as COMPLAINT_OUT_FIELDS
from referral_service.complaints.representation import complaint_dict, etag
from referral_service.complaints.service import get_complaint
from referral_service.errors import Conflict, Forbidden, NotFound, TransitionConflict, UnprocessableEntity
from referral_service.events.service import Actor, EventDraft, record
from referral_service.json_encoding import rfc3339_utc, rfc3339_utc_text
from referral_service.preconditions import check_if_match
from referral_service.referrals import domain
from referral_service.referrals.deadlines import current_calendar, due_at_for
from referral_service.referrals.domain import ReferralAction, ReferralState
from referral_service.referrals.models import Referral
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

REFERRAL_FIELDS = (
    "id", "complaint_id", "agency_code", "state", "instructions", "forwarded_at", "due_at", "acknowledged_at",
    "external_ref", "response", "resolution", "closed_at", "follow_up_count", "created_at", "updated_at",
)


NOT_LOADED: Any = object()


@dataclass(slots=True)
class ReferralView:
    """A referral with its complaint, loaded in one query."""

    referral: Referral
    complaint: Complaint
    timezone: str
    # The agency's default deadline when the loading query fetched it (a transition's does, which
    # saves the forward a round trip); NOT_LOADED otherwise.
    agency_due_working_days: Any = NOT_LOADED


def referral_dict(referral: Referral) -> dict[str, Any]:
    referral_columns = {name: getattr(referral, name) for name in REFERRAL_FIELDS}
    response = referral_columns["response"]
    if response is not None and "responded_at" in response:
        # Answers recorded before `responded_at` was written with `Z` hold `+00:00`.
        referral_columns["response"] = {**response, "responded_at": rfc3339_utc_text(response["responded_at"])}
    return referral_columns


def snapshot(view: ReferralView) -> dict[str, Any]:
    """The resource as the Ombudsman sees it at this event; the outbox redacts it per subscriber."""
    return {"referral": {**referral_dict(view.referral), "complaint": complaint_dict(view.complaint)}}


def _visible(principal: Principal, *, agency_code: str, state: str, forwarded_at: datetime | None, region_code: str) -> bool:
    if principal.role is Role.AGENCY:
        return agency_code == principal.agency_code and domain.visible_to_agency(
            ReferralState(state), was_forwarded=forwarded_at is not None
        )
    return principal.covers_region(region_code)


def view_query() -> Select:
    """Referral, complaint and the agency's time zone: what a `ReferralView` is built from."""
    return (
        select(Referral, Complaint, Agency.timezone)
        .join(Complaint, Complaint.id == Referral.complaint_id)
        .join(Agency, Agency.code == Referral.agency_code)
    )


# The read paths load columns, not entities: ORM identity-map bookkeeping for a page of
# referrals cost more than building the response. Complaint columns carry a prefix.
COMPLAINT_PREFIX = "complaint__"
_REFERRALS = Referral.__table__
_COMPLAINTS = Complaint.__table__
_READ_COLUMNS = (
    *(_REFERRALS.c[name] for name in (*REFERRAL_FIELDS, "version")),
    *(_COMPLAINTS.c[name].label(COMPLAINT_PREFIX + name) for name in COMPLAINT_OUT_FIELDS),
    Agency.__table__.c.timezone,
)


def read_query() -> Select:
    """`view_query` as plain columns (referral, complaint under `COMPLAINT_PREFIX`, `timezone`)."""
    return (
        select(*_READ_COLUMNS)
        .select_from(_REFERRALS)
        .join(_COMPLAINTS, _COMPLAINTS.c.id == _REFERRALS.c.complaint_id)
        .join(Agency.__table__, Agency.__table__.c.code == _REFERRALS.c.agency_code)
    )


async def get_view(
    session: AsyncSession, principal: Principal, referral_id: uuid.UUID, *, for_update: bool = False
) -> ReferralView:
    stmt = view_query().where(Referral.id == referral_id)
    if for_update:
        stmt = stmt.add_columns(Agency.default_due_working_days).with_for_update(of=Referral)
    row = (await session.execute(stmt)).first()
    # Another agency's referral, or one not yet forwarded, is indistinguishable from a missing one.
    if row is None or not _visible(
        principal,
        agency_code=row[0].agency_code,
        state=row[0].state,
        forwarded_at=row[0].forwarded_at,
        region_code=row[1].region_code,
    ):
        raise NotFound("No referral with this id.")
    return ReferralView(*row)


async def create_referral(
    session: AsyncSession, principal: Principal, complaint_id: uuid.UUID, agency_code: str, instructions: str | None
) -> ReferralView:
    _decide(principal, None, ReferralAction.CREATE)
    complaint = await get_complaint(session, principal, complaint_id)
    agency = await session.get(Agency, agency_code)
    if agency is None:
        raise UnprocessableEntity(f"Agency {agency_code!r} is not in the directory.")
    if not agency.active:
        raise UnprocessableEntity(f"Agency {agency_code!r} is inactive and cannot receive referrals.")
    referral = Referral(
        id=uuid.uuid4(),
        complaint_id=complaint.id,
        agency_code=agency_code,
        state=ReferralState.RECEIVED.value,
        instructions=instructions,
        event_seq=1,
    )
    session.add(referral)
    await session.flush()
    await session.refresh(referral)
    view = ReferralView(referral, complaint, agency.timezone)
    await record_referral_event(
        session, view, EVENT_TYPES[ReferralAction.CREATE], {"agency_code": agency_code}, Actor.of(principal), from_state=None
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
        raise Forbidden(f"Keys with the role {principal.role.value} may not use `{action.value}` on a referral.") from exc
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
    session: AsyncSession,
    view: ReferralView,
    event_type: str,
    data: dict[str, Any],
    actor: Actor,
    *,
    from_state: str | None,
) -> None:
    """Append an event to the referral's timeline at its current `event_seq` (bumped by the caller
    under the row lock), with the snapshot subscribers receive."""
    referral = view.referral
    await record(
        session,
        EventDraft(
            type=event_type,
            complaint_id=referral.complaint_id,
            sequence=referral.event_seq,
            region_code=view.complaint.region_code,
            referral_id=referral.id,
            agency_code=referral.agency_code,
            from_state=from_state,
            to_state=referral.state,
            data=data,
            agency_visible=referral.forwarded_at is not None,
        ),
        actor,
        snapshot(view),
    )


async def transition(
    session: AsyncSession,
    principal: Principal,
    referral_id: uuid.UUID,
    action: ReferralAction,
    payload: Any,
    if_match: str | None,
    *,
    default_due_working_days: int,
    via: str = "api",
) -> ReferralView:
    view = await get_view(session, principal, referral_id, for_update=True)
    referral = view.referral
    current = ReferralState(referral.state)
    # Order of refusals: unseen (404), wrong role (403), stale If-Match (412), wrong state (409).
    # A stale ETag explains a refused move better than "not allowed": the caller acted on old data.
    def check_freshness() -> None:
        check_if_match(if_match, etag(referral.version), required=False)

    target = _decide(principal, current, action, before_conflict=check_freshness)
    check_freshness()
    now = clock.now()
    data = await _apply(session, view, action, payload, now, default_due_working_days)
    referral.state = target.value
    referral.version += 1
    referral.event_seq += 1
    referral.updated_at = now
    try:
        await session.flush()
    except IntegrityError as exc:
        raise Conflict("Another referral of this agency already uses this external_ref.") from exc
    await record_referral_event(session, view, EVENT_TYPES[action], data, Actor.of(principal, via), from_state=current.value)
    return view


async def _apply(
    session: AsyncSession, view: ReferralView, action: ReferralAction, payload: Any, now: datetime, default_days: int
) -> dict[str, Any]:
    """Apply the action's own effects and return the timeline event's data."""
    referral = view.referral
    if action is ReferralAction.FORWARD:
        if payload.instructions is not None:
            referral.instructions = payload.instructions
        referral.forwarded_at = now
        await _set_deadline(session, view, payload.due_working_days, now, default_days)
        return {"due_at": referral.due_at, "due_working_days": referral.due_working_days}
    if action is ReferralAction.ACKNOWLEDGE:
        if referral.acknowledged_at is None:
            referral.acknowledged_at = now
        if payload.external_ref is not None:
            await _check_external_ref_free(session, referral, payload.external_ref)
            referral.external_ref = payload.external_ref
        return {"external_ref": referral.external_ref}
    if action is ReferralAction.RESPOND:
        if referral.first_responded_at is None:
            await _record_first_response(session, view, now)
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
        await _set_deadline(session, view, payload.due_working_days, now, default_days)
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
    session: AsyncSession, view: ReferralView, requested_days: int | None, now: datetime, default_days: int
) -> None:
    referral = view.referral
    agency_days = view.agency_due_working_days
    if agency_days is NOT_LOADED:
        agency_days = await session.scalar(select(Agency.default_due_working_days).where(Agency.code == referral.agency_code))
    days = requested_days or agency_days or default_days
    calendar = await current_calendar(session, for_deadline=True)
    referral.due_working_days = days
    referral.deadline_started_at = now
    referral.due_at = due_at_for(calendar, now, days, view.timezone)
    # A new deadline cycle: due-soon and overdue may be recorded again for it.
    referral.due_soon_notified_for = None
    referral.overdue_notified_for = None


async def _record_first_response(session: AsyncSession, view: ReferralView, now: datetime) -> None:
    """Fix the agency-performance facts of the first answer, on the calendar in force now: later
    calendar changes do not rewrite how fast an answer was (its deadline was what it was)."""
    referral = view.referral
    referral.first_responded_at = now
    if referral.forwarded_at is not None:
        calendar = await current_calendar(session)
        referral.first_response_working_days = calendar.working_days_between(referral.forwarded_at, now, view.timezone)
    if referral.due_at is not None:
        referral.first_response_on_time = now <= referral.due_at


async def _check_external_ref_free(session: AsyncSession, referral: Referral, external_ref: str) -> None:
    taken = await session.scalar(
        select(Referral.id).where(
            Referral.agency_code == referral.agency_code, Referral.external_ref == external_ref, Referral.id != referral.id
        )
    )
    if taken is not None:
        raise Conflict("Another referral of this agency already uses this external_ref.")


async def list_rows(session: AsyncSession, principal: Principal, *, limit: int, **filters: Any) -> tuple[list[RowMapping], bool]:
    """A page of referrals as `read_query` row mappings (no ORM entities: the read path only renders them)."""
    rows = (await session.execute(list_query(principal, limit=limit, **filters))).mappings().all()
    return list(rows[:limit]), len(rows) > limit


async def get_row(session: AsyncSession, principal: Principal, referral_id: uuid.UUID) -> RowMapping:
    """One referral as a `read_query` row mapping, if the caller may see it (404 otherwise)."""
    row = (await session.execute(read_query().where(Referral.id == referral_id))).mappings().first()
    if row is None or not _visible(
        principal,
        agency_code=row["agency_code"],
        state=row["state"],
        forwarded_at=row["forwarded_at"],
        region_code=row[COMPLAINT_PREFIX + "region_code"],
    ):
        raise NotFound("No referral with this id.")
    return row


def list_query(
    principal: Principal,
    *,
    limit: int,
    cursor: str | None,
    state: ReferralState | None,
    agency_code: str | None,
    complaint_id: uuid.UUID | None,
    overdue: bool | None,
    due_before: datetime | None,
) -> Select:
    """The list endpoint's query (limit + 1 rows, to tell whether another page follows)."""
    stmt = read_query().order_by(Referral.created_at.desc(), Referral.id.desc()).limit(limit + 1)
    if principal.role is Role.AGENCY:
        stmt = stmt.where(Referral.agency_code == principal.agency_code, Referral.forwarded_at.is_not(None))
    elif principal.region_code is not None:
        scope = principal.region_code
        stmt = stmt.where(
            (Complaint.region_code == scope) | Complaint.region_code.like(region_prefix_pattern(scope), escape="\\")
        )
    if state is not None:
        stmt = stmt.where(Referral.state == state.value)
    if agency_code is not None:
        stmt = stmt.where(Referral.agency_code == agency_code)
    if complaint_id is not None:
        stmt = stmt.where(Referral.complaint_id == complaint_id)
    # The service clock, not the database's: `overdue` in the list agrees with `overdue` in each item.
    if overdue is True:
        # Served by the partial index ix_referrals_forwarded_due_at (state = 'forwarded').
        stmt = stmt.where(Referral.state == ReferralState.FORWARDED.value, Referral.due_at < clock.now())
    elif overdue is False:
        stmt = stmt.where(
            (Referral.state != ReferralState.FORWARDED.value) | (Referral.due_at.is_(None)) | (Referral.due_at >= clock.now())
        )
    if due_before is not None:
        stmt = stmt.where(Referral.state == ReferralState.FORWARDED.value, Referral.due_at < due_before)
    if cursor is not None:
        position, last_id = decode_cursor(cursor)
        stmt = stmt.where(tuple_(Referral.created_at, Referral.id) < tuple_(position, last_id))
    return stmt
