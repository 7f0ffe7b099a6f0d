"""The demo quarter: `serve --demo` on a database without complaints records thirteen weeks of work
across the Kalimantan Timur agencies, so the figures, deadlines and queue pages mean something on the
first start.

Everything goes through the API itself (the app in process, over ASGI), with keys issued for the
purpose and revoked at the end, and the service clock (`clock.frozen_at`) set to each step's moment:
the complaints, referrals, deadlines, timelines, event feed and webhook outbox are the ones real
requests make. What the clock moves is every business time (received, forwarded, due, answered,
closed); a timeline event's `occurred_at` is when its row was written, as always (clock.py), so the
timelines show the moment the demo was loaded.

A database that holds any complaint is left alone (a restart seeds nothing again, and neither does a
database with real work in it); only `serve --demo` calls this.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from referral_service import clock
from referral_service.config import Settings
from referral_service.demo_documents import pdf_document, png_image
from referral_service.observability import access_logger

WITA = ZoneInfo("Asia/Makassar")


@dataclass(frozen=True, slots=True)
class Case:
    agency: str  # the agency's region code: inspektorat-<agency>
    subject: str
    category: str
    plan: str  # what happens to it: see the description in data/demo_quarter.json
    days_ago: int  # received and forwarded this many days before today
    due: int = 10  # working days given to answer
    channel: str = "walk_in"
    complainant: str = "Pelapor"
    confidential: bool = False
    evidence: bool = False  # a photo on the complaint, a report (PDF) with the answer


@functools.cache
def demo_cases() -> tuple[Case, ...]:
    """The cases of data/demo_quarter.json, in order."""
    document = json.loads(resources.files("referral_service.data").joinpath("demo_quarter.json").read_text("utf-8"))
    return tuple(Case(**case) for case in document["cases"])


_AGENCY_PREFIX = "inspektorat-"


@dataclass(slots=True)
class _Keys:
    ombudsman: str
    agencies: dict[str, str]
    issued: list[str]


class _Api:
    def __init__(self, client: httpx.AsyncClient, key: str) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {key}"}

    async def call(self, method: str, url: str, **kwargs: Any) -> Any:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        response = await self.client.request(method, url, headers=headers, **kwargs)
        if response.status_code >= 300:
            raise RuntimeError(f"demo quarter: {method} {url} answered {response.status_code}: {response.text}")
        return response.json() if response.content else None


def _office_hours(day: datetime, hour: int) -> datetime:
    """`hour` o'clock WITA on `day`, or on the Friday before when `day` is a weekend (never later)."""
    local = day.astimezone(WITA).replace(hour=hour, minute=7 * (hour % 5), second=0, microsecond=0)
    while local.weekday() >= 5:
        local -= timedelta(days=1)
    return local.astimezone(UTC)


@asynccontextmanager
async def _in_process_api(settings: Settings, database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    from referral_service.main import create_app

    # The seed's own requests: no rate limits, nothing cached between its key changes, no jobs.
    app = create_app(
        settings.model_copy(update={"rate_limits_enabled": False, "key_cache_seconds": 0.0}),
        database_url=database_url,
    )
    # The seed's few hundred requests are not the operator's business: no access-log line for them.
    level = access_logger.level
    access_logger.setLevel(logging.WARNING)
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1", timeout=60) as client:
                yield client
    finally:
        access_logger.setLevel(level)


async def seed_quarter(settings: Settings, database_url: str, admin_key: str) -> int:
    """Record the demo quarter if the database holds no complaint; returns how many complaints it recorded."""
    async with _in_process_api(settings, database_url) as client:
        admin = _Api(client, admin_key)
        if (await admin.call("GET", "/v1/complaints", params={"limit": 1}))["items"]:
            return 0
        keys = await _issue_keys(admin)
        try:
            today = clock.now()
            for number, case in enumerate(demo_cases()):
                await _record(client, keys, case, number, today)
        finally:
            for key_id in keys.issued:
                await admin.call("DELETE", f"/v1/api-keys/{key_id}")
    return len(demo_cases())


async def _issue_keys(admin: _Api) -> _Keys:
    issued = []
    created = await admin.call(
        "POST",
        "/v1/api-keys",
        json={"role": "ombudsman", "name": "demo quarter loader (Ombudsman)", "region_code": "64"},
    )
    issued.append(created["id"])
    keys = _Keys(created["key"], {}, issued)
    for region in sorted({case.agency for case in demo_cases()}):
        body = {
            "role": "agency",
            "name": f"demo quarter loader ({_AGENCY_PREFIX}{region})",
            "agency_code": _AGENCY_PREFIX + region,
        }
        created = await admin.call("POST", "/v1/api-keys", json=body)
        issued.append(created["id"])
        keys.agencies[region] = created["key"]
    return keys


def _complaint(case: Case, received: datetime) -> dict[str, Any]:
    return {
        "channel": case.channel,
        "received_at": received.isoformat().replace("+00:00", "Z"),
        "complainant": {"name": case.complainant},
        "identity_confidential": case.confidential,
        "subject": case.subject,
        "description": f"{case.subject}. Pelapor sudah menyampaikan keluhan ke instansi terkait namun belum ada "
        "penyelesaian, dan meminta Ombudsman menindaklanjuti.",
        "category": case.category,
        "region_code": case.agency,
        # The case the Inspektorat answers is outside a regional government's authority.
        "reported_party": {"name": "Yayasan pendidikan swasta"} if case.plan == "not_competent" else None,
    }


def _document(content: bytes, media_type: str, filename: str, *, identity: bool = False) -> dict[str, Any]:
    """An upload's request arguments (the body is the file itself, as docs/attachments.md has it)."""
    return {
        "content": content,
        "headers": {"Content-Type": media_type, "Content-Disposition": f'attachment; filename="{filename}"'},
        "params": {"contains_identity": "true"} if identity else None,
    }


async def _record(client: httpx.AsyncClient, keys: _Keys, case: Case, number: int, today: datetime) -> None:
    ombudsman = _Api(client, keys.ombudsman)
    agency = _Api(client, keys.agencies[case.agency])
    start = today - timedelta(days=case.days_ago)
    received = _office_hours(start, 9) if case.days_ago else today - timedelta(hours=3)
    forward_at = received + timedelta(hours=1)
    reference = f"INSP-{case.agency.replace('.', '')}/{number + 1:03d}/{forward_at.year}"

    async def at(moment: datetime, method: str, api: _Api, url: str, **kwargs: Any) -> Any:
        with clock.frozen_at(min(moment, today)):
            return await api.call(method, url, **kwargs)

    complaint = await at(received, "POST", ombudsman, "/v1/complaints", json=_complaint(case, received))
    documents = f"/v1/complaints/{complaint['id']}/attachments"
    if case.evidence:
        photo = _document(png_image(seed=number), "image/png", "foto-lokasi.png")
        await at(received, "POST", ombudsman, documents, **photo)
    if case.confidential:
        ktp = _document(png_image(seed=number + 7), "image/png", "ktp-pelapor.png", identity=True)
        await at(received, "POST", ombudsman, documents, **ktp)
    referral = await at(
        received,
        "POST",
        ombudsman,
        f"/v1/complaints/{complaint['id']}/referrals",
        json={
            "agency_code": _AGENCY_PREFIX + case.agency,
            "instructions": "Mohon diperiksa dan dilaporkan hasilnya kepada Ombudsman.",
        },
    )
    rid = f"/v1/referrals/{referral['id']}"
    if case.plan == "received":
        return
    forwarded = await at(forward_at, "POST", ombudsman, f"{rid}/forward", json={"due_working_days": case.due})
    due_at = datetime.fromisoformat(forwarded["due_at"])
    if case.plan == "due_soon":
        return
    await at(forward_at + timedelta(days=1), "POST", agency, f"{rid}/acknowledge", json={"external_ref": reference})
    if case.plan in ("open", "overdue"):
        return
    answered = due_at + timedelta(days=3) if case.plan == "late" else forward_at + timedelta(days=4)
    if case.evidence:
        lines = [case.subject, "Hasil: ditindaklanjuti."]
        report = _document(
            pdf_document(f"Laporan Hasil Pemeriksaan {reference}", lines),
            "application/pdf",
            f"LHP-{reference.replace('/', '-')}.pdf",
        )
        await at(answered - timedelta(hours=1), "POST", agency, f"{rid}/attachments", **report)
    outcome = "not_competent" if case.plan == "not_competent" else "action_taken"
    summary = (
        "Bukan kewenangan pemerintah daerah; diteruskan ke instansi vertikal."
        if outcome == "not_competent"
        else "Telah diperiksa; instansi terkait diminta memperbaiki layanan dan melapor dalam 14 hari."
    )
    await at(answered, "POST", agency, f"{rid}/respond", json={"outcome": outcome, "summary": summary})
    if case.plan == "follow_up":
        asked = answered + timedelta(days=3)
        await at(
            asked,
            "POST",
            ombudsman,
            f"{rid}/request-follow-up",
            json={"reason": "Mohon lampirkan bukti perbaikan saluran.", "due_working_days": 5},
        )
        answered = asked + timedelta(days=4)
        await at(
            answered,
            "POST",
            agency,
            f"{rid}/respond",
            json={"outcome": "action_taken", "summary": "Saluran telah dibersihkan; foto terlampir di laporan."},
        )
    if case.plan in ("on_time", "not_competent", "follow_up") and answered + timedelta(days=5) < today:
        resolution = "not_competent" if case.plan == "not_competent" else "resolved"
        await at(answered + timedelta(days=5), "POST", ombudsman, f"{rid}/close", json={"resolution": resolution})
