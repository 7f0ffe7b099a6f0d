"""Webhook subscriptions: scoped CRUD, secret rotation, test events, the attempt log, resend, recovery.

Who may see and manage an endpoint (anything else answers 404, as if it did not exist):
- an agency key: the endpoints created by keys of its own agency;
- an ombudsman key: endpoints created by ombudsman keys whose region lies inside its own
  (a national key: every ombudsman endpoint);
- an admin key: every endpoint.
An endpoint's scope is fixed at creation; no later call can widen what it receives.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, and_, func, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from referral_service.auth.models import ApiKey
from referral_service.auth.principal import Principal
from referral_service.auth.roles import Role
from referral_service.auth.scope import within_region
from referral_service.config import Settings
from referral_service.errors import Conflict, NotFound, UnprocessableEntity
from referral_service.webhooks import outbox, recording, signing, ssrf
from referral_service.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookMessage
from referral_service.webhooks.schemas import (
    AttemptOut,
    DeliveryOut,
    EndpointOwner,
    WebhookEndpointCreate,
    WebhookEndpointOut,
    WebhookEndpointPatch,
)


def visible_to(principal: Principal) -> ColumnElement[bool]:
    if principal.role is Role.ADMIN:
        return true()
    if principal.role is Role.AGENCY:
        return and_(
            WebhookEndpoint.owner_role == Role.AGENCY.value, WebhookEndpoint.owner_agency_code == principal.agency_code
        )
    condition = WebhookEndpoint.owner_role == Role.OMBUDSMAN.value
    if principal.region_code is not None:
        condition = and_(condition, within_region(WebhookEndpoint.owner_region_code, principal.region_code))
    return condition


def endpoint_out(endpoint: WebhookEndpoint) -> WebhookEndpointOut:
    return WebhookEndpointOut(
        id=endpoint.id,
        url=endpoint.url,
        description=endpoint.description,
        event_types=list(endpoint.event_types or []),
        owner=EndpointOwner(
            role=Role(endpoint.owner_role),
            agency_code=endpoint.owner_agency_code,
            region_code=endpoint.owner_region_code,
        ),
        disabled=endpoint.disabled_at is not None,
        disabled_at=endpoint.disabled_at,
        disabled_reason=endpoint.disabled_reason,
        failing_since=endpoint.failing_since,
        previous_secret_expires_at=endpoint.previous_secret_expires_at if endpoint.previous_secret else None,
        created_at=endpoint.created_at,
        updated_at=endpoint.updated_at,
    )


# Saving a URL resolves its host; a resolver that never answers must not hold the request (and
# its database connection) open. The lookup thread itself cannot be cancelled; it is abandoned.
RESOLVE_TIMEOUT_SECONDS = 5.0

OWNER_KEY_REVOKED = "owner key revoked: the API key that created this endpoint was revoked."


async def _checked_url(url: str, settings: Settings) -> str:
    policy = ssrf.EgressPolicy.from_strings(settings.webhook_allow_http, settings.webhook_allowed_networks)
    try:
        await asyncio.wait_for(ssrf.check_url(url, policy), RESOLVE_TIMEOUT_SECONDS)
    except ssrf.UnsafeUrl as exc:
        raise UnprocessableEntity(f"This URL cannot receive webhooks: {exc.reason}.", field="url") from None
    except TimeoutError:
        raise UnprocessableEntity(
            f"This URL cannot receive webhooks: its host could not be resolved in time ({RESOLVE_TIMEOUT_SECONDS:g} s).",
            field="url",
        ) from None
    return url


async def _owner_key_revoked(session: AsyncSession, endpoint: WebhookEndpoint) -> bool:
    if endpoint.owner_key_id is None:
        return False
    revoked = await session.scalar(
        select(ApiKey.id).where(ApiKey.id == endpoint.owner_key_id, ApiKey.revoked_at.is_not(None))
    )
    return revoked is not None


async def disable_endpoints_of_key(session: AsyncSession, key_id: uuid.UUID) -> int:
    """Disable every subscription the key created; call it in the transaction that revokes the key.

    A revoked key's subscriptions stop receiving at once (their queued deliveries are held back and
    fan-out queues nothing more for them), and the Ombudsman-side subscribers are notified.
    They cannot be enabled again; the owner subscribes anew with a valid key. Returns how many.
    """
    endpoints = (
        await session.scalars(
            select(WebhookEndpoint)
            .where(WebhookEndpoint.owner_key_id == key_id, WebhookEndpoint.disabled_at.is_(None))
            .order_by(WebhookEndpoint.id)
            # Not FOR UPDATE: that would conflict with the fan-out's FOR KEY SHARE (see recording.LOCK_ENDPOINTS).
            .with_for_update(key_share=True)
        )
    ).all()
    for endpoint in endpoints:
        await recording.disable_endpoint(session, endpoint, OWNER_KEY_REVOKED)
    return len(endpoints)


async def create_endpoint(
    session: AsyncSession, principal: Principal, body: WebhookEndpointCreate, settings: Settings
) -> WebhookEndpoint:
    url = await _checked_url(body.url, settings)
    # Serialise creates per scope so that concurrent ones cannot all pass the count below.
    scope = f"webhook-owner:{principal.role.value}:{principal.agency_code or ''}:{principal.region_code or ''}"
    await session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(scope, 0))))
    owned = await session.scalar(
        select(func.count())
        .select_from(WebhookEndpoint)
        .where(
            WebhookEndpoint.owner_role == principal.role.value,
            WebhookEndpoint.owner_agency_code.is_not_distinct_from(principal.agency_code),
            WebhookEndpoint.owner_region_code.is_not_distinct_from(principal.region_code),
        )
    )
    assert owned is not None  # count(*): always one row
    if owned >= settings.webhook_max_endpoints_per_owner:
        raise UnprocessableEntity(
            f"At most {settings.webhook_max_endpoints_per_owner} endpoints per scope; delete one first."
        )
    endpoint = WebhookEndpoint(
        id=uuid.uuid4(),
        url=url,
        description=body.description,
        event_types=list(body.event_types),
        owner_role=principal.role.value,
        owner_agency_code=principal.agency_code,
        owner_region_code=principal.region_code,
        owner_key_id=principal.key_id,
        secret=signing.generate_secret(),
    )
    session.add(endpoint)
    await session.flush()
    await session.refresh(endpoint)
    return endpoint


async def list_endpoints(session: AsyncSession, principal: Principal) -> list[WebhookEndpoint]:
    stmt = select(WebhookEndpoint).where(visible_to(principal)).order_by(WebhookEndpoint.created_at, WebhookEndpoint.id)
    return list((await session.scalars(stmt)).all())


async def get_endpoint(
    session: AsyncSession,
    principal: Principal,
    endpoint_id: uuid.UUID,
    *,
    for_update: bool = False,
    for_delete: bool = False,
) -> WebhookEndpoint:
    """`for_update` locks the row FOR NO KEY UPDATE, which lets events keep queueing deliveries to it
    meanwhile (their foreign key takes FOR KEY SHARE; see recording.LOCK_ENDPOINTS); only a delete
    needs FOR UPDATE."""
    stmt = select(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id, visible_to(principal))
    if for_delete:
        stmt = stmt.with_for_update()
    elif for_update:
        stmt = stmt.with_for_update(key_share=True)
    endpoint = (await session.execute(stmt)).scalar_one_or_none()
    if endpoint is None:
        raise NotFound("No webhook endpoint with this id.")
    return endpoint


async def patch_endpoint(
    session: AsyncSession, principal: Principal, endpoint_id: uuid.UUID, body: WebhookEndpointPatch, settings: Settings
) -> WebhookEndpoint:
    changes = body.model_dump(exclude_unset=True)
    # Resolve before taking the row lock: DNS may be slow.
    url = await _checked_url(changes["url"], settings) if changes.get("url") is not None else None
    endpoint = await get_endpoint(session, principal, endpoint_id, for_update=True)
    if url is not None:
        endpoint.url = url
    if "description" in changes:
        endpoint.description = changes["description"]
    if changes.get("event_types") is not None:
        endpoint.event_types = list(changes["event_types"])
    if changes.get("disabled") is True and endpoint.disabled_at is None:
        endpoint.disabled_at = datetime.now(UTC)
        endpoint.disabled_reason = "Disabled through the API."
    elif changes.get("disabled") is False and endpoint.disabled_at is not None:
        if await _owner_key_revoked(session, endpoint):
            raise Conflict("The API key that created this endpoint was revoked; subscribe again with a valid key.")
        # A fresh start: the 5-day failure clock restarts with the next failed attempt.
        endpoint.disabled_at = endpoint.disabled_reason = endpoint.failing_since = None
    endpoint.updated_at = func.now()
    await session.flush()
    await session.refresh(endpoint)
    return endpoint


async def delete_endpoint(session: AsyncSession, principal: Principal, endpoint_id: uuid.UUID) -> None:
    endpoint = await get_endpoint(session, principal, endpoint_id, for_delete=True)
    await session.delete(endpoint)
    await session.flush()


async def rotate_secret(
    session: AsyncSession, principal: Principal, endpoint_id: uuid.UUID, overlap_hours: int
) -> WebhookEndpoint:
    endpoint = await get_endpoint(session, principal, endpoint_id, for_update=True)
    if overlap_hours > 0:
        endpoint.previous_secret = endpoint.secret
        endpoint.previous_secret_expires_at = datetime.now(UTC) + timedelta(hours=overlap_hours)
    else:
        endpoint.previous_secret = endpoint.previous_secret_expires_at = None
    endpoint.secret = signing.generate_secret()
    endpoint.updated_at = func.now()
    await session.flush()
    await session.refresh(endpoint)
    return endpoint


# A manual operation's rate limit per endpoint, checked once the caller may see the endpoint (so a
# key cannot use up another owner's allowance with ids it gets 404 for).
ManualLimit = Callable[[uuid.UUID], Awaitable[None]] | None


async def send_test(
    session: AsyncSession, principal: Principal, endpoint_id: uuid.UUID, limit: ManualLimit = None
) -> int:
    endpoint = await get_endpoint(session, principal, endpoint_id)
    if limit is not None:
        await limit(endpoint.id)
    if endpoint.disabled_at is not None:
        raise Conflict("The endpoint is disabled; enable it first (PATCH with `disabled: false`).")
    return await outbox.enqueue_test(session, endpoint)


async def list_deliveries(
    session: AsyncSession,
    principal: Principal,
    endpoint_id: uuid.UUID,
    *,
    status: str | None,
    before_id: int | None,
    limit: int,
) -> tuple[list[DeliveryOut], bool]:
    await get_endpoint(session, principal, endpoint_id)
    stmt = (
        select(WebhookDelivery, WebhookMessage.type, WebhookMessage.event_id)
        .join(WebhookMessage, WebhookMessage.id == WebhookDelivery.message_id)
        .where(WebhookDelivery.endpoint_id == endpoint_id)
        .order_by(WebhookDelivery.id.desc())
        .limit(limit + 1)
    )
    if status is not None:
        stmt = stmt.where(WebhookDelivery.status == status)
    if before_id is not None:
        stmt = stmt.where(WebhookDelivery.id < before_id)
    rows = (await session.execute(stmt)).all()[: limit + 1]
    more = len(rows) > limit
    rows = rows[:limit]
    attempts: dict[int, list[AttemptOut]] = {}
    if rows:
        attempt_rows = await session.scalars(
            select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id.in_([row.WebhookDelivery.id for row in rows]))
            .order_by(WebhookAttempt.delivery_id, WebhookAttempt.id)
        )
        for attempt in attempt_rows:
            attempts.setdefault(attempt.delivery_id, []).append(AttemptOut.model_validate(attempt))
    return [_delivery_out(row.WebhookDelivery, row.type, row.event_id, attempts) for row in rows], more


def _delivery_out(
    delivery: WebhookDelivery, event_type: str, event_id: int | None, attempts: dict[int, Any]
) -> DeliveryOut:
    return DeliveryOut(
        id=delivery.id,
        endpoint_id=delivery.endpoint_id,
        webhook_id=f"msg_{delivery.message_id}",
        event_type=event_type,
        event_id=event_id,
        status=delivery.status,  # type: ignore[arg-type]
        attempt_count=delivery.attempts,
        next_attempt_at=delivery.next_attempt_at if delivery.status == "pending" else None,
        delivered_at=delivery.delivered_at,
        created_at=delivery.created_at,
        attempts=attempts.get(delivery.id, []),
    )


async def retry_delivery(
    session: AsyncSession, principal: Principal, delivery_id: int, limit: ManualLimit = None
) -> DeliveryOut:
    """Queue one more attempt now. The order rule still applies: it goes after earlier pending events."""
    row = (
        await session.execute(
            select(WebhookDelivery, WebhookMessage.type, WebhookMessage.event_id)
            .join(WebhookMessage, WebhookMessage.id == WebhookDelivery.message_id)
            .where(WebhookDelivery.id == delivery_id)
            .with_for_update(of=WebhookDelivery)
        )
    ).first()
    if row is None:
        raise NotFound("No webhook delivery with this id.")
    await get_endpoint(session, principal, row.WebhookDelivery.endpoint_id)  # 404 outside the caller's scope
    if limit is not None:
        await limit(row.WebhookDelivery.endpoint_id)
    delivery = row.WebhookDelivery
    if delivery.status != "pending":
        delivery.max_attempts = delivery.attempts + 1
    delivery.status = "pending"
    delivery.next_attempt_at = func.now()
    delivery.updated_at = func.now()
    await session.flush()
    await session.refresh(delivery)
    await session.execute(select(func.pg_notify(outbox.NOTIFY_CHANNEL, "")))
    return _delivery_out(delivery, row.type, row.event_id, {})


async def recover(
    session: AsyncSession,
    principal: Principal,
    endpoint_id: uuid.UUID,
    since: datetime,
    until: datetime | None,
    limit: ManualLimit = None,
) -> int:
    endpoint = await get_endpoint(session, principal, endpoint_id)
    if limit is not None:
        await limit(endpoint.id)
    if endpoint.disabled_at is not None:
        raise Conflict("The endpoint is disabled; enable it first (PATCH with `disabled: false`).")
    conditions = [
        WebhookDelivery.endpoint_id == endpoint_id,
        WebhookDelivery.status == "failed",
        WebhookDelivery.created_at >= since,
    ]
    if until is not None:
        conditions.append(WebhookDelivery.created_at < until)
    result = cast(
        CursorResult[Any],
        await session.execute(
            update(WebhookDelivery)
            .where(*conditions)
            # One more attempt each: a receiver that is still down does not restart the whole schedule.
            .values(
                status="pending",
                next_attempt_at=func.now(),
                max_attempts=WebhookDelivery.attempts + 1,
                updated_at=func.now(),
            )
            .execution_options(synchronize_session=False)
        ),
    )
    if result.rowcount:
        await session.execute(select(func.pg_notify(outbox.NOTIFY_CHANNEL, "")))
    return result.rowcount or 0
