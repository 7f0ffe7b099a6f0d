"""The signed upload from an agency's own complaint system: a document pushed the Standard Webhooks
way with the agency's inbound secret (no API key), staged until a push names it. See docs/inbound.md
and docs/attachments.md."""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from fastapi import APIRouter, Request, Response

from referral_service import clock, signing
from referral_service.attachments import service as attachments
from referral_service.attachments import staged, upload
from referral_service.attachments.endpoints import UPLOAD_BODY, UPLOAD_ERRORS, ContainsIdentity, created_response
from referral_service.attachments.schemas import AttachmentOut
from referral_service.db.driver import pooled
from referral_service.errors import InvalidSignature, ProblemError, RateLimited
from referral_service.inbound import service
from referral_service.inbound.inbox import DECOY_SECRETS
from referral_service.inbound.service import inbound_principal
from referral_service.openapi_docs import problem_responses
from referral_service.ratelimit import RateLimiter, client_address, refuse
from referral_service.schemas import AGENCY_CODE_IN_PATH

router = APIRouter(tags=["inbound"])

_INBOUND_UPLOAD_BODY: dict[str, Any] = {
    "security": [],
    "requestBody": UPLOAD_BODY["requestBody"],
    "parameters": [
        *UPLOAD_BODY["parameters"],
        {
            "name": "webhook-id",
            "in": "header",
            "required": True,
            "schema": {"type": "string", "maxLength": 256},
            "description": "Your unique id for this upload; keep it on retries: a repeated id returns the first upload.",
        },
        {
            "name": "webhook-timestamp",
            "in": "header",
            "required": True,
            "schema": {"type": "string", "pattern": "^[0-9]+$"},
            "description": "Unix seconds when this attempt was signed; refused when more than 5 minutes off.",
        },
        {
            "name": "webhook-signature",
            "in": "header",
            "required": True,
            "schema": {"type": "string"},
            "description": '`v1,<base64 HMAC-SHA256 of "{webhook-id}.{webhook-timestamp}.{body}">` with the agency\'s '
            "inbound secret, over the file's raw bytes.",
        },
    ],
}
_INBOUND_ERRORS = problem_responses(400, 401, 408, 413, 415, 422, 429, 503)
_INBOUND_ERRORS[401] = {
    **_INBOUND_ERRORS[401],
    "description": "Signature missing, malformed or wrong, timestamp outside the tolerance, or no secret set.",
}
for _code in (408, 413, 415, 422, 429, 503):
    _INBOUND_ERRORS[_code] = UPLOAD_ERRORS[_code]


@router.post(
    "/v1/inbound/{agency_code}/attachments",
    status_code=201,
    response_model=AttachmentOut,
    openapi_extra=_INBOUND_UPLOAD_BODY,
    responses={
        **_INBOUND_ERRORS,
        200: {
            "description": "A retry of an upload already stored (same `webhook-id`): the first upload, "
            "with `Idempotent-Replayed: true`."
        },
        201: {"description": "Stored, attached to nothing yet: name its `id` in a push's `attachment_ids`."},
    },
    name="upload_attachment",
)
async def upload_inbound(agency_code: str, request: Request, contains_identity: ContainsIdentity = False) -> Response:
    """Upload a document from your complaint system, signed the Standard Webhooks way with your agency's
    inbound secret over the file's raw bytes (no API key). It is attached to nothing until an inbound push
    names its `id` in `data.attachment_ids` (within 24 hours; unclaimed uploads are then deleted); the push
    attaches it to the push's referral. Same types, size limit and `Content-Digest` as the REST uploads."""
    state = request.app.state
    settings = state.settings
    limiter: RateLimiter = state.rate_limiter
    address = client_address(request)
    # An address that failed too many signatures is refused before anything is read or checked.
    blocked = limiter.blocked(limiter.auth_failures, address)
    if blocked:
        raise refuse(request, limiter.auth_failures, blocked)
    code = agency_code if AGENCY_CODE_IN_PATH.match(agency_code) else None
    secrets: list[str] | None = None
    if code is not None:
        async with pooled(state.pool) as db:
            secrets = await service.verifying_secrets(db, code, clock.now())
    limit = settings.max_upload_bytes
    try:
        # Headers and timestamp first: a request that can never verify is refused before its body is read.
        verifier = signing.StreamingVerifier(
            secrets or DECOY_SECRETS,
            request.headers,
            tolerance_seconds=settings.inbound_tolerance_seconds,
            now=int(clock.timestamp()),
        )
        headers = upload.check_headers(request.headers, limit)
    except signing.SignatureError as exc:
        await _count_failed_authentication(request, limiter, address)
        raise InvalidSignature(exc.reason) from exc
    except ProblemError:
        await _count_failed_authentication(request, limiter, address)
        raise
    # Unauthenticated until the bytes are in: the slots are the source address's.
    with state.upload_slots.hold(("address", address)):
        spooled: upload.Spooled | None = None
        try:
            try:
                spooled = await upload.spool(request.stream(), limit, on_chunk=verifier.update)
                verified = verifier.verify()
                if not secrets:
                    raise signing.SignatureError("no matching signature")
            except signing.SignatureError as exc:
                await _count_failed_authentication(request, limiter, address)
                raise InvalidSignature(exc.reason) from exc
            except ProblemError:
                await _count_failed_authentication(request, limiter, address)
                raise
            assert code is not None
            principal = inbound_principal(code)
            async with pooled(state.pool) as db:
                earlier = await staged.uploaded_with_webhook_id(db, code, verified.msg_id)
            if earlier is not None:
                return created_response(earlier, 200, {"Idempotent-Replayed": "true"})
            media_type = upload.verify(spooled, headers.declared_type, headers.content_digest)
            filename = upload.name_for_type(headers.filename, media_type)
            checked = attachments.Upload(filename, media_type, contains_identity, spooled)
            row, created = await staged.store_staged(state.pool, state.blob_store, principal, checked, verified.msg_id)
            return created_response(row) if created else created_response(row, 200, {"Idempotent-Replayed": "true"})
        finally:
            if spooled is not None:
                spooled.close()


async def _count_failed_authentication(request: Request, limiter: RateLimiter, address: str) -> None:
    """A signed upload refused before its signature verified counts against its address as a failed
    authentication, whatever refused it: this request never authenticated. It still gets its answer."""
    with suppress(RateLimited):
        await limiter.take(request, limiter.auth_failures, address)
