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

from referral_service.attachments import repository
from referral_service.attachments.storage import BlobStore
from referral_service.attachments.upload import Spooled
from referral_service.auth.principal import Principal
from referral_service.auth.roles import Role
from referral_service.auth.scope import complaint_visible, referral_visible
from referral_service.db.driver import Db, pooled
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
    row = await db.fetchrow(repository.COMPLAINT_TARGET.bind(complaint_id=complaint_id))
    if row is None or not complaint_visible(principal, row["region_code"]):
        raise NotFound("No complaint with this id.")
    return Target(**dict(row))


async def referral_target(db: Db, principal: Principal, referral_id: uuid.UUID) -> Target:
    row = await db.fetchrow(repository.REFERRAL_TARGET.bind(referral_id=referral_id))
    if row is None:
        raise NotFound("No referral with this id.")
    target = Target(**dict(row))
    if not _referral_visible(principal, target):
        raise NotFound("No referral with this id.")
    return target


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
    row = await db.fetchrow(repository.GET.bind(id=attachment_id, agency_code=principal.agency_code))
    if row is None or not attachment_visible(principal, row):
        raise NotFound("No attachment with this id.")
    return row


async def list_for_complaint(db: Db, principal: Principal, complaint_id: uuid.UUID) -> list[Any]:
    await complaint_target(db, principal, complaint_id)
    return await db.fetch(repository.LIST_FOR_COMPLAINT.bind(complaint_id=complaint_id))


async def list_for_referral(db: Db, principal: Principal, referral_id: uuid.UUID) -> list[Any]:
    target = await referral_target(db, principal, referral_id)
    return await db.fetch(
        repository.LIST_FOR_REFERRAL.bind(
            complaint_id=target.complaint_id,
            referral_id=referral_id,
            is_agency=principal.role is Role.AGENCY,
            identity_confidential=target.identity_confidential,
        )
    )


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


@dataclass
class Upload:
    filename: str
    media_type: str
    contains_identity: bool
    spooled: Spooled

    def stored_values(self, blob_key: str) -> dict[str, Any]:
        """The columns of every stored upload, by name."""
        spooled = self.spooled
        return {
            "filename": self.filename,
            "media_type": self.media_type,
            "size": spooled.size,
            "sha256": spooled.sha256_hex,
            "blob_key": blob_key,
            "contains_identity": self.contains_identity,
        }


async def write_blob(pool: Any, blob_store: BlobStore, upload: Upload) -> str:
    """Steps 1 and 2 of the module docstring: the pending record, committed, then the blob."""
    blob_key = f"attachments/{uuid.uuid4()}"
    async with pooled(pool) as db:
        await db.execute(repository.ADD_PENDING.bind(blob_key=blob_key))
    await blob_store.put(blob_key, upload.spooled.file, upload.spooled.size, upload.spooled.sha256_hex)
    if after_blob_written is not None:
        await after_blob_written(blob_key)
    return blob_key


async def lock_target(db: Db, principal: Principal, target: Target) -> tuple[int, Target]:
    """Bump the record's event sequence (locking its row), then check again that the caller may see it:
    a referral cannot change hands between the check and the insert. Returns (sequence, fresh target)."""
    if target.referral_id is not None:
        bumped = await db.fetchrow(repository.BUMP_REFERRAL.bind(referral_id=target.referral_id))
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
    bumped = await db.fetchrow(repository.BUMP_COMPLAINT.bind(complaint_id=target.complaint_id))
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
    async with pooled(pool) as db, db.transaction():
        sequence, fresh = await lock_target(db, principal, target)
        row = await db.fetchrow(
            repository.INSERT.bind(
                id=uuid.uuid4(),
                complaint_id=target.complaint_id,
                referral_id=target.referral_id,
                **upload.stored_values(blob_key),
                uploaded_by_key_id=principal.key_id,
                uploaded_by_role=principal.role.value,
                uploaded_by_agency_code=principal.agency_code,
            )
        )
        await db.execute(repository.REMOVE_PENDING.bind(blob_key=blob_key))
        await record_added(db, principal, fresh, sequence, row, via)
    return row
