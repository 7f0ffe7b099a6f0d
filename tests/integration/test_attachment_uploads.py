"""What an upload may be: the allowed media types and their bytes (octet-stream sniffed),
Content-Digest, Content-Disposition and filenames, and the size limit enforced while reading."""

from __future__ import annotations

import hashlib
import uuid
from urllib.parse import quote

import pytest

from tests.attachment_support import PNG, content_digest, docx_bytes, odt_bytes, pdf_bytes, upload_headers, xlsx_bytes
from tests.conftest import create_complaint


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


@pytest.mark.parametrize(
    ("media_type", "data", "sent", "stored"),
    [
        ("image/png", PNG, "t.html", "t.png"),
        ("application/octet-stream", PNG, "Laporan — gnp.exe", "Laporan — gnp.png"),
        ("application/octet-stream", pdf_bytes(), "scan.png", "scan.pdf"),
        ("application/pdf", pdf_bytes(), "LHP-2026.PDF", "LHP-2026.PDF"),
        ("application/pdf", pdf_bytes(), "Laporan 12.5 persen", "Laporan 12.5 persen.pdf"),
        ("text/plain", b"Catatan rapat.", "catatan", "catatan.txt"),
        ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", docx_bytes(), "x.pdf.", "x.docx"),
        ("image/png", PNG, "..\\..\\evil.svg", "evil.png"),
    ],
)
async def test_the_stored_name_carries_the_extension_of_the_detected_type(media_type, data, sent, stored, ombudsman):
    complaint = await create_complaint(ombudsman)
    headers = {"Content-Type": media_type, "Content-Disposition": f"attachment; filename*=UTF-8''{quote(sent)}"}
    response = await ombudsman.post(f"/v1/complaints/{complaint['id']}/attachments", content=data, headers=headers)
    assert response.status_code == 201, response.text
    assert response.json()["filename"] == stored
    download = await ombudsman.get(response.headers["location"])
    assert download.headers["content-disposition"].endswith("''" + quote(stored, safe=""))
