"""Server-side sessions of the web pages: an API key exchanged for a random token in a cookie.

Only the token's SHA-256 is stored. Each session carries its own CSRF secret, which every form
sends back in a hidden field. A session is valid while it has not expired *and* its key is not
revoked: the look-up joins api_keys, so revoking a key ends its sessions at once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from starlette.requests import Request
from starlette.responses import Response

from referral_service import clock
from referral_service.auth import service as keys
from referral_service.auth.principal import Principal, principal_of_key
from referral_service.db.driver import Db
from referral_service.db.sql import Sql

SESSION_COOKIE = "ui_session"
# Presenting mode (identities and free text hidden on every page, for a shared screen): a cookie whose
# value is bound to the session by its secret, so it is on for this session only, until switched off.
PRESENTING_COOKIE = "ui_presenting"
# Before sign-in there is no session: the sign-in form is protected by a double-submit cookie.
LOGIN_CSRF_COOKIE = "ui_login_csrf"

_INSERT = Sql("""
    INSERT INTO ui_sessions (token_hash, key_id, csrf_secret, created_at, expires_at)
    VALUES (:token_hash, :key_id, :csrf_secret, :now, :expires_at)
""")
_LOOKUP = Sql("""
    SELECT s.csrf_secret, s.expires_at, k.id, k.role, k.name, k.agency_code, k.region_code, k.rate_limit_per_minute
    FROM ui_sessions s JOIN api_keys k ON k.id = s.key_id
    WHERE s.token_hash = :token_hash AND s.expires_at > :now AND k.revoked_at IS NULL
""")
_DELETE = Sql("DELETE FROM ui_sessions WHERE token_hash = :token_hash")
_PURGE_EXPIRED = Sql("DELETE FROM ui_sessions WHERE expires_at <= :now")


@dataclass(frozen=True, slots=True)
class UiSession:
    principal: Principal
    csrf_secret: str
    expires_at: datetime


def _token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()


async def sign_in(db: Db, api_key: str, lifetime: timedelta) -> tuple[str, UiSession] | None:
    """A new session for an active issued key (token, session), or None for an unknown or revoked key.

    The bootstrap admin key (REFERRAL_ADMIN_KEY) has no row and so opens no session: sign in with an
    issued key."""
    api_key = api_key.strip()
    if not api_key or len(api_key) > 200:
        return None
    principal = await keys.principal_of(db, api_key)
    if principal is None:
        return None
    now = clock.now()
    await db.execute(_PURGE_EXPIRED.bind(now=now))
    token = secrets.token_urlsafe(32)
    csrf_secret = secrets.token_urlsafe(32)
    expires_at = now + lifetime
    await db.execute(
        _INSERT.bind(
            token_hash=_token_hash(token),
            key_id=principal.key_id,
            csrf_secret=csrf_secret,
            now=now,
            expires_at=expires_at,
        )
    )
    return token, UiSession(principal, csrf_secret, expires_at)


async def lookup(db: Db, token: str | None) -> UiSession | None:
    if not token or len(token) > 200:
        return None
    row = await db.fetchrow(_LOOKUP.bind(token_hash=_token_hash(token), now=clock.now()))
    if row is None:
        return None
    return UiSession(principal_of_key(row), row["csrf_secret"], row["expires_at"])


async def sign_out(db: Db, token: str | None) -> None:
    if token:
        await db.execute(_DELETE.bind(token_hash=_token_hash(token)))


def csrf_matches(expected: str | None, given: str | None) -> bool:
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


def presenting_token(session: UiSession) -> str:
    """The presenting-mode cookie's value for this session (a copy from another session does nothing)."""
    return hmac.new(session.csrf_secret.encode(), b"presenting", hashlib.sha256).hexdigest()


def is_presenting(request: Request, session: UiSession | None) -> bool:
    given = request.cookies.get(PRESENTING_COOKIE)
    if session is None or given is None:
        return False
    return hmac.compare_digest(given.encode("utf-8", "surrogatepass"), presenting_token(session).encode())


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int | None) -> None:
    # `Secure` from the configured public address, never from the request: a reverse proxy may
    # forward HTTPS traffic with any `Host` (localhost, an internal name) over plain HTTP.
    secure = request.app.state.settings.cookies_secure
    response.set_cookie(name, value, max_age=max_age, path="/ui", httponly=True, samesite="strict", secure=secure)


def new_login_csrf() -> str:
    return secrets.token_urlsafe(24)
