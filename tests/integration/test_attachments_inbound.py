"""Signed uploads from an agency's own system, attached to a referral by the inbound push naming them."""

from __future__ import annotations

import uuid

from referral_service import signing
from referral_service.attachments import cleanup
from tests.attachment_support import PNG, content_digest, pdf_bytes
from tests.integration.inbound_support import BONTANG, SAMARINDA, event, forwarded_referral, push, rotate


def signed_upload_headers(
    secret: str,
    body: bytes,
    *,
    clock,
    media_type: str = "application/pdf",
    filename: str = "LHP.pdf",
    msg_id: str | None = None,
) -> dict:
    headers = signing.build_headers([secret], msg_id or f"msg_{uuid.uuid4().hex}", body, now=int(clock.now))
    return {**headers, "Content-Type": media_type, "Content-Disposition": f'attachment; filename="{filename}"'}


async def test_signed_upload_then_push_attaches_it_to_the_referral(
    blob_store,
    app,
    clock,
    ombudsman,
    samarinda,
    bontang,
):
    client = samarinda.client
    secret = await rotate(samarinda, SAMARINDA)
    rid = await forwarded_referral(ombudsman)
    report = pdf_bytes("Laporan Hasil Pemeriksaan", size=300_000)

    msg_id = f"msg_{uuid.uuid4().hex}"
    headers = signed_upload_headers(secret, report, clock=clock, msg_id=msg_id)
    up = await client.post(
        f"/v1/inbound/{SAMARINDA}/attachments",
        content=report,
        headers={**headers, "Content-Digest": content_digest(report)},
    )
    assert up.status_code == 201, up.text
    staged = up.json()
    assert staged["complaint_id"] is None and staged["referral_id"] is None
    assert staged["uploaded_by_role"] == "agency" and staged["size"] == len(report)
    # Attached to nothing yet: nobody reads it.
    assert (await samarinda.get(staged["download_path"])).status_code == 404
    assert (await ombudsman.get(staged["download_path"])).status_code == 404

    # A retry with the same webhook-id returns the first upload.
    again = await client.post(
        f"/v1/inbound/{SAMARINDA}/attachments",
        content=report,
        headers=signed_upload_headers(secret, report, clock=clock, msg_id=msg_id),
    )
    assert again.status_code == 200 and again.json()["id"] == staged["id"]
    assert again.headers["idempotent-replayed"] == "true"

    # Bontang cannot attach Samarinda's upload, and Samarinda cannot attach an unknown id.
    bontang_secret = await rotate(bontang, BONTANG)
    bontang_rid = await forwarded_referral(ombudsman, BONTANG, "64.74")
    stolen = await push(
        client,
        BONTANG,
        event("referral.note_added", referral_id=bontang_rid, text="Lampiran.", attachment_ids=[staged["id"]]),
        bontang_secret,
        clock=clock,
    )
    assert stolen.status_code == 422, stolen.text
    unknown = await push(
        client,
        SAMARINDA,
        event("referral.note_added", referral_id=rid, text="Lampiran.", attachment_ids=[str(uuid.uuid4())]),
        secret,
        clock=clock,
    )
    assert unknown.status_code == 422
    # The refused push changed nothing: no note on the timeline.
    assert "referral.note_added" not in [e["type"] for e in (await samarinda.get(f"/v1/referrals/{rid}/events")).json()]

    responded = await push(
        client,
        SAMARINDA,
        event(
            "referral.responded",
            referral_id=rid,
            outcome="action_taken",
            summary="LHP terlampir.",
            attachment_ids=[staged["id"]],
        ),
        secret,
        clock=clock,
    )
    assert responded.status_code == 200, responded.text
    assert responded.json()["referral"]["state"] == "responded"

    listed = (await ombudsman.get(f"/v1/referrals/{rid}/attachments")).json()
    assert [(a["id"], a["referral_id"]) for a in listed] == [(staged["id"], rid)]
    got = await samarinda.get(staged["download_path"])
    assert got.status_code == 200 and got.content == report
    timeline = (await ombudsman.get(f"/v1/referrals/{rid}/events")).json()
    added = [e for e in timeline if e["type"] == "attachment.added"]
    assert [e["data"]["id"] for e in added] == [staged["id"]]
    assert added[0]["via"] == "inbound_webhook"

    # Each upload is attached once.
    twice = await push(
        client,
        SAMARINDA,
        event("referral.note_added", referral_id=rid, text="Lagi.", attachment_ids=[staged["id"]]),
        secret,
        clock=clock,
    )
    assert twice.status_code == 422


async def test_signed_upload_refusals(app, clock, ombudsman, samarinda):
    client = samarinda.client
    secret = await rotate(samarinda, SAMARINDA)
    data = pdf_bytes()
    url = f"/v1/inbound/{SAMARINDA}/attachments"

    consumed = 0

    async def body():
        nonlocal consumed
        for _ in range(10):
            consumed += 1
            yield data

    # No signature headers: 401 before a byte of the body is read.
    unsigned = await client.post(
        url,
        content=body(),
        headers={"Content-Type": "application/pdf", "Content-Disposition": 'attachment; filename="a.pdf"'},
    )
    assert unsigned.status_code == 401
    assert consumed == 0
    # Signed over other bytes, or with another secret, or for an unknown agency: 401.
    tampered = await client.post(url, content=data + b" ", headers=signed_upload_headers(secret, data, clock=clock))
    assert tampered.status_code == 401
    other = signing.generate_secret()
    assert (
        await client.post(url, content=data, headers=signed_upload_headers(other, data, clock=clock))
    ).status_code == 401
    assert (
        await client.post(
            "/v1/inbound/tidak-ada-agency/attachments",
            content=data,
            headers=signed_upload_headers(secret, data, clock=clock),
        )
    ).status_code == 401
    # Signed, but the type is not what it says.
    mismatch = await client.post(url, content=PNG, headers=signed_upload_headers(secret, PNG, clock=clock))
    assert mismatch.status_code == 422
    assert (
        await client.post(
            url,
            content=b"MZ",
            headers=signed_upload_headers(secret, b"MZ", clock=clock, media_type="application/x-msdownload"),
        )
    ).status_code == 415


async def test_unclaimed_staged_uploads_expire(blob_store, app, clock, samarinda):
    import pytest

    from referral_service.attachments.storage import BlobNotFound

    secret = await rotate(samarinda, SAMARINDA)
    data = pdf_bytes("unclaimed")
    up = await samarinda.client.post(
        f"/v1/inbound/{SAMARINDA}/attachments", content=data, headers=signed_upload_headers(secret, data, clock=clock)
    )
    assert up.status_code == 201
    aid = uuid.UUID(up.json()["id"])
    async with app.state.pool.acquire() as conn:
        key = await conn.fetchval("SELECT blob_key FROM attachments WHERE id = $1", aid)
        await cleanup.clean_pending_blobs(conn, blob_store, older_than_seconds=3600)
        assert await conn.fetchval("SELECT count(*) FROM attachments WHERE id = $1", aid) == 1  # still young
        await conn.execute("UPDATE attachments SET uploaded_at = now() - interval '25 hours' WHERE id = $1", aid)
        await cleanup.clean_pending_blobs(conn, blob_store, older_than_seconds=3600)
        assert await conn.fetchval("SELECT count(*) FROM attachments WHERE id = $1", aid) == 0
        assert await conn.fetchval("SELECT count(*) FROM pending_blobs WHERE blob_key = $1", key) == 0
    with pytest.raises(BlobNotFound):
        [c async for c in blob_store.get_stream(key)]
