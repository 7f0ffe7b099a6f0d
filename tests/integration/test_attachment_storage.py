"""Stored attachments: ranges and ETags on download, blobs left by a crash between blob and row
(removed by the cleanup and its worker job), and identity documents deleted with their bytes, by
the service and by erasure.

The cleanup tests count every pending blob: erasure, which leaves blobs to delete, runs last."""

from __future__ import annotations

import uuid

import pytest

from referral_service.attachments import cleanup, service
from referral_service.attachments.storage import BlobNotFound
from referral_service.db.driver import Db
from tests.attachment_support import PNG, pdf_bytes, upload_headers
from tests.conftest import create_complaint


async def test_range_and_etag(blob_store, ombudsman):
    complaint = await create_complaint(ombudsman)
    data = pdf_bytes(size=600_000)  # spans three 256 KiB chunks
    aid = (
        await ombudsman.post(
            f"/v1/complaints/{complaint['id']}/attachments",
            content=data,
            headers=upload_headers("application/pdf", "r.pdf"),
        )
    ).json()["id"]
    url = f"/v1/attachments/{aid}"
    full = await ombudsman.get(url)
    etag = full.headers["etag"]
    assert full.headers["accept-ranges"] == "bytes" and full.headers["content-length"] == str(len(data))

    assert (await ombudsman.get(url, headers={"If-None-Match": etag})).status_code == 304
    assert (await ombudsman.get(url, headers={"If-None-Match": '"other", ' + etag})).status_code == 304
    assert (await ombudsman.get(url, headers={"If-None-Match": '"other"'})).status_code == 200

    for header, first, last in [
        ("bytes=0-99", 0, 99),
        ("bytes=262100-262200", 262100, 262200),  # across a chunk boundary
        ("bytes=500000-", 500000, len(data) - 1),
        ("bytes=-100", len(data) - 100, len(data) - 1),
        ("bytes=100-99999999", 100, len(data) - 1),
    ]:
        part = await ombudsman.get(url, headers={"Range": header})
        assert part.status_code == 206, header
        assert part.content == data[first : last + 1], header
        assert part.headers["content-range"] == f"bytes {first}-{last}/{len(data)}"
    unsatisfiable = await ombudsman.get(url, headers={"Range": f"bytes={len(data)}-"})
    assert unsatisfiable.status_code == 416
    assert unsatisfiable.headers["content-range"] == f"bytes */{len(data)}"
    assert (await ombudsman.get(url, headers={"Range": "bytes=-0"})).status_code == 416
    # Several ranges, a Range that is not valid syntax (RFC 9110), or an If-Range for another version: the whole file.
    for ignored in ("bytes=0-1,5-6", "bytes=1_0-2_0", "bytes=+5-9", "bytes=--5", "bytes=9-5"):
        whole = await ombudsman.get(url, headers={"Range": ignored})
        assert whole.status_code == 200 and whole.content == data, ignored
    assert (await ombudsman.get(url, headers={"Range": "bytes=0-1", "If-Range": '"stale"'})).status_code == 200
    assert (await ombudsman.get(url, headers={"Range": "bytes=0-1", "If-Range": etag})).status_code == 206


async def test_a_crash_between_blob_and_row_leaves_no_orphan_after_cleanup(blob_store, app, ombudsman, monkeypatch):
    complaint = await create_complaint(ombudsman)
    written: list[str] = []

    async def crash(blob_key: str) -> None:
        written.append(blob_key)
        raise RuntimeError("simulated crash after the blob was written")

    monkeypatch.setattr(service, "after_blob_written", crash)
    crashed = await ombudsman.post(
        f"/v1/complaints/{complaint['id']}/attachments",
        content=pdf_bytes(),
        headers=upload_headers("application/pdf", "c.pdf"),
    )
    assert crashed.status_code == 500 and crashed.json()["type"].endswith("/internal-error")
    monkeypatch.setattr(service, "after_blob_written", None)
    [key] = written
    assert b"".join([c async for c in blob_store.get_stream(key)]) == pdf_bytes()  # the orphan exists

    async with app.state.pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM attachments WHERE blob_key = $1", key) == 0
        # Not yet old enough: kept (an upload may still be committing).
        assert await cleanup.clean_pending_blobs(conn, blob_store, older_than_seconds=3600) == 0
        await conn.execute("UPDATE pending_blobs SET created_at = now() - interval '2 hours' WHERE blob_key = $1", key)
        assert await cleanup.clean_pending_blobs(conn, blob_store, older_than_seconds=3600) >= 1
        assert await conn.fetchval("SELECT count(*) FROM pending_blobs WHERE blob_key = $1", key) == 0
    with pytest.raises(BlobNotFound):
        [c async for c in blob_store.get_stream(key)]

    # A committed upload's blob is never pending, so cleanup leaves it alone.
    ok = await ombudsman.post(
        f"/v1/complaints/{complaint['id']}/attachments",
        content=pdf_bytes(),
        headers=upload_headers("application/pdf", "ok.pdf"),
    )
    async with app.state.pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM pending_blobs") == 0
        await cleanup.clean_pending_blobs(conn, blob_store, older_than_seconds=0)
    assert (await ombudsman.get(ok.headers["location"])).content == pdf_bytes()


async def test_delete_identity_documents(blob_store, app, ombudsman):
    complaint = await create_complaint(ombudsman, identity_confidential=True)
    cid = complaint["id"]
    url = f"/v1/complaints/{cid}/attachments"
    ktp = await ombudsman.post(
        url, params={"contains_identity": "true"}, content=PNG, headers=upload_headers("image/png", "ktp.png")
    )
    kept = await ombudsman.post(url, content=pdf_bytes(), headers=upload_headers("application/pdf", "bukti.pdf"))
    async with app.state.pool.acquire() as conn:
        key = await conn.fetchval("SELECT blob_key FROM attachments WHERE id = $1", uuid.UUID(ktp.json()["id"]))
        async with conn.transaction():
            assert await cleanup.delete_identity_documents(Db(conn), uuid.UUID(cid)) == 1
        await cleanup.clean_pending_blobs(conn, blob_store, older_than_seconds=60)
    assert (await ombudsman.get(ktp.headers["location"])).status_code == 404
    assert (await ombudsman.get(kept.headers["location"])).status_code == 200
    with pytest.raises(BlobNotFound):
        [c async for c in blob_store.get_stream(key)]


async def test_the_worker_job_removes_stale_pending_blobs(app, settings, ombudsman, monkeypatch, database_url):
    from referral_service.jobs import default_jobs
    from referral_service.worker import WorkerContext

    complaint = await create_complaint(ombudsman)

    async def crash(blob_key: str) -> None:
        raise RuntimeError("simulated crash")

    monkeypatch.setattr(service, "after_blob_written", crash)
    crashed = await ombudsman.post(
        f"/v1/complaints/{complaint['id']}/attachments",
        content=pdf_bytes(),
        headers=upload_headers("application/pdf", "c.pdf"),
    )
    assert crashed.status_code == 500
    async with app.state.pool.acquire() as conn:
        await conn.execute("UPDATE pending_blobs SET created_at = now() - interval '1 day'")
    [job] = [job for job in default_jobs(database_url) if job.name == "pending-blob-cleanup"]
    ctx = WorkerContext(settings, app.state.pool)
    assert await job.run_once(ctx) >= 1
    await job.on_stop(ctx)
    async with app.state.pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM pending_blobs") == 0
        assert (
            await conn.fetchval(
                "SELECT count(*) FROM blob_chunks b WHERE NOT EXISTS (SELECT 1 FROM attachments a WHERE a.blob_key = b.blob_key)"
            )
            == 0
        )


async def test_erasure_removes_identity_documents_and_keeps_the_evidence(blob_store, admin, ombudsman_kaltim):
    """Erasing a complainant's personal data removes their identity documents, rows and bytes."""
    omb = ombudsman_kaltim
    complaint = await create_complaint(omb, region_code="64.72")
    cid = complaint["id"]
    ktp = await omb.post(
        f"/v1/complaints/{cid}/attachments",
        params={"contains_identity": "true"},
        content=PNG,
        headers=upload_headers("image/png", "ktp.png"),
    )
    evidence = await omb.post(
        f"/v1/complaints/{cid}/attachments", content=pdf_bytes(), headers=upload_headers("application/pdf", "bukti.pdf")
    )
    assert ktp.status_code == evidence.status_code == 201
    erased = await admin.post(f"/v1/complaints/{cid}/erase", json={"reason": "Permintaan subjek data", "force": True})
    assert erased.status_code == 200, erased.text
    assert (await omb.get(f"/v1/attachments/{ktp.json()['id']}")).status_code == 404
    assert (await omb.get(f"/v1/attachments/{evidence.json()['id']}")).status_code == 200
    listed = (await omb.get(f"/v1/complaints/{cid}/attachments")).json()
    assert [item["id"] for item in listed] == [evidence.json()["id"]]
