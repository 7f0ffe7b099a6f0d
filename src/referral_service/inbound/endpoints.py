"""Inbound status pushes: per-agency secret and status mapping, the push endpoint, its log."""

from __future__ import annotations

from contextlib import suppress
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Body, Depends, Query, Request, Response
from starlette.requests import ClientDisconnect

from referral_service import clock
from referral_service.audit.identity import access_reason, audited
from referral_service.auth.dependencies import CurrentPrincipal
from referral_service.auth.roles import Role
from referral_service.complaints.service import redact_stored_bodies_for_agency
from referral_service.db.driver import DbDep, pooled
from referral_service.errors import RateLimited
from referral_service.inbound import inbox, service
from referral_service.inbound.repository import InboundEventRecord
from referral_service.inbound.schemas import (
    INBOUND_EVENT,
    InboundAccepted,
    InboundEventOut,
    InboundSecretOut,
    InboundSecretRequest,
    StatusMappingBody,
    inline_schema,
)
from referral_service.json_encoding import dumps
from referral_service.metrics import INBOUND_PUSHES
from referral_service.openapi_docs import problem_responses
from referral_service.ratelimit import RateLimiter, client_address, refuse
from referral_service.schemas import AGENCY_CODE_IN_PATH, AgencyCode, LimitQuery, Page, encode_cursor

router = APIRouter(tags=["inbound"])


@router.post(
    "/v1/agencies/{code}/inbound-secret",
    response_model=InboundSecretOut,
    responses=problem_responses(401, 403, 404, 413, 415, 422),
)
async def rotate_secret(
    code: AgencyCode,
    principal: CurrentPrincipal,
    db: DbDep,
    body: Annotated[InboundSecretRequest | None, Body()] = None,
) -> InboundSecretOut:
    """Create or rotate the agency's inbound signing secret. The agency's own key, or admin.

    The secret is returned only in this response; store it in your system now. After a rotation the
    previous secret keeps verifying for `overlap_hours` (default 24, at most 168), so you can switch
    your sender over without losing pushes; both may be sent at once as two `v1,` signatures.
    """
    await service.agency_in_scope(db, principal, code, manage=True)
    overlap = (body or InboundSecretRequest()).overlap_hours
    secret, row = await service.rotate_secret(db, code, overlap, clock.now())
    return InboundSecretOut(
        agency_code=code, secret=secret, rotated_at=row.rotated_at, previous_valid_until=row.previous_valid_until
    )


@router.get(
    "/v1/agencies/{code}/status-mapping", response_model=StatusMappingBody, responses=problem_responses(401, 404)
)
async def get_status_mapping(code: AgencyCode, principal: CurrentPrincipal, db: DbDep) -> Response:
    """Read the agency's status mapping: your system's status words and the action each one stands for.
    The agency's own key, Ombudsman keys covering its region, or admin."""
    await service.agency_in_scope(db, principal, code, manage=False)
    return Response(orjson.dumps(await service.get_mapping(db, code)), media_type="application/json")


@router.put(
    "/v1/agencies/{code}/status-mapping",
    response_model=StatusMappingBody,
    responses=problem_responses(401, 403, 404, 413, 415, 422),
)
async def put_status_mapping(
    code: AgencyCode, body: Annotated[StatusMappingBody, Body()], principal: CurrentPrincipal, db: DbDep
) -> Response:
    """Replace the agency's status mapping. The agency's own key, or admin.

    Keys are your system's status words, matched exactly (case and spelling) against the `status` of a
    `referral.status_changed` push. Only agency-side actions can be mapped: `acknowledge`, `respond`
    (optionally with the `outcome` to report) and `add_note`. A word that is not in the mapping is refused
    with 422 `unknown-status-word`.
    """
    await service.agency_in_scope(db, principal, code, manage=True)
    return Response(orjson.dumps(await service.put_mapping(db, code, body)), media_type="application/json")


@router.get(
    "/v1/agencies/{code}/inbound-events",
    response_model=Page[InboundEventOut],
    responses=problem_responses(400, 401, 404, 422),
    dependencies=[Depends(access_reason)],
)
async def list_inbound_events(
    code: AgencyCode,
    request: Request,
    principal: CurrentPrincipal,
    db: DbDep,
    status: Literal["accepted", "rejected"] | None = None,
    limit: LimitQuery = 20,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """Every push this agency sent, newest first, with what became of it and why: the place to look
    when an update did not apply. The agency's own key, Ombudsman keys covering its region, or admin.

    Pushes whose signature did not verify are listed with their reason and source address but without
    id or body, since nothing unsigned can be trusted; only the latest of them are kept (per source
    address, and separately for addresses your agency has sent verified pushes from), so strangers
    cannot push yours out of view. Pushes for unknown agencies are not kept.

    The answers are shown as they were sent; for an Ombudsman or admin key, one that shows the
    complainant of a complaint whose identity is confidential now is recorded in the identity-read audit.
    """
    await service.agency_in_scope(db, principal, code, manage=False)
    rows, more = await service.list_inbound_events(db, code, status=status, limit=limit, cursor=cursor)
    responses = [row.response_body for row in rows]
    if principal.role is Role.AGENCY:
        # Answers embed the complaint as it was then; one made confidential since is shown redacted.
        responses = await redact_stored_bodies_for_agency(db, responses)
    items = [_event_out(row, response) for row, response in zip(rows, responses, strict=True)]
    last = rows[-1] if rows else None
    page = {"items": items, "next_cursor": encode_cursor(last.received_at, last.id) if more and last else None}
    # The answers shown as they were: an identity that is confidential now is audited when shown.
    return await audited(db, request, principal, Response(dumps(page), media_type="application/json"), stored=True)


def _event_out(row: InboundEventRecord, response_body: bytes | None) -> dict[str, Any]:
    return InboundEventOut(
        id=row.id,
        agency_code=row.agency_code,
        status=row.status,
        status_code=row.status_code,
        reason=row.reason,
        webhook_id=row.webhook_id,
        webhook_timestamp=row.webhook_timestamp,
        type=row.event_type,
        referral_id=row.referral_id,
        deliveries=row.deliveries,
        received_at=row.received_at,
        last_delivery_at=row.last_delivery_at,
        payload=_json_or_none(row.body),
        response=_json_or_none(response_body),
        source_address=row.source_address,
    ).model_dump(mode="json")


def _json_or_none(raw: bytes | None) -> Any:
    if raw is None:
        return None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None


_SIGNATURE_HEADERS = [
    {
        "name": "webhook-id",
        "in": "header",
        "required": True,
        "schema": {"type": "string", "maxLength": 256},
        "description": "Your unique id for this message; keep it the same on every retry. A repeated id gets "
        "the first answer again and changes nothing.",
    },
    {
        "name": "webhook-timestamp",
        "in": "header",
        "required": True,
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
        "description": "Unix seconds when this attempt was signed; refused when more than 5 minutes off.",
    },
    {
        "name": "webhook-signature",
        "in": "header",
        "required": True,
        "schema": {"type": "string"},
        "description": '`v1,<base64 HMAC-SHA256 of "{webhook-id}.{webhook-timestamp}.{body}">`; '
        "several space-separated entries are allowed (e.g. during a secret rotation).",
    },
]

_PUSH_ERRORS = problem_responses(400, 401, 404, 409, 413, 415, 422)
_PUSH_ERRORS[401] = {
    **_PUSH_ERRORS[401],
    "description": "Signature missing, malformed or wrong, timestamp outside the tolerance, or no secret set.",
}
_PUSH_ERRORS[404] = {**_PUSH_ERRORS[404], "description": "The referral was not forwarded to this agency."}
_PUSH_ERRORS[409] = {**_PUSH_ERRORS[409], "description": "The state machine does not allow this move now."}
_PUSH_ERRORS[422] = {
    **_PUSH_ERRORS[422],
    "description": "Body does not match the schema, or `status` is not in the agency's status mapping.",
}


@router.post(
    "/v1/inbound/{agency_code}/events",
    response_model=InboundAccepted,
    responses=_PUSH_ERRORS,
    openapi_extra={
        "security": [],
        "parameters": _SIGNATURE_HEADERS,
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": inline_schema(INBOUND_EVENT)}},
        },
    },
)
async def push_event(agency_code: str, request: Request) -> Response:
    """Push a status change from your complaint system, signed the Standard Webhooks way with your
    agency's inbound secret. No API key: the signature is the authentication.

    The push has exactly the effect of the same action through the REST API with your agency's key
    (same state change, timeline event with `via: inbound_webhook`, same outbound webhooks):
    `referral.acknowledged`, `referral.note_added`, `referral.responded`, or `referral.status_changed`
    with your own status word, translated by your status mapping. Name the referral by `referral_id`
    or by your `external_ref`.

    Every push gets a definite answer and is kept in `GET /v1/agencies/{code}/inbound-events` with its
    reason. Retrying with the same `webhook-id` is always safe: it returns the first answer again.
    """
    settings = request.app.state.settings
    limiter: RateLimiter = request.app.state.rate_limiter
    address = client_address(request)
    # An address that failed too many signatures is refused before anything is checked or kept.
    blocked = limiter.blocked(limiter.auth_failures, address)
    if blocked:
        raise refuse(request, limiter.auth_failures, blocked)
    try:
        body = await request.body()
    except ClientDisconnect:
        # The size guard already answered 413 and cut the stream; nothing more is sent.
        return Response(status_code=400)
    # A path that cannot be an agency code is an unknown agency (401), not a validation error:
    # the answer must not tell which agencies exist.
    code = agency_code if AGENCY_CODE_IN_PATH.match(agency_code) else None
    await limiter.take(request, limiter.inbound, f"{code or '-'} {address}")
    # A connection only now, once the push is read and within its limits: a slow or refused sender
    # holds none.
    async with pooled(request.app.state.pool) as db:
        outcome = await inbox.receive(
            db,
            code,
            request.headers,
            body,
            now=clock.timestamp(),
            tolerance_seconds=settings.inbound_tolerance_seconds,
            default_due_working_days=settings.default_due_working_days,
            instance=request.url.path,
            source_address=request.client.host if request.client else None,
        )
    INBOUND_PUSHES.labels(_result(outcome)).inc()
    if outcome.status_code == 401:
        # This push already has its answer (and its place in the log); the next ones may get 429.
        with suppress(RateLimited):
            await limiter.take(request, limiter.auth_failures, address)
    headers = {"Idempotent-Replayed": "true"} if outcome.replayed else None
    return Response(outcome.body, status_code=outcome.status_code, media_type=outcome.media_type, headers=headers)


def _result(outcome: inbox.Outcome) -> str:
    """The `result` label of referral_inbound_pushes_total."""
    if outcome.replayed:
        return "replayed"
    if outcome.status_code < 400:
        return "accepted"
    return "unauthenticated" if outcome.status_code == 401 else "rejected"
