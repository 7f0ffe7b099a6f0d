"""Idempotency-Key (IETF draft) for POSTs: replay, in-flight conflict, and reuse detection.

The stored response is written in the same transaction as the change it describes, so a key
is either bound to a committed result or to nothing. While the first request runs it holds a
transaction-scoped advisory lock on (caller, key); a duplicate that cannot take the lock is
told 409 instead of waiting, and one that arrives after the commit finds the stored response.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Integer, LargeBinary, String, bindparam, delete, func, insert, select, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column
from starlette.requests import Request
from starlette.responses import Response

from referral_service.auth.principal import Principal
from referral_service.db.base import Base
from referral_service.errors import BadRequest, IdempotencyInFlight, IdempotencyKeyReused
from referral_service.json_encoding import dumps

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


def json_response(status_code: int, payload: Any, headers: dict[str, str] | None = None) -> StoredResponse:
    return StoredResponse(status_code, dumps(payload), headers or {})


async def request_fingerprint(request: Request) -> bytes:
    body = await request.body()
    return hashlib.sha256(request.method.encode() + b" " + request.url.path.encode() + b"\n" + body).digest()


def validate_key(key: str) -> str:
    if not key or len(key) > MAX_KEY_LENGTH or not key.isascii() or not key.isprintable():
        raise BadRequest(f"Idempotency-Key must be 1-{MAX_KEY_LENGTH} printable ASCII characters.")
    return key


_RECORDS = IdempotencyRecord.__table__
_LOCK = text("SELECT pg_try_advisory_xact_lock(hashtextextended(:lock_name, 7))")
# Core statements built once, not the ORM's get/add/delete: no identity map or unit of work for a
# row that is only ever read once or written once per request. The record is read in its own
# statement *after* the lock is granted, so its snapshot includes a first request's commit.
_RECORD_PK = (_RECORDS.c.principal_id == bindparam("principal_id")) & (_RECORDS.c.key == bindparam("key"))
_SELECT_RECORD = select(
    _RECORDS.c.request_hash, _RECORDS.c.status_code, _RECORDS.c.body, _RECORDS.c.headers, _RECORDS.c.expires_at
).where(_RECORD_PK)
_DELETE_RECORD = delete(_RECORDS).where(_RECORD_PK)
_INSERT_RECORD = insert(_RECORDS)


async def run_idempotent(
    session: AsyncSession,
    principal: Principal,
    key: str | None,
    request: Request,
    produce: Callable[[], Awaitable[StoredResponse]],
    ttl: timedelta,
) -> Response:
    if key is None:
        return (await produce()).to_response()
    key = validate_key(key)
    fingerprint = await request_fingerprint(request)
    locked = await session.scalar(_LOCK, {"lock_name": f"idem:{principal.key_id}:{key}"})
    if not locked:
        raise IdempotencyInFlight("Retry after the first request with this key has finished.")
    pk = {"principal_id": principal.key_id, "key": key}
    existing = (await session.execute(_SELECT_RECORD, pk)).first()
    now = datetime.now(timezone.utc)
    if existing is not None and existing.expires_at > now:
        if existing.request_hash != fingerprint:
            raise IdempotencyKeyReused("This Idempotency-Key was used for a different request.")
        return StoredResponse(existing.status_code, existing.body, existing.headers).to_response(replayed=True)
    if existing is not None:
        await session.execute(_DELETE_RECORD, pk)
    result = await produce()
    await session.execute(
        _INSERT_RECORD,
        {
            "principal_id": principal.key_id,
            "key": key,
            "request_hash": fingerprint,
            "status_code": result.status_code,
            "body": result.body,
            "headers": result.headers,
            "expires_at": now + ttl,
        },
    )
    return result.to_response()


async def purge_expired(session: AsyncSession) -> int:
    result = await session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.expires_at < func.now()))
    return result.rowcount or 0
