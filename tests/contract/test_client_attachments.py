"""Attachments through the GENERATED Python client against a live server: the complaint's PDF, the
Inspektorat's report on the referral, the listing and the download, and a refusal as a Problem."""

from __future__ import annotations

import hashlib
import io
import sys
from pathlib import Path

import httpx
import pytest

from tests.attachment_support import PNG, pdf_bytes
from tests.conftest import BOOTSTRAP_ADMIN_KEY, complaint_body

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module", autouse=True)
def generated_client_importable():
    path = str(ROOT / "clients" / "python")
    sys.path.insert(0, path)
    yield
    sys.path.remove(path)


def _key(base: str, **body) -> str:
    response = httpx.post(
        f"{base}/v1/api-keys",
        json={"name": "client attachments", **body},
        headers={"Authorization": f"Bearer {BOOTSTRAP_ADMIN_KEY}"},
    )
    assert response.status_code == 201, response.text
    return response.json()["key"]


def test_attachments_through_the_generated_client(live_server: str) -> None:
    from referral_service_client import AuthenticatedClient
    from referral_service_client.api.attachments import (
        attachments_download,
        attachments_list_for_referral,
        attachments_upload_to_complaint,
        attachments_upload_to_referral,
    )
    from referral_service_client.models import AttachmentOut, Problem
    from referral_service_client.types import File

    ombudsman_key = _key(live_server, role="ombudsman")
    ombudsman = AuthenticatedClient(base_url=live_server, token=ombudsman_key)
    samarinda = AuthenticatedClient(
        base_url=live_server, token=_key(live_server, role="agency", agency_code="inspektorat-64.72")
    )
    # Setup through plain HTTP: a complaint referred and forwarded to Samarinda.
    with httpx.Client(base_url=live_server, headers={"Authorization": f"Bearer {ombudsman_key}"}) as http:
        complaint_id = http.post("/v1/complaints", json=complaint_body()).json()["id"]
        referral_id = http.post(
            f"/v1/complaints/{complaint_id}/referrals", json={"agency_code": "inspektorat-64.72"}
        ).json()["id"]
        assert http.post(f"/v1/referrals/{referral_id}/forward", json={}).status_code == 200

    letter = pdf_bytes("Surat pengaduan")
    stored = attachments_upload_to_complaint.sync(
        complaint_id,
        client=ombudsman,
        body=File(payload=io.BytesIO(letter)),
        content_disposition='attachment; filename="surat.pdf"',
    )
    assert isinstance(stored, AttachmentOut), stored
    assert stored.media_type == "application/pdf" and stored.sha256 == hashlib.sha256(letter).hexdigest()

    report = pdf_bytes("Laporan Hasil Pemeriksaan")
    lhp = attachments_upload_to_referral.sync(
        referral_id,
        client=samarinda,
        body=File(payload=io.BytesIO(report)),
        content_disposition="attachment; filename*=UTF-8''LHP%20Samarinda.pdf",
    )
    assert isinstance(lhp, AttachmentOut), lhp
    assert lhp.filename == "LHP Samarinda.pdf" and str(lhp.referral_id) == referral_id

    listed = attachments_list_for_referral.sync(referral_id, client=samarinda)
    assert [a.id for a in listed] == [stored.id, lhp.id]
    downloaded = attachments_download.sync_detailed(lhp.id, client=ombudsman)
    assert downloaded.status_code == 200 and downloaded.content == report

    # A PNG declared as nothing in particular is recognised; bytes of no allowed type are a Problem.
    png = attachments_upload_to_complaint.sync(
        complaint_id,
        client=ombudsman,
        body=File(payload=io.BytesIO(PNG)),
        content_disposition='attachment; filename="a.png"',
    )
    assert isinstance(png, AttachmentOut) and png.media_type == "image/png"
    refused = attachments_upload_to_complaint.sync(
        complaint_id,
        client=ombudsman,
        body=File(payload=io.BytesIO(b"MZ\x90\x00")),
        content_disposition='attachment; filename="a.exe"',
    )
    assert isinstance(refused, Problem) and refused.status == 415
