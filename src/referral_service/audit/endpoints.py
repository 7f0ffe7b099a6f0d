"""`GET /v1/audit/identity-reads`: the identity-read audit (admin)."""

from __future__ import annotations

import base64
import binascii
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from referral_service.audit import repository
from referral_service.auth.dependencies import AdminPrincipal
from referral_service.db.driver import DbDep
from referral_service.errors import BadRequest
from referral_service.json_encoding import dumps
from referral_service.openapi_docs import problem_responses
from referral_service.schemas import LimitQuery, UtcDateTime, UtcInstant

router = APIRouter(prefix="/v1/audit", tags=["audit"])


_EXAMPLE: dict[str, Any] = {
    "id": 17,
    "read_at": "2026-11-27T02:56:23.273054Z",
    "key_id": "0b7e3c1a-9d55-4d0e-8f43-3c2a1f6b9e10",
    "role": "ombudsman",
    "complaint_id": "65881197-a37a-427e-b9b3-d5998f47d9fd",
    "route": "/v1/complaints/{complaint_id}",
    "method": "GET",
    "access_reason": "Case 12/2026 review",
    "request_id": "b1946ac92492d2347c6235b4d2611184",
}


class IdentityReadOut(BaseModel):
    """One response that showed a confidential complainant's identity."""

    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE]})

    id: int
    read_at: UtcInstant
    key_id: uuid.UUID | None = Field(description="The API key that read it.")
    role: str = Field(description="`admin` or `ombudsman`.")
    complaint_id: uuid.UUID
    route: str = Field(
        description="The route template, e.g. `/v1/complaints/{complaint_id}`.",
        examples=["/v1/complaints/{complaint_id}"],
    )
    method: str
    access_reason: str | None = Field(description="The `X-Access-Reason` header the reader sent, if any.")
    request_id: str | None


class IdentityReadPage(BaseModel):
    """Newest first. Follow `next_cursor` until it is null."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"items": [_EXAMPLE], "next_cursor": None}]})

    items: list[IdentityReadOut]
    next_cursor: str | None


def _encode(row_id: int) -> str:
    return base64.urlsafe_b64encode(b"ir1:%d" % row_id).decode().rstrip("=")


def _decode(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode("ascii"))
        if not raw.startswith(b"ir1:") or not raw[4:].isdigit() or len(raw) > 24:
            raise ValueError(cursor)
        return int(raw[4:])
    except (ValueError, binascii.Error, UnicodeEncodeError) as exc:
        raise BadRequest("The cursor is not valid; start again without one.") from exc


@router.get(
    "/identity-reads",
    response_model=IdentityReadPage,
    name="identity_reads",
    responses=problem_responses(400, 401, 403, 422),
)
async def identity_reads(
    _principal: AdminPrincipal,
    db: DbDep,
    complaint_id: uuid.UUID | None = None,
    key_id: uuid.UUID | None = None,
    from_: Annotated[UtcDateTime | None, Query(alias="from", description="Inclusive lower bound on `read_at`.")] = None,
    to: Annotated[UtcDateTime | None, Query(description="Exclusive upper bound on `read_at`.")] = None,
    limit: LimitQuery = 50,
    cursor: Annotated[str | None, Query(description="`next_cursor` from the previous page.", max_length=40)] = None,
) -> Response:
    """Who was shown a confidential complainant's identity: one row per complaint per response, newest
    first (admin keys). Rows are append-only: the database refuses to change or delete them."""
    before = _decode(cursor) if cursor is not None else None
    rows = await db.fetch(
        repository.LIST.bind(
            before=before, complaint_id=complaint_id, key_id=key_id, read_from=from_, read_to=to, limit=limit + 1
        )
    )
    more = len(rows) > limit
    rows = rows[:limit]
    page = {"items": [dict(row) for row in rows], "next_cursor": _encode(rows[-1]["id"]) if more else None}
    return Response(dumps(page), media_type="application/json")
