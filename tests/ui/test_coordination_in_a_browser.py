"""The issue's story in a real browser: the Ombudsman sees the Kalimantan Timur figures and forwards a
referral, the Inspektorat Kota Samarinda acknowledges and answers it, and the Inspektorat Kota Bontang
cannot open it."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from referral_service.demo_documents import pdf_document
from tests.conftest import BOOTSTRAP_ADMIN_KEY, complaint_body
from tests.ui.conftest import CHROMIUM

MONTHS_ID = "Januari|Februari|Maret|April|Mei|Juni|Juli|Agustus|September|Oktober|November|Desember"

pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    # Before any fixture starts a server for nothing.
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium) to run browser tests",
    ),
]


class LiveApi:
    def __init__(self, base_url: str, key: str) -> None:
        self.client = httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {key}"}, timeout=30)

    def post(self, url: str, json: dict | None = None) -> dict:
        response = self.client.post(url, json=json or {})
        assert response.status_code in (200, 201), response.text
        return response.json()


def issue(admin: LiveApi, role: str, name: str, **scope: str) -> str:
    return admin.post("/v1/api-keys", {"role": role, "name": name, **scope})["key"]


def refer(ombudsman: LiveApi, agency_code: str, region_code: str, subject: str, *, forward: bool = True) -> str:
    complaint = ombudsman.post("/v1/complaints", complaint_body(region_code=region_code, subject=subject))
    referral = ombudsman.post(f"/v1/complaints/{complaint['id']}/referrals", {"agency_code": agency_code})
    if forward:
        ombudsman.post(f"/v1/referrals/{referral['id']}/forward", {"due_working_days": 10})
    return referral["id"]


@pytest.fixture(scope="module")
def world(ui_live_server: str) -> dict:
    admin = LiveApi(ui_live_server, BOOTSTRAP_ADMIN_KEY)
    keys = {
        "ombudsman": issue(admin, "ombudsman", "Ombudsman Perwakilan Kalimantan Timur", region_code="64"),
        "samarinda": issue(admin, "agency", "Inspektorat Kota Samarinda", agency_code="inspektorat-64.72"),
        "bontang": issue(admin, "agency", "Inspektorat Kota Bontang", agency_code="inspektorat-64.74"),
        "balikpapan": issue(admin, "agency", "Inspektorat Kota Balikpapan", agency_code="inspektorat-64.71"),
    }
    ombudsman = LiveApi(ui_live_server, keys["ombudsman"])
    # Some history, so the figures have something to show.
    balikpapan = LiveApi(ui_live_server, keys["balikpapan"])
    for subject in ("Pungutan liar pembuatan KTP", "Jalan rusak tidak diperbaiki", "Layanan puskesmas ditolak"):
        referral_id = refer(ombudsman, "inspektorat-64.71", "64.71", subject)
        if subject != "Layanan puskesmas ditolak":
            balikpapan.post(
                f"/v1/referrals/{referral_id}/respond", {"outcome": "action_taken", "summary": "Sudah ditangani."}
            )
    refer(ombudsman, "inspektorat-64.74", "64.74", "Sertifikat tanah belum terbit")
    refer(ombudsman, "inspektorat-64.02", "64.02", "Bantuan sosial tidak tepat sasaran")
    refer(ombudsman, "inspektorat-64.72", "64.72", "Banjir karena drainase tersumbat")
    # The referral the story is about: received, not forwarded yet.
    story = refer(ombudsman, "inspektorat-64.72", "64.72", "Izin usaha tidak diproses", forward=False)
    return {"base": ui_live_server, "keys": keys, "referral": story}


EVERY_FIELD_LABELLED = """
    [...document.querySelectorAll('input:not([type=hidden]), select, textarea')].every(field => field.labels.length > 0)
"""


def sign_in(chromium, base: str, key: str, lang: str | None = None):
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
    page = context.new_page()
    page.goto(f"{base}/ui/sign-in" + (f"?lang={lang}" if lang else ""))
    page.get_by_label("Kunci API" if lang != "en" else "API key").fill(key)
    page.get_by_role("button", name="Masuk" if lang != "en" else "Sign in").click()
    return context, page


def test_the_coordination_meeting_on_one_screen(chromium, artifacts, world):
    base, keys, referral_id = world["base"], world["keys"], world["referral"]

    # The Ombudsman's Kalimantan Timur office: the figures, then the referral, which it forwards.
    context, page = sign_in(chromium, base, keys["ombudsman"])
    assert page.url.startswith(f"{base}/ui/figures")
    page.get_by_label("Wilayah").select_option("64")
    page.get_by_role("button", name="Tampilkan").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Kinerja instansi")
    table = page.locator("table.figures")
    assert "Inspektorat Kota Samarinda" in table.inner_text()
    assert "Inspektorat Kota Balikpapan" in table.inner_text()
    assert page.locator("svg.chart").count() == 3
    page.screenshot(path=artifacts / "01-figures.png", full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="Unduh CSV").click()
    assert download.value.suggested_filename.startswith("agency-performance-")
    page.get_by_role("link", name="Tampilan cetak (A4)").click()
    page.emulate_media(media="print")
    page.screenshot(path=artifacts / "02-figures-print.png", full_page=True)
    page.pdf(path=artifacts / "02-figures-print.pdf", format="A4")
    page.emulate_media(media="screen")
    page.goto(f"{base}/ui/deadlines")
    page.screenshot(path=artifacts / "03-deadlines.png", full_page=True)

    page.goto(f"{base}/ui/referrals/{referral_id}")
    assert "Diterima" in page.locator("h1").inner_text()
    assert page.evaluate(EVERY_FIELD_LABELLED), "a form field without a label"
    page.screenshot(path=artifacts / "04-referral-received.png", full_page=True)
    page.get_by_label("Tenggat (hari kerja)").fill("10")
    page.get_by_role("button", name="Teruskan ke instansi").click()
    assert page.get_by_role("status").inner_text() == "Tersimpan."
    assert "Diteruskan" in page.locator("h1").inner_text()
    assert "WITA" in page.locator("#referral-h + dl").inner_text()
    page.screenshot(path=artifacts / "05-referral-forwarded.png", full_page=True)
    context.close()

    # The Inspektorat Kota Samarinda: its queue, then acknowledge and respond.
    context, page = sign_in(chromium, base, keys["samarinda"])
    assert page.url.startswith(f"{base}/ui/queue")
    assert page.get_by_role("link", name="Izin usaha").count() == 0  # links show references, not subjects
    page.screenshot(path=artifacts / "06-agency-queue.png", full_page=True)
    page.locator(f'a[href="/ui/referrals/{referral_id}"]').click()
    page.get_by_label("Nomor internal instansi").fill("SMD-2026-0042")
    page.get_by_role("button", name="Konfirmasi penerimaan").click()
    assert page.get_by_role("status").inner_text() == "Tersimpan."
    # Its report, attached from the page: listed with who added it and when, and downloadable.
    report = pdf_document("Laporan Hasil Pemeriksaan SMD-2026-0042", ["Izin usaha telah diterbitkan."])
    page.get_by_label("Berkas").set_input_files(
        {"name": "LHP-SMD-2026-0042.pdf", "mimeType": "application/pdf", "buffer": report}
    )
    page.get_by_role("button", name="Lampirkan").click()
    assert page.url.startswith(f"{base}/ui/referrals/{referral_id}?done=attached")
    assert page.get_by_role("status").inner_text() == "Lampiran tersimpan."
    row = page.locator("table.attachments tbody tr")
    assert row.count() == 1
    cells = row.first.locator("td").all_inner_texts()
    assert cells[0] == "LHP-SMD-2026-0042.pdf" and cells[1] == "PDF" and cells[3] == "Inspektorat Kota Samarinda"
    assert re.search(rf"\d{{1,2}} ({MONTHS_ID}) \d{{4}} \d\d\.\d\d WITA", cells[4]), cells[4]
    with page.expect_download() as download:
        row.first.get_by_role("link").click()
    assert download.value.suggested_filename == "LHP-SMD-2026-0042.pdf"
    assert Path(download.value.path()).read_bytes() == report
    page.screenshot(path=artifacts / "07a-referral-attachment.png", full_page=True)

    # A stale form: the Ombudsman adds a note while the answer is being typed. The refusal keeps
    # the text, says why, and sends it again against the current version from the page's address.
    page.get_by_label("Hasil").select_option("action_taken")
    page.get_by_label("Ringkasan").fill("Izin usaha telah diterbitkan.")
    ombudsman = LiveApi(base, keys["ombudsman"])
    current = ombudsman.client.get(f"/v1/referrals/{referral_id}")
    noted = ombudsman.client.post(
        f"/v1/referrals/{referral_id}/notes",
        json={"text": "Mohon lampirkan salinan izin."},
        headers={"If-Match": current.headers["etag"]},
    )
    assert noted.status_code in (200, 201), noted.text
    page.get_by_role("button", name="Kirim jawaban").click()
    assert page.url == f"{base}/ui/referrals/{referral_id}"
    assert "diubah oleh orang lain" in page.get_by_role("alert").inner_text()
    assert page.get_by_label("Ringkasan").input_value() == "Izin usaha telah diterbitkan."
    assert page.get_by_label("Hasil").input_value() == "action_taken"
    assert "Diterima" not in page.locator("h1").inner_text()  # still acknowledged, nothing was changed
    page.screenshot(path=artifacts / "07b-stale-form-kept.png", full_page=True)
    page.get_by_role("button", name="Kirim ulang (versi terbaru)").click()
    assert page.get_by_role("status").inner_text() == "Tersimpan."
    assert "Dijawab" in page.locator("h1").inner_text()
    timeline = page.locator("ol.timeline").inner_text()
    assert "Instansi menjawab" in timeline and "Rujukan dibuat" not in timeline  # agencies see from the forward on
    assert "Dokumen dilampirkan" in timeline and "LHP-SMD-2026-0042.pdf" in timeline
    page.screenshot(path=artifacts / "07-referral-responded.png", full_page=True)
    # The English switch.
    page.get_by_role("link", name="English").click()
    assert "Responded" in page.locator("h1").inner_text()
    page.screenshot(path=artifacts / "08-referral-english.png", full_page=True)
    context.close()

    # The Inspektorat Kota Bontang cannot open Samarinda's referral.
    context, page = sign_in(chromium, base, keys["bontang"])
    response = page.goto(f"{base}/ui/referrals/{referral_id}")
    assert response is not None and response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Tidak ditemukan"
    assert "Izin usaha" not in page.content()
    page.screenshot(path=artifacts / "09-other-agency-404.png", full_page=True)
    attachment_id = (
        LiveApi(base, keys["samarinda"]).client.get(f"/v1/referrals/{referral_id}/attachments").json()[0]["id"]
    )
    response = page.goto(f"{base}/ui/attachments/{attachment_id}")
    assert response is not None and response.status == 404
    context.close()

    # Keyboard: the skip link is the first stop and is visible when focused.
    context = chromium.new_context()
    page = context.new_page()
    page.goto(f"{base}/ui/sign-in")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"  # a visible focus ring
    assert page.evaluate(EVERY_FIELD_LABELLED)
    context.close()
