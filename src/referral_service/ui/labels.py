"""Names for the codes the pages show, in Bahasa Indonesia and English: event types, reason codes,
states, outcomes, resolutions, roles, channels and complaint categories.

Each table is keyed by the code as stored. tests/unit/test_ui_labels.py walks the webhook
catalogue and every enum a page shows, so a new event type or code cannot ship without both names.
"""

from __future__ import annotations

Labels = dict[str, dict[str, str]]

EVENT_TYPES: Labels = {
    "complaint.created": {"id": "Pengaduan dicatat", "en": "Complaint recorded"},
    "complaint.updated": {"id": "Pengaduan diubah", "en": "Complaint changed"},
    "complaint.erased": {"id": "Data pribadi pelapor dihapus", "en": "Complainant's personal data erased"},
    "referral.created": {"id": "Rujukan dibuat", "en": "Referral created"},
    "referral.forwarded": {"id": "Diteruskan ke instansi", "en": "Forwarded to the agency"},
    "referral.acknowledged": {"id": "Penerimaan dikonfirmasi", "en": "Receipt acknowledged"},
    "referral.note_added": {"id": "Catatan ditambahkan", "en": "Note added"},
    "referral.responded": {"id": "Instansi menjawab", "en": "The agency responded"},
    "referral.follow_up_requested": {"id": "Tindak lanjut diminta", "en": "Follow-up requested"},
    "referral.closed": {"id": "Rujukan ditutup", "en": "Referral closed"},
    "referral.due_date_changed": {"id": "Tenggat berubah", "en": "Due date changed"},
    "referral.due_soon": {"id": "Tenggat sudah dekat", "en": "Due soon"},
    "referral.overdue": {"id": "Lewat tenggat", "en": "Overdue"},
    "attachment.added": {"id": "Dokumen dilampirkan", "en": "Document attached"},
    "webhook.test": {"id": "Uji webhook", "en": "Webhook test"},
    "webhook.endpoint_disabled": {"id": "Webhook dinonaktifkan", "en": "Webhook endpoint disabled"},
}

# `referral.due_date_changed` data.reason (referrals.domain.DueDateChangeReason).
DUE_DATE_CHANGE_REASONS: Labels = {
    "calendar_changed": {
        "id": "kalender hari kerja diubah ({date})",
        "en": "the working-day calendar was changed ({date})",
    },
}

STATES: Labels = {
    "received": {"id": "Diterima", "en": "Received"},
    "forwarded": {"id": "Diteruskan", "en": "Forwarded"},
    "responded": {"id": "Dijawab", "en": "Responded"},
    "closed": {"id": "Ditutup", "en": "Closed"},
}

OUTCOMES: Labels = {
    "action_taken": {"id": "Sudah ditindaklanjuti", "en": "Action taken"},
    "not_substantiated": {"id": "Tidak terbukti", "en": "Not substantiated"},
    "not_competent": {"id": "Bukan wewenang", "en": "Not competent"},
}

RESOLUTIONS: Labels = {
    "resolved": {"id": "Selesai", "en": "Resolved"},
    "not_resolved": {"id": "Tidak selesai", "en": "Not resolved"},
    "withdrawn": {"id": "Dicabut pelapor", "en": "Withdrawn"},
    "not_competent": {"id": "Bukan wewenang", "en": "Not competent"},
    "duplicate": {"id": "Duplikat", "en": "Duplicate"},
    "cancelled": {"id": "Dibatalkan", "en": "Cancelled"},
}

# Who acted: a key's role, or the service itself ("system": reminders, calendar changes, retention).
ROLES: Labels = {
    "ombudsman": {"id": "Ombudsman", "en": "Ombudsman"},
    "admin": {"id": "Admin", "en": "Admin"},
    "agency": {"id": "Instansi", "en": "Agency"},
    "system": {"id": "Sistem", "en": "System"},
}

# Through which channel a change came (events.via).
VIA: Labels = {
    "api": {"id": "melalui API", "en": "through the API"},
    "web": {"id": "melalui halaman web", "en": "on the web pages"},
    "inbound_webhook": {"id": "dari sistem instansi", "en": "from the agency's system"},
    "system": {"id": "otomatis", "en": "automatically"},
}

# How the complaint reached the Ombudsman (complaints.schemas.Channel).
CHANNELS: Labels = {
    "walk_in": {"id": "Datang langsung", "en": "In person"},
    "letter": {"id": "Surat", "en": "Letter"},
    "email": {"id": "Surel", "en": "Email"},
    "phone": {"id": "Telepon", "en": "Telephone"},
    "web": {"id": "Situs web", "en": "Website"},
    "social_media": {"id": "Media sosial", "en": "Social media"},
    "sp4n_lapor": {"id": "SP4N-LAPOR!", "en": "SP4N-LAPOR!"},
    "other": {"id": "Lainnya", "en": "Other"},
}

# Classes of maladministration, Peraturan Ombudsman 26/2017 (complaints.schemas.Category).
CATEGORIES: Labels = {
    "penundaan_berlarut": {"id": "Penundaan berlarut", "en": "Undue delay"},
    "tidak_memberikan_pelayanan": {"id": "Tidak memberikan pelayanan", "en": "Failure to provide a service"},
    "tidak_kompeten": {"id": "Tidak kompeten", "en": "Incompetence"},
    "penyalahgunaan_wewenang": {"id": "Penyalahgunaan wewenang", "en": "Abuse of authority"},
    "penyimpangan_prosedur": {"id": "Penyimpangan prosedur", "en": "Deviation from procedure"},
    "permintaan_imbalan": {
        "id": "Permintaan imbalan uang, barang atau jasa",
        "en": "Request for money, goods or services",
    },
    "tidak_patut": {"id": "Tidak patut", "en": "Improper conduct"},
    "berpihak": {"id": "Berpihak", "en": "Partiality"},
    "diskriminasi": {"id": "Diskriminasi", "en": "Discrimination"},
    "konflik_kepentingan": {"id": "Konflik kepentingan", "en": "Conflict of interest"},
    "other": {"id": "Lainnya", "en": "Other"},
}

TABLES: dict[str, Labels] = {
    "event": EVENT_TYPES,
    "due_date_reason": DUE_DATE_CHANGE_REASONS,
    "state": STATES,
    "outcome": OUTCOMES,
    "resolution": RESOLUTIONS,
    "role": ROLES,
    "via": VIA,
    "channel": CHANNELS,
    "category": CATEGORIES,
}


def label(lang: str, kind: str, code: str | None, **values: object) -> str:
    """The name of `code` in `lang`; the code itself when it has none (the test sees to it that none is missing)."""
    if code is None:
        return "—"
    entry = TABLES[kind].get(code)
    if entry is None:
        return code
    text = entry.get(lang) or entry["id"]
    return text.format(**values) if values else text
