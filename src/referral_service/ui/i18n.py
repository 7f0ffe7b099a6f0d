"""The pages' words in Bahasa Indonesia (the default) and English, and dates on the agency's clock."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"
LANG_COOKIE = "ui_lang"

MESSAGES: dict[str, dict[str, str]] = {
    "app_title": {"id": "Layanan Rujukan Pengaduan", "en": "Complaint Referral Service"},
    "skip_to_content": {"id": "Langsung ke isi", "en": "Skip to content"},
    "sign_in": {"id": "Masuk", "en": "Sign in"},
    "sign_out": {"id": "Keluar", "en": "Sign out"},
    "api_key": {"id": "Kunci API", "en": "API key"},
    "api_key_hint": {
        "id": "Kunci yang diterbitkan untuk Anda atau instansi Anda.",
        "en": "The key issued to you or your agency.",
    },
    "sign_in_failed": {"id": "Kunci API tidak dikenal atau sudah dicabut.", "en": "Unknown or revoked API key."},
    "session_expired": {
        "id": "Sesi Anda telah berakhir. Silakan masuk lagi.",
        "en": "Your session has ended. Please sign in again.",
    },
    "csrf_failed": {
        "id": "Formulir kedaluwarsa atau tidak sah. Muat ulang halaman dan coba lagi.",
        "en": "The form has expired or is not valid. Reload the page and try again.",
    },
    "signed_in_as": {"id": "Masuk sebagai", "en": "Signed in as"},
    "language": {"id": "Bahasa", "en": "Language"},
    "nav_figures": {"id": "Rapat koordinasi", "en": "Coordination meeting"},
    "nav_deadlines": {"id": "Tenggat", "en": "Deadlines"},
    "nav_queue": {"id": "Antrean rujukan", "en": "Referral queue"},
    "figures_title": {"id": "Kinerja instansi", "en": "Agency performance"},
    "figures_intro": {
        "id": "Rujukan yang diteruskan dalam periode ini, per instansi.",
        "en": "Referrals forwarded in this period, per agency.",
    },
    "period_from": {"id": "Dari tanggal", "en": "From"},
    "period_to": {"id": "Sampai tanggal", "en": "To"},
    "region": {"id": "Wilayah", "en": "Region"},
    "all_regions": {"id": "Semua wilayah dalam cakupan", "en": "All regions in scope"},
    "show": {"id": "Tampilkan", "en": "Show"},
    "download_csv": {"id": "Unduh CSV", "en": "Download CSV"},
    "print_view": {"id": "Tampilan cetak (A4)", "en": "Print view (A4)"},
    "agency": {"id": "Instansi", "en": "Agency"},
    "forwarded": {"id": "Diteruskan", "en": "Forwarded"},
    "responded": {"id": "Dijawab", "en": "Answered"},
    "closed": {"id": "Ditutup", "en": "Closed"},
    "open": {"id": "Terbuka", "en": "Open"},
    "open_overdue": {"id": "Terbuka & lewat tenggat", "en": "Open & overdue"},
    "share_on_time": {"id": "Dijawab tepat waktu", "en": "Answered on time"},
    "median_days": {"id": "Median hari kerja sampai dijawab", "en": "Median working days to respond"},
    "follow_ups": {"id": "Tindak lanjut diminta", "en": "Follow-ups requested"},
    "chart_on_time": {"id": "Persentase dijawab tepat waktu", "en": "Share answered on time"},
    "chart_median": {"id": "Median hari kerja sampai dijawab", "en": "Median working days to respond"},
    "chart_open": {"id": "Terbuka dan lewat tenggat", "en": "Open and overdue"},
    "no_answers": {"id": "belum ada jawaban", "en": "no answers yet"},
    "no_rows": {"id": "Tidak ada instansi dalam cakupan.", "en": "No agencies in scope."},
    "invalid_period": {"id": "Periode tidak sah", "en": "Invalid period"},
    "generated_at": {"id": "Dibuat", "en": "Generated"},
    "deadlines_title": {"id": "Lewat tenggat dan segera jatuh tempo", "en": "Overdue and due soon"},
    "overdue": {"id": "Lewat tenggat", "en": "Overdue"},
    "due_soon": {"id": "Segera jatuh tempo", "en": "Due soon"},
    "due_soon_within": {"id": "dalam {n} hari kerja", "en": "within {n} working days"},
    "working_days_overdue": {"id": "Hari kerja terlambat", "en": "Working days overdue"},
    "working_days_remaining": {"id": "Sisa hari kerja", "en": "Working days remaining"},
    "nothing_here": {"id": "Tidak ada.", "en": "None."},
    "reference": {"id": "Nomor", "en": "Reference"},
    "subject": {"id": "Perihal", "en": "Subject"},
    "due_at": {"id": "Tenggat", "en": "Due"},
    "state": {"id": "Status", "en": "State"},
    "state_received": {"id": "Diterima", "en": "Received"},
    "state_forwarded": {"id": "Diteruskan", "en": "Forwarded"},
    "state_responded": {"id": "Dijawab", "en": "Responded"},
    "state_closed": {"id": "Ditutup", "en": "Closed"},
    "all_states": {"id": "Semua status", "en": "All states"},
    "overdue_only": {"id": "Hanya yang lewat tenggat", "en": "Overdue only"},
    "filter": {"id": "Saring", "en": "Filter"},
    "next_page": {"id": "Halaman berikutnya", "en": "Next page"},
    "first_page": {"id": "Halaman pertama", "en": "First page"},
    "queue_title": {"id": "Antrean rujukan", "en": "Referral queue"},
    "referral": {"id": "Rujukan", "en": "Referral"},
    "complaint": {"id": "Pengaduan", "en": "Complaint"},
    "complainant": {"id": "Pelapor", "en": "Complainant"},
    "identity_hidden": {"id": "Identitas pelapor dirahasiakan", "en": "Complainant's identity is confidential"},
    "description": {"id": "Uraian", "en": "Description"},
    "category": {"id": "Kategori", "en": "Category"},
    "reported_party": {"id": "Terlapor", "en": "Reported party"},
    "received_at": {"id": "Diterima pada", "en": "Received"},
    "instructions": {"id": "Instruksi", "en": "Instructions"},
    "forwarded_at": {"id": "Diteruskan pada", "en": "Forwarded"},
    "acknowledged_at": {"id": "Dikonfirmasi pada", "en": "Acknowledged"},
    "external_ref": {"id": "Nomor internal instansi", "en": "Agency's own reference"},
    "response": {"id": "Jawaban", "en": "Response"},
    "resolution": {"id": "Penyelesaian", "en": "Resolution"},
    "timeline": {"id": "Riwayat", "en": "Timeline"},
    "actions": {"id": "Tindakan", "en": "Actions"},
    "no_actions": {
        "id": "Tidak ada tindakan yang dapat Anda lakukan sekarang.",
        "en": "There is nothing you can do now.",
    },
    "action_forward": {"id": "Teruskan ke instansi", "en": "Forward to the agency"},
    "action_acknowledge": {"id": "Konfirmasi penerimaan", "en": "Acknowledge"},
    "action_respond": {"id": "Kirim jawaban", "en": "Respond"},
    "action_request_follow_up": {"id": "Minta tindak lanjut", "en": "Request follow-up"},
    "action_close": {"id": "Tutup rujukan", "en": "Close"},
    "action_add_note": {"id": "Tambah catatan", "en": "Add note"},
    "due_working_days": {"id": "Tenggat (hari kerja)", "en": "Deadline (working days)"},
    "due_default_hint": {
        "id": "Kosongkan untuk tenggat bawaan instansi.",
        "en": "Leave empty for the agency's default.",
    },
    "outcome": {"id": "Hasil", "en": "Outcome"},
    "summary": {"id": "Ringkasan", "en": "Summary"},
    "actions_taken": {"id": "Langkah yang diambil", "en": "Actions taken"},
    "reason": {"id": "Alasan", "en": "Reason"},
    "note": {"id": "Catatan", "en": "Note"},
    "outcome_action_taken": {"id": "Sudah ditindaklanjuti", "en": "Action taken"},
    "outcome_not_substantiated": {"id": "Tidak terbukti", "en": "Not substantiated"},
    "outcome_not_competent": {"id": "Bukan wewenang", "en": "Not competent"},
    "resolution_resolved": {"id": "Selesai", "en": "Resolved"},
    "resolution_not_resolved": {"id": "Tidak selesai", "en": "Not resolved"},
    "resolution_withdrawn": {"id": "Dicabut pelapor", "en": "Withdrawn"},
    "resolution_not_competent": {"id": "Bukan wewenang", "en": "Not competent"},
    "resolution_duplicate": {"id": "Duplikat", "en": "Duplicate"},
    "resolution_cancelled": {"id": "Dibatalkan", "en": "Cancelled"},
    "done": {"id": "Tersimpan.", "en": "Saved."},
    "stale": {
        "id": "Rujukan ini telah diubah oleh orang lain sejak halaman dimuat. Tidak ada yang diubah; "
        "periksa keadaan terbaru di bawah lalu coba lagi.",
        "en": "Someone else changed this referral since the page was loaded. Nothing was changed; "
        "check its current state below and try again.",
    },
    "not_allowed": {
        "id": "Tindakan ini tidak diizinkan saat ini. Tidak ada yang diubah.",
        "en": "This action is not allowed now. Nothing was changed.",
    },
    "invalid_input": {"id": "Isian tidak sah", "en": "Invalid input"},
    "not_found_title": {"id": "Tidak ditemukan", "en": "Not found"},
    "not_found_text": {
        "id": "Halaman atau rujukan ini tidak ada, atau Anda tidak berhak melihatnya.",
        "en": "This page or referral does not exist, or you may not see it.",
    },
    "forbidden_title": {"id": "Tidak diizinkan", "en": "Not permitted"},
    "too_many_title": {"id": "Terlalu banyak permintaan", "en": "Too many requests"},
    "too_many_text": {
        "id": "Terlalu banyak permintaan dalam waktu singkat. Coba lagi dalam {seconds} detik.",
        "en": "Too many requests in a short time. Try again in {seconds} seconds.",
    },
    "forbidden_text": {"id": "Kunci Anda tidak dapat membuka halaman ini.", "en": "Your key cannot open this page."},
    "back": {"id": "Kembali", "en": "Back"},
    "by": {"id": "oleh", "en": "by"},
    "event_referral.created": {"id": "Rujukan dibuat", "en": "Referral created"},
    "event_referral.forwarded": {"id": "Diteruskan ke instansi", "en": "Forwarded to the agency"},
    "event_referral.acknowledged": {"id": "Penerimaan dikonfirmasi", "en": "Acknowledged"},
    "event_referral.responded": {"id": "Instansi menjawab", "en": "The agency responded"},
    "event_referral.follow_up_requested": {"id": "Tindak lanjut diminta", "en": "Follow-up requested"},
    "event_referral.closed": {"id": "Rujukan ditutup", "en": "Closed"},
    "event_referral.note_added": {"id": "Catatan ditambahkan", "en": "Note added"},
    "event_referral.due_soon": {"id": "Tenggat sudah dekat", "en": "Due soon"},
    "event_referral.overdue": {"id": "Lewat tenggat", "en": "Overdue"},
    "role_ombudsman": {"id": "Ombudsman", "en": "Ombudsman"},
    "role_admin": {"id": "Admin", "en": "Admin"},
    "role_agency": {"id": "Instansi", "en": "Agency"},
    "role_system": {"id": "Sistem", "en": "System"},
    "print": {"id": "Cetak", "en": "Print"},
}

# Indonesian time zones by their usual abbreviations.
_ZONE_NAMES = {"Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}
_MONTHS = {
    "id": [
        "Januari",
        "Februari",
        "Maret",
        "April",
        "Mei",
        "Juni",
        "Juli",
        "Agustus",
        "September",
        "Oktober",
        "November",
        "Desember",
    ],
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
}


def translate(lang: str, key: str, **values: object) -> str:
    entry = MESSAGES.get(key)
    text = key if entry is None else entry.get(lang) or entry[DEFAULT_LANGUAGE]
    return text.format(**values) if values else text


def zone_name(timezone: str) -> str:
    return _ZONE_NAMES.get(timezone, timezone)


def local_datetime(lang: str, moment: datetime | None, timezone: str) -> str:
    """`16 Desember 2026 23.59 WITA`: the instant on the agency's wall clock."""
    if moment is None:
        return "—"
    local = moment.astimezone(ZoneInfo(timezone))
    separator = "." if lang == "id" else ":"
    return (
        f"{local.day} {_MONTHS[lang][local.month - 1]} {local.year} "
        f"{local.hour:02d}{separator}{local.minute:02d} {zone_name(timezone)}"
    )


def pick_language(query_lang: str | None, cookie_lang: str | None) -> str:
    for candidate in (query_lang, cookie_lang):
        if candidate in LANGUAGES:
            return candidate
    return DEFAULT_LANGUAGE
