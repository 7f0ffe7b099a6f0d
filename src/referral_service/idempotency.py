"""Idempotency-Key (IETF draft) for POSTs: replay, in-flight conflict, and reuse detection.

The stored response is written in the same transaction as the change it describes, so a key
is either bound to a committed result or to nothing. While the first request runs it holds a
transaction-scoped advisory lock on (caller, key); a duplicate that cannot take the lock is
told 409 instead of waiting, and one that arrives after the commit finds the stored response.
(A complaint intake writes its record in one statement without holding the lock, see
complaints/intake.py: if it records the key first, this request is rolled back with a 409.)
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Integer, LargeBinary, String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column
from starlette.requests import Request
from starlette.responses import Response

from referral_service.auth.principal import Principal
from referral_service.db.base import Base
from referral_service.db.driver import Db, json_param
from referral_service.db.sql import Sql
from referral_service.errors import BadRequest, IdempotencyInFlight, IdempotencyKeyReused

MAX_KEY_LENGTH = 255


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_keys"

    principal_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(MAX_KEY_LENGTH), primary_key=True)
    request_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    status_code: Mapped[int] = mapped_column(Integer)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    headers: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(index=True)


@dataclass(slots=True)
class StoredResponse:
    status_code: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    media_type: str = "application/json"

    def to_response(self, replayed: bool = False) -> Response:
        headers = dict(self.headers)
        if replayed:
            headers["Idempotent-Replayed"] = "true"
        return Response(self.body, status_code=self.status_code, headers=headers, media_type=self.media_type)


async def request_fingerprint(request: Request) -> bytes:
    body = await request.body()
    return hashlib.sha256(request.method.encode() + b" " + request.url.path.encode() + b"\n" + body).digest()


def validate_key(key: str) -> str:
    if not key or len(key) > MAX_KEY_LENGTH or not key.isascii() or not key.isprintable():
        raise BadRequest(f"Idempotency-Key must be 1-{MAX_KEY_LENGTH} printable ASCII characters.")
    return key


# The lock and the read are separate statements: in READ COMMITTED each statement sees what was
# committed when it started, so reading the record *after* the lock is granted is what lets a retry
# see a first request's commit. Written once, prepared once per connection.
_LOCK = "SELECT pg_try_advisory_xact_lock(hashtextextended($1, 7))"
_SELECT_RECORD = "SELECT request_hash, status_code, body, headers, expires_at FROM idempotency_keys WHERE principal_id = $1 AND key = $2"
# Only an expired record: one a complaint intake wrote meanwhile (it takes no lock for its write) stays.
_DELETE_RECORD = "DELETE FROM idempotency_keys WHERE principal_id = $1 AND key = $2 AND expires_at <= $3"
_INSERT_RECORD = """
    INSERT INTO idempotency_keys (principal_id, key, request_hash, status_code, body, headers, expires_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7)
    ON CONFLICT (principal_id, key) DO NOTHING
    RETURNING 1
"""


async def run_idempotent(
    db: Db,
    principal: Principal,
    key: str | None,
    request: Request,
    produce: Callable[[], Awaitable[StoredResponse]],
    ttl: timedelta,
    *,
    on_replay: Callable[[bytes], Awaitable[bytes]] | None = None,
) -> Response:
    """Run `produce` once per (caller, key). `on_replay` rewrites a stored body before it is sent
    again (e.g. to apply a confidentiality change made since the first response)."""
    if key is None:
        return (await produce()).to_response()
    key = validate_key(key)
    fingerprint = await request_fingerprint(request)
    if not await db.fetchval(_LOCK, f"idem:{principal.key_id}:{key}"):
        raise IdempotencyInFlight("Retry after the first request with this key has finished.")
    existing = await db.fetchrow(_SELECT_RECORD, principal.key_id, key)
    now = datetime.now(UTC)
    if existing is not None and existing["expires_at"] > now:
        if existing["request_hash"] != fingerprint:
            raise IdempotencyKeyReused("This Idempotency-Key was used for a different request.")
        body = existing["body"] if on_replay is None else await on_replay(existing["body"])
        return StoredResponse(existing["status_code"], body, existing["headers"]).to_response(replayed=True)
    if existing is not None:
        await db.execute(_DELETE_RECORD, principal.key_id, key, now)
    result = await produce()
    recorded = await db.fetchval(
        _INSERT_RECORD,
        principal.key_id,
        key,
        fingerprint,
        result.status_code,
        result.body,
        json_param(result.headers),
        now + ttl,
    )
    if recorded is None:
        # A complaint intake with this key committed meanwhile (it writes its record without this
        # lock, in one statement): this request's change is rolled back with the error.
        raise IdempotencyInFlight("Retry after the first request with this key has finished.")
    return result.to_response()


_PURGE_EXPIRED = Sql("DELETE FROM idempotency_keys WHERE expires_at < now()")


async def purge_expired(db: Db) -> int:
    status = await db.execute(_PURGE_EXPIRED)
    return int(status.rsplit(" ", 1)[-1])
