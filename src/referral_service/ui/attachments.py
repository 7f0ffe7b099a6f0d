"""Evidence on the referral page: its attachments listed, each downloadable, and an upload form.

Everything goes through the API's own attachment code with the signed-in key's principal, so the page
shows and serves exactly what the key gets from /v1: the same list (an agency never sees the identity
documents of a confidential complainant), the same download (`attachments.endpoints.download`: its
scope check, identity-read audit, `Content-Disposition: attachment` and `nosniff`), and the same
upload checks and storage (size limit, type recognised from the bytes, the slots for uploads in
progress, `attachment.added` on the timeline).

The upload form is multipart/form-data, read as it streams: the CSRF field must come before the file
(it does in the form, and browsers send fields in form order), and the file's bytes go straight into
the API's spooling (`attachments.upload.spool`), never whole into memory.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from referral_service.attachments import service, sniff, upload
from referral_service.attachments.endpoints import download
from referral_service.db.driver import Db
from referral_service.errors import BadRequest, PayloadTooLarge, ProblemError
from referral_service.middleware import PAGE_UPLOAD_OVERHEAD
from referral_service.ui.page import Page, agency_names, open_db, signed_in_page
from referral_service.ui.timeline import media_name, size_text

router = APIRouter(prefix="/ui")

# The form's own fields (the CSRF token, a checkbox) are short: anything longer is not this form.
_FIELD_LIMIT = 4096
_FIELDS_AT_MOST = 8


@dataclass(frozen=True, slots=True)
class Listed:
    """One attachment as the referral page lists it."""

    id: uuid.UUID
    name: Any  # str, or Page.concealed in presenting mode
    kind: str
    size: str
    added_by: str
    added_at: datetime
    identity_document: bool


async def listed(db: Db, page: Page, referral_id: uuid.UUID) -> list[Listed]:
    """The referral's attachments and its complaint's own, as `GET /v1/referrals/{id}/attachments`
    gives them to this key, oldest first."""
    rows = await service.list_for_referral(db, page.principal, referral_id)
    codes = {r["uploaded_by_agency_code"] for r in rows if r["uploaded_by_agency_code"]}
    agencies = await agency_names(db, codes) if codes else {}
    return [
        Listed(
            id=row["id"],
            # A document's name is free text (often a person's): hidden on a shared screen.
            name=page.concealed if page.presenting else row["filename"],
            kind=media_name(row["media_type"]),
            size=size_text(row["size"]),
            added_by=_added_by(page, row, agencies),
            added_at=row["uploaded_at"],
            identity_document=row["contains_identity"],
        )
        for row in rows
    ]


def _added_by(page: Page, row: Any, agencies: dict[str, str]) -> str:
    code: str | None = row["uploaded_by_agency_code"]
    if code:
        return agencies.get(code, code)
    return page.label("role", row["uploaded_by_role"] or "system")


@router.get("/attachments/{attachment_id}")
async def download_page(request: Request, attachment_id: str) -> Response:
    """The file, as `GET /v1/attachments/{id}` serves it to the signed-in key."""
    async with open_db(request) as db:
        page = await signed_in_page(request, db)
        if not isinstance(page, Page):
            return page
        try:
            parsed = uuid.UUID(attachment_id)
        except ValueError:
            return page.not_found()
        try:
            return await download(parsed, request, principal=page.principal, db=db)
        except ProblemError as refused:
            if refused.status == 404:
                return page.not_found()
            raise


# --- the upload form -----------------------------------------------------------------------------

# What the file field suggests to the browser's file chooser: the extensions of the allowed types.
ACCEPT = ",".join(f".{extension}" for media_type in sniff.ALLOWED_TYPES for extension in sniff.EXTENSIONS[media_type])


@dataclass(frozen=True, slots=True)
class Refusal:
    """An upload the page refuses, with why in the page's language."""

    status: int
    message: str


async def attach_from_form(request: Request, page: Page, target: service.Target) -> Refusal | Response | None:
    """Read, check and store the form's file on `target` (a referral the key may see): None when it is
    stored, a `Refusal` to show on the referral page, or a whole answer (a CSRF refusal, 404)."""
    state = request.app.state
    try:
        with state.upload_slots.hold(page.principal.key_id):
            received = await read_upload(request, page, state.settings.max_upload_bytes)
            try:
                await store_upload(request, page, target, received)
            finally:
                received.spooled.close()
    except CsrfRefused:
        return page.csrf_refused()
    except NoFile:
        return Refusal(422, page.t("choose_file"))
    except ProblemError as refused:
        if refused.status == 404:
            return page.not_found()
        return Refusal(refused.status, page.problem_text(refused))
    return None


class CsrfRefused(Exception):
    """The form's file came without the signed-in session's CSRF token before it."""


class NoFile(Exception):
    """The form came without a file in it (nothing chosen)."""


@dataclass
class PageUpload:
    """What the upload form sent: its fields, and the file checked and spooled (close it after)."""

    fields: dict[str, str]
    filename: str
    spooled: upload.Spooled


async def read_upload(request: Request, page: Page, limit: int) -> PageUpload:
    """The form's fields and its one file, spooled by `attachments.upload.spool` (413 past `limit`).
    `CsrfRefused` when the file comes before a valid CSRF token, `NoFile` without a file."""
    content_type = request.headers.get("content-type", "")
    _, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if not boundary:
        raise BadRequest("Send the form as multipart/form-data.")
    fields: dict[str, str] = {}
    pending: list[bytes] = []
    state: dict[str, Any] = {
        "headers": {},
        "name": None,
        "filename": None,
        "value": bytearray(),
        "files": 0,
        "file_ended": False,
    }
    header = {"field": bytearray(), "value": bytearray()}

    def on_part_begin() -> None:
        state["headers"], state["name"], state["filename"], state["value"] = {}, None, None, bytearray()

    def on_header_field(data: bytes, start: int, end: int) -> None:
        header["field"] += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        header["value"] += data[start:end]

    def on_header_end() -> None:
        state["headers"][bytes(header["field"]).lower()] = bytes(header["value"])
        header["field"], header["value"] = bytearray(), bytearray()

    def on_headers_finished() -> None:
        _, params = parse_options_header(state["headers"].get(b"content-disposition", b""))
        state["name"] = params.get(b"name", b"").decode("utf-8", "replace")
        filename = params.get(b"filename")
        if filename is None:
            if len(fields) >= _FIELDS_AT_MOST:
                raise BadRequest("Too many form fields.")
            return
        state["files"] += 1
        if state["files"] > 1:
            raise BadRequest("Send one file at a time.")
        if not page.csrf_ok(fields):
            raise CsrfRefused
        state["filename"] = filename.decode("utf-8", "replace")

    def on_part_data(data: bytes, start: int, end: int) -> None:
        if state["filename"] is not None:
            pending.append(bytes(data[start:end]))
            return
        state["value"] += data[start:end]
        if len(state["value"]) > _FIELD_LIMIT:
            raise BadRequest("A form field is too long.")

    def on_part_end() -> None:
        if state["filename"] is not None:
            state["file_ended"] = True
        elif state["name"]:
            fields[state["name"]] = bytes(state["value"]).decode("utf-8", "replace")

    parser = MultipartParser(
        boundary,
        {
            "on_part_begin": on_part_begin,
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_headers_finished": on_headers_finished,
            "on_part_data": on_part_data,
            "on_part_end": on_part_end,
        },
    )

    # Everything read counts, not only the file: a body sent without Content-Length is checked here
    # (the middleware can refuse only a declared length). A part's headers are capped by the parser.
    allowed = limit + PAGE_UPLOAD_OVERHEAD
    received = 0

    async def file_chunks() -> AsyncIterator[bytes]:
        nonlocal received
        try:
            async for chunk in request.stream():
                received += len(chunk)
                if received > allowed:
                    raise PayloadTooLarge(f"An attachment must not exceed {limit} bytes.")
                parser.write(chunk)
                while pending:
                    yield pending.pop(0)
            parser.finalize()
        except MultipartParseError as exc:
            raise BadRequest("The form could not be read as multipart/form-data.") from exc
        if state["files"] and not state["file_ended"]:
            # The body stopped inside the file: what arrived is not the whole file.
            raise BadRequest("The form could not be read as multipart/form-data.")
        while pending:
            yield pending.pop(0)

    spooled = await upload.spool(file_chunks(), limit)
    if state["files"] == 0 or (spooled.size == 0 and not state["filename"]):
        spooled.close()
        if not page.csrf_ok(fields):
            raise CsrfRefused
        raise NoFile
    return PageUpload(fields, state["filename"] or "", spooled)


async def store_upload(request: Request, page: Page, target: service.Target, received: PageUpload) -> Any:
    """The spooled file checked and stored as the API stores an upload: its type recognised from its
    bytes, its name given that type's extension, then `attachments.service.store` (via `web`)."""
    state = request.app.state
    spooled = received.spooled
    media_type = upload.verify(spooled, sniff.OCTET_STREAM, None)
    filename = upload.name_for_type(upload.safe_filename(received.filename), media_type)
    contains_identity = page.principal.is_ombudsman_side and received.fields.get("contains_identity") == "on"
    checked = service.Upload(filename, media_type, contains_identity, spooled)
    return await service.store(state.pool, state.blob_store, page.principal, target, checked, via="web")
