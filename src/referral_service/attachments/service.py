"""Evidence documents: what an attachment hangs on, who may read it, and storing a checked upload.

The upload itself is read and checked in `attachments.upload`; staged inbound uploads are in
`attachments.staged`; the pending-blob cleanup and the erasure hook in `attachments.cleanup`.

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

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from referral_service.attachments.storage import BlobStore
from referral_service.attachments.upload import Spooled
from referral_service.auth.principal import Principal
from referral_service.auth.roles import Role
from referral_service.auth.scope import complaint_visible, referral_visible
from referral_service.db.driver import Db
from referral_service.errors import NotFound
from referral_service.events.draft import Actor, EventDraft
from referral_service.events.service import record

EVENT_TYPE = "attachment.added"


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


COLUMNS = (
    "id, complaint_id, referral_id, filename, media_type, size, sha256, blob_key, contains_identity, "
    "uploaded_by_key_id, uploaded_by_role, uploaded_by_agency_code, uploaded_at"
)
# One attachment with everything its visibility depends on. For an agency key ($2): whether a
# referral of the complaint to that agency was ever forwarded (complaint-level attachments).
_GET = f"""
    SELECT {", ".join("t." + c.strip() for c in COLUMNS.split(","))},
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


_LIST_FOR_COMPLAINT = f"SELECT {COLUMNS} FROM attachments WHERE complaint_id = $1 ORDER BY uploaded_at, id"
# A referral's attachments and its complaint's own; identity documents of a confidential complainant
# left out when $2 (the caller is an agency).
_LIST_FOR_REFERRAL = f"""
    SELECT {COLUMNS} FROM attachments
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
    RETURNING {COLUMNS}
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

    def stored_values(self, blob_key: str) -> tuple[str, str, int, str, str, bool]:
        """filename, media_type, size, sha256, blob_key, contains_identity: the columns of every stored
        upload, in this order in each INSERT."""
        spooled = self.spooled
        return self.filename, self.media_type, spooled.size, spooled.sha256_hex, blob_key, self.contains_identity


async def write_blob(pool: Any, blob_store: BlobStore, upload: Upload) -> str:
    """Steps 1 and 2 of the module docstring: the pending record, committed, then the blob."""
    blob_key = f"attachments/{uuid.uuid4()}"
    async with pool.acquire() as conn:
        await conn.execute("INSERT INTO pending_blobs (blob_key) VALUES ($1)", blob_key)
    await blob_store.put(blob_key, upload.spooled.file, upload.spooled.size, upload.spooled.sha256_hex)
    if after_blob_written is not None:
        await after_blob_written(blob_key)
    return blob_key


async def lock_target(db: Db, principal: Principal, target: Target) -> tuple[int, Target]:
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


async def record_added(db: Db, principal: Principal, target: Target, sequence: int, row: Any, via: str) -> None:
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
    blob_key = await write_blob(pool, blob_store, upload)
    async with pool.acquire() as conn, conn.transaction():
        db = Db(conn)
        sequence, fresh = await lock_target(db, principal, target)
        row = await db.fetchrow(
            _INSERT,
            uuid.uuid4(),
            target.complaint_id,
            target.referral_id,
            *upload.stored_values(blob_key),
            principal.key_id,
            principal.role.value,
            principal.agency_code,
        )
        await db.execute("DELETE FROM pending_blobs WHERE blob_key = $1", blob_key)
        await record_added(db, principal, fresh, sequence, row, via)
    return row
