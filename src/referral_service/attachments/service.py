"""Evidence documents: streaming intake, scoped reads, the pending-blob cleanup and the erasure hook.

An upload never sits in memory: `spool` reads the request stream chunk by chunk into a temporary
file, counting (413 the moment the limit is passed, the rest unread), hashing (SHA-256) and checking
plain text as it goes. The type check and the `Content-Digest` check run on the spooled file, so a
refused upload never reaches the blob store.

Storing is ordered so that no attachment row points at a missing blob and no blob outlives a
failed request for long:

1. `pending_blobs` gets the new blob key, committed on its own;
2. the blob is written to the store;
3. one transaction inserts the attachment row, deletes the pending record and records
   `attachment.added` on the timeline.

A crash between 2 and 3 leaves a pending record; `clean_pending_blobs` (a worker job) deletes blobs
whose record is older than `REFERRAL_PENDING_BLOB_MINUTES`, then the record.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
import tempfile
import unicodedata
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any
from urllib.parse import unquote

from referral_service.attachments import sniff
from referral_service.attachments.storage import BlobStore
from referral_service.auth.principal import Principal
from referral_service.auth.roles import Role
from referral_service.auth.scope import complaint_visible, referral_visible
from referral_service.db.driver import Db
from referral_service.errors import BadRequest, NotFound, PayloadTooLarge, UnprocessableEntity, UnsupportedMediaType
from referral_service.events.draft import Actor, EventDraft
from referral_service.events.service import record

logger = logging.getLogger("referral_service.attachments")

# Spooled uploads stay in memory up to this size, then move to a temporary file.
_SPOOL_IN_MEMORY = 256 * 1024
EVENT_TYPE = "attachment.added"


# --- request headers -----------------------------------------------------------------------------

_FILENAME_STAR = re.compile(r"""filename\*\s*=\s*([^;]+)""", re.IGNORECASE)
_FILENAME = re.compile(r"""(?:^|;)\s*filename\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)""", re.IGNORECASE)


def filename_from(content_disposition: str | None) -> str:
    """The file name of a `Content-Disposition` header (`filename*=UTF-8''...` preferred), reduced to a
    safe base name. 400 when none is given."""
    if not content_disposition:
        raise BadRequest('Send the file name in `Content-Disposition: attachment; filename="..."`.')
    name: str | None = None
    star = _FILENAME_STAR.search(content_disposition)
    if star:
        value = star.group(1).strip()
        charset, _, rest = value.partition("'")
        _, _, encoded = rest.partition("'")
        if charset.lower() in ("utf-8", "iso-8859-1") and encoded:
            name = unquote(encoded, encoding="utf-8" if charset.lower() == "utf-8" else "latin-1", errors="strict")
    if name is None:
        plain = _FILENAME.search(content_disposition)
        if plain:
            value = plain.group(1).strip()
            if value.startswith('"') and value.endswith('"') and len(value) >= 2:
                value = re.sub(r"\\(.)", r"\1", value[1:-1])
            name = value
    if not name:
        raise BadRequest("`Content-Disposition` has no `filename`.")
    return safe_filename(name)


def safe_filename(name: str) -> str:
    name = unicodedata.normalize("NFC", name)
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().strip(".")
    if not name:
        raise BadRequest("The file name is empty once path and control characters are removed.")
    return name[:255]


def sha256_from_content_digest(header: str | None) -> bytes | None:
    """The `sha-256` digest of an RFC 9530 `Content-Digest` header (`sha-256=:<base64>:`), or None when
    the header is absent or names only other algorithms (which a recipient may ignore)."""
    if header is None:
        return None
    for member in header.split(","):
        algorithm, sep, value = member.strip().partition("=")
        if not sep:
            raise BadRequest("`Content-Digest` must be a structured field dictionary, e.g. `sha-256=:<base64>:`.")
        if algorithm.strip().lower() != "sha-256":
            continue
        value = value.strip().split(";", 1)[0]
        if len(value) < 2 or not value.startswith(":") or not value.endswith(":"):
            raise BadRequest("`Content-Digest` sha-256 must be a byte sequence: `sha-256=:<base64>:`.")
        try:
            digest = base64.b64decode(value[1:-1], validate=True)
        except ValueError as exc:
            raise BadRequest("`Content-Digest` sha-256 is not valid base64.") from exc
        if len(digest) != 32:
            raise BadRequest("`Content-Digest` sha-256 must be 32 bytes.")
        return digest
    return None


def check_declared_type(content_type: str | None) -> str:
    declared = sniff.declared_type(content_type)
    if declared is None:
        raise UnsupportedMediaType("Send the file's media type in `Content-Type`.")
    if declared == sniff.OCTET_STREAM:
        return declared
    if declared not in sniff.ALLOWED_TYPES:
        raise UnsupportedMediaType(
            f"{declared} is not an allowed attachment type; allowed: {', '.join(sniff.ALLOWED_TYPES)}.",
        )
    if declared == sniff.TEXT and not sniff.charset_ok(content_type or ""):
        raise UnsupportedMediaType("Plain text attachments must be UTF-8.")
    return declared


# --- spooling ------------------------------------------------------------------------------------


@dataclass
class Spooled:
    file: IO[bytes]
    size: int
    sha256: bytes
    head: bytes
    text: sniff.TextCheck

    @property
    def sha256_hex(self) -> str:
        return self.sha256.hex()

    def close(self) -> None:
        self.file.close()


async def spool(chunks: AsyncIterator[bytes], limit: int, on_chunk: Callable[[bytes], None] | None = None) -> Spooled:
    """Read the upload into a temporary file, hashing as it goes; 413 as soon as it passes `limit`
    (the rest of the stream is never read)."""
    file = tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY)  # noqa: SIM115 - handed to the caller, closed there
    digest = hashlib.sha256()
    text = sniff.TextCheck()
    head = bytearray()
    size = 0
    try:
        async for chunk in chunks:
            if not chunk:
                continue
            size += len(chunk)
            if size > limit:
                raise PayloadTooLarge(f"An attachment must not exceed {limit} bytes.")
            digest.update(chunk)
            text.feed(chunk)
            if on_chunk is not None:
                on_chunk(chunk)
            if len(head) < sniff.HEAD_BYTES:
                head += chunk[: sniff.HEAD_BYTES - len(head)]
            file.write(chunk)
    except BaseException:
        file.close()
        raise
    file.seek(0)
    return Spooled(file, size, digest.digest(), bytes(head), text)


def verify(spooled: Spooled, declared: str, content_digest: bytes | None) -> str:
    """The sender's digest (422 on mismatch), then the file's own signature against its declared type.
    Returns the media type to record: the declared one, or for `application/octet-stream` the one
    recognised from the bytes (415 when they are none of the allowed types)."""
    if spooled.size == 0:
        raise UnprocessableEntity("The attachment is empty.")
    if content_digest is not None and content_digest != spooled.sha256:
        raise UnprocessableEntity(
            "`Content-Digest` does not match the bytes received.",
            received_sha256=spooled.sha256_hex,
        )
    if declared == sniff.OCTET_STREAM:
        detected = sniff.detect(spooled.head, spooled.file, spooled.text)
        spooled.file.seek(0)
        if detected is None:
            raise UnsupportedMediaType(
                "The file is none of the allowed types: " + ", ".join(sniff.ALLOWED_TYPES) + ".",
            )
        return detected
    if not sniff.matches(declared, spooled.head, spooled.file, spooled.text):
        raise UnprocessableEntity(f"The file's content is not {declared}, the declared `Content-Type`.")
    spooled.file.seek(0)
    return declared


# --- targets and visibility ------------------------------------------------------------------------


@dataclass(slots=True)
class Target:
    """What an attachment hangs on: a complaint, or a referral (and its complaint)."""

    complaint_id: uuid.UUID
    region_code: str
    identity_confidential: bool
    referral_id: uuid.UUID | None = None
    agency_code: str | None = None
    agency_region_code: str | None = None
    state: str | None = None
    forwarded_at: datetime | None = None


_COMPLAINT_TARGET = "SELECT id AS complaint_id, region_code, identity_confidential FROM complaints WHERE id = $1"
_REFERRAL_TARGET = """
    SELECT r.id AS referral_id, r.complaint_id, r.agency_code, r.state, r.forwarded_at,
           c.region_code, c.identity_confidential, a.region_code AS agency_region_code
    FROM referrals r JOIN complaints c ON c.id = r.complaint_id JOIN agencies a ON a.code = r.agency_code
    WHERE r.id = $1
"""


def _referral_visible(principal: Principal, target: Target) -> bool:
    assert target.agency_code is not None and target.state is not None and target.agency_region_code is not None
    return referral_visible(
        principal,
        agency_code=target.agency_code,
        state=target.state,
        forwarded_at=target.forwarded_at,
        complaint_region_code=target.region_code,
        agency_region_code=target.agency_region_code,
    )


async def complaint_target(db: Db, principal: Principal, complaint_id: uuid.UUID) -> Target:
    row = await db.fetchrow(_COMPLAINT_TARGET, complaint_id)
    if row is None or not complaint_visible(principal, row["region_code"]):
        raise NotFound("No complaint with this id.")
    return Target(**dict(row))


async def referral_target(db: Db, principal: Principal, referral_id: uuid.UUID) -> Target:
    row = await db.fetchrow(_REFERRAL_TARGET, referral_id)
    if row is None:
        raise NotFound("No referral with this id.")
    target = Target(**dict(row))
    if not _referral_visible(principal, target):
        raise NotFound("No referral with this id.")
    return target


_COLUMNS = (
    "id, complaint_id, referral_id, filename, media_type, size, sha256, blob_key, contains_identity, "
    "uploaded_by_key_id, uploaded_by_role, uploaded_by_agency_code, uploaded_at"
)
# One attachment with everything its visibility depends on. For an agency key ($2): whether a
# referral of the complaint to that agency was ever forwarded (complaint-level attachments).
_GET = f"""
    SELECT {", ".join("t." + c.strip() for c in _COLUMNS.split(","))},
           c.region_code, c.identity_confidential,
           r.agency_code, r.state, r.forwarded_at, a.region_code AS agency_region_code,
           EXISTS (SELECT 1 FROM referrals fr WHERE fr.complaint_id = t.complaint_id AND fr.agency_code = $2
                   AND fr.forwarded_at IS NOT NULL) AS forwarded_to_agency
    FROM attachments t
    JOIN complaints c ON c.id = t.complaint_id
    LEFT JOIN referrals r ON r.id = t.referral_id
    LEFT JOIN agencies a ON a.code = r.agency_code
    WHERE t.id = $1
"""


def attachment_visible(principal: Principal, row: Any) -> bool:
    """The record's own rules, plus: an agency never sees an identity document of a confidential
    complainant, and sees a complaint's own attachments only once a referral was forwarded to it."""
    if principal.role is Role.AGENCY and row["contains_identity"] and row["identity_confidential"]:
        return False
    if row["referral_id"] is not None:
        return referral_visible(
            principal,
            agency_code=row["agency_code"],
            state=row["state"],
            forwarded_at=row["forwarded_at"],
            complaint_region_code=row["region_code"],
            agency_region_code=row["agency_region_code"],
        )
    if principal.role is Role.AGENCY:
        return bool(row["forwarded_to_agency"])
    return complaint_visible(principal, row["region_code"])


async def get_attachment(db: Db, principal: Principal, attachment_id: uuid.UUID) -> Any:
    row = await db.fetchrow(_GET, attachment_id, principal.agency_code)
    if row is None or not attachment_visible(principal, row):
        raise NotFound("No attachment with this id.")
    return row


_LIST_FOR_COMPLAINT = f"SELECT {_COLUMNS} FROM attachments WHERE complaint_id = $1 ORDER BY uploaded_at, id"
# A referral's attachments and its complaint's own; identity documents of a confidential complainant
# left out when $2 (the caller is an agency).
_LIST_FOR_REFERRAL = f"""
    SELECT {_COLUMNS} FROM attachments
    WHERE complaint_id = $1 AND (referral_id = $3 OR referral_id IS NULL)
      AND NOT ($2 AND contains_identity AND $4)
    ORDER BY uploaded_at, id
"""


async def list_for_complaint(db: Db, principal: Principal, complaint_id: uuid.UUID) -> list[Any]:
    await complaint_target(db, principal, complaint_id)
    return await db.fetch(_LIST_FOR_COMPLAINT, complaint_id)


async def list_for_referral(db: Db, principal: Principal, referral_id: uuid.UUID) -> list[Any]:
    target = await referral_target(db, principal, referral_id)
    is_agency = principal.role is Role.AGENCY
    return await db.fetch(_LIST_FOR_REFERRAL, target.complaint_id, is_agency, referral_id, target.identity_confidential)


def metadata(row: Any) -> dict[str, Any]:
    return {
        "id": row["id"],
        "filename": row["filename"],
        "size": row["size"],
        "media_type": row["media_type"],
        "sha256": row["sha256"],
        "contains_identity": row["contains_identity"],
        "complaint_id": row["complaint_id"],
        "referral_id": row["referral_id"],
        "uploaded_by": row["uploaded_by_key_id"],
        "uploaded_by_role": row["uploaded_by_role"],
        "uploaded_at": row["uploaded_at"],
        "download_path": f"/v1/attachments/{row['id']}",
    }


# --- storing -------------------------------------------------------------------------------------

# Test seam: runs after the blob is written and before the row's transaction (a crash there).
after_blob_written: Callable[[str], Awaitable[None]] | None = None

_INSERT = f"""
    INSERT INTO attachments (id, complaint_id, referral_id, filename, media_type, size, sha256, blob_key,
                             contains_identity, uploaded_by_key_id, uploaded_by_role, uploaded_by_agency_code)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
    RETURNING {_COLUMNS}
"""
_BUMP_COMPLAINT = """
    UPDATE complaints SET event_seq = event_seq + 1 WHERE id = $1
    RETURNING event_seq, region_code, identity_confidential
"""
_BUMP_REFERRAL = """
    UPDATE referrals r SET event_seq = r.event_seq + 1
    FROM complaints c, agencies a
    WHERE r.id = $1 AND c.id = r.complaint_id AND a.code = r.agency_code
    RETURNING r.event_seq, r.agency_code, r.state, r.forwarded_at, c.region_code, c.identity_confidential,
              a.region_code AS agency_region_code
"""


@dataclass
class Upload:
    filename: str
    media_type: str
    contains_identity: bool
    spooled: Spooled
    extra: dict[str, Any] = field(default_factory=dict)


async def _write_blob(pool: Any, blob_store: BlobStore, upload: Upload) -> str:
    """Steps 1 and 2 of the module docstring: the pending record, committed, then the blob."""
    blob_key = f"attachments/{uuid.uuid4()}"
    async with pool.acquire() as conn:
        await conn.execute("INSERT INTO pending_blobs (blob_key) VALUES ($1)", blob_key)
    await blob_store.put(blob_key, upload.spooled.file, upload.spooled.size, upload.spooled.sha256_hex)
    if after_blob_written is not None:
        await after_blob_written(blob_key)
    return blob_key


async def _lock_target(db: Db, principal: Principal, target: Target) -> tuple[int, Target]:
    """Bump the record's event sequence (locking its row), then check again that the caller may see it:
    a referral cannot change hands between the check and the insert. Returns (sequence, fresh target)."""
    if target.referral_id is not None:
        bumped = await db.fetchrow(_BUMP_REFERRAL, target.referral_id)
        if bumped is None:
            raise NotFound("No referral with this id.")
        fresh = Target(
            complaint_id=target.complaint_id,
            referral_id=target.referral_id,
            region_code=bumped["region_code"],
            identity_confidential=bumped["identity_confidential"],
            agency_code=bumped["agency_code"],
            agency_region_code=bumped["agency_region_code"],
            state=bumped["state"],
            forwarded_at=bumped["forwarded_at"],
        )
        if not _referral_visible(principal, fresh):
            raise NotFound("No referral with this id.")
        return bumped["event_seq"], fresh
    bumped = await db.fetchrow(_BUMP_COMPLAINT, target.complaint_id)
    if bumped is None or not complaint_visible(principal, bumped["region_code"]):
        raise NotFound("No complaint with this id.")
    return bumped["event_seq"], Target(target.complaint_id, bumped["region_code"], bumped["identity_confidential"])


async def _record_added(db: Db, principal: Principal, target: Target, sequence: int, row: Any, via: str) -> None:
    meta = metadata(row)
    if row["contains_identity"]:
        # The timeline is append-only and outlives erasure (delete_identity_documents): an identity
        # document's name (often the complainant's) stays in its metadata only, never in the event.
        meta.pop("filename")
    event_data = {k: v for k, v in meta.items() if k not in ("complaint_id", "referral_id")}
    await record(
        db,
        EventDraft(
            type=EVENT_TYPE,
            complaint_id=target.complaint_id,
            sequence=sequence,
            region_code=target.region_code,
            agency_region_code=target.agency_region_code,
            referral_id=target.referral_id,
            agency_code=target.agency_code,
            from_state=target.state,
            to_state=target.state,
            data=event_data,
            # Never announce an identity document of a confidential complainant to the agency.
            agency_visible=target.forwarded_at is not None
            and not (row["contains_identity"] and target.identity_confidential),
        ),
        Actor.of(principal, via),
        {"attachment": meta},
    )


async def store(
    pool: Any, blob_store: BlobStore, principal: Principal, target: Target, upload: Upload, *, via: str = "api"
) -> Any:
    """Write the blob, then the row and its event (see the module docstring). Returns the attachment row."""
    blob_key = await _write_blob(pool, blob_store, upload)
    async with pool.acquire() as conn, conn.transaction():
        db = Db(conn)
        sequence, fresh = await _lock_target(db, principal, target)
        row = await db.fetchrow(
            _INSERT,
            uuid.uuid4(),
            target.complaint_id,
            target.referral_id,
            upload.filename,
            upload.media_type,
            upload.spooled.size,
            upload.spooled.sha256_hex,
            blob_key,
            upload.contains_identity,
            principal.key_id,
            principal.role.value,
            principal.agency_code,
        )
        await db.execute("DELETE FROM pending_blobs WHERE blob_key = $1", blob_key)
        await _record_added(db, principal, fresh, sequence, row, via)
    return row


# --- signed uploads from an agency's own system (staged until a push names them) -----------------

# Staged attachments no push has named within this time are deleted by the cleanup job.
STAGED_TTL_HOURS = 24

_INSERT_STAGED = f"""
    INSERT INTO attachments (id, filename, media_type, size, sha256, blob_key, contains_identity, uploaded_by_key_id,
                             uploaded_by_role, uploaded_by_agency_code, staged_agency_code, inbound_webhook_id)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'agency', $9, $9, $10)
    ON CONFLICT (uploaded_by_agency_code, inbound_webhook_id) WHERE inbound_webhook_id IS NOT NULL DO NOTHING
    RETURNING {_COLUMNS}
"""
_BY_WEBHOOK_ID = f"SELECT {_COLUMNS} FROM attachments WHERE uploaded_by_agency_code = $1 AND inbound_webhook_id = $2"


async def uploaded_with_webhook_id(db: Db, agency_code: str, webhook_id: str) -> Any:
    return await db.fetchrow(_BY_WEBHOOK_ID, agency_code, webhook_id)


async def store_staged(
    pool: Any, blob_store: BlobStore, principal: Principal, upload: Upload, webhook_id: str
) -> tuple[Any, bool]:
    """A verified inbound upload, attached to nothing yet. Returns (row, created); a concurrent upload with
    the same webhook-id that committed first is returned instead (its blob is the one kept)."""
    assert principal.agency_code is not None
    blob_key = await _write_blob(pool, blob_store, upload)
    async with pool.acquire() as conn, conn.transaction():
        db = Db(conn)
        row = await db.fetchrow(
            _INSERT_STAGED,
            uuid.uuid4(),
            upload.filename,
            upload.media_type,
            upload.spooled.size,
            upload.spooled.sha256_hex,
            blob_key,
            upload.contains_identity,
            principal.key_id,
            principal.agency_code,
            webhook_id,
        )
        if row is None:  # the same webhook-id won: this blob stays pending and is cleaned up
            return await uploaded_with_webhook_id(db, principal.agency_code, webhook_id), False
        await db.execute("DELETE FROM pending_blobs WHERE blob_key = $1", blob_key)
    return row, True


_CLAIM_STAGED = f"""
    SELECT {_COLUMNS} FROM attachments
    WHERE id = ANY ($1::uuid[]) AND staged_agency_code = $2
    ORDER BY uploaded_at, id
    FOR UPDATE
"""
_ATTACH_STAGED = f"""
    UPDATE attachments SET complaint_id = $2, referral_id = $3, staged_agency_code = NULL
    WHERE id = $1
    RETURNING {_COLUMNS}
"""


async def attach_staged(
    db: Db, principal: Principal, referral_id: uuid.UUID, attachment_ids: list[uuid.UUID], *, via: str
) -> list[Any]:
    """Attach the agency's staged uploads to a referral (an inbound push naming them), each with its
    `attachment.added`, in the caller's transaction. 422 when one is not a staged upload of this agency
    (unknown, another agency's, or already attached)."""
    if not attachment_ids:
        return []
    wanted = list(dict.fromkeys(attachment_ids))
    staged = await db.fetch(_CLAIM_STAGED, wanted, principal.agency_code)
    missing = sorted(str(i) for i in set(wanted) - {row["id"] for row in staged})
    if missing:
        raise UnprocessableEntity(
            "attachment_ids name no upload of this agency waiting to be attached (upload them first through "
            f"POST /v1/inbound/{{agency}}/attachments; each can be attached once): {', '.join(missing)}.",
        )
    target = await referral_target(db, principal, referral_id)
    attached = []
    for row in staged:
        sequence, fresh = await _lock_target(db, principal, target)
        updated = await db.fetchrow(_ATTACH_STAGED, row["id"], fresh.complaint_id, referral_id)
        await _record_added(db, principal, fresh, sequence, updated, via)
        attached.append(updated)
    return attached


# --- cleanup and erasure -------------------------------------------------------------------------

_STALE_PENDING = """
    SELECT blob_key FROM pending_blobs WHERE created_at < now() - make_interval(secs => $1)
    ORDER BY created_at LIMIT $2
"""


_EXPIRE_STAGED = """
    WITH expired AS (
        DELETE FROM attachments WHERE staged_agency_code IS NOT NULL AND uploaded_at < now() - make_interval(hours => $1)
        RETURNING blob_key
    )
    INSERT INTO pending_blobs (blob_key, created_at) SELECT blob_key, '-infinity' FROM expired ON CONFLICT DO NOTHING
"""


async def clean_pending_blobs(conn: Any, blob_store: BlobStore, *, older_than_seconds: float, limit: int = 100) -> int:
    """Delete blobs whose attachment row never committed (their `pending_blobs` record is older than
    `older_than_seconds`), then the record. Returns how many were removed. Safe to run anywhere,
    any number of times: a blob is deleted before its record, so a failure leaves the record to retry.
    Staged inbound uploads no push attached within `STAGED_TTL_HOURS` are queued here first."""
    await conn.execute(_EXPIRE_STAGED, STAGED_TTL_HOURS)
    keys = [r["blob_key"] for r in await conn.fetch(_STALE_PENDING, float(older_than_seconds), limit)]
    removed = 0
    for key in keys:
        # A row that did commit (the record's delete lost, which one transaction rules out) keeps its blob.
        if await conn.fetchval("SELECT EXISTS (SELECT 1 FROM attachments WHERE blob_key = $1)", key):
            await conn.execute("DELETE FROM pending_blobs WHERE blob_key = $1", key)
            continue
        await blob_store.delete(key)
        await conn.execute("DELETE FROM pending_blobs WHERE blob_key = $1", key)
        removed += 1
    if removed:
        logger.info("removed %d blobs of uploads that never committed", removed)
    return removed


async def delete_identity_documents(db: Db, complaint_id: uuid.UUID) -> int:
    """Erasure hook for retention: remove the complaint's identity documents (`contains_identity`), rows
    and bytes, in the caller's transaction. PostgreSQL-stored bytes go in the same transaction; every
    blob key is also queued in `pending_blobs` as already stale, so the worker's next
    `clean_pending_blobs` deletes the object from S3-compatible storage once the caller has committed
    (and nothing is deleted if it rolls back). Returns how many documents were removed."""
    keys = [
        r["blob_key"]
        for r in await db.fetch(
            "DELETE FROM attachments WHERE complaint_id = $1 AND contains_identity RETURNING blob_key", complaint_id
        )
    ]
    if not keys:
        return 0
    await db.execute(
        "INSERT INTO pending_blobs (blob_key, created_at) SELECT unnest($1::text[]), '-infinity' ON CONFLICT DO NOTHING",
        keys,
    )
    await db.execute("DELETE FROM blob_chunks WHERE blob_key = ANY ($1::text[])", keys)
    return len(keys)
