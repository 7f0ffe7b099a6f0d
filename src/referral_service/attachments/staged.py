"""Signed uploads from an agency's own system: staged, attached to nothing, until a push names them.

An inbound push may carry evidence: the agency's system first uploads each file (signed like a push)
and gets its id, then names the ids in the push's `attachment_ids`. An upload no push names within
`STAGED_TTL_HOURS` is deleted by the cleanup job (`attachments.cleanup`).
"""

from __future__ import annotations

import uuid
from typing import Any

from referral_service.attachments import repository
from referral_service.attachments.service import (
    Upload,
    lock_target,
    record_added,
    referral_target,
    write_blob,
)
from referral_service.attachments.storage import BlobStore
from referral_service.auth.principal import Principal
from referral_service.db.driver import Db, pooled
from referral_service.errors import UnprocessableEntity

# Staged attachments no push has named within this time are deleted by the cleanup job.
STAGED_TTL_HOURS = 24


async def uploaded_with_webhook_id(db: Db, agency_code: str, webhook_id: str) -> Any:
    return await db.fetchrow(repository.BY_WEBHOOK_ID.bind(agency_code=agency_code, webhook_id=webhook_id))


async def store_staged(
    pool: Any, blob_store: BlobStore, principal: Principal, upload: Upload, webhook_id: str
) -> tuple[Any, bool]:
    """A verified inbound upload, attached to nothing yet. Returns (row, created); a concurrent upload with
    the same webhook-id that committed first is returned instead (its blob is the one kept)."""
    assert principal.agency_code is not None
    blob_key = await write_blob(pool, blob_store, upload)
    async with pooled(pool) as db, db.transaction():
        row = await db.fetchrow(
            repository.INSERT_STAGED.bind(
                id=uuid.uuid4(),
                **upload.stored_values(blob_key),
                uploaded_by_key_id=principal.key_id,
                agency_code=principal.agency_code,
                webhook_id=webhook_id,
            )
        )
        if row is None:  # the same webhook-id won: this blob stays pending and is cleaned up
            return await uploaded_with_webhook_id(db, principal.agency_code, webhook_id), False
        await db.execute(repository.REMOVE_PENDING.bind(blob_key=blob_key))
    return row, True


async def attach_staged(
    db: Db, principal: Principal, referral_id: uuid.UUID, attachment_ids: list[uuid.UUID], *, via: str
) -> list[Any]:
    """Attach the agency's staged uploads to a referral (an inbound push naming them), each with its
    `attachment.added`, in the caller's transaction. 422 when one is not a staged upload of this agency
    (unknown, another agency's, or already attached)."""
    if not attachment_ids:
        return []
    wanted = list(dict.fromkeys(attachment_ids))
    staged = await db.fetch(repository.CLAIM_STAGED.bind(ids=wanted, agency_code=principal.agency_code))
    missing = sorted(str(i) for i in set(wanted) - {row["id"] for row in staged})
    if missing:
        raise UnprocessableEntity(
            "attachment_ids name no upload of this agency waiting to be attached (upload them first through "
            f"POST /v1/inbound/{{agency}}/attachments; each can be attached once): {', '.join(missing)}.",
        )
    target = await referral_target(db, principal, referral_id)
    attached = []
    for row in staged:
        sequence, fresh = await lock_target(db, principal, target)
        updated = await db.fetchrow(
            repository.ATTACH_STAGED.bind(id=row["id"], complaint_id=fresh.complaint_id, referral_id=referral_id)
        )
        await record_added(db, principal, fresh, sequence, updated, via)
        attached.append(updated)
    return attached
