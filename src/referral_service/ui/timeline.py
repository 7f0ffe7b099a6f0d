"""A referral's timeline as the page shows it: each event named in the page's language, with the facts
its data holds written out (dates on the agency's clock, codes as names), and its free text apart, so
presenting mode can hide the text and keep the facts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from referral_service.erasure.personal_data import ERASED, FREE_TEXT_IN_EVENT_DATA
from referral_service.events.schemas import data_out
from referral_service.ui.page import Page
from referral_service.ui.presenting import conceal_text

_MEDIA_NAMES = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/webp": "WebP",
    "text/plain": "Text",
    "application/vnd.oasis.opendocument.text": "ODT",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "DOCX",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "XLSX",
}


@dataclass(slots=True)
class Entry:
    occurred_at: datetime
    label: str
    actor: str
    via: str
    facts: list[Any] = field(default_factory=list)  # str, or Page.concealed in presenting mode
    texts: list[Any] = field(default_factory=list)  # free text (or Page.concealed in presenting mode)


def _instant(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def size_text(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def media_name(media_type: str | None) -> str:
    base = (media_type or "").split(";")[0].strip()
    return _MEDIA_NAMES.get(base, base or "—")


def _facts(page: Page, event_type: str, data: Mapping[str, Any], timezone: str) -> list[Any]:
    t = page.t

    def when(key: str) -> str:
        return page.when(_instant(data.get(key)), timezone)

    if event_type == "referral.forwarded":
        days = data.get("due_working_days")
        due = f"{t('due_at')}: {when('due_at')}"
        return [due + (f" ({t('n_working_days', n=days)})" if days else "")]
    if event_type == "referral.acknowledged":
        return [f"{t('external_ref')}: {data['external_ref']}"] if data.get("external_ref") else []
    if event_type == "referral.responded":
        return [f"{t('outcome')}: {page.label('outcome', data.get('outcome'))}"]
    if event_type == "referral.follow_up_requested":
        return [f"{t('new_due_at')}: {when('due_at')}"]
    if event_type == "referral.closed":
        return [f"{t('resolution')}: {page.label('resolution', data.get('resolution'))}"]
    if event_type == "referral.due_date_changed":
        facts = [f"{when('previous_due_at')} → {when('due_at')}"]
        if data.get("reason"):
            try:
                day = page.day(date.fromisoformat(str(data.get("calendar_date"))))
            except ValueError:
                day = "—"
            facts.append(f"{t('reason')}: {page.label('due_date_reason', data['reason'], date=day)}")
        return facts
    if event_type == "referral.due_soon":
        facts = [f"{t('due_at')}: {when('due_at')}"]
        if isinstance(data.get("working_days_remaining"), int):
            facts.append(t("working_days_left", n=data["working_days_remaining"]))
        return facts
    if event_type == "referral.overdue":
        return [f"{t('due_at')}: {when('due_at')}"]
    if event_type == "attachment.added":
        kind = t("identity_document") if data.get("contains_identity") else t("document")
        size = data.get("size")
        described = f"{kind}, {media_name(data.get('media_type'))}" + (
            f", {size_text(size)}" if isinstance(size, int) else ""
        )
        # The name first, hidden in presenting mode (an identity document's event carries none at all).
        named = data.get("filename")
        return [conceal_text(page, named), described] if isinstance(named, str) and named else [described]
    return []


def _texts(page: Page, event_type: str, data: Mapping[str, Any]) -> list[Any]:
    texts = []
    for key in FREE_TEXT_IN_EVENT_DATA.get(event_type, ()):
        value = data.get(key)
        if isinstance(value, str) and value:
            texts.append(page.t("erased_text") if value == ERASED else conceal_text(page, value))
    return texts


def entries(page: Page, rows: list[Any], timezone: str) -> list[Entry]:
    """The timeline rows (as `referrals.timeline.visible_events` returns them) as the page shows them."""
    out = []
    for row in rows:
        data = data_out(row)
        event_type = row["type"]
        out.append(
            Entry(
                occurred_at=row["occurred_at"],
                label=page.label("event", event_type),
                actor=page.label("role", row["actor_role"] or "system"),
                via=page.label("via", row["via"]),
                facts=_facts(page, event_type, data, timezone),
                texts=_texts(page, event_type, data),
            )
        )
    return out
