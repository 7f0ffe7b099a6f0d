"""Blob housekeeping: blobs of uploads that never committed, expired staged uploads, and erasure.

Storing writes a `pending_blobs` record before the blob and deletes it with the row's transaction
(`attachments.service`); a record left behind names a blob no row points at, which the worker's
`clean_pending_blobs` job deletes.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from referral_service.attachments.staged import STAGED_TTL_HOURS
from referral_service.attachments.storage import BlobStore
from referral_service.db.driver import Db

logger = logging.getLogger("referral_service.attachments")


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
