"""Blob housekeeping: blobs of uploads that never committed, expired staged uploads, and erasure.

Storing writes a `pending_blobs` record before the blob and deletes it with the row's transaction
(`attachments.service`); a record left behind names a blob no row points at, which the worker's
`clean_pending_blobs` job deletes.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from referral_service.attachments import repository
from referral_service.attachments.staged import STAGED_TTL_HOURS
from referral_service.attachments.storage import BlobStore
from referral_service.db.driver import Db

logger = logging.getLogger("referral_service.attachments")


async def clean_pending_blobs(
    conn: Db | Any, blob_store: BlobStore, *, older_than_seconds: float, limit: int = 100
) -> int:
    """Delete blobs whose attachment row never committed (their `pending_blobs` record is older than
    `older_than_seconds`), then the record. Returns how many were removed. Safe to run anywhere,
    any number of times: a blob is deleted before its record, so a failure leaves the record to retry.
    Staged inbound uploads no push attached within `STAGED_TTL_HOURS` are queued here first."""
    db = conn if isinstance(conn, Db) else Db(conn)
    await db.execute(repository.EXPIRE_STAGED.bind(ttl_hours=STAGED_TTL_HOURS))
    stale = repository.STALE_PENDING.bind(older_than_seconds=float(older_than_seconds), limit=limit)
    keys = [r["blob_key"] for r in await db.fetch(stale)]
    removed = 0
    for key in keys:
        # A row that did commit (the record's delete lost, which one transaction rules out) keeps its blob.
        if await db.fetchval(repository.BLOB_IN_USE.bind(blob_key=key)):
            await db.execute(repository.REMOVE_PENDING.bind(blob_key=key))
            continue
        await blob_store.delete(key)
        await db.execute(repository.REMOVE_PENDING.bind(blob_key=key))
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
    keys = [r["blob_key"] for r in await db.fetch(repository.DELETE_IDENTITY_DOCUMENTS.bind(complaint_id=complaint_id))]
    if not keys:
        return 0
    await db.execute(repository.QUEUE_STALE.bind(blob_keys=keys))
    await db.execute(repository.DELETE_CHUNKS_OF.bind(blob_keys=keys))
    return len(keys)
