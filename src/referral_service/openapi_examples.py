"""Example values for the OpenAPI document: one consistent story (the Kalimantan Timur seed story).

A complaint received in Samarinda, referred to the Inspektorat Kota Samarinda, forwarded,
acknowledged and answered. Schemas reference these so every example in the document agrees
with every other one. Documentation only: nothing here is used at run time.
"""

from __future__ import annotations

from typing import Any

COMPLAINT_ID = "65881197-a37a-427e-b9b3-d5998f47d9fd"
REFERRAL_ID = "0b8f6f43-5c1e-4d0a-9a57-3f1f2e7c9d21"
KEY_ID = "5d0c3b0e-8a2f-4a39-9d6b-2c7e1f4a8b90"
ENDPOINT_ID = "9c4e2a71-1f3b-4d8e-b6a5-7e0d2c9f1a34"
INBOUND_EVENT_ID = "e2a1c4b7-6d3f-4c8a-9b1e-5f7d0a2c3e48"

COMPLAINANT: dict[str, Any] = {
    "name": "Budi Santoso",
    "email": "budi@example.org",
    "phone": "+62 812 0000 1111",
    "address": "Jl. Gajah Mada No. 1, Samarinda",
    "identity_number": "6472010101800001",
}

COMPLAINT_CREATE: dict[str, Any] = {
    "channel": "walk_in",
    "complainant": {"name": "Budi Santoso", "email": "budi@example.org", "phone": "+62 812 0000 1111"},
    "identity_confidential": False,
    "subject": "Izin usaha tidak diproses",
    "description": "Permohonan izin usaha diajukan tiga bulan lalu dan belum ada kabar.",
    "category": "penundaan_berlarut",
    "region_code": "64.72",
    "reported_party": {"agency_code": "opd-64.72-dpmptsp", "name": "Dinas Penanaman Modal dan PTSP Kota Samarinda"},
    "incident_date": "2026-08-14",
    "external_refs": [{"system": "sp4n_lapor", "id": "LAP-2026-77812"}],
}

COMPLAINT_OUT: dict[str, Any] = {
    "id": COMPLAINT_ID,
    "reference": "64-2026-000001",
    "channel": "walk_in",
    "received_at": "2026-11-27T02:56:23.273054Z",
    "complainant": {
        "name": "Budi Santoso",
        "email": "budi@example.org",
        "phone": "+62 812 0000 1111",
        "address": None,
        "identity_number": None,
    },
    "identity_confidential": False,
    "subject": "Izin usaha tidak diproses",
    "description": "Permohonan izin usaha diajukan tiga bulan lalu dan belum ada kabar.",
    "category": "penundaan_berlarut",
    "reported_party": {"agency_code": "opd-64.72-dpmptsp", "name": "Dinas Penanaman Modal dan PTSP Kota Samarinda"},
    "region_code": "64.72",
    "incident_date": "2026-08-14",
    "external_refs": [{"system": "sp4n_lapor", "id": "LAP-2026-77812"}],
    "created_at": "2026-11-27T02:56:23.273054Z",
    "updated_at": "2026-11-27T02:56:23.273054Z",
}

RESPONSE_OUT: dict[str, Any] = {
    "outcome": "action_taken",
    "summary": "Izin telah diterbitkan pada 2 Desember 2026.",
    "actions_taken": "DPMPTSP memproses ulang berkas dan menegur petugas loket.",
    "responded_at": "2026-12-02T06:10:00Z",
}

REFERRAL_OUT: dict[str, Any] = {
    "id": REFERRAL_ID,
    "complaint_id": COMPLAINT_ID,
    "agency_code": "inspektorat-64.72",
    "state": "forwarded",
    "instructions": "Mohon klarifikasi ke DPMPTSP Kota Samarinda.",
    "forwarded_at": "2026-11-27T03:00:00Z",
    "due_at": "2026-12-17T15:59:59.999999Z",
    "acknowledged_at": "2026-11-27T04:15:00Z",
    "external_ref": "SMD-ADU-2026-0042",
    "response": None,
    "resolution": None,
    "closed_at": None,
    "follow_up_count": 0,
    "overdue": False,
    "working_days_remaining": 13,
    "allowed_actions": ["respond", "add_note"],
    "created_at": "2026-11-27T02:58:00Z",
    "updated_at": "2026-11-27T04:15:00Z",
    "complaint": COMPLAINT_OUT,
}

ACTOR: dict[str, Any] = {"key_id": KEY_ID, "role": "agency", "agency_code": "inspektorat-64.72"}

EVENT_OUT: dict[str, Any] = {
    "id": 1042,
    "complaint_id": COMPLAINT_ID,
    "referral_id": REFERRAL_ID,
    "sequence": 3,
    "type": "referral.acknowledged",
    "occurred_at": "2026-11-27T04:15:00Z",
    "actor": ACTOR,
    "via": "api",
    "from_state": "forwarded",
    "to_state": "forwarded",
    "data": {"external_ref": "SMD-ADU-2026-0042"},
}

AGENCY_OUT: dict[str, Any] = {
    "code": "inspektorat-64.72",
    "name": "Inspektorat Kota Samarinda",
    "kind": "inspektorat_kota",
    "region_code": "64.72",
    "parent_code": None,
    "timezone": "Asia/Makassar",
    "active": True,
    "default_due_working_days": 14,
    "created_at": "2026-11-01T00:00:00Z",
    "updated_at": "2026-11-01T00:00:00Z",
}

API_KEY_OUT: dict[str, Any] = {
    "id": KEY_ID,
    "role": "agency",
    "name": "SIMWAS Inspektorat Kota Samarinda",
    "agency_code": "inspektorat-64.72",
    "region_code": None,
    "key_prefix": "rsk_sJmFnY",
    "created_at": "2026-11-27T02:50:00Z",
    "revoked_at": None,
}

ENDPOINT_OUT: dict[str, Any] = {
    "id": ENDPOINT_ID,
    "url": "https://simwas.samarindakota.go.id/hooks/ombudsman",
    "description": "SIMWAS produksi",
    "event_types": ["referral.forwarded", "referral.follow_up_requested", "referral.closed"],
    "owner": {"role": "agency", "agency_code": "inspektorat-64.72", "region_code": None},
    "disabled": False,
    "disabled_at": None,
    "disabled_reason": None,
    "failing_since": None,
    "previous_secret_expires_at": None,
    "created_at": "2026-11-27T03:05:00Z",
    "updated_at": "2026-11-27T03:05:00Z",
}

ATTEMPT_OUT: dict[str, Any] = {
    "attempted_at": "2026-11-27T03:00:01Z",
    "duration_ms": 182,
    "response_status": 200,
    "response_body": '{"ok":true}',
    "error": None,
}

DELIVERY_OUT: dict[str, Any] = {
    "id": 5531,
    "endpoint_id": ENDPOINT_ID,
    "webhook_id": "msg_2f1c9a7e4b3d4e0f8a6b5c2d1e0f9a8b",
    "event_type": "referral.forwarded",
    "event_id": 1041,
    "status": "delivered",
    "attempt_count": 1,
    "next_attempt_at": None,
    "delivered_at": "2026-11-27T03:00:01Z",
    "created_at": "2026-11-27T03:00:00Z",
    "attempts": [ATTEMPT_OUT],
}

CALENDAR_DAY: dict[str, Any] = {
    "date": "2026-03-20",
    "name": "Hari Raya Idul Fitri",
    "source": "public",
    "declared_working": False,
}

REPORT_ROW: dict[str, Any] = {
    "agency_code": "inspektorat-64.72",
    "agency_name": "Inspektorat Kota Samarinda",
    "region_code": "64.72",
    "forwarded": 40,
    "responded": 31,
    "closed": 25,
    "open": 15,
    "open_overdue": 3,
    "responded_on_time": 27,
    "share_on_time": 0.871,
    "median_working_days_to_respond": 9.0,
    "follow_ups_requested": 4,
}

REFERRAL_SNAPSHOT = {k: REFERRAL_OUT[k] for k in ("id", "complaint_id", "agency_code", "state", "due_at", "complaint")}


def event_data(event_type: str, state: str | None, from_state: str | None, details: dict[str, Any]) -> dict[str, Any]:
    return {
        "event_id": 1041,
        "complaint_id": COMPLAINT_ID,
        "referral_id": REFERRAL_ID,
        "agency_code": "inspektorat-64.72",
        "state": state,
        "from_state": from_state,
        "sequence": 2,
        "details": details,
    }


ATTACHMENT_ID = "7a3f9c12-4b6e-4d21-8e5a-0c9b1d2f3e47"
ATTACHMENT_OUT: dict[str, Any] = {
    "id": ATTACHMENT_ID,
    "filename": "Laporan Hasil Pemeriksaan.pdf",
    "size": 482113,
    "media_type": "application/pdf",
    "sha256": "9f2c4e1d7b3a5f6e8c0d2b4a6f8e0c2d4b6a8f0e2c4d6b8a0f2e4c6d8b0a2f4e",
    "contains_identity": False,
    "complaint_id": COMPLAINT_ID,
    "referral_id": REFERRAL_ID,
    "uploaded_by": KEY_ID,
    "uploaded_by_role": "agency",
    "uploaded_at": "2026-11-27T03:00:00Z",
    "download_path": f"/v1/attachments/{ATTACHMENT_ID}",
}
