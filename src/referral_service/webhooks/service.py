"""Webhook subscriptions: scoped CRUD, secret rotation, test events, the attempt log, resend, recovery.

Who may see and manage an endpoint is `auth/scope.py`'s rule (`endpoint_clause`); anything else
answers 404, as if it did not exist. An endpoint's scope is fixed at creation; no later call can
widen what it receives.

Reads run on the request's connection as they are; each write is one unit of work
(`db.transaction()`), committed before the route answers.
"""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

import asyncpg

from referral_service import clock, signing
from referral_service.auth.principal import Principal
from referral_service.auth.roles import Role
from referral_service.auth.scope import endpoint_visible
from referral_service.config import Settings
from referral_service.db.driver import Db, pooled
from referral_service.errors import Conflict, NotFound, UnprocessableEntity
from referral_service.events import outbox
from referral_service.webhooks import recording, repository, ssrf
from referral_service.webhooks.repository import LOCK_FOR_CHANGE, LOCK_FOR_DELETE, LOCK_NONE, Endpoint, Lock
from referral_service.webhooks.schemas import (
    AttemptOut,
    DeliveryOut,
    EndpointOwner,
    WebhookEndpointCreate,
    WebhookEndpointOut,
    WebhookEndpointPatch,
)


def endpoint_out(endpoint: Endpoint) -> WebhookEndpointOut:
    return WebhookEndpointOut(
        id=endpoint.id,
        url=endpoint.url,
        description=endpoint.description,
        event_types=list(endpoint.event_types),
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


# Saving a URL resolves its host; a resolver that never answers must not hold the request open,
# and no database connection is held meanwhile (create and patch borrow theirs after the check).
# The lookup thread itself cannot be cancelled; it is abandoned.
RESOLVE_TIMEOUT_SECONDS = 5.0

OWNER_KEY_REVOKED = "owner key revoked: the API key that created this endpoint was revoked."

DISABLED = "The endpoint is disabled; enable it first (PATCH with `disabled: false`)."


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


async def disable_endpoints_of_key(db: Db, key_id: uuid.UUID) -> int:
    """Disable every subscription the key created; call it in the transaction that revokes the key.

    A revoked key's subscriptions stop receiving at once (their queued deliveries are held back and
    fan-out queues nothing more for them), and the Ombudsman-side subscribers are notified.
    They cannot be enabled again; the owner subscribes anew with a valid key. Returns how many.
    """
    async with db.transaction():
        endpoint_ids = await repository.lock_enabled_of_key(db, key_id)
        for endpoint_id in endpoint_ids:
            await recording.disable(db, endpoint_id, OWNER_KEY_REVOKED)
    return len(endpoint_ids)


async def create_endpoint(
    pool: asyncpg.Pool, principal: Principal, body: WebhookEndpointCreate, settings: Settings
) -> Endpoint:
    """Subscribe: the URL is checked (its host resolved) before a connection is borrowed."""
    url = await _checked_url(body.url, settings)
    async with pooled(pool) as db, db.transaction():
        # Serialise creates per scope so that concurrent ones cannot all pass the count below.
        await repository.lock_owner_scope(
            db, f"webhook-owner:{principal.role.value}:{principal.agency_code or ''}:{principal.region_code or ''}"
        )
        if await repository.count_owned(db, principal) >= settings.webhook_max_endpoints_per_owner:
            raise UnprocessableEntity(
                f"At most {settings.webhook_max_endpoints_per_owner} endpoints per scope; delete one first."
            )
        return await repository.insert(
            db,
            principal,
            url=url,
            description=body.description,
            event_types=list(body.event_types),
            secret=signing.generate_secret(),
        )


async def list_endpoints(db: Db, principal: Principal) -> list[Endpoint]:
    return await repository.visible(db, principal)


async def get_endpoint(db: Db, principal: Principal, endpoint_id: uuid.UUID, *, lock: Lock = LOCK_NONE) -> Endpoint:
    """The endpoint, or 404 when it does not exist or the principal may not see it. `lock`: see
    repository.find (a change locks FOR NO KEY UPDATE, only a delete FOR UPDATE)."""
    endpoint = await repository.find(db, principal, endpoint_id, lock=lock)
    if endpoint is None:
        raise NotFound("No webhook endpoint with this id.")
    return endpoint


async def patch_endpoint(
    pool: asyncpg.Pool, principal: Principal, endpoint_id: uuid.UUID, body: WebhookEndpointPatch, settings: Settings
) -> Endpoint:
    changes = body.model_dump(exclude_unset=True)
    # Resolve before borrowing a connection and taking the row lock: DNS may be slow.
    url = await _checked_url(changes["url"], settings) if changes.get("url") is not None else None
    async with pooled(pool) as db, db.transaction():
        endpoint = await get_endpoint(db, principal, endpoint_id, lock=LOCK_FOR_CHANGE)
        changed = endpoint
        if url is not None:
            changed = dataclasses.replace(changed, url=url)
        if "description" in changes:
            changed = dataclasses.replace(changed, description=changes["description"])
        if changes.get("event_types") is not None:
            changed = dataclasses.replace(changed, event_types=list(changes["event_types"]))
        if changes.get("disabled") is True and endpoint.disabled_at is None:
            changed = dataclasses.replace(changed, disabled_at=clock.now(), disabled_reason="Disabled through the API.")
        elif changes.get("disabled") is False and endpoint.disabled_at is not None:
            if endpoint.owner_key_id is not None and await repository.owner_key_revoked(db, endpoint.owner_key_id):
                raise Conflict("The API key that created this endpoint was revoked; subscribe again with a valid key.")
            # A fresh start: the 5-day failure clock restarts with the next failed attempt.
            changed = dataclasses.replace(changed, disabled_at=None, disabled_reason=None, failing_since=None)
        return await repository.update(db, changed)


async def delete_endpoint(db: Db, principal: Principal, endpoint_id: uuid.UUID) -> None:
    async with db.transaction():
        await get_endpoint(db, principal, endpoint_id, lock=LOCK_FOR_DELETE)
        await repository.delete(db, endpoint_id)


async def rotate_secret(db: Db, principal: Principal, endpoint_id: uuid.UUID, overlap_hours: int) -> Endpoint:
    async with db.transaction():
        endpoint = await get_endpoint(db, principal, endpoint_id, lock=LOCK_FOR_CHANGE)
        if overlap_hours > 0:
            previous, expires = endpoint.secret, clock.now() + timedelta(hours=overlap_hours)
        else:
            previous, expires = None, None
        return await repository.update(
            db,
            dataclasses.replace(
                endpoint,
                secret=signing.generate_secret(),
                previous_secret=previous,
                previous_secret_expires_at=expires,
            ),
        )


# A manual operation's rate limit per endpoint, checked once the caller may see the endpoint (so a
# key cannot use up another owner's allowance with ids it gets 404 for).
ManualLimit = Callable[[uuid.UUID], Awaitable[None]] | None


async def send_test(db: Db, principal: Principal, endpoint_id: uuid.UUID, limit: ManualLimit = None) -> int:
    endpoint = await get_endpoint(db, principal, endpoint_id)
    if limit is not None:
        await limit(endpoint.id)
    if endpoint.disabled_at is not None:
        raise Conflict(DISABLED)
    async with db.transaction():
        return await outbox.enqueue_test(db, endpoint.id)


async def list_deliveries(
    db: Db,
    principal: Principal,
    endpoint_id: uuid.UUID,
    *,
    status: str | None,
    before_id: int | None,
    limit: int,
) -> tuple[list[DeliveryOut], bool]:
    await get_endpoint(db, principal, endpoint_id)
    rows = await repository.deliveries(db, endpoint_id, status=status, before_id=before_id, limit=limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    attempts: dict[int, list[AttemptOut]] = {}
    if rows:
        for attempt in await repository.attempts(db, [row["id"] for row in rows]):
            attempts.setdefault(attempt["delivery_id"], []).append(AttemptOut.model_validate(dict(attempt)))
    return [_delivery_out(row, row["type"], row["event_id"], attempts) for row in rows], more


def _delivery_out(
    delivery: asyncpg.Record, event_type: str, event_id: int | None, attempts: dict[int, list[AttemptOut]]
) -> DeliveryOut:
    return DeliveryOut(
        id=delivery["id"],
        endpoint_id=delivery["endpoint_id"],
        webhook_id=f"msg_{delivery['message_id']}",
        event_type=event_type,
        event_id=event_id,
        status=delivery["status"],
        attempt_count=delivery["attempts"],
        next_attempt_at=delivery["next_attempt_at"] if delivery["status"] == "pending" else None,
        delivered_at=delivery["delivered_at"],
        created_at=delivery["created_at"],
        attempts=attempts.get(delivery["id"], []),
    )


async def retry_delivery(db: Db, principal: Principal, delivery_id: int, limit: ManualLimit = None) -> DeliveryOut:
    """Queue one more attempt now. The order rule still applies: it goes after earlier pending events."""
    async with db.transaction():
        row = await repository.delivery_for_update(db, delivery_id)
        if row is None:
            raise NotFound("No webhook delivery with this id.")
        if not endpoint_visible(
            principal,
            owner_role=row["owner_role"],
            owner_agency_code=row["owner_agency_code"],
            owner_region_code=row["owner_region_code"],
        ):
            raise NotFound("No webhook endpoint with this id.")
        if limit is not None:
            await limit(row["endpoint_id"])
        retried = await repository.retry(db, delivery_id)
    return _delivery_out(retried, row["type"], row["event_id"], {})


async def recover(
    db: Db,
    principal: Principal,
    endpoint_id: uuid.UUID,
    since: datetime,
    until: datetime | None,
    limit: ManualLimit = None,
) -> int:
    endpoint = await get_endpoint(db, principal, endpoint_id)
    if limit is not None:
        await limit(endpoint.id)
    if endpoint.disabled_at is not None:
        raise Conflict(DISABLED)
    async with db.transaction():
        return await repository.recover(db, endpoint_id, since, until)
