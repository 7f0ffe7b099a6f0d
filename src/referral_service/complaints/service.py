"""Canonical complaint record: intake, merge-patch updates, scoped reads and keyset listing."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any

import orjson
from pydantic import ValidationError
from sqlalchemy import Row, RowMapping, Sequence, Text, bindparam, case, cast, func, insert, select, text, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from referral_service.agencies.models import Agency
from referral_service.auth.principal import Principal, region_prefix_pattern
from referral_service.complaints.models import Complaint
from referral_service.complaints.representation import OUT_FIELDS, complaint_dict, etag
from referral_service.complaints.schemas import ComplaintCreate, ComplaintWritable
from referral_service.errors import Forbidden, NotFound, UnprocessableEntity, field_errors
from referral_service.events.service import RESERVE_EVENT_COLUMNS, Actor, EventDraft, record
from referral_service.json_encoding import dumps
from referral_service.preconditions import check_if_match
from referral_service.schemas import decode_cursor

REFERENCE_SEQUENCE = Sequence("complaint_reference_seq")


def _check_region(principal: Principal, region_code: str) -> None:
    if not principal.covers_region(region_code):
        raise Forbidden(f"This key is limited to region {principal.region_code}; {region_code} is outside it.")


async def _check_reported_party(session: AsyncSession, data: ComplaintCreate) -> None:
    code = data.reported_party.agency_code if data.reported_party else None
    if code is not None and await session.get(Agency, code) is None:
        raise UnprocessableEntity(f"reported_party.agency_code {code!r} is not in the agency directory.")


def padded_number(number: Any) -> Any:
    """SQL for `f"{number:06d}"` of a positive integer: zero-padded to six digits, longer numbers
    kept whole (lpad alone would truncate them)."""
    digits = cast(number, Text)
    return case((func.length(digits) < 6, func.lpad(digits, 6, "0")), else_=digits)


def _reference_number() -> Any:
    """The next reference: the caller's `province-year-` prefix and the sequence's next number."""
    number = select(REFERENCE_SEQUENCE.next_value().label("n")).subquery()
    return select(bindparam("reference_prefix", type_=Text) + padded_number(number.c.n)).scalar_subquery()


_COMPLAINTS = Complaint.__table__
_INSERT_COLUMNS = (
    "id", "received_at", "created_by_key_id", "created_at", "updated_at", "event_seq", "channel", "complainant",
    "identity_confidential", "subject", "description", "category", "reported_party", "region_code", "incident_date",
    "external_refs",
)
# Intake in one round trip instead of three (SELECT nextval, INSERT, SELECT to refresh): the reference
# number is drawn inside the INSERT and the stored row comes back through RETURNING, in the form a
# later read gives (UTC instants, jsonb key order). It also reserves the complaint.created event's
# id and time, so the event and its webhook fan-out are a single statement as well. Built once.
_INSERT_COMPLAINT = (
    insert(_COMPLAINTS)
    .values(
        {
            **{name: bindparam(name, type_=_COMPLAINTS.c[name].type) for name in _INSERT_COLUMNS},
            "reference": _reference_number(),
        }
    )
    .returning(*(_COMPLAINTS.c[name] for name in (*OUT_FIELDS, "version")), *RESERVE_EVENT_COLUMNS)
)


async def create_complaint(session: AsyncSession, principal: Principal, data: ComplaintCreate) -> Row:
    """Returns the stored complaint as a row (attribute access like the ORM entity)."""
    _check_region(principal, data.region_code)
    await _check_reported_party(session, data)
    now = datetime.now(timezone.utc)
    # One clock for all three, so a complaint is never "received" after it was recorded.
    received_at = data.received_at or now
    province = data.region_code.split(".", 1)[0]
    # The sequence never hands a number out twice, even across rolled-back transactions.
    prefix = f"{province}-{received_at.astimezone(timezone.utc).year}-"
    complaint = (
        await session.execute(
            _INSERT_COMPLAINT,
            {
                "reference_prefix": prefix,
                "id": uuid.uuid4(),
                "received_at": received_at,
                "created_by_key_id": principal.key_id,
                "created_at": now,
                "updated_at": now,
                "event_seq": 1,
                **_columns(data),
            },
        )
    ).one()
    await record(
        session,
        EventDraft(
            type="complaint.created",
            complaint_id=complaint.id,
            sequence=1,
            region_code=complaint.region_code,
            data={"reference": complaint.reference, "region_code": complaint.region_code, "category": complaint.category},
        ),
        Actor.of(principal),
        snapshot={"complaint": complaint_dict(complaint)},
        reserved=(complaint.event_id, complaint.event_occurred_at),
    )
    return complaint


def _columns(data: ComplaintCreate) -> dict[str, Any]:
    dumped = data.model_dump(mode="json", exclude={"received_at", "incident_date"})
    dumped["complainant"] = {k: v for k, v in dumped["complainant"].items() if v is not None}
    if dumped["reported_party"] is not None:
        dumped["reported_party"] = {k: v for k, v in dumped["reported_party"].items() if v is not None}
    dumped["incident_date"] = data.incident_date
    return dumped


async def get_complaint(session: AsyncSession, principal: Principal, complaint_id: uuid.UUID, *, for_update: bool = False) -> Complaint:
    stmt = select(Complaint).where(Complaint.id == complaint_id)
    if for_update:
        stmt = stmt.with_for_update()
    complaint = (await session.execute(stmt)).scalar_one_or_none()
    # Outside the caller's region is indistinguishable from absent.
    if complaint is None or not principal.covers_region(complaint.region_code):
        raise NotFound("No complaint with this id.")
    return complaint


# The read paths load the response's columns (and the version for the ETag), not ORM entities.
_READ_COLUMNS = tuple(_COMPLAINTS.c[name] for name in (*OUT_FIELDS, "version"))


async def get_complaint_row(session: AsyncSession, principal: Principal, complaint_id: uuid.UUID) -> RowMapping:
    """`get_complaint` for reading: the columns as a row mapping."""
    row = (await session.execute(select(*_READ_COLUMNS).where(_COMPLAINTS.c.id == complaint_id))).mappings().first()
    if row is None or not principal.covers_region(row["region_code"]):
        raise NotFound("No complaint with this id.")
    return row


# A complaint is at most three objects deep; anything deeper is not a complaint patch, and
# unbounded recursion on hostile input would end in a RecursionError (a 500).
MAX_PATCH_DEPTH = 8


def _merge_patch(target: Any, patch: Any, depth: int = 0) -> Any:
    """RFC 7396 JSON merge patch."""
    if not isinstance(patch, dict):
        return patch
    if depth >= MAX_PATCH_DEPTH:
        raise UnprocessableEntity(f"A complaint patch may nest objects at most {MAX_PATCH_DEPTH} levels deep.")
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = _merge_patch(result.get(key), value, depth + 1)
    return result


_PATCHABLE = (
    "channel", "received_at", "complainant", "identity_confidential", "subject", "description", "category",
    "reported_party", "region_code", "incident_date", "external_refs",
)


def _recorded_json(complaint: Complaint) -> dict[str, Any]:
    """The writable fields as recorded, in their JSON form, for a merge patch to apply to.

    Deliberately not validated: a complaint recorded before a rule existed (a `received_at` before
    2000, say) then fails validation after the patch, as a 422 naming the field, which the same patch
    can correct; validating it here would be a 500 no request could get past.
    """
    recorded = {name: getattr(complaint, name) for name in _PATCHABLE}
    return orjson.loads(dumps({name: value for name, value in recorded.items() if value is not None}))


async def patch_complaint(
    session: AsyncSession, principal: Principal, complaint_id: uuid.UUID, patch: dict[str, Any], if_match: str | None
) -> Complaint:
    complaint = await get_complaint(session, principal, complaint_id, for_update=True)
    check_if_match(if_match, etag(complaint.version), required=True)
    merged = _merge_patch(_recorded_json(complaint), patch)
    try:
        updated = ComplaintWritable.model_validate(merged)
    except ValidationError as exc:
        raise UnprocessableEntity(
            "The complaint would not be valid after this patch; see `errors`.", errors=field_errors(exc.errors())
        ) from exc
    _check_region(principal, updated.region_code)
    await _check_reported_party(session, updated)
    new_columns = _columns(updated)
    new_columns["received_at"] = updated.received_at or complaint.received_at
    changed = sorted(name for name, value in new_columns.items() if getattr(complaint, name) != value)
    if not changed:
        return complaint
    for name in changed:
        setattr(complaint, name, new_columns[name])
    complaint.version = complaint.version + 1
    complaint.event_seq = complaint.event_seq + 1
    complaint.updated_at = func.now()
    await session.flush()
    await session.refresh(complaint)
    if "identity_confidential" in changed and complaint.identity_confidential:
        # Agency webhook bodies built before this change must not carry the identity either.
        from referral_service.webhooks.outbox import redact_pending_for_complaint

        await redact_pending_for_complaint(session, complaint.id)
    await record(
        session,
        # Field names only: values may carry the complainant's identity, and events outlive edits.
        EventDraft(
            type="complaint.updated",
            complaint_id=complaint.id,
            sequence=complaint.event_seq,
            region_code=complaint.region_code,
            data={"changed_fields": changed, "version": complaint.version},
        ),
        Actor.of(principal),
        snapshot={"complaint": complaint_dict(complaint)},
    )
    return complaint


async def list_complaints(
    session: AsyncSession,
    principal: Principal,
    *,
    limit: int,
    cursor: str | None,
    region_code: str | None,
    category: str | None,
    channel: str | None,
    received_from: datetime | None,
    received_to: datetime | None,
    q: str | None,
) -> tuple[list[RowMapping], bool]:
    stmt = select(*_READ_COLUMNS).order_by(Complaint.created_at.desc(), Complaint.id.desc()).limit(limit + 1)
    for scope in (principal.region_code, region_code):
        if scope is not None:
            stmt = stmt.where(
                (Complaint.region_code == scope)
                | Complaint.region_code.like(region_prefix_pattern(scope), escape="\\")
            )
    if category is not None:
        stmt = stmt.where(Complaint.category == category)
    if channel is not None:
        stmt = stmt.where(Complaint.channel == channel)
    if received_from is not None:
        stmt = stmt.where(Complaint.received_at >= received_from)
    if received_to is not None:
        stmt = stmt.where(Complaint.received_at < received_to)
    if q:
        stmt = stmt.where(Complaint.search_vector.op("@@")(func.websearch_to_tsquery(text("'simple'"), q)))
    if cursor is not None:
        position, last_id = decode_cursor(cursor)
        stmt = stmt.where(tuple_(Complaint.created_at, Complaint.id) < tuple_(position, last_id))
    rows = (await session.execute(stmt)).mappings().all()
    return list(rows[:limit]), len(rows) > limit

