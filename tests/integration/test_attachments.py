"""Evidence documents through HTTP, on PostgreSQL storage and on a real S3-compatible server: the
story of a complaint's letter and an Inspektorat's report, identity documents a confidential
complainant's agency never sees, and attachment.added webhooks.

Upload checks are in test_attachment_uploads.py; ranges, blob cleanup and the removal of identity
documents in test_attachment_storage.py.
"""

from __future__ import annotations

import hashlib
import uuid

from tests.attachment_support import PNG, content_digest, docx_bytes, pdf_bytes, upload_headers
from tests.conftest import create_complaint


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
