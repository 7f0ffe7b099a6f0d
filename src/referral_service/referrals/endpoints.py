import inspect
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Query, Request, Response, status
from pydantic import BaseModel

from referral_service import clock
from referral_service.audit.identity import access_reason, audited
from referral_service.auth.dependencies import CurrentPrincipal, OmbudsmanSidePrincipal
from referral_service.auth.principal import Principal
from referral_service.auth.roles import Role
from referral_service.complaints.service import redact_stored_body_for_agency
from referral_service.db.driver import Db, DbDep
from referral_service.events.schemas import AfterIdQuery, EventLimitQuery, EventOut, event_body
from referral_service.idempotency import StoredResponse, run_idempotent
from referral_service.json_encoding import dumps
from referral_service.openapi_docs import problem_responses
from referral_service.preconditions import etag
from referral_service.referrals import service
from referral_service.referrals.deadlines import current_calendar
from referral_service.referrals.domain import ReferralAction, ReferralState
from referral_service.referrals.representation import has_running_deadline, referral_out, view_out
from referral_service.referrals.schemas import (
    AcknowledgeRequest,
    CloseRequest,
    FollowUpRequest,
    ForwardRequest,
    NoteRequest,
    ReferralCreate,
    ReferralOut,
    RespondRequest,
)
from referral_service.referrals.timeline import visible_events
from referral_service.schemas import AgencyCode, LimitQuery, Page, UtcDateTime, encode_cursor

router = APIRouter(tags=["referrals"], dependencies=[Depends(access_reason)])

IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", max_length=255, description="Makes a retry safe; kept for 48 hours."),
]
IfMatch = Annotated[
    str | None, Header(alias="If-Match", description="The referral's ETag; a stale one is refused with 412.")
]

_TRANSITION_ERRORS = problem_responses(400, 401, 403, 404, 409, 412, 413, 415, 422)


async def _render(
    db: Db,
    principal: Principal,
    view: service.ReferralView,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> StoredResponse:
    referral = view.referral
    running = referral.state == ReferralState.FORWARDED.value and referral.due_at is not None
    calendar = await current_calendar(db) if running else None
    body = view_out(view, principal, calendar)
    return StoredResponse(status_code, dumps(body), {"ETag": etag(referral.version), **(headers or {})})


@router.post(
    "/v1/complaints/{complaint_id}/referrals",
    status_code=status.HTTP_201_CREATED,
    response_model=ReferralOut,
    responses=problem_responses(400, 401, 403, 404, 409, 413, 415, 422),
)
async def create(
    complaint_id: uuid.UUID,
    body: ReferralCreate,
    request: Request,
    principal: OmbudsmanSidePrincipal,
    db: DbDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Refer a complaint to one agency. The referral starts `received`: the agency does not see it until
    it is forwarded. Ombudsman and admin keys."""

    async def produce() -> StoredResponse:
        view = await service.create_referral(db, principal, complaint_id, body.agency_code, body.instructions)
        return await _render(db, principal, view, 201, {"Location": f"/v1/referrals/{view.referral.id}"})

    return await _idempotent(request, db, principal, idempotency_key, produce)


async def _idempotent(
    request: Request, db: Db, principal: Principal, key: str | None, produce: Callable[[], Awaitable[StoredResponse]]
) -> Response:
    ttl = timedelta(hours=request.app.state.settings.idempotency_ttl_hours)

    async def current_view_for_agency(body: bytes) -> bytes:
        return await redact_stored_body_for_agency(db, body)

    on_replay = current_view_for_agency if principal.role is Role.AGENCY else None
    # One unit of work: the key's lock and record, the change, and the identity-read audit of the answer.
    async with db.transaction():
        response = await run_idempotent(db, principal, key, request, produce, ttl, on_replay=on_replay)
        return await audited(db, request, principal, response)


@router.get("/v1/referrals", response_model=Page[ReferralOut], responses=problem_responses(400, 401, 422))
async def list_(
    request: Request,
    principal: CurrentPrincipal,
    db: DbDep,
    limit: LimitQuery = 20,
    cursor: Annotated[str | None, Query(description="`next_cursor` from the previous page.")] = None,
    state: ReferralState | None = None,
    agency_code: AgencyCode | None = None,
    complaint_id: uuid.UUID | None = None,
    overdue: Annotated[bool | None, Query(description="Only referrals past `due_at` while still `forwarded`.")] = None,
    due_before: Annotated[UtcDateTime | None, Query(description="Forwarded referrals due before this instant.")] = None,
) -> Response:
    """List referrals, newest first, with cursor pagination. An agency key sees only referrals forwarded
    to its own agency (its work queue: `?state=forwarded`); a region-limited key only its region."""
    rows, more = await service.list_rows(
        db,
        principal,
        limit=limit,
        cursor=cursor,
        state=state,
        agency_code=agency_code,
        complaint_id=complaint_id,
        overdue=overdue,
        due_before=due_before,
    )
    # The calendar is only needed for running deadlines (working_days_remaining).
    calendar = await current_calendar(db) if any(has_running_deadline(r) for r in rows) else None
    now = clock.now()
    items = [referral_out(r, None, r["timezone"], principal, calendar, now) for r in rows]
    last = rows[-1] if rows else None
    page = {"items": items, "next_cursor": encode_cursor(last["created_at"], last["id"]) if more and last else None}
    return await audited(db, request, principal, Response(dumps(page), media_type="application/json"))


@router.get("/v1/referrals/{referral_id}", response_model=ReferralOut, responses=problem_responses(401, 404))
async def get(referral_id: uuid.UUID, request: Request, principal: CurrentPrincipal, db: DbDep) -> Response:
    """Read one referral with its complaint. The `ETag` header is what transitions accept in `If-Match`."""
    row = await service.get_row(db, principal, referral_id)
    calendar = await current_calendar(db) if has_running_deadline(row) else None
    body = referral_out(row, None, row["timezone"], principal, calendar)
    response = Response(dumps(body), media_type="application/json", headers={"ETag": etag(row["version"])})
    return await audited(db, request, principal, response)


@router.get(
    "/v1/referrals/{referral_id}/events", response_model=list[EventOut], responses=problem_responses(401, 404, 422)
)
async def events(
    referral_id: uuid.UUID,
    principal: CurrentPrincipal,
    db: DbDep,
    after_id: AfterIdQuery = None,
    limit: EventLimitQuery = 1000,
) -> Response:
    """The referral's timeline, oldest first; `sequence` is gapless from 1. Agencies see it from the forward on."""
    row = await service.get_row(db, principal, referral_id)
    rows = await visible_events(db, principal, row, after_id=after_id, limit=limit)
    return Response(dumps([event_body(row) for row in rows]), media_type="application/json")


def _transition_route(path: str, action: ReferralAction, body_model: type[BaseModel], doc: str, name: str) -> None:
    async def endpoint(
        referral_id: uuid.UUID,
        request: Request,
        principal: CurrentPrincipal,
        db: DbDep,
        if_match: IfMatch = None,
        idempotency_key: IdempotencyKey = None,
        body: Any = None,
    ) -> Response:
        async def produce() -> StoredResponse:
            payload = body if body is not None else body_model()
            view = await service.transition(
                db,
                principal,
                referral_id,
                action,
                payload,
                if_match,
                default_due_working_days=request.app.state.settings.default_due_working_days,
            )
            return await _render(db, principal, view)

        return await _idempotent(request, db, principal, idempotency_key, produce)

    # Give FastAPI the concrete body model so it validates and documents it; a body whose fields
    # are all optional may be omitted altogether.
    signature = inspect.signature(endpoint)
    body_required = any(field.is_required() for field in body_model.model_fields.values())
    body_param = signature.parameters["body"].replace(
        annotation=Annotated[body_model, Body()] if body_required else Annotated[body_model | None, Body()],
        default=inspect.Parameter.empty if body_required else None,
    )
    params = [p for name, p in signature.parameters.items() if name != "body"]
    required = [p for p in params if p.default is inspect.Parameter.empty]
    optional = [p for p in params if p.default is not inspect.Parameter.empty]
    ordered = required + ([body_param] if body_required else []) + optional + ([] if body_required else [body_param])
    endpoint.__signature__ = signature.replace(parameters=ordered)  # type: ignore[attr-defined]  # read by inspect.signature
    endpoint.__doc__ = doc
    endpoint.__name__ = name
    router.add_api_route(
        f"/v1/referrals/{{referral_id}}/{path}",
        endpoint,
        methods=["POST"],
        response_model=ReferralOut,
        responses=_TRANSITION_ERRORS,
        name=name,
    )


_transition_route(
    "forward",
    ReferralAction.FORWARD,
    ForwardRequest,
    "Forward a `received` referral to its agency (Ombudsman side). Sets `due_at` to the end of the working day "
    "`due_working_days` working days later, in the agency's time zone.",
    "forward",
)
_transition_route(
    "acknowledge",
    ReferralAction.ACKNOWLEDGE,
    AcknowledgeRequest,
    "The agency confirms it has the referral, optionally recording its own id in `external_ref`. State stays `forwarded`.",
    "acknowledge",
)
_transition_route(
    "respond",
    ReferralAction.RESPOND,
    RespondRequest,
    "The agency answers a `forwarded` referral with an outcome and a summary; the referral becomes `responded`.",
    "respond",
)
_transition_route(
    "request-follow-up",
    ReferralAction.REQUEST_FOLLOW_UP,
    FollowUpRequest,
    "Send a `responded` referral back to the agency with a reason and a new deadline (Ombudsman side).",
    "request_follow_up",
)
_transition_route(
    "close",
    ReferralAction.CLOSE,
    CloseRequest,
    "Close a referral with a resolution (Ombudsman side). Allowed from `received`, `forwarded` and `responded`.",
    "close",
)
_transition_route(
    "notes",
    ReferralAction.ADD_NOTE,
    NoteRequest,
    "Add a note to a `forwarded` or `responded` referral (Ombudsman side or the agency). The state does not change.",
    "add_note",
)
