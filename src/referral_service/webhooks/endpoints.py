import base64
import binascii
import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response, status

from referral_service.auth.dependencies import CurrentPrincipal
from referral_service.db.driver import DbDep
from referral_service.errors import BadRequest
from referral_service.openapi_docs import problem_responses
from referral_service.ratelimit import RateLimiter
from referral_service.schemas import BIGINT_MAX, LimitQuery, Page
from referral_service.webhooks import service
from referral_service.webhooks.repository import Endpoint
from referral_service.webhooks.schemas import (
    DeliveryOut,
    DeliveryStatus,
    QueuedDelivery,
    RecoverRequest,
    RecoverResult,
    RotateSecret,
    WebhookEndpointCreate,
    WebhookEndpointOut,
    WebhookEndpointPatch,
    WebhookEndpointWithSecret,
)

router = APIRouter(prefix="/v1/webhook-endpoints", tags=["webhooks"])
deliveries_router = APIRouter(prefix="/v1/webhook-deliveries", tags=["webhooks"])


def _manual_limit(request: Request) -> Callable[[uuid.UUID], Awaitable[None]]:
    """Test sends, manual retries and recoveries: a limit per webhook endpoint (ratelimit.py)."""
    limiter: RateLimiter = request.app.state.rate_limiter

    async def take(endpoint_id: uuid.UUID) -> None:
        await limiter.take(request, limiter.webhook_manual, endpoint_id)

    return take


def _with_secret(endpoint: Endpoint) -> WebhookEndpointWithSecret:
    return WebhookEndpointWithSecret(**service.endpoint_out(endpoint).model_dump(), secret=endpoint.secret)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=WebhookEndpointWithSecret,
    responses=problem_responses(400, 401, 413, 415, 422),
)
async def create(
    body: WebhookEndpointCreate, request: Request, principal: CurrentPrincipal
) -> WebhookEndpointWithSecret:
    """Subscribe a URL to events. Any key may subscribe; the endpoint receives what that key may see.

    An agency key's endpoint receives only events about referrals forwarded to that agency, with a
    confidential complainant's identity removed, and never complaint-level events. An ombudsman
    key's endpoint receives everything in its region; national ombudsman and admin endpoints receive
    everything. The URL must be `https` and resolve to a public address (422 otherwise).

    The response carries the signing `secret`, shown only here and on rotation. Verify each delivery
    with it as described by Standard Webhooks (see the `webhooks` section of this document).
    """
    endpoint = await service.create_endpoint(request.app.state.pool, principal, body, request.app.state.settings)
    return _with_secret(endpoint)


@router.get("", response_model=list[WebhookEndpointOut], responses=problem_responses(401))
async def list_(principal: CurrentPrincipal, db: DbDep) -> list[WebhookEndpointOut]:
    """The endpoints your key may manage: your agency's; ombudsman endpoints in your region; all for admin."""
    return [service.endpoint_out(e) for e in await service.list_endpoints(db, principal)]


@router.get("/{endpoint_id}", response_model=WebhookEndpointOut, responses=problem_responses(401, 404))
async def get(endpoint_id: uuid.UUID, principal: CurrentPrincipal, db: DbDep) -> WebhookEndpointOut:
    """One endpoint (never its secret)."""
    return service.endpoint_out(await service.get_endpoint(db, principal, endpoint_id))


@router.patch(
    "/{endpoint_id}", response_model=WebhookEndpointOut, responses=problem_responses(400, 401, 404, 409, 413, 415, 422)
)
async def patch(
    endpoint_id: uuid.UUID,
    body: WebhookEndpointPatch,
    request: Request,
    principal: CurrentPrincipal,
) -> WebhookEndpointOut:
    """Change the URL, description or event types, or pause (`disabled: true`) and resume the endpoint.

    Deliveries queued while an endpoint is disabled wait and go out, in order, once it is enabled.
    Enabling an endpoint the service disabled (410 Gone, or five days of failures) restarts its
    failure clock; use `recover` to re-queue what failed meanwhile. An endpoint disabled because the
    API key that created it was revoked cannot be enabled again (409): subscribe anew.
    """
    endpoint = await service.patch_endpoint(
        request.app.state.pool, principal, endpoint_id, body, request.app.state.settings
    )
    return service.endpoint_out(endpoint)


@router.delete("/{endpoint_id}", status_code=status.HTTP_204_NO_CONTENT, responses=problem_responses(401, 404))
async def delete(endpoint_id: uuid.UUID, principal: CurrentPrincipal, db: DbDep) -> Response:
    """Unsubscribe. Pending deliveries and the attempt log go with it."""
    await service.delete_endpoint(db, principal, endpoint_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{endpoint_id}/rotate-secret",
    response_model=WebhookEndpointWithSecret,
    responses=problem_responses(400, 401, 404, 415, 422),
)
async def rotate_secret(
    endpoint_id: uuid.UUID, principal: CurrentPrincipal, db: DbDep, body: RotateSecret | None = None
) -> WebhookEndpointWithSecret:
    """Issue a new signing secret. For `overlap_hours` (default 24, at most 168) every delivery carries
    two signatures in `webhook-signature`, one per secret, so you can switch your verifier at leisure."""
    endpoint = await service.rotate_secret(db, principal, endpoint_id, (body or RotateSecret()).overlap_hours)
    return _with_secret(endpoint)


@router.post(
    "/{endpoint_id}/test",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=QueuedDelivery,
    responses=problem_responses(401, 404, 409),
)
async def send_test(endpoint_id: uuid.UUID, request: Request, principal: CurrentPrincipal, db: DbDep) -> QueuedDelivery:
    """Queue a `webhook.test` event to this endpoint only; follow it in the attempt log.

    Test sends, manual retries and recoveries share a limit per endpoint (10 a minute by default)."""
    delivery_id = await service.send_test(db, principal, endpoint_id, _manual_limit(request))
    return QueuedDelivery(delivery_id=delivery_id)


def _encode_cursor(delivery_id: int) -> str:
    return base64.urlsafe_b64encode(f"d:{delivery_id}".encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode("ascii")).decode("ascii")
        if not raw.startswith("d:"):
            raise ValueError(raw)
        value = int(raw[2:])
        if not 0 < value <= BIGINT_MAX:
            raise ValueError(raw)
        return value
    except (ValueError, binascii.Error, UnicodeError) as exc:
        raise BadRequest("The cursor is not valid; start again without one.") from exc


@router.get(
    "/{endpoint_id}/deliveries", response_model=Page[DeliveryOut], responses=problem_responses(400, 401, 404, 422)
)
async def deliveries(
    endpoint_id: uuid.UUID,
    principal: CurrentPrincipal,
    db: DbDep,
    status_: Annotated[DeliveryStatus | None, Query(alias="status")] = None,
    limit: LimitQuery = 20,
    cursor: Annotated[str | None, Query(max_length=100)] = None,
) -> Page[DeliveryOut]:
    """The attempt log, newest delivery first: every attempt's time, duration, response status, the
    first 4 KiB of the response body, and the error if there was no response."""
    before = _decode_cursor(cursor) if cursor else None
    items, more = await service.list_deliveries(
        db, principal, endpoint_id, status=status_, before_id=before, limit=limit
    )
    return Page[DeliveryOut](items=items, next_cursor=_encode_cursor(items[-1].id) if more else None)


@router.post(
    "/{endpoint_id}/recover",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=RecoverResult,
    responses=problem_responses(400, 401, 404, 409, 415, 422),
)
async def recover(
    endpoint_id: uuid.UUID, body: RecoverRequest, request: Request, principal: CurrentPrincipal, db: DbDep
) -> RecoverResult:
    """Re-queue every delivery to this endpoint that failed and was created in `[since, until)`, for one
    more attempt each, in their original order per referral. Typically used after an outage."""
    requeued = await service.recover(db, principal, endpoint_id, body.since, body.until, _manual_limit(request))
    return RecoverResult(requeued=requeued)


@deliveries_router.post(
    "/{delivery_id}/retry",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=DeliveryOut,
    responses=problem_responses(401, 404, 422),
)
async def retry(
    delivery_id: Annotated[int, Path(ge=1, le=BIGINT_MAX)],
    request: Request,
    principal: CurrentPrincipal,
    db: DbDep,
) -> DeliveryOut:
    """Send this delivery again now (same `webhook-id`, fresh timestamp and signature). A failed or
    delivered one gets one more attempt; a pending one is moved up to now."""
    return await service.retry_delivery(db, principal, delivery_id, _manual_limit(request))
