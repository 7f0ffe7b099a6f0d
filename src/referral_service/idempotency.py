"""Idempotency-Key (IETF draft) for POSTs: replay, in-flight conflict, and reuse detection. The one
implementation, on the database's clock (`now()`): every route that takes the header uses it.

The stored response is written in the same transaction as the change it describes, so a key
is either bound to a committed result or to nothing. Records are kept `idempotency_ttl_hours`
(48 h): until then the same key and request replay the stored response (`Idempotent-Replayed`),
the same key with another request is a 422; an expired record is replaced.

Two ways to hold a key while the change runs, both here:
- `run_idempotent` (referral transitions and creation, in the route's transaction): a
  transaction-scoped advisory lock on (caller, key); a duplicate that cannot take the lock is
  told 409 instead of waiting, and one that arrives after the commit finds the stored response.
- The complaint intake's one-round-trip statement (complaints/intake.py): it tries the lock and
  reads the record with its first statement (`LOOK_UP_COLUMNS`, `LOOK_UP_JOIN`), and claims the key
  in its writing statement (`claim_cte`): the unique (owner, key) row gives one effect, a concurrent
  duplicate's claim waits for the first to commit, writes nothing and replays its response. A
  `run_idempotent` request whose key such an intake recorded first is rolled back with a 409.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
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


@dataclass(frozen=True, slots=True)
class IdempotencyRequest:
    """A request's key, its fingerprint and how long its record is kept."""

    key: str
    fingerprint: bytes
    ttl: timedelta


async def request_fingerprint(request: Request) -> bytes:
    body = await request.body()
    return hashlib.sha256(request.method.encode() + b" " + request.url.path.encode() + b"\n" + body).digest()


def validate_key(key: str) -> str:
    if not key or len(key) > MAX_KEY_LENGTH or not key.isascii() or not key.isprintable():
        raise BadRequest(f"Idempotency-Key must be 1-{MAX_KEY_LENGTH} printable ASCII characters.")
    return key


async def idempotency_request(request: Request, key: str) -> IdempotencyRequest:
    return IdempotencyRequest(
        key=validate_key(key),
        fingerprint=await request_fingerprint(request),
        ttl=timedelta(hours=request.app.state.settings.idempotency_ttl_hours),
    )


def key_values(principal: Principal, key: str) -> dict[str, Any]:
    """The values the statements here name: the key's owner, the key, and its advisory lock's name."""
    return {"idem_owner": principal.key_id, "idem_key": key, "idem_lock": f"idem:{principal.key_id}:{key}"}


# The lock and the read are separate statements: in READ COMMITTED each statement sees what was
# committed when it started, so reading the record *after* the lock is granted is what lets a retry
# see a first request's commit. Written once, prepared once per connection.
_LOCK = Sql("SELECT pg_try_advisory_xact_lock(hashtextextended(:idem_lock, 7))")
# Whether the record is still live is the database's judgement (`now()`), like its expiry.
LOOK_UP_COLUMNS = Sql(
    "r.request_hash AS idem_request_hash, r.status_code AS idem_status_code, r.body AS idem_body,"
    " r.headers AS idem_headers, r.expires_at IS NOT NULL AS idem_found, r.expires_at > now() AS idem_live"
)
# For a statement reading the record with its own columns: `FROM (VALUES (1)) AS one (x)` + this.
LOOK_UP_JOIN = Sql(" LEFT JOIN idempotency_keys r ON r.principal_id = :idem_owner AND r.key = :idem_key")
# Tries the lock in the same statement (the intake's first): `idem_locked`.
TRY_LOCK_COLUMN = Sql("pg_try_advisory_xact_lock(hashtextextended(:idem_lock, 7)) AS idem_locked")
_LOOK_UP = Sql("SELECT ") + LOOK_UP_COLUMNS + Sql(" FROM (VALUES (1)) AS one (x)") + LOOK_UP_JOIN
_STORED = Sql(
    "SELECT request_hash AS idem_request_hash, status_code AS idem_status_code, body AS idem_body,"
    " headers AS idem_headers, true AS idem_found, true AS idem_live"
    " FROM idempotency_keys WHERE principal_id = :idem_owner AND key = :idem_key"
)
# Only an expired record: one a complaint intake wrote meanwhile (it takes no lock for its write) stays.
_FORGET_EXPIRED = Sql(
    "DELETE FROM idempotency_keys WHERE principal_id = :idem_owner AND key = :idem_key AND expires_at <= now()"
)
_RECORD_COLUMNS = "principal_id, key, request_hash, status_code, body, headers, expires_at"
_RECORD_VALUES = (
    ":idem_owner, :idem_key, :idem_request_hash, :idem_status_code, :idem_body, :idem_headers,"
    " now() + :idem_ttl::interval"
)
_INSERT_RECORD = Sql(
    f"""
    INSERT INTO idempotency_keys ({_RECORD_COLUMNS})
    VALUES ({_RECORD_VALUES})
    ON CONFLICT (principal_id, key) DO NOTHING
    RETURNING 1
"""
)


def claim_cte(condition: Sql) -> Sql:
    """The key's record as a CTE `idem_claimed` of a writing statement, written when `condition`
    holds: `EXISTS (SELECT 1 FROM idem_claimed)` says whether this request claimed the key (a
    concurrent duplicate's claim waits for the first to commit, then claims nothing). Values:
    `key_values` and `record_values`."""
    return (
        Sql(
            f"""idem_claimed AS (
        INSERT INTO idempotency_keys ({_RECORD_COLUMNS})
        SELECT {_RECORD_VALUES}
        WHERE """
        )
        + condition
        + Sql(
            """
        ON CONFLICT (principal_id, key) DO NOTHING
        RETURNING 1
    ),
    """
        )
    )


CLAIMED = Sql("EXISTS (SELECT 1 FROM idem_claimed)")


def record_values(request: IdempotencyRequest, response: StoredResponse) -> dict[str, Any]:
    return {
        "idem_request_hash": request.fingerprint,
        "idem_status_code": response.status_code,
        "idem_body": response.body,
        "idem_headers": json_param(response.headers),
        "idem_ttl": request.ttl,
    }


def replay_of(found: Any, fingerprint: bytes) -> StoredResponse | None:
    """The stored response a look-up found (`LOOK_UP_COLUMNS`) if it is live and for this request;
    None when there is none (or it expired); 422 for another request under the same key."""
    if not found["idem_live"]:
        return None
    if found["idem_request_hash"] != fingerprint:
        raise IdempotencyKeyReused("This Idempotency-Key was used for a different request.")
    return StoredResponse(found["idem_status_code"], found["idem_body"], found["idem_headers"])


def in_flight() -> IdempotencyInFlight:
    return IdempotencyInFlight("Retry after the first request with this key has finished.")


async def forget_expired(db: Db, principal: Principal, key: str) -> None:
    """Remove the key's record if it has expired: the key may be used again."""
    await db.execute(_FORGET_EXPIRED.bind(**key_values(principal, key)))


async def stored_replay(db: Db, principal: Principal, request: IdempotencyRequest) -> StoredResponse:
    """The response a first request with this key committed: after a claim found it taken."""
    found = await db.fetchrow(_STORED.bind(**key_values(principal, request.key)))
    if found is None:  # and it expired and was removed since: rare, and safe to retry
        raise IdempotencyInFlight("Retry: a request with this key finished just now.")
    replay = replay_of(found, request.fingerprint)
    assert replay is not None
    return replay


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
    """Run `produce` once per (caller, key), in the caller's transaction (the lock, the change and
    its record commit together). `on_replay` rewrites a stored body before it is sent again (e.g.
    to apply a confidentiality change made since the first response)."""
    if key is None:
        return (await produce()).to_response()
    idempotency = IdempotencyRequest(validate_key(key), await request_fingerprint(request), ttl)
    keyed = key_values(principal, idempotency.key)
    if not await db.fetchval(_LOCK.bind(**keyed)):
        raise in_flight()
    found = await db.fetchrow(_LOOK_UP.bind(**keyed))
    assert found is not None  # always one row
    replay = replay_of(found, idempotency.fingerprint)
    if replay is not None:
        if on_replay is not None:
            replay.body = await on_replay(replay.body)
        return replay.to_response(replayed=True)
    if found["idem_found"]:
        await forget_expired(db, principal, idempotency.key)
    result = await produce()
    recorded = await db.fetchval(_INSERT_RECORD.bind(**keyed, **record_values(idempotency, result)))
    if recorded is None:
        # A complaint intake with this key committed meanwhile (it writes its record without this
        # lock, in one statement): this request's change is rolled back with the error.
        raise in_flight()
    return result.to_response()


_PURGE_EXPIRED = Sql("DELETE FROM idempotency_keys WHERE expires_at < now()")


async def purge_expired(db: Db) -> int:
    status = await db.execute(_PURGE_EXPIRED)
    return int(status.rsplit(" ", 1)[-1])
