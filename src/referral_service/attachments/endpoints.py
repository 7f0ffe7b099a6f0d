"""Upload, list and download attachments. See docs/attachments.md."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request, Response
from starlette.responses import StreamingResponse

from referral_service.attachments import ranges, service, sniff, upload
from referral_service.attachments.schemas import AttachmentOut
from referral_service.audit import identity as audit
from referral_service.auth.dependencies import CurrentPrincipal, OmbudsmanSidePrincipal
from referral_service.auth.principal import Principal
from referral_service.db.driver import Db, DbDep, pooled
from referral_service.json_encoding import dumps
from referral_service.openapi_docs import problem_responses

router = APIRouter(tags=["attachments"])

ContainsIdentity = Annotated[
    bool,
    Query(
        description="The document identifies the complainant (ID card, family card...): never shown to an agency "
        "while the complainant's identity is confidential."
    ),
]

UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "The file itself as the raw body (not multipart), its name in "
        "`Content-Disposition: attachment; filename=\"...\"` (or `filename*=UTF-8''...`), optionally "
        "`Content-Digest: sha-256=:<base64>:` (RFC 9530), checked against the bytes received. `Content-Type`: the "
        "file's type, one of " + ", ".join(f"`{t}`" for t in sniff.ALLOWED_TYPES) + ", which the bytes must match; "
        "or `application/octet-stream`, and the type is recognised from the bytes.",
        # One entry: the allowed types are listed in the description. A document listing each would give
        # generated clients one body per type, all of the same shape, which they cannot tell apart.
        "content": {sniff.OCTET_STREAM: {"schema": {"type": "string", "format": "binary"}}},
    },
    "parameters": [
        {
            "name": "Content-Disposition",
            "in": "header",
            "required": True,
            "schema": {"type": "string"},
            "description": '`attachment; filename="laporan.pdf"`',
        },
        {
            "name": "Content-Digest",
            "in": "header",
            "required": False,
            "schema": {"type": "string"},
            "description": "`sha-256=:<base64 of the SHA-256>:`; a mismatch is refused with 422.",
        },
    ],
}
UPLOAD_ERRORS = problem_responses(400, 401, 403, 404, 408, 413, 415, 422, 429, 503)
UPLOAD_ERRORS[408] = {
    **UPLOAD_ERRORS[408],
    "description": "The file did not arrive in time: nothing in the first `REFERRAL_BODY_GRACE_SECONDS` (10), "
    "then slower than `REFERRAL_BODY_MIN_BYTES_PER_SECOND` (20 KB/s), or longer than `REFERRAL_BODY_TIMEOUT_SECONDS`.",
}
UPLOAD_ERRORS[429] = {
    **UPLOAD_ERRORS[429],
    "description": "`too-many-uploads`: this key (a signed upload: this source address) has `REFERRAL_UPLOADS_PER_KEY` "
    "uploads in progress; or over a rate limit. Wait `Retry-After` seconds.",
}
UPLOAD_ERRORS[503] = {
    **UPLOAD_ERRORS[503],
    "headers": {"Retry-After": {"$ref": "#/components/headers/Retry-After"}},
    "description": "`uploads-busy`: the server is receiving as many uploads as it may at once. Wait `Retry-After` seconds.",
}
UPLOAD_ERRORS[413] = {**UPLOAD_ERRORS[413], "description": "The file is larger than `REFERRAL_MAX_UPLOAD_BYTES`."}
UPLOAD_ERRORS[415] = {**UPLOAD_ERRORS[415], "description": "Not an allowed attachment type (or text not in UTF-8)."}
UPLOAD_ERRORS[422] = {
    **UPLOAD_ERRORS[422],
    "description": "The bytes are not of the declared type, the file is empty, or `Content-Digest` does not match.",
}


async def receive_upload(
    request: Request,
    principal: Principal,
    load_target: Callable[[Db], Awaitable[service.Target]],
    contains_identity: bool,
    *,
    via: str = "api",
) -> Any:
    """Headers checked, target checked (404 before a byte is read), body spooled, verified, stored."""
    state = request.app.state
    limit = state.settings.max_upload_bytes
    headers = upload.check_headers(request.headers, limit)
    async with pooled(state.pool) as db:
        target = await load_target(db)
    with state.upload_slots.hold(principal.key_id):
        spooled = await upload.spool(request.stream(), limit)
        try:
            media_type = upload.verify(spooled, headers.declared_type, headers.content_digest)
            filename = upload.name_for_type(headers.filename, media_type)
            checked = service.Upload(filename, media_type, contains_identity, spooled)
            return await service.store(state.pool, state.blob_store, principal, target, checked, via=via)
        finally:
            spooled.close()


def created_response(row: Any, status_code: int = 201, headers: dict[str, str] | None = None) -> Response:
    meta = service.metadata(row)
    return Response(
        dumps(meta),
        status_code=status_code,
        media_type="application/json",
        headers={"Location": meta["download_path"], **(headers or {})},
    )


@router.post(
    "/v1/complaints/{complaint_id}/attachments",
    status_code=201,
    response_model=AttachmentOut,
    openapi_extra=UPLOAD_BODY,
    responses={**UPLOAD_ERRORS, 201: {"description": "Stored. `Location` is the download path."}},
    name="upload_to_complaint",
)
async def upload_to_complaint(
    complaint_id: uuid.UUID,
    request: Request,
    principal: OmbudsmanSidePrincipal,
    contains_identity: ContainsIdentity = False,
) -> Response:
    """Attach a document to a complaint (Ombudsman and admin keys). Allowed types: PDF, JPEG, PNG, WebP, ODT,
    DOCX, XLSX and UTF-8 plain text; the bytes must be of the declared type (422 otherwise, 415 for a type not
    allowed). At most `REFERRAL_MAX_UPLOAD_BYTES` (20 MiB by default): 413 as soon as it is passed."""

    async def load(db: Db) -> service.Target:
        return await service.complaint_target(db, principal, complaint_id)

    return created_response(await receive_upload(request, principal, load, contains_identity))


@router.post(
    "/v1/referrals/{referral_id}/attachments",
    status_code=201,
    response_model=AttachmentOut,
    openapi_extra=UPLOAD_BODY,
    responses={**UPLOAD_ERRORS, 201: {"description": "Stored. `Location` is the download path."}},
    name="upload_to_referral",
)
async def upload_to_referral(
    referral_id: uuid.UUID, request: Request, principal: CurrentPrincipal, contains_identity: ContainsIdentity = False
) -> Response:
    """Attach a document to a referral: the agency's report with its response, a document for a note. The agency
    the referral was forwarded to and the Ombudsman side. Same rules as complaint uploads."""

    async def load(db: Db) -> service.Target:
        return await service.referral_target(db, principal, referral_id)

    return created_response(await receive_upload(request, principal, load, contains_identity))


@router.get(
    "/v1/complaints/{complaint_id}/attachments",
    response_model=list[AttachmentOut],
    responses=problem_responses(401, 403, 404),
    name="list_for_complaint",
)
async def list_for_complaint(complaint_id: uuid.UUID, principal: OmbudsmanSidePrincipal, db: DbDep) -> Response:
    """Every attachment of a complaint and of its referrals, oldest first (Ombudsman side)."""
    rows = await service.list_for_complaint(db, principal, complaint_id)
    return Response(dumps([service.metadata(r) for r in rows]), media_type="application/json")


@router.get(
    "/v1/referrals/{referral_id}/attachments",
    response_model=list[AttachmentOut],
    responses=problem_responses(401, 404),
    name="list_for_referral",
)
async def list_for_referral(referral_id: uuid.UUID, principal: CurrentPrincipal, db: DbDep) -> Response:
    """The referral's attachments and its complaint's own, oldest first. An agency does not see identity
    documents of a confidential complainant."""
    rows = await service.list_for_referral(db, principal, referral_id)
    return Response(dumps([service.metadata(r) for r in rows]), media_type="application/json")


def _etag_matches(header: str, etag: str) -> bool:
    candidates = [c.strip() for c in header.split(",")]
    return "*" in candidates or any(c.removeprefix("W/") == etag for c in candidates)


_FILE_CONTENT = {media_type: {"schema": {"type": "string", "format": "binary"}} for media_type in sniff.ALLOWED_TYPES}


@router.get(
    "/v1/attachments/{attachment_id}",
    response_class=Response,
    responses={
        200: {"description": "The file, with its recorded type.", "content": _FILE_CONTENT},
        206: {"description": "The requested range (`Content-Range`).", "content": _FILE_CONTENT},
        304: {"description": "`If-None-Match` matched the `ETag`."},
        **problem_responses(401, 404, 416, 422),
    },
    name="download",
    dependencies=[Depends(audit.access_reason)],
)
async def download(attachment_id: uuid.UUID, request: Request, principal: CurrentPrincipal, db: DbDep) -> Response:
    """The file, under the same rules as its complaint or referral (404 otherwise; an agency never gets an
    identity document of a confidential complainant). `ETag` is the quoted SHA-256: `If-None-Match` gives 304.
    A single `Range` gives 206 (416 if it starts past the end); `If-Range` with another ETag gives the whole file.
    Each download of an identity document of a confidential complainant, whole or a range, is recorded in the
    identity-read audit (with `X-Access-Reason` if sent)."""
    row = await service.get_attachment(db, principal, attachment_id)
    etag = f'"{row["sha256"]}"'
    size = row["size"]
    headers = {
        "ETag": etag,
        "Accept-Ranges": "bytes",
        "Cache-Control": "private, no-cache",
        "X-Content-Type-Options": "nosniff",
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(row['filename'], safe='')}",
    }
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None and _etag_matches(if_none_match, etag):
        return Response(status_code=304, headers=headers)
    blob_store = request.app.state.blob_store
    byte_range = None
    range_header = request.headers.get("range")
    if_range = request.headers.get("if-range")
    if range_header is not None and (if_range is None or if_range.strip() == etag):
        byte_range = ranges.byte_range(range_header, size)
    if row["contains_identity"] and row["identity_confidential"]:
        # A confidential complainant's identity document is shown now, whole or a range of it.
        await audit.record(db, request, principal, [row["complaint_id"]])
    if byte_range is None:
        return StreamingResponse(
            blob_store.get_stream(row["blob_key"]),
            media_type=row["media_type"],
            headers={**headers, "Content-Length": str(size)},
        )
    first, last = byte_range
    return StreamingResponse(
        blob_store.get_range(row["blob_key"], first, last),
        status_code=206,
        media_type=row["media_type"],
        headers={**headers, "Content-Length": str(last - first + 1), "Content-Range": f"bytes {first}-{last}/{size}"},
    )
