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

A stored body (an idempotent replay, the event feed, the inbound log's answers) says what the complaint
was when it was stored: one made confidential since still reads `"identity_confidential":false`
there. For those the decision is the complaint's flag *now* (`shown_identities_now`, or the feed's
own reading of it), at the cost of one look-up when such a body shows a complainant at all.
Downloading an identity document (`contains_identity`) of a confidential complainant is audited
too, a range of it included (attachments/endpoints.py).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Collection, Iterable
from typing import Annotated, Any

import orjson
from fastapi import Header, Request
from starlette.responses import Response

from referral_service.audit import repository
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


def shown_identities(body: bytes, confidential_now: Collection[uuid.UUID] = ()) -> list[uuid.UUID]:
    """The complaints whose confidential complainant's identity this body shows (in order, once each):
    marked confidential in the body, or one of `confidential_now`."""
    if _MARKER not in body and not (confidential_now and _SHOWN_MARKER in body):
        return []
    shown: dict[uuid.UUID, None] = {}
    for complaint_id, marked in _showing(orjson.loads(body)):
        if marked or complaint_id in confidential_now:
            shown[complaint_id] = None
    return list(shown)


def _showing(payload: Any) -> Iterable[tuple[uuid.UUID, bool]]:
    """(id, marked confidential) of every complaint this parsed body shows a complainant of."""
    for complaint in _complaints_in(payload):
        if complaint.get("complainant") and complaint.get("id"):
            yield uuid.UUID(str(complaint["id"])), complaint.get("identity_confidential") is True


_SHOWN_MARKER = b'"complainant":{'


async def shown_identities_now(db: Db | Any, body: bytes) -> list[uuid.UUID]:
    """`shown_identities` of a stored body, by each complaint's confidentiality now (one look-up, only
    when the body shows a complainant its marks do not already decide). `db`: a `Db` or a connection."""
    if _SHOWN_MARKER not in body:
        return []
    showing = list(_showing(orjson.loads(body)))
    unmarked = sorted({complaint_id for complaint_id, marked in showing if not marked})
    confidential: set[uuid.UUID] = set()
    if unmarked:
        rows = await _db(db).fetch(repository.CONFIDENTIAL_AMONG.bind(ids=unmarked))
        confidential = {uuid.UUID(str(row["id"])) for row in rows}
    return list(dict.fromkeys(c for c, marked in showing if marked or c in confidential))


def _db(db: Db | Any) -> Db:
    return db if isinstance(db, Db) else Db(db)


def _route(request: Request) -> str:
    route = request.scope.get("route")
    return getattr(route, "path", None) or request.url.path


_REASON = re.compile(ACCESS_REASON_PATTERN)


def _access_reason(request: Request) -> str | None:
    # The API's routes refuse a malformed reason (422, the `access_reason` dependency); a page's
    # request never passed that check, so only a reason of the documented form is kept.
    reason = request.headers.get(ACCESS_REASON_HEADER)
    return reason if reason is not None and _REASON.match(reason) else None


async def record(db: Db | Any, request: Request, principal: Principal, complaint_ids: list[uuid.UUID]) -> None:
    """One audit row per complaint shown. `db`: a `Db` or an asyncpg connection."""
    if not complaint_ids or principal.role is Role.AGENCY:
        return
    await _db(db).execute(
        repository.INSERT.bind(
            key_id=principal.key_id,
            role=principal.role.value,
            complaint_ids=complaint_ids,
            route=_route(request),
            method=request.method,
            access_reason=_access_reason(request),
            request_id=current_request_id(),
        )
    )


async def audited(
    db: Db, request: Request, principal: Principal, response: Response, *, stored: bool = False
) -> Response:
    """The response, after auditing the confidential identities its body shows (2xx only). `stored`:
    the body was stored earlier (an idempotent replay is recognised by its `Idempotent-Replayed`)."""
    if principal.role is Role.AGENCY or not 200 <= response.status_code < 300:
        return response
    body = bytes(response.body)
    if stored or response.headers.get("idempotent-replayed") == "true":
        await record(db, request, principal, await shown_identities_now(db, body))
    else:
        await record(db, request, principal, shown_identities(body))
    return response
