"""Authentication and role checks as FastAPI dependencies."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Annotated

import asyncpg
from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from referral_service.auth import repository
from referral_service.auth.key_cache import ApiKeyCache
from referral_service.auth.keys import hash_api_key
from referral_service.auth.principal import BOOTSTRAP_ADMIN_ID, Principal
from referral_service.auth.roles import Role
from referral_service.db.driver import Db
from referral_service.errors import Forbidden, Unauthorized
from referral_service.ratelimit import RateLimiter, client_address, refuse

_MAX_KEY_LENGTH = 200

_bearer = HTTPBearer(auto_error=False, description="An API key issued by `POST /v1/api-keys`.")
BearerCredentials = Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)]


async def get_principal(request: Request, credentials: BearerCredentials) -> Principal:
    """The principal of the request's API key; 401 for none, an unknown or a revoked key.

    Failures count against the source address, and an address over that limit gets 429 for every
    further failure. A valid key still goes through from such an address: another client behind
    the same NAT or proxy may be the one failing, and a valid key costs what it always costs. Only
    while the key cache cannot answer from memory (its listener is reconnecting) is an address over
    the limit refused before its key is looked at: looking keys up is then a query each."""
    limiter: RateLimiter = request.app.state.rate_limiter
    address = client_address(request)
    token = credentials.credentials.strip() if credentials is not None else ""
    if not token or len(token) > _MAX_KEY_LENGTH:
        await _failed(request, limiter, address)
        raise Unauthorized("Send an API key as `Authorization: Bearer <key>`.")
    bootstrap = request.app.state.settings.admin_key
    if bootstrap is not None and hmac.compare_digest(
        token.encode("utf-8", "surrogatepass"), bootstrap.get_secret_value().encode()
    ):
        principal = Principal(key_id=BOOTSTRAP_ADMIN_ID, role=Role.ADMIN, name="bootstrap admin")
    else:
        key_cache: ApiKeyCache = request.app.state.key_cache
        if not key_cache.active:
            blocked = limiter.blocked(limiter.auth_failures, address)
            if blocked:
                raise refuse(request, limiter.auth_failures, blocked)
        # No request connection here: on a cache hit, or for a key that cannot be active,
        # authentication touches no connection at all.
        found = await key_cache.principal_for(hash_api_key(token), partial(load_principal, request.app.state.pool))
        if found is None:
            await _failed(request, limiter, address)
            raise Unauthorized("Unknown or revoked API key.")
        principal = found
    request.state.principal = principal  # the access log names the key (by id) that was used
    await limiter.take(request, limiter.key_policy(principal.role, principal.rate_limit_per_minute), principal.key_id)
    return principal


async def _failed(request: Request, limiter: RateLimiter, address: str) -> None:
    """Count a failed authentication against the source address (429 instead of 401 once over)."""
    await limiter.take(request, limiter.auth_failures, address)


# A look-up borrows a connection of the process's pool for one query. A route that took its own
# connection before its principal holds one while it waits for this one: when every connection is
# held so, the wait ends here as a 503 (a TimeoutError is "unreachable", errors.py) instead of never.
_LOOKUP_WAIT_SECONDS = 10.0


async def load_active_key_hashes(pool: asyncpg.Pool) -> list[bytes]:
    """The hashes of every key not revoked: what the key cache refuses unknown keys against."""
    async with pool.acquire(timeout=_LOOKUP_WAIT_SECONDS) as conn:
        return await repository.active_key_hashes(Db(conn))


async def load_principal(pool: asyncpg.Pool, key_hash: bytes) -> Principal | None:
    """The principal of the active key with this hash, read on a connection held only for this query."""
    async with pool.acquire(timeout=_LOOKUP_WAIT_SECONDS) as conn:
        return await repository.active_principal(Db(conn), key_hash)


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


def require_roles(*roles: Role) -> Callable[[Principal], Awaitable[Principal]]:
    allowed = frozenset(roles)

    async def _check(principal: CurrentPrincipal) -> Principal:
        if principal.role not in allowed:
            raise Forbidden(f"This operation needs one of the roles: {', '.join(sorted(allowed))}.")
        return principal

    return _check


AdminPrincipal = Annotated[Principal, Depends(require_roles(Role.ADMIN))]
OmbudsmanSidePrincipal = Annotated[Principal, Depends(require_roles(Role.ADMIN, Role.OMBUDSMAN))]
