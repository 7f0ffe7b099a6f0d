"""The coordination meeting on a first start, in a real browser: `serve --demo` on an empty database,
then the Ombudsman, the Inspektorat Kota Samarinda and a shared screen in presenting mode.

A browser whose locale is en-US on purpose: the pages' dates must not follow it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.test_demo_quarter import _database, _drop, _keys, _serving
from tests.ui.conftest import CHROMIUM, launched_chromium

pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium) to run browser tests",
    ),
]

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MONTHS_ID = "Januari|Februari|Maret|April|Mei|Juni|Juli|Agustus|September|Oktober|November|Desember"


@pytest.fixture(scope="module")
def demo(database_url: str, tmp_path_factory: Any) -> Iterator[dict[str, Any]]:
    """A first start: `serve --demo --with-worker` (as `dev.py serve` runs it, jobs included) on a new database."""
    url = _database(database_url, "_ui_demo")
    try:
        with _serving(url, tmp_path_factory.mktemp("demo"), "--demo", "--with-worker") as (base, printed):
            yield {"base": base, "keys": _keys(printed)}
    finally:
        _drop(url)


@pytest.fixture(scope="module")
def browser(demo: dict[str, Any]) -> Iterator[Any]:
    with launched_chromium() as launched:
        yield launched


def open_signed_in(browser: Any, base: str, key: str) -> tuple[Any, Any]:
    """A new US-English browser that opens the service's address and signs in where it is sent."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="en-US", timezone_id="America/New_York"
    )
    page = context.new_page()
    page.goto(base + "/")
    assert page.url == f"{base}/ui/sign-in", page.url
    page.get_by_label("Kunci API").fill(key)
    page.get_by_role("button", name="Masuk").click()
    return context, page


def test_a_first_start_shows_a_quarter_of_figures_deadlines_and_queue(browser, demo, artifacts: Path) -> None:
    base, keys = demo["base"], demo["keys"]
    # A browser at / is sent to the web pages (item 9), and from the sign-in to the figures.
    context, page = open_signed_in(browser, base, keys["OMBUDSMAN_KEY"])
    assert page.url.startswith(f"{base}/ui/figures")
    table = page.locator("table.figures")
    assert table.locator("tbody tr").count() == 11
    assert page.locator("td.num.warn").count() >= 2, "some agencies have overdue referrals"
    assert page.locator("svg.chart rect.bar").count() >= 10, "the charts have bars"
    assert "100 %" in table.inner_text() and re.search(r"\b[1-9]\d? %", table.inner_text())
    # Dates: written by the server, and ISO in the form, whatever the browser's locale (item 5).
    lead = page.locator("p.lead").inner_text()
    assert re.search(rf"1 Januari \d{{4}} – \d{{1,2}} ({MONTHS_ID}) \d{{4}}", lead), lead
    for field in ("#from", "#to"):
        assert page.locator(field).get_attribute("type") is None
        assert ISO_DATE.match(page.locator(field).input_value())
    page.screenshot(path=artifacts / "20-demo-figures.png", full_page=True)
    # Regions by name (item 4).
    page.get_by_label("Wilayah").select_option(label="Kota Samarinda (64.72)")
    page.get_by_role("button", name="Tampilkan").click()
    assert page.locator("h1").inner_text() == "Kinerja instansi — Kota Samarinda (64.72)"
    assert table.locator("tbody tr").count() == 1

    # Deadlines: overdue and due soon, due soon meaning REFERRAL_DUE_SOON_WORKING_DAYS (item 7).
    page.get_by_role("link", name="Tenggat").click()
    assert page.locator("#soon-h").inner_text() == "Segera jatuh tempo (dalam 2 hari kerja)"
    overdue = page.locator("section[aria-labelledby=overdue-h] tbody tr")
    soon = page.locator("section[aria-labelledby=soon-h] tbody tr")
    assert overdue.count() >= 3 and soon.count() >= 1
    assert re.search(rf"\d{{1,2}} ({MONTHS_ID}) \d{{4}} \d\d\.\d\d WITA", overdue.first.inner_text())
    page.screenshot(path=artifacts / "21-demo-deadlines.png", full_page=True)

    page.get_by_role("link", name="Antrean rujukan").click()
    rows = page.locator("table tbody tr")
    assert rows.count() >= 20
    states = page.locator("table tbody td span.state").all_inner_texts()
    assert {"Diterima", "Diteruskan", "Dijawab", "Ditutup"} <= set(states)
    page.screenshot(path=artifacts / "22-demo-queue.png", full_page=True)
    context.close()


def test_the_timeline_names_every_event(browser, demo, artifacts: Path) -> None:
    base, keys = demo["base"], demo["keys"]
    context, page = open_signed_in(browser, base, keys["OMBUDSMAN_KEY"])
    for state, subject, expected in (
        ("responded", "Pungutan liar pembuatan KTP di kelurahan", ["Dokumen dilampirkan", "Instansi menjawab"]),
        ("closed", "Banjir karena drainase tersumbat tidak ditangani", ["Tindak lanjut diminta", "Rujukan ditutup"]),
    ):
        page.goto(f"{base}/ui/queue?state={state}&lang=id")
        page.get_by_role("row", name=re.compile(subject)).get_by_role("link").click()
        timeline = page.locator("ol.timeline")
        text = timeline.inner_text()
        for label in ("Rujukan dibuat", "Diteruskan ke instansi", "Penerimaan dikonfirmasi", *expected):
            assert label in text, (subject, label)
        assert "event_" not in text and not re.search(r"\b(referral|attachment)\.[a-z_]+", text)
        assert page.locator("dl").first.get_by_text("Kota Samarinda (64.72)").count() == 1
    # The same referral in English.
    page.get_by_role("link", name="English").click()
    text = page.locator("ol.timeline").inner_text()
    assert "Follow-up requested" in text and "Referral closed" in text and "by Agency" in text
    assert "Resolution: Resolved" in text
    page.screenshot(path=artifacts / "23-demo-timeline-english.png", full_page=True)
    context.close()


def test_presenting_mode_on_the_shared_screen(browser, demo, artifacts: Path) -> None:
    base, keys = demo["base"], demo["keys"]
    context, page = open_signed_in(browser, base, keys["OMBUDSMAN_KEY"])
    page.goto(f"{base}/ui/queue?state=forwarded")
    page.get_by_role("row", name=re.compile("Sertifikat tanah")).get_by_role("link").click()
    complaint = page.locator("section[aria-labelledby=complaint-h]")
    # The confidential identity is marked (item 2) ...
    assert "Rina Marlina" in complaint.inner_text()
    assert complaint.locator(".badge.confidential").first.inner_text() == "Identitas dirahasiakan"
    assert "Penundaan berlarut" in complaint.inner_text()  # the category by name (item 4)
    # The KTP copy is listed for the Ombudsman, marked as an identity document.
    evidence = page.locator("table.attachments")
    assert "ktp-pelapor.png" in evidence.inner_text() and "Dokumen identitas pelapor" in evidence.inner_text()
    page.screenshot(path=artifacts / "24-confidential-marked.png", full_page=True)
    referral_url = page.url

    # ... and presenting mode hides it, and every free text, on every page.
    page.get_by_role("button", name="Mode presentasi").click()
    assert page.url == referral_url
    assert page.get_by_role("status").first.inner_text().startswith("Mode presentasi:")
    body = page.locator("main").inner_text()
    assert "Rina Marlina" not in body and "Sertifikat tanah" not in body and "Mohon diperiksa" not in body
    assert "ktp-pelapor" not in body  # a document's name is free text too
    assert "disembunyikan (mode presentasi)" in body and "Identitas dirahasiakan" in body
    page.screenshot(path=artifacts / "25-presenting-referral.png", full_page=True)
    for link in ("Antrean rujukan", "Tenggat", "Rapat koordinasi"):
        page.get_by_role("link", name=link).click()
        text = page.locator("main").inner_text()
        assert "Sertifikat tanah" not in text and "Pungutan liar" not in text, link
        assert text.startswith("Mode presentasi:"), link
    page.goto(f"{base}/ui/queue?state=")
    page.screenshot(path=artifacts / "26-presenting-queue.png", full_page=True)
    page.get_by_role("button", name="Akhiri mode presentasi").click()
    assert "Sertifikat tanah" in page.locator("main").inner_text()
    context.close()


def test_an_agency_finds_its_own_figures(browser, demo, artifacts: Path) -> None:
    base, keys = demo["base"], demo["keys"]
    context, page = open_signed_in(browser, base, keys["SAMARINDA_KEY"])
    assert page.url.startswith(f"{base}/ui/queue")
    # Samarinda never sees the confidential identity, presenting or not.
    page.get_by_role("link", name="Rapat koordinasi").click()  # the navigation offers the figures (item 10)
    assert page.locator("table.figures tbody tr").count() == 1
    assert "Inspektorat Kota Samarinda" in page.locator("table.figures").inner_text()
    assert page.get_by_label("Wilayah").count() == 0
    assert "diteruskan ke instansi Anda" in page.locator("p.lead").inner_text()
    page.screenshot(path=artifacts / "27-agency-figures.png", full_page=True)
    page.goto(f"{base}/ui/queue?state=forwarded")
    page.get_by_role("row", name=re.compile("Sertifikat tanah")).get_by_role("link").click()
    complaint = page.locator("section[aria-labelledby=complaint-h]").inner_text()
    assert "Rina Marlina" not in complaint and "Identitas pelapor dirahasiakan" in complaint
    assert "Dokumen identitas" not in page.locator("ol.timeline").inner_text()
    # Nor its KTP copy among the attachments, which lists what the API lists for it.
    assert "ktp-pelapor" not in page.locator("#attachments").inner_text()
    context.close()
