"""The web view at the coordination meeting: every event and code named, confidential identities marked,
presenting mode hiding every identity and free text, names instead of codes, dates written by the server.

Calendar changes here are in November 2028, a period no other test forwards in.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime

import httpx
import pytest

from referral_service import clock
from referral_service.demo_documents import pdf_document, png_image
from tests.conftest import Api, create_complaint
from tests.integration.test_ui_http import BASE, hidden, sign_in

# Strings planted in every identity and free-text field: none may reach a page in presenting mode.
SECRET = {
    "name": "Saksi Rahasia Wibowo",
    "email": "wibowo.rahasia@example.org",
    "phone": "+62 812 0000 4242",
    "address": "Jl. Rahasia No. 7",
    "identity_number": "6472019999990001",
    "subject": "Perihal Rahasia Pungli",
    "description": "Uraian rahasia tentang pungutan",
    "reported": "Pejabat Rahasia Sutrisno",
    "instructions": "Instruksi rahasia untuk inspektorat",
    "summary": "Ringkasan rahasia jawaban",
    "actions_taken": "Langkah rahasia yang diambil",
    "reason": "Alasan rahasia tindak lanjut",
    "note": "Catatan rahasia rapat",
    "filename": "bukti-rahasia-wibowo.pdf",
}


@pytest.fixture
async def browser(app):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as client:
        yield client


async def upload(api: Api, path: str, content: bytes, media_type: str, filename: str, identity: bool = False) -> dict:
    response = await api.post(
        path + ("?contains_identity=true" if identity else ""),
        content=content,
        headers={"Content-Type": media_type, "Content-Disposition": f'attachment; filename="{filename}"'},
    )
    assert response.status_code == 201, response.text
    return response.json()


async def confidential_story(ombudsman: Api, samarinda: Api) -> str:
    """A confidential complaint referred to Samarinda with every kind of free text on its timeline."""
    complaint = await create_complaint(
        ombudsman,
        identity_confidential=True,
        complainant={key: SECRET[key] for key in ("name", "email", "phone", "address", "identity_number")},
        subject=SECRET["subject"],
        description=SECRET["description"],
        reported_party={"name": SECRET["reported"]},
        category="permintaan_imbalan",
        region_code="64.72",
    )
    created = await ombudsman.post(
        f"/v1/complaints/{complaint['id']}/referrals",
        json={"agency_code": "inspektorat-64.72", "instructions": SECRET["instructions"]},
    )
    referral_id = created.json()["id"]
    rid = f"/v1/referrals/{referral_id}"
    assert (await ombudsman.post(f"{rid}/forward", json={"due_working_days": 10})).status_code == 200
    await upload(samarinda, f"{rid}/attachments", pdf_document("LHP", ["Hasil"]), "application/pdf", SECRET["filename"])
    answer = {"outcome": "action_taken", "summary": SECRET["summary"], "actions_taken": SECRET["actions_taken"]}
    assert (await samarinda.post(f"{rid}/respond", json=answer)).status_code == 200
    follow_up = {"reason": SECRET["reason"], "due_working_days": 5}
    assert (await ombudsman.post(f"{rid}/request-follow-up", json=follow_up)).status_code == 200
    assert (await ombudsman.post(f"{rid}/notes", json={"text": SECRET["note"]})).status_code in (200, 201)
    return referral_id


async def test_every_event_on_a_timeline_is_named_in_both_languages(browser, admin, ombudsman_kaltim, samarinda):
    with clock.frozen_at(datetime(2028, 11, 6, 2, tzinfo=UTC)):  # Monday 6 November 2028, 10:00 WITA
        complaint = await create_complaint(ombudsman_kaltim, region_code="64.72")
        created = await ombudsman_kaltim.post(
            f"/v1/complaints/{complaint['id']}/referrals", json={"agency_code": "inspektorat-64.72"}
        )
        referral_id = created.json()["id"]
        forwarded = await ombudsman_kaltim.post(f"/v1/referrals/{referral_id}/forward", json={"due_working_days": 5})
        assert forwarded.status_code == 200
        await upload(samarinda, f"/v1/referrals/{referral_id}/attachments", png_image(), "image/png", "foto.png")
        # An extra non-working day inside the deadline: the service moves the due date itself.
        moved = await admin.put("/v1/calendar/2028-11-08", json={"name": "Cuti bersama (uji)"})
        assert moved.status_code == 200 and moved.json()["referrals_rescheduled"] >= 1
    try:
        await sign_in(browser, ombudsman_kaltim.key)
        page = (await browser.get(f"/ui/referrals/{referral_id}")).text
        english = (await browser.get(f"/ui/referrals/{referral_id}?lang=en")).text
    finally:
        assert (await admin.delete("/v1/calendar/2028-11-08")).status_code == 200
    for text in (page, english):
        assert "event_" not in text and "calendar_changed" not in text and "attachment.added" not in text
    assert "Dokumen dilampirkan" in page and "Tenggat berubah" in page
    assert "kalender hari kerja diubah (8 November 2028)" in page
    assert "13 November 2028 23.59 WITA → 14 November 2028 23.59 WITA" in page
    assert "Document attached" in english and "Due date changed" in english
    assert "the working-day calendar was changed (8 November 2028)" in english
    assert "foto.png" in page and "PNG" in page
    assert "oleh Sistem, otomatis" in page and "by Agency, through the API" in english


async def test_a_confidential_identity_is_marked_for_the_ombudsman(browser, ombudsman_kaltim, samarinda):
    confidential = await confidential_story(ombudsman_kaltim, samarinda)
    plain = await create_complaint(ombudsman_kaltim, complainant={"name": "Pelapor Terbuka"})
    created = await ombudsman_kaltim.post(
        f"/v1/complaints/{plain['id']}/referrals", json={"agency_code": "inspektorat-64.72"}
    )
    await sign_in(browser, ombudsman_kaltim.key)
    page = (await browser.get(f"/ui/referrals/{confidential}")).text
    assert SECRET["name"] in page and 'class="badge confidential">Identitas dirahasiakan' in page
    assert "Tidak pernah ditampilkan kepada instansi" in page
    other = (await browser.get(f"/ui/referrals/{created.json()['id']}")).text
    assert "Pelapor Terbuka" in other and "badge confidential" not in other
    queue = (await browser.get("/ui/queue?state=forwarded")).text
    row = re.search(rf'/ui/referrals/{confidential}".*?</tr>', queue, re.S)
    assert row and "badge confidential" in row.group(0)


async def _pages(browser: httpx.AsyncClient, referral_id: str) -> dict[str, str]:
    urls = {
        "referral-en": f"/ui/referrals/{referral_id}?lang=en",
        "referral": f"/ui/referrals/{referral_id}?lang=id",  # and the pages after it in Indonesian
        "queue": "/ui/queue?state=",
        "queue-forwarded": "/ui/queue?state=forwarded",
        "deadlines": "/ui/deadlines",
        "figures": "/ui/figures",
    }
    pages = {}
    for name, url in urls.items():
        response = await browser.get(url)
        assert response.status_code == 200, (name, response.status_code)
        pages[name] = response.text
    return pages


async def test_presenting_mode_hides_every_identity_and_free_text_on_every_page(
    app, browser, admin, ombudsman_kaltim, samarinda
):
    referral_id = await confidential_story(ombudsman_kaltim, samarinda)
    await sign_in(browser, ombudsman_kaltim.key)
    shown = await _pages(browser, referral_id)
    everything = "".join(shown.values())
    # The test can fail: without presenting mode every planted string is on some page.
    for key in ("name", "subject", "description", "reported", "instructions", "summary", "actions_taken"):
        assert SECRET[key] in everything, key
    for key in ("reason", "note", "filename"):
        assert SECRET[key] in shown["referral"], key

    page = await browser.get(f"/ui/referrals/{referral_id}")
    switch = await browser.post(
        "/ui/presenting",
        data={"csrf": hidden(page.text, "csrf"), "presenting": "on", "next": f"/ui/referrals/{referral_id}"},
    )
    assert switch.status_code == 303 and switch.headers["location"] == f"/ui/referrals/{referral_id}"
    complaint_id = (await ombudsman_kaltim.get(f"/v1/referrals/{referral_id}")).json()["complaint_id"]
    reads_before = await _identity_reads(admin, complaint_id)
    presenting = await _pages(browser, referral_id)
    for name, text in presenting.items():
        for key, secret in SECRET.items():
            assert secret not in text, (name, key)
        assert "Mode presentasi: identitas" in text or "Presenting mode: identities" in text, name
    assert "disembunyikan (mode presentasi)" in presenting["referral"]
    assert "Identitas dirahasiakan" in presenting["referral"]  # the marker stays, the identity goes
    assert "Sudah ditindaklanjuti" in presenting["referral"]  # the facts stay too
    assert "Permintaan imbalan uang, barang atau jasa" in presenting["referral"]
    # Nothing shown, nothing recorded as shown.
    assert await _identity_reads(admin, complaint_id) == reads_before

    # Another session of the same key is not presenting, and the cookie does nothing there.
    cookie = browser.cookies["ui_presenting"]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as other:
        await sign_in(other, ombudsman_kaltim.key)
        other.cookies.set("ui_presenting", cookie, domain="127.0.0.1", path="/ui")
        assert SECRET["name"] in (await other.get(f"/ui/referrals/{referral_id}")).text

    # Switched off: everything is back.
    page = await browser.get("/ui/queue")
    off = await browser.post(
        "/ui/presenting", data={"csrf": hidden(page.text, "csrf"), "presenting": "off", "next": "/ui/queue"}
    )
    assert off.status_code == 303
    assert SECRET["name"] in (await browser.get(f"/ui/referrals/{referral_id}")).text


async def _identity_reads(admin: Api, complaint_id: str) -> int:
    listed = await admin.get("/v1/audit/identity-reads", params={"complaint_id": complaint_id, "limit": 100})
    assert listed.status_code == 200
    return len(listed.json()["items"])


async def test_the_presenting_switch_needs_the_csrf_token_and_stays_on_the_site(browser, ombudsman_kaltim):
    await sign_in(browser, ombudsman_kaltim.key)
    refused = await browser.post("/ui/presenting", data={"csrf": "wrong", "presenting": "on"})
    assert refused.status_code == 403 and "ui_presenting" not in refused.headers.get("set-cookie", "")
    page = await browser.get("/ui/queue")
    for target in ("https://evil.example/", "//evil.example/ui/", "/docs", "javascript:alert(1)", ""):
        switched = await browser.post(
            "/ui/presenting", data={"csrf": hidden(page.text, "csrf"), "presenting": "on", "next": target}
        )
        assert switched.status_code == 303 and switched.headers["location"] == "/ui/", target
    # Signing out ends it.
    out = await browser.post("/ui/sign-out", data={"csrf": hidden(page.text, "csrf")})
    assert any(c.startswith("ui_presenting=") for c in out.headers.get_list("set-cookie"))


async def test_names_instead_of_codes_and_dates_written_by_the_server(browser, ombudsman_kaltim):
    complaint = await create_complaint(
        ombudsman_kaltim, category="penundaan_berlarut", region_code="64.72", channel="sp4n_lapor"
    )
    created = await ombudsman_kaltim.post(
        f"/v1/complaints/{complaint['id']}/referrals", json={"agency_code": "inspektorat-64.72"}
    )
    await sign_in(browser, ombudsman_kaltim.key)
    page = (await browser.get(f"/ui/referrals/{created.json()['id']}")).text
    assert "Penundaan berlarut" in page and "penundaan_berlarut" not in page
    assert "Kota Samarinda (64.72)" in page and "SP4N-LAPOR!" in page
    assert "Undue delay" in (await browser.get(f"/ui/referrals/{created.json()['id']}?lang=en")).text

    figures = (await browser.get("/ui/figures?from=2026-01-01&to=2026-03-31&region=64.72&lang=id")).text
    assert "Kinerja instansi — Kota Samarinda (64.72)" in figures
    assert "1 Januari 2026 – 31 Maret 2026" in figures
    english = (await browser.get("/ui/figures?from=2026-01-01&to=2026-03-31&region=64&lang=en")).text
    assert "Agency performance — Kalimantan Timur (64)" in english and "1 January 2026 – 31 March 2026" in english
    # Form fields: ISO dates in text fields (a date field would show the browser's locale), regions by name.
    assert 'type="date"' not in english
    assert re.search(r'<input id="from" name="from" value="2026-01-01"', english)
    assert '<option value="64.72">Kota Samarinda (64.72)</option>' in english
    assert '<option value="64" selected>Kalimantan Timur (64)</option>' in english
    assert '<option value="12"' not in english  # outside the key's region


async def test_an_agency_has_its_own_row_on_the_figures_page(browser, ombudsman_kaltim, samarinda):
    await sign_in(browser, samarinda.key)
    queue = (await browser.get("/ui/queue")).text
    assert 'href="/ui/figures"' in queue  # the navigation offers it
    figures = await browser.get("/ui/figures?from=2026-01-01&to=2026-12-31")
    assert figures.status_code == 200
    rows = re.findall(r'<span class="code">([^<]+)</span>', figures.text)
    assert rows == ["inspektorat-64.72"]
    assert 'id="region"' not in figures.text and "diteruskan ke instansi Anda" in figures.text
    csv = await browser.get("/ui/figures.csv?from=2026-01-01&to=2026-12-31")
    assert [line.split(",")[0] for line in csv.text.splitlines()[1:]] == ["inspektorat-64.72"]


async def test_an_agency_page_never_announces_a_confidential_identity_document(browser, ombudsman_kaltim, samarinda):
    complaint = await create_complaint(ombudsman_kaltim, identity_confidential=True, region_code="64.72")
    created = await ombudsman_kaltim.post(
        f"/v1/complaints/{complaint['id']}/referrals", json={"agency_code": "inspektorat-64.72"}
    )
    rid = created.json()["id"]
    assert (await ombudsman_kaltim.post(f"/v1/referrals/{rid}/forward", json={})).status_code == 200
    ktp = png_image(seed=3)
    await upload(ombudsman_kaltim, f"/v1/referrals/{rid}/attachments", ktp, "image/png", "ktp.png", identity=True)
    await upload(ombudsman_kaltim, f"/v1/referrals/{rid}/attachments", png_image(), "image/png", "lokasi.png")
    api_types = [e["type"] for e in (await samarinda.get(f"/v1/referrals/{rid}/events")).json()]
    assert api_types.count("attachment.added") == 1
    await sign_in(browser, samarinda.key)
    page = (await browser.get(f"/ui/referrals/{rid}")).text
    assert page.count("Dokumen dilampirkan") == 1 and "lokasi.png" in page
    assert "Dokumen identitas pelapor" not in page
    assert hashlib.sha256(ktp).hexdigest() not in page
