"""The pages' language (Bahasa Indonesia by default, or English), their words, and dates written out
on the server in that language: `8 Desember 2026` / `8 December 2026`, whatever the browser's locale.
Form fields take and show dates as ISO 8601 (`2026-12-08`) in both."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from referral_service.ui.texts import MESSAGES

LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"
LANG_COOKIE = "ui_lang"

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


def long_date(lang: str, day: date | None) -> str:
    """`8 Desember 2026` / `8 December 2026`."""
    if day is None:
        return "—"
    return f"{day.day} {_MONTHS[lang][day.month - 1]} {day.year}"


def local_datetime(lang: str, moment: datetime | None, timezone: str) -> str:
    """`16 Desember 2026 23.59 WITA`: the instant on the agency's wall clock."""
    if moment is None:
        return "—"
    local = moment.astimezone(ZoneInfo(timezone))
    separator = "." if lang == "id" else ":"
    return f"{long_date(lang, local.date())} {local.hour:02d}{separator}{local.minute:02d} {zone_name(timezone)}"


def pick_language(query_lang: str | None, cookie_lang: str | None) -> str:
    for candidate in (query_lang, cookie_lang):
        if candidate in LANGUAGES:
            return candidate
    return DEFAULT_LANGUAGE
