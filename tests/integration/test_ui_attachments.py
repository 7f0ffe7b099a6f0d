"""Evidence on the referral page: listed, downloadable under the API's own rules, and attached from
the page by the agency (multipart, CSRF), through the API's upload checks and events."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.attachment_support import pdf_bytes, upload_headers
from tests.conftest import Api, create_complaint
from tests.integration.test_ui_http import BASE, hidden, sign_in


@pytest.fixture
async def browser(app):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as client:
        yield client


async def confidential_referral(ombudsman: Api) -> tuple[str, str]:
    complaint = await create_complaint(ombudsman, identity_confidential=True, complainant={"name": "Rahasia Pelapor"})
    created = await ombudsman.post(
        f"/v1/complaints/{complaint['id']}/referrals", json={"agency_code": "inspektorat-64.72"}
    )
    referral_id = created.json()["id"]
    assert (await ombudsman.post(f"/v1/referrals/{referral_id}/forward", json={})).status_code == 200
    return complaint["id"], referral_id


async def upload(api: Api, url: str, data: bytes, name: str, *, identity: bool = False) -> dict:
    response = await api.post(
        url + ("?contains_identity=true" if identity else ""),
        content=data,
        headers=upload_headers("application/pdf", name),
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_the_page_lists_what_the_api_lists_and_an_agency_never_sees_the_identity_document(
    app, browser, ombudsman_kaltim, samarinda
):
    complaint_id, referral_id = await confidential_referral(ombudsman_kaltim)
    ktp_bytes, report_bytes = pdf_bytes("KTP"), pdf_bytes("LHP", 3000)
    ktp = await upload(
        ombudsman_kaltim,
        f"/v1/complaints/{complaint_id}/attachments",
        pdf_bytes("KTP"),
        "KTP-Rahasia.pdf",
        identity=True,
    )
    report = await upload(samarinda, f"/v1/referrals/{referral_id}/attachments", report_bytes, "LHP-0042.pdf")

    await sign_in(browser, ombudsman_kaltim.key)
    page = (await browser.get(f"/ui/referrals/{referral_id}")).text
    listed = page.split('id="attachments-h"', 1)[1].split("</table>", 1)[0]
    assert "KTP-Rahasia.pdf" in listed and "Dokumen identitas pelapor" in listed
    assert "LHP-0042.pdf" in listed and "Inspektorat Kota Samarinda" in listed and "PDF" in listed
    assert " WITA</time>" in listed  # written by the server in the agency's time zone
    # The Ombudsman's download of a confidential identity document is audited, as through the API.
    response = await browser.get(f"/ui/attachments/{ktp['id']}")
    assert response.status_code == 200 and response.content == ktp_bytes
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.headers["x-content-type-options"] == "nosniff"
    async with app.state.pool.acquire() as conn:
        audited = await conn.fetch(
            "SELECT route FROM identity_reads WHERE complaint_id = $1 AND route LIKE '/ui/%'", uuid.UUID(complaint_id)
        )
    assert [r["route"] for r in audited].count("/ui/attachments/{attachment_id}") == 1

    browser.cookies.clear()
    await sign_in(browser, samarinda.key)
    page = (await browser.get(f"/ui/referrals/{referral_id}")).text
    assert "LHP-0042.pdf" in page and "KTP-Rahasia" not in page and ktp["id"] not in page
    assert (await browser.get(f"/ui/attachments/{ktp['id']}")).status_code == 404
    mine = await browser.get(f"/ui/attachments/{report['id']}")
    assert mine.status_code == 200 and mine.content == report_bytes
    assert (await browser.get("/ui/attachments/not-an-id")).status_code == 404


async def test_another_agency_cannot_download(browser, ombudsman_kaltim, samarinda, bontang):
    _, referral_id = await confidential_referral(ombudsman_kaltim)
    report = await upload(samarinda, f"/v1/referrals/{referral_id}/attachments", pdf_bytes("LHP"), "LHP.pdf")
    await sign_in(browser, bontang.key)
    response = await browser.get(f"/ui/attachments/{report['id']}")
    assert response.status_code == 404 and b"LHP" not in response.content
    # Not signed in: to the sign-in form.
    browser.cookies.clear()
    assert (await browser.get(f"/ui/attachments/{report['id']}")).status_code == 303


async def test_an_agency_attaches_its_report_from_the_page(browser, ombudsman_kaltim, samarinda):
    _, referral_id = await confidential_referral(ombudsman_kaltim)
    await sign_in(browser, samarinda.key)
    page = (await browser.get(f"/ui/referrals/{referral_id}")).text
    csrf = hidden(page, "csrf")
    assert 'enctype="multipart/form-data"' in page
    assert 'name="contains_identity"' not in page  # an agency uploads reports, not identity documents
    url = f"/ui/referrals/{referral_id}/attachments"

    # Without the session's CSRF token: nothing stored.
    refused = await browser.post(
        url, data={"csrf": "wrong"}, files={"file": ("LHP.pdf", pdf_bytes(), "application/pdf")}
    )
    assert refused.status_code == 403
    # A file that is none of the allowed types: refused in the page's language, nothing stored.
    wrong = await browser.post(
        url, data={"csrf": csrf}, files={"file": ("LHP.pdf", b"MZ\x90\x00binary", "application/pdf")}
    )
    assert wrong.status_code == 415 and "bukan salah satu jenis yang diizinkan" in wrong.text
    # No file chosen.
    empty = await browser.post(url, data={"csrf": csrf}, files={"file": ("", b"", "application/octet-stream")})
    assert empty.status_code == 422 and "Pilih berkas" in empty.text
    assert (await samarinda.get(f"/v1/referrals/{referral_id}/attachments")).json() == []

    # The report: its type recognised from its bytes, its extension set by it, stored as the API stores it.
    stored = await browser.post(
        url,
        data={"csrf": csrf},
        files={"file": ("Laporan Hasil Pemeriksaan", pdf_bytes("LHP"), "application/octet-stream")},
    )
    assert stored.status_code == 303 and stored.headers["location"].startswith(
        f"/ui/referrals/{referral_id}?done=attached"
    )
    listed = (await samarinda.get(f"/v1/referrals/{referral_id}/attachments")).json()
    assert [(a["filename"], a["media_type"], a["uploaded_by_role"]) for a in listed] == [
        ("Laporan Hasil Pemeriksaan.pdf", "application/pdf", "agency")
    ]
    events = (await ombudsman_kaltim.get(f"/v1/referrals/{referral_id}/events")).json()
    added = [e for e in events if e["type"] == "attachment.added"]
    assert len(added) == 1 and added[0]["via"] == "web"
    shown = await browser.get(stored.headers["location"])
    assert "Lampiran tersimpan." in shown.text and "Laporan Hasil Pemeriksaan.pdf" in shown.text


async def test_the_upload_form_takes_multipart_only(browser, ombudsman_kaltim, samarinda):
    _, referral_id = await confidential_referral(ombudsman_kaltim)
    await sign_in(browser, samarinda.key)
    page = (await browser.get(f"/ui/referrals/{referral_id}")).text
    response = await browser.post(
        f"/ui/referrals/{referral_id}/attachments", content=b"%PDF-1.4", headers={"Content-Type": "application/pdf"}
    )
    assert response.status_code == 415 and response.json()["detail"] == "Kirim formulir sebagai multipart/form-data."
    # A form elsewhere under /ui/ is not a way to send multipart.
    response = await browser.post(
        f"/ui/referrals/{referral_id}",
        data={"csrf": hidden(page, "csrf")},
        files={"file": ("a.pdf", pdf_bytes(), "application/pdf")},
    )
    assert response.status_code == 415


async def test_a_broken_form_is_refused_not_a_crash(browser, ombudsman_kaltim, samarinda):
    _, referral_id = await confidential_referral(ombudsman_kaltim)
    await sign_in(browser, samarinda.key)
    page = (await browser.get(f"/ui/referrals/{referral_id}")).text
    body = (
        b'--XyZ\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n'
        + hidden(page, "csrf").encode()
        + b'\r\n--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n%PDF-1.4 truncated'
    )
    response = await browser.post(
        f"/ui/referrals/{referral_id}/attachments",
        content=body,
        headers={"Content-Type": "multipart/form-data; boundary=XyZ"},
    )
    assert response.status_code == 400 and "Formulir tidak dapat dibaca" in response.text
    assert (await samarinda.get(f"/v1/referrals/{referral_id}/attachments")).json() == []


async def test_a_form_sent_without_a_length_is_held_to_the_upload_limit(app, browser, ombudsman_kaltim, samarinda):
    """Chunked (no Content-Length): the middleware cannot refuse it up front, so the form reader counts
    every byte it reads, not only the file's; and a part header cannot grow without bound."""
    _, referral_id = await confidential_referral(ombudsman_kaltim)
    await sign_in(browser, samarinda.key)
    page = (await browser.get(f"/ui/referrals/{referral_id}")).text
    limit = app.state.settings.max_upload_bytes
    # A whole, valid form with a small file, then more bytes after its closing boundary (an epilogue
    # the parser skips) than the file may have.
    whole_form = (
        b'--XyZ\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n'
        + hidden(page, "csrf").encode()
        + b'\r\n--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n'
        + pdf_bytes("LHP")
        + b"\r\n--XyZ--\r\n"
    )

    async def chunked(head: bytes, filler: bytes, total: int):
        yield head
        sent = 0
        while sent < total:
            yield filler
            sent += len(filler)

    url = f"/ui/referrals/{referral_id}/attachments"
    headers = {"Content-Type": "multipart/form-data; boundary=XyZ"}
    too_long = await browser.post(url, content=chunked(whole_form, b"x" * 65536, limit + 200_000), headers=headers)
    assert too_long.status_code == 413, too_long.text
    header_bomb = b'--XyZ\r\nContent-Disposition: form-data; name="csrf"; x="'
    bombed = await browser.post(url, content=chunked(header_bomb, b"y" * 65536, 1_000_000), headers=headers)
    assert bombed.status_code == 400 and "Formulir tidak dapat dibaca" in bombed.text
    assert (await samarinda.get(f"/v1/referrals/{referral_id}/attachments")).json() == []
