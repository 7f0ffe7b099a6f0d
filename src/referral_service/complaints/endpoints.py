import uuid
from typing import Annotated

import orjson
from fastapi import APIRouter, Depends, Header, Query, Request, Response, status

from referral_service.audit.identity import access_reason, audited
from referral_service.auth.dependencies import OmbudsmanSidePrincipal
from referral_service.complaints import intake, service
from referral_service.complaints.representation import complaint_out
from referral_service.complaints.schemas import Category, Channel, ComplaintCreate, ComplaintOut
from referral_service.db.driver import DbDep
from referral_service.errors import BadRequest, UnprocessableEntity
from referral_service.events.schemas import AfterIdQuery, EventLimitQuery, EventOut, event_body
from referral_service.events.service import list_complaint_events
from referral_service.idempotency import idempotency_request
from referral_service.json_encoding import dumps
from referral_service.openapi_docs import problem_responses
from referral_service.preconditions import etag
from referral_service.schemas import LimitQuery, Page, RegionCode, UtcDateTime, encode_cursor

router = APIRouter(prefix="/v1/complaints", tags=["complaints"], dependencies=[Depends(access_reason)])

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        description="Makes a retry safe: the same key with the same body returns the first response again. "
        "Keys are scoped to your API key and kept for 48 hours.",
        max_length=255,
    ),
]
IfMatch = Annotated[str | None, Header(alias="If-Match", description="The ETag from your last read.")]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ComplaintOut,
    responses={
        **problem_responses(400, 401, 403, 409, 413, 415, 422),
        201: {"description": "Created. `Location` and `ETag` headers are set."},
    },
)
async def create(
    body: ComplaintCreate,
    request: Request,
    principal: OmbudsmanSidePrincipal,
    db: DbDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Record a complaint the Ombudsman received. Ombudsman and admin keys.

    Send an `Idempotency-Key` so a retry after a timeout cannot create a second record: the same key
    and body return the first response again (with `Idempotent-Replayed: true`), the same key with a
    different body is refused with 422. A retry sent while the first is still running gets the first's
    response once it has finished, or a 409 asking to retry.
    A region-limited key may only create complaints in its region (403 otherwise).
    """
    idempotency = None if idempotency_key is None else await idempotency_request(request, idempotency_key)
    result = await intake.create(db, principal, body, idempotency)
    return await audited(db, request, principal, result.response.to_response(replayed=result.replayed))


@router.get("", response_model=Page[ComplaintOut], responses=problem_responses(400, 401, 403, 422))
async def list_(
    request: Request,
    principal: OmbudsmanSidePrincipal,
    db: DbDep,
    limit: LimitQuery = 20,
    # No max_length here: an over-long cursor is a bad cursor (400 from decode_cursor), not a 422.
    cursor: Annotated[str | None, Query(description="`next_cursor` from the previous page.")] = None,
    region_code: Annotated[
        RegionCode | None, Query(description="A region from `GET /v1/regions` and everything below it.")
    ] = None,
    category: Category | None = None,
    channel: Channel | None = None,
    received_from: Annotated[UtcDateTime | None, Query(description="Inclusive lower bound on `received_at`.")] = None,
    received_to: Annotated[UtcDateTime | None, Query(description="Exclusive upper bound on `received_at`.")] = None,
    q: Annotated[str | None, Query(max_length=200, description="Words to find in subject and description.")] = None,
) -> Response:
    """List complaints, newest first, with cursor pagination. Ombudsman and admin keys; a region-limited
    key sees only its region. Rows inserted while you page never make a page skip or repeat a row."""
    if q is not None and "\x00" in q:
        raise BadRequest("`q` must not contain NUL characters.")
    rows, more = await service.list_complaints(
        db,
        principal,
        limit=limit,
        cursor=cursor,
        region_code=region_code,
        category=category,
        channel=channel,
        received_from=received_from,
        received_to=received_to,
        q=q,
    )
    next_cursor = encode_cursor(rows[-1]["created_at"], rows[-1]["id"]) if more else None
    page = {"items": [complaint_out(r) for r in rows], "next_cursor": next_cursor}
    return await audited(db, request, principal, Response(dumps(page), media_type="application/json"))


@router.get("/{complaint_id}", response_model=ComplaintOut, responses=problem_responses(401, 403, 404))
async def get(complaint_id: uuid.UUID, request: Request, principal: OmbudsmanSidePrincipal, db: DbDep) -> Response:
    """Read one complaint. The `ETag` header is what `PATCH` expects in `If-Match`."""
    row = await service.get_complaint_row(db, principal, complaint_id)
    response = Response(
        dumps(complaint_out(row)), media_type="application/json", headers={"ETag": etag(row["version"])}
    )
    return await audited(db, request, principal, response)


_PATCH_BODY = {
    "requestBody": {
        "required": True,
        "description": "A JSON merge patch (RFC 7396): fields present replace, `null` removes an optional field.",
        "content": {
            "application/merge-patch+json": {"schema": {"type": "object", "additionalProperties": True}},
            "application/json": {"schema": {"type": "object", "additionalProperties": True}},
        },
    }
}


@router.patch(
    "/{complaint_id}",
    response_model=ComplaintOut,
    openapi_extra=_PATCH_BODY,
    responses=problem_responses(400, 401, 403, 404, 412, 413, 415, 422, 428),
)
async def patch(
    complaint_id: uuid.UUID, request: Request, principal: OmbudsmanSidePrincipal, db: DbDep, if_match: IfMatch = None
) -> Response:
    """Change a complaint with a JSON merge patch. Requires `If-Match` with the current `ETag`:
    without it 428, with a stale one 412. Records a `complaint.updated` event naming the changed fields."""
    try:
        patch_doc = orjson.loads(await request.body())
    except orjson.JSONDecodeError as exc:
        raise BadRequest("Request body is not valid JSON.") from exc
    if not isinstance(patch_doc, dict):
        raise UnprocessableEntity("A merge patch must be a JSON object.")
    # The change and the identity-read audit of its answer commit together.
    async with db.transaction():
        complaint = await service.patch_complaint(db, principal, complaint_id, patch_doc, if_match)
        response = Response(
            dumps(complaint_out(complaint)), media_type="application/json", headers={"ETag": etag(complaint["version"])}
        )
        return await audited(db, request, principal, response)


@router.get("/{complaint_id}/events", response_model=list[EventOut], responses=problem_responses(401, 403, 404, 422))
async def events(
    complaint_id: uuid.UUID,
    principal: OmbudsmanSidePrincipal,
    db: DbDep,
    after_id: AfterIdQuery = None,
    limit: EventLimitQuery = 1000,
) -> Response:
    """The complaint's whole timeline: its own events and those of every referral, oldest first."""
    await service.get_complaint_row(db, principal, complaint_id)
    rows = await list_complaint_events(db, complaint_id, after_id=after_id, limit=limit)
    return Response(dumps([event_body(row) for row in rows]), media_type="application/json")
