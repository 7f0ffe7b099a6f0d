"""Canonical complaint record: intake, merge-patch updates, scoped reads and keyset listing."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import asyncpg
import orjson
from pydantic import ValidationError

from referral_service.auth.principal import Principal
from referral_service.auth.scope import complaint_visible
from referral_service.complaints import repository
from referral_service.complaints.representation import OUT_FIELDS
from referral_service.complaints.schemas import ComplaintCreate, ComplaintWritable
from referral_service.db.driver import Db, json_param, unit_of_work
from referral_service.errors import Forbidden, NotFound, UnprocessableEntity, field_errors
from referral_service.events.draft import Actor, EventDraft
from referral_service.events.outbox import redact_pending_for_complaint
from referral_service.events.service import record
from referral_service.json_encoding import dumps
from referral_service.preconditions import check_if_match, etag
from referral_service.schemas import decode_cursor

_JSON_COLUMNS = ("complainant", "reported_party", "external_refs")


def check_region(principal: Principal, region_code: str) -> None:
    if not complaint_visible(principal, region_code):
        raise Forbidden(f"This key is limited to region {principal.region_code}; {region_code} is outside it.")


def column_values(data: ComplaintCreate) -> dict[str, Any]:
    """The writable columns as Python values (JSON columns as dicts and lists)."""
    dumped = data.model_dump(mode="json", exclude={"received_at", "incident_date"})
    dumped["complainant"] = {k: v for k, v in dumped["complainant"].items() if v is not None}
    if dumped["reported_party"] is not None:
        dumped["reported_party"] = {k: v for k, v in dumped["reported_party"].items() if v is not None}
    dumped["incident_date"] = data.incident_date
    dumped["received_at"] = data.received_at
    return dumped


def column_params(values: dict[str, Any]) -> dict[str, Any]:
    """`_values` as statement parameters: JSON columns as JSON text."""
    return {
        name: json_param(value) if name in _JSON_COLUMNS and value is not None else value
        for name, value in values.items()
    }


def reported_agency(data: ComplaintCreate) -> str | None:
    return data.reported_party.agency_code if data.reported_party else None


def snapshot_of(row: Any) -> dict[str, Any]:
    """The complaint as the Ombudsman sees it, for events and webhook bodies."""
    return {"complaint": {name: row[name] for name in OUT_FIELDS}}


async def get_complaint_row(db: Db, principal: Principal, complaint_id: uuid.UUID) -> asyncpg.Record:
    """The complaint, if the caller may see it (outside its region is indistinguishable from absent)."""
    row = await repository.get(db, complaint_id)
    if row is None or not complaint_visible(principal, row["region_code"]):
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


def _recorded_json(complaint: Any) -> dict[str, Any]:
    """The writable fields as recorded, in their JSON form, for a merge patch to apply to.

    Deliberately not validated: a complaint recorded before a rule existed (a `received_at` before
    2000, say) then fails validation after the patch, as a 422 naming the field, which the same patch
    can correct; validating it here would be a 500 no request could get past.
    """
    recorded = {name: complaint[name] for name in repository.WRITABLE}
    as_json: dict[str, Any] = orjson.loads(
        dumps({name: value for name, value in recorded.items() if value is not None})
    )
    return as_json


async def lock_for_change(db: Db, complaint_id: uuid.UUID) -> asyncpg.Record | None:
    """The complaint row locked (FOR UPDATE) for a change another feature makes to it, with an event id and
    time reserved for the change's event; None if there is none. No visibility check: the caller's."""
    return await repository.get_for_update(db, complaint_id)


@unit_of_work
async def patch_complaint(
    db: Db, principal: Principal, complaint_id: uuid.UUID, patch: dict[str, Any], if_match: str | None
) -> asyncpg.Record:
    """Apply a merge patch and record `complaint.updated`: one unit of work."""
    complaint = await repository.get_for_update(db, complaint_id)
    if complaint is None or not complaint_visible(principal, complaint["region_code"]):
        raise NotFound("No complaint with this id.")
    merged = _merge_patch(_recorded_json(complaint), patch)
    try:
        updated = ComplaintWritable.model_validate(merged)
    except ValidationError as exc:
        raise UnprocessableEntity(
            "The complaint would not be valid after this patch; see `errors`.", errors=field_errors(exc.errors())
        ) from exc
    # After validation: a patch that could never apply is 422 whatever the ETag, so a client fixes
    # its body first instead of re-reading and retrying a request that will fail again.
    check_if_match(if_match, etag(complaint["version"]), required=True)
    check_region(principal, updated.region_code)
    reported = reported_agency(updated)
    if (
        reported is not None
        and reported != _reported_agency_of(complaint)
        and not await repository.agency_exists(db, reported)
    ):
        raise UnprocessableEntity(f"reported_party.agency_code {reported!r} is not in the agency directory.")
    values = column_values(updated)
    values["received_at"] = updated.received_at or complaint["received_at"]
    changed = sorted(name for name, value in values.items() if complaint[name] != value)
    if not changed:
        return complaint
    row = await repository.update(db, complaint_id, column_params(values))
    if "identity_confidential" in changed and row["identity_confidential"]:
        # Agency webhook bodies built before this change must not carry the identity either.
        await redact_pending_for_complaint(db, complaint_id)
    await record(
        db,
        # Field names only: values may carry the complainant's identity, and events outlive edits.
        EventDraft(
            type="complaint.updated",
            complaint_id=complaint_id,
            sequence=row["event_seq"],
            region_code=row["region_code"],
            data={"changed_fields": changed, "version": row["version"]},
        ),
        Actor.of(principal),
        snapshot=snapshot_of(row),
        reserved=(complaint["event_id"], complaint["event_occurred_at"]),
    )
    return row


def _reported_agency_of(row: Any) -> str | None:
    party = row["reported_party"]
    return party.get("agency_code") if isinstance(party, dict) else None


async def list_complaints(
    db: Db,
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
) -> tuple[list[asyncpg.Record], bool]:
    filters = {
        "category": category,
        "channel": channel,
        "received_from": received_from,
        "received_to": received_to,
        "q": q or None,
    }
    rows = await repository.list_page(
        db,
        principal,
        limit=limit + 1,
        region_code=region_code,
        filters=filters,
        cursor=decode_cursor(cursor) if cursor is not None else None,
    )
    return rows[:limit], len(rows) > limit


def _embedded_complaints(node: Any) -> list[dict[str, Any]]:
    """Every complaint representation in a response body: the objects carrying a complainant."""
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if "identity_confidential" in node and "complainant" in node and "id" in node:
            found.append(node)
        for value in node.values():
            found.extend(_embedded_complaints(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(_embedded_complaints(value))
    return found


async def redact_stored_body_for_agency(db: Db, body: bytes) -> bytes:
    """A stored response (idempotent replay, inbound answer) as an agency may see it *now*.

    Stored bodies were redacted for the complaint as it was then; a complaint made confidential
    since must not reach the agency through a replay. Replays are rare, so this reads the current
    flags instead of rewriting every stored body when a complaint turns confidential.
    """
    return (await redact_stored_bodies_for_agency(db, [body]))[0] or body


async def redact_stored_bodies_for_agency(db: Db, bodies: list[bytes | None]) -> list[bytes | None]:
    """`redact_stored_body_for_agency` for a page of stored bodies, with one query for all of them."""
    parsed: list[Any] = []
    for body in bodies:
        try:
            parsed.append(orjson.loads(body) if body is not None else None)
        except orjson.JSONDecodeError:
            parsed.append(None)
    embedded = [[c for c in _embedded_complaints(payload) if c.get("complainant") is not None] for payload in parsed]
    ids = sorted({str(c["id"]) for found in embedded for c in found})
    if not ids:
        return bodies
    confidential = {str(complaint_id) for complaint_id in await repository.confidential_among(db, ids)}
    result: list[bytes | None] = []
    for body, payload, found in zip(bodies, parsed, embedded, strict=True):
        hidden = [c for c in found if str(c["id"]) in confidential]
        for complaint in hidden:
            complaint["complainant"] = None
            complaint["identity_confidential"] = True
        result.append(dumps(payload) if hidden else body)
    return result
