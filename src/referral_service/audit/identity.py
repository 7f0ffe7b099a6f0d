"""The identity-read audit: who was shown a confidential complainant's identity, when, and why.

Every response that shows the identity of a complainant whose `identity_confidential` is true (only
Ombudsman and admin keys ever see it: agencies get it removed) records one row per complaint shown
in `identity_reads` (append-only: the database refuses UPDATE, DELETE and TRUNCATE): the key and its
role, the complaint, the route template and method, the `X-Access-Reason` header if sent, and the
request id. The row is written on the request's own connection before the response leaves: in the
request's transaction for writes (PATCH, transitions) and the feed; right after the read for the
plain reads (their read needs no transaction). If the audit row cannot be written the response is an
error: the identity is never shown unrecorded.

Cheap on the hot paths: the response body is searched for `"identity_confidential":true` (bytes);
only then is it parsed, and one `INSERT ... SELECT unnest(...)` written. Other responses cost nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Annotated, Any

import orjson
from fastapi import Header, Request
from starlette.responses import Response

from referral_service.auth.principal import Principal
from referral_service.auth.roles import Role
from referral_service.db.driver import Db
from referral_service.request_context import current_request_id

ACCESS_REASON_HEADER = "X-Access-Reason"
ACCESS_REASON_PATTERN = r"^[A-Za-z0-9 .,:;()/#'!?@&+_=-]{1,500}$"
_MARKER = b'"identity_confidential":true'


async def access_reason(
    x_access_reason: Annotated[
        str | None,
        Header(
            alias=ACCESS_REASON_HEADER,
            min_length=1,
            max_length=500,
            pattern=ACCESS_REASON_PATTERN,
            description="Why you read a confidential complainant's identity (case number, request...): kept in the "
            "identity-read audit. 1-500 characters of letters, digits, space and `.,:;()/#'!?@&+_=-`.",
        ),
    ] = None,
) -> str | None:
    """Validates the header (a router dependency); the audit reads it back from the request."""
    return x_access_reason


def _complaints_in(value: Any) -> Iterable[dict[str, Any]]:
    """Every complaint representation inside a response body (a complaint, a referral's embedded
    complaint, a page of either, a feed item's data)."""
    if isinstance(value, dict):
        if "identity_confidential" in value and "complainant" in value:
            yield value
        for child in value.values():
            if isinstance(child, (dict, list)):
                yield from _complaints_in(child)
    elif isinstance(value, list):
        for child in value:
            yield from _complaints_in(child)


def shown_identities(body: bytes) -> list[uuid.UUID]:
    """The complaints whose confidential complainant's identity this body shows (in order, once each)."""
    if _MARKER not in body:
        return []
    shown: dict[uuid.UUID, None] = {}
    for complaint in _complaints_in(orjson.loads(body)):
        if complaint.get("identity_confidential") is True and complaint.get("complainant") and complaint.get("id"):
            shown[uuid.UUID(str(complaint["id"]))] = None
    return list(shown)


_INSERT = """
    INSERT INTO identity_reads (key_id, role, complaint_id, route, method, access_reason, request_id)
    SELECT $1, $2, c, $4, $5, $6, $7 FROM unnest($3::uuid[]) AS c
"""


def _route(request: Request) -> str:
    route = request.scope.get("route")
    return getattr(route, "path", None) or request.url.path


async def record(db: Db | Any, request: Request, principal: Principal, complaint_ids: list[uuid.UUID]) -> None:
    """One audit row per complaint shown. `db`: a `Db` or an asyncpg connection."""
    if not complaint_ids or principal.role is Role.AGENCY:
        return
    conn = db.conn if isinstance(db, Db) else db
    await conn.execute(
        _INSERT,
        principal.key_id,
        principal.role.value,
        complaint_ids,
        _route(request),
        request.method,
        request.headers.get(ACCESS_REASON_HEADER),
        current_request_id(),
    )


async def audited(db: Db, request: Request, principal: Principal, response: Response) -> Response:
    """The response, after auditing the confidential identities its body shows (2xx only)."""
    if principal.role is not Role.AGENCY and 200 <= response.status_code < 300:
        await record(db, request, principal, shown_identities(bytes(response.body)))
    return response
