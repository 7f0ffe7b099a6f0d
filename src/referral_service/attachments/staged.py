"""Signed uploads from an agency's own system: staged, attached to nothing, until a push names them.

An inbound push may carry evidence: the agency's system first uploads each file (signed like a push)
and gets its id, then names the ids in the push's `attachment_ids`. An upload no push names within
`STAGED_TTL_HOURS` is deleted by the cleanup job (`attachments.cleanup`).
"""

from __future__ import annotations

import uuid
from typing import Any

from referral_service.attachments.service import (
    COLUMNS,
    Upload,
    lock_target,
    record_added,
    referral_target,
    write_blob,
)
from referral_service.attachments.storage import BlobStore
from referral_service.auth.principal import Principal
from referral_service.db.driver import Db
from referral_service.errors import UnprocessableEntity

# Staged attachments no push has named within this time are deleted by the cleanup job.
STAGED_TTL_HOURS = 24

_INSERT_STAGED = f"""
    INSERT INTO attachments (id, filename, media_type, size, sha256, blob_key, contains_identity, uploaded_by_key_id,
                             uploaded_by_role, uploaded_by_agency_code, staged_agency_code, inbound_webhook_id)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'agency', $9, $9, $10)
    ON CONFLICT (uploaded_by_agency_code, inbound_webhook_id) WHERE inbound_webhook_id IS NOT NULL DO NOTHING
    RETURNING {COLUMNS}
"""
_BY_WEBHOOK_ID = f"SELECT {COLUMNS} FROM attachments WHERE uploaded_by_agency_code = $1 AND inbound_webhook_id = $2"


async def uploaded_with_webhook_id(db: Db, agency_code: str, webhook_id: str) -> Any:
    return await db.fetchrow(_BY_WEBHOOK_ID, agency_code, webhook_id)


async def store_staged(
    pool: Any, blob_store: BlobStore, principal: Principal, upload: Upload, webhook_id: str
) -> tuple[Any, bool]:
    """A verified inbound upload, attached to nothing yet. Returns (row, created); a concurrent upload with
    the same webhook-id that committed first is returned instead (its blob is the one kept)."""
    assert principal.agency_code is not None
    blob_key = await write_blob(pool, blob_store, upload)
    async with pool.acquire() as conn, conn.transaction():
        db = Db(conn)
        row = await db.fetchrow(
            _INSERT_STAGED,
            uuid.uuid4(),
            *upload.stored_values(blob_key),
            principal.key_id,
            principal.agency_code,
            webhook_id,
        )
        if row is None:  # the same webhook-id won: this blob stays pending and is cleaned up
            return await uploaded_with_webhook_id(db, principal.agency_code, webhook_id), False
        await db.execute("DELETE FROM pending_blobs WHERE blob_key = $1", blob_key)
    return row, True


_CLAIM_STAGED = f"""
    SELECT {COLUMNS} FROM attachments
    WHERE id = ANY ($1::uuid[]) AND staged_agency_code = $2
    ORDER BY uploaded_at, id
    FOR UPDATE
"""
_ATTACH_STAGED = f"""
    UPDATE attachments SET complaint_id = $2, referral_id = $3, staged_agency_code = NULL
    WHERE id = $1
    RETURNING {COLUMNS}
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
        sequence, fresh = await lock_target(db, principal, target)
        updated = await db.fetchrow(_ATTACH_STAGED, row["id"], fresh.complaint_id, referral_id)
        await record_added(db, principal, fresh, sequence, updated, via)
        attached.append(updated)
    return attached
