"""An identity document of a confidential complainant, on the referral page an agency reads: the page
shows the agency no more of the timeline than the API does (both ask auth/scope.py)."""

from __future__ import annotations

import httpx
import pytest

from referral_service.demo_documents import pdf_document
from tests.conftest import create_complaint
from tests.integration.test_ui_http import BASE, sign_in
from tests.integration.test_ui_meeting import upload

IDENTITY_DOCUMENT = "Dokumen identitas pelapor"  # how the page names an identity document's announcement


@pytest.fixture
async def browser(app):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as client:
        yield client


async def test_the_agency_page_does_not_announce_the_ombudsmans_identity_document(browser, ombudsman_kaltim, samarinda):
    complaint = await create_complaint(
        ombudsman_kaltim, identity_confidential=True, complainant={"name": "Pelapor Tersembunyi"}
    )
    created = await ombudsman_kaltim.post(
        f"/v1/complaints/{complaint['id']}/referrals", json={"agency_code": "inspektorat-64.72"}
    )
    referral_id = created.json()["id"]
    rid = f"/v1/referrals/{referral_id}"
    assert (await ombudsman_kaltim.post(f"{rid}/forward", json={})).status_code == 200
    await upload(
        ombudsman_kaltim, f"{rid}/attachments", pdf_document("KTP", ["NIK"]), "application/pdf", "ktp.pdf", True
    )
    await upload(ombudsman_kaltim, f"{rid}/attachments", pdf_document("Surat", ["Isi"]), "application/pdf", "surat.pdf")

    # The API: the Ombudsman sees both announcements, the agency only the ordinary document's.
    ombudsman_types = [e["type"] for e in (await ombudsman_kaltim.get(f"{rid}/events")).json()]
    agency_types = [e["type"] for e in (await samarinda.get(f"{rid}/events")).json()]
    assert ombudsman_types.count("attachment.added") == 2
    assert agency_types.count("attachment.added") == 1

    await sign_in(browser, ombudsman_kaltim.key)
    ombudsman_page = (await browser.get(f"/ui/referrals/{referral_id}")).text
    assert IDENTITY_DOCUMENT in ombudsman_page and ombudsman_page.count("Dokumen dilampirkan") == 2
    browser.cookies.clear()
    await sign_in(browser, samarinda.key)
    agency_page = await browser.get(f"/ui/referrals/{referral_id}")
    assert agency_page.status_code == 200
    assert IDENTITY_DOCUMENT not in agency_page.text
    assert agency_page.text.count("Dokumen dilampirkan") == 1 and "surat.pdf" in agency_page.text
