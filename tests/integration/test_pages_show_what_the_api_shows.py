"""The web pages show each key no more than the API shows the same key.

For every role (admin, national Ombudsman, the region-limited Ombudsman of the complaints' region and
of another region, the agency referred to, its child agency, an agency with a referral not yet
forwarded to it, an agency of another region) and every page (the queue in each of its filters, the
deadlines, every referral page, the figures), the identifiers a page shows are a subset of what the
API answers the same key:

- referral ids linked or opened (a referral page answers 200 only where the API does);
- complainant names and complaint subjects;
- timeline entries, as (event type, instant, identity document or not);
- attachment names;
- figures rows.

The dataset, built through the API: confidential and open complainants, identity documents and
ordinary ones (on complaints and on referrals), referrals forwarded, not yet forwarded and overdue,
in two regions, one of them referred across regions.
"""

from __future__ import annotations

import html
import re
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import httpx
import pytest

from referral_service import clock
from referral_service.demo_documents import pdf_document, png_image
from referral_service.ui.labels import EVENT_TYPES
from tests.conftest import Api, create_agency, create_complaint, issue_key
from tests.integration.test_ui_http import BASE, sign_in
from tests.integration.test_ui_meeting import upload

TOKEN = uuid.uuid4().hex[:8]
_EVENT_OF_LABEL = {names["en"]: event_type for event_type, names in EVENT_TYPES.items()}
IDENTITY_DOCUMENT_EN = "Complainant's identity document"
# Forwarded in the past with a one-day deadline, so the referral is overdue now.
_LONG_AGO = datetime(2026, 11, 2, 2, tzinfo=UTC)


@dataclass
class World:
    keys: dict[str, Api]
    referrals: list[str]
    complaints: list[str]
    names: list[str]  # complainant names and complaint subjects planted in the dataset
    filenames: list[str]
    expected: dict[str, set[str]] = field(default_factory=dict)  # role -> referral ids it must see


async def _referral(api: Api, complaint_id: str, agency_code: str, *, forward: bool, days: int = 10) -> str:
    created = await api.post(f"/v1/complaints/{complaint_id}/referrals", json={"agency_code": agency_code})
    assert created.status_code == 201, created.text
    referral_id = created.json()["id"]
    if forward:
        forwarded = await api.post(f"/v1/referrals/{referral_id}/forward", json={"due_working_days": days})
        assert forwarded.status_code == 200, forwarded.text
    return referral_id


async def _complaint(api: Api, n: int, *, confidential: bool, region_code: str) -> tuple[str, str, str]:
    name = f"Pelapor {TOKEN} {n}"
    subject = f"Perihal {TOKEN} {n}"
    complaint = await create_complaint(
        api,
        identity_confidential=confidential,
        complainant={"name": name, "email": f"pelapor{n}@example.org"},
        subject=subject,
        region_code=region_code,
    )
    return complaint["id"], name, subject


@pytest.fixture(scope="module")
async def world(admin: Api, kaltim) -> World:
    forwarded_to = await create_agency(admin, region_code="64.72", kind="inspektorat_kota")
    child = f"test-{uuid.uuid4().hex[:10]}"
    made = await admin.post(
        "/v1/agencies",
        json={
            "code": child,
            "name": f"Agency {child}",
            "kind": "opd",
            "region_code": "64.72",
            "timezone": "Asia/Makassar",
            "parent_code": forwarded_to,
        },
    )
    assert made.status_code == 201, made.text
    not_yet = await create_agency(admin, region_code="64.74")
    other_region = await create_agency(admin, region_code="63.71", kind="inspektorat_kota")
    keys = {
        "admin": await issue_key(admin, "admin"),
        "national": await issue_key(admin, "ombudsman"),
        "ombudsman_64": await issue_key(admin, "ombudsman", region_code="64"),
        "ombudsman_63": await issue_key(admin, "ombudsman", region_code="63"),
        "ombudsman_65": await issue_key(admin, "ombudsman", region_code="65"),
        "agency_forwarded_to": await issue_key(admin, "agency", agency_code=forwarded_to),
        "agency_child": await issue_key(admin, "agency", agency_code=child),
        "agency_not_forwarded_to": await issue_key(admin, "agency", agency_code=not_yet),
        "agency_other_region": await issue_key(admin, "agency", agency_code=other_region),
    }
    national, ombudsman_64 = keys["national"], keys["ombudsman_64"]
    agency = keys["agency_forwarded_to"]
    names: list[str] = []
    files: list[str] = []

    def pdf(name: str) -> tuple[bytes, str, str]:
        files.append(name)
        return pdf_document(name, ["isi"]), "application/pdf", name

    # 1. Confidential, forwarded, with identity documents on the complaint and on the referral.
    c1, *planted = await _complaint(ombudsman_64, 1, confidential=True, region_code="64.72")
    names += planted
    r1 = await _referral(ombudsman_64, c1, forwarded_to, forward=True, days=1)
    await upload(ombudsman_64, f"/v1/complaints/{c1}/attachments", *pdf(f"ktp-{TOKEN}-c1.pdf"), identity=True)
    await upload(ombudsman_64, f"/v1/referrals/{r1}/attachments", *pdf(f"ktp-{TOKEN}-r1.pdf"), identity=True)
    await upload(ombudsman_64, f"/v1/referrals/{r1}/attachments", *pdf(f"surat-{TOKEN}-r1.pdf"))
    await upload(agency, f"/v1/referrals/{r1}/attachments", png_image(), "image/png", f"foto-{TOKEN}.png")
    files.append(f"foto-{TOKEN}.png")
    assert (await agency.post(f"/v1/referrals/{r1}/acknowledge", json={"external_ref": f"REF-{TOKEN}"})).is_success
    # The same complaint, also referred to another agency that has not been forwarded it yet.
    r1b = await _referral(ombudsman_64, c1, not_yet, forward=False)

    # 2. Open complainant, forwarded long ago (overdue), with an identity document the agency may see.
    with clock.frozen_at(_LONG_AGO):
        c2, *planted = await _complaint(national, 2, confidential=False, region_code="64.74")
        names += planted
        r2 = await _referral(national, c2, forwarded_to, forward=True, days=1)
        await upload(national, f"/v1/referrals/{r2}/attachments", *pdf(f"ktp-{TOKEN}-r2.pdf"), identity=True)

    # 3. Confidential, referred by the national key across regions (64.72 -> 63.71), and answered.
    c3, *planted = await _complaint(national, 3, confidential=True, region_code="64.72")
    names += planted
    r3 = await _referral(national, c3, other_region, forward=True)
    await upload(national, f"/v1/referrals/{r3}/attachments", *pdf(f"ktp-{TOKEN}-r3.pdf"), identity=True)
    answer = {"outcome": "action_taken", "summary": f"Jawaban {TOKEN}"}
    assert (await keys["agency_other_region"].post(f"/v1/referrals/{r3}/respond", json=answer)).is_success

    # 4. A complaint of the other region, referred there and not forwarded yet.
    c4, *planted = await _complaint(national, 4, confidential=False, region_code="63.71")
    names += planted
    r4 = await _referral(national, c4, other_region, forward=False)

    everything = {r1, r1b, r2, r3, r4}
    return World(
        keys=keys,
        referrals=[r1, r1b, r2, r3, r4],
        complaints=[c1, c2, c3, c4],
        names=names,
        filenames=files,
        expected={
            "admin": everything,
            "national": everything,
            "ombudsman_64": {r1, r1b, r2, r3},
            "ombudsman_63": {r3, r4},
            "ombudsman_65": set(),
            "agency_forwarded_to": {r1, r2},
            "agency_child": set(),
            "agency_not_forwarded_to": set(),
            "agency_other_region": {r3},
        },
    )


# --- what the API shows a key -------------------------------------------------------------------


@dataclass
class ApiView:
    referrals: set[str] = field(default_factory=set)
    text: str = ""  # every body the key was served, for names and subjects
    events: dict[str, Counter[tuple[str, datetime, bool]]] = field(default_factory=dict)
    filenames: set[str] = field(default_factory=set)
    figures: set[str] = field(default_factory=set)


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


async def _api_view(api: Api, world: World, window: dict[str, str]) -> ApiView:
    view = ApiView()
    bodies: list[str] = []
    for complaint_id in world.complaints:
        listed = await api.get("/v1/referrals", params={"complaint_id": complaint_id, "limit": 100})
        assert listed.status_code == 200, listed.text
        bodies.append(listed.text)
        view.referrals |= {item["id"] for item in listed.json()["items"]}
        complaint = await api.get(f"/v1/complaints/{complaint_id}")
        if complaint.status_code == 200:
            bodies.append(complaint.text)
            attachments = await api.get(f"/v1/complaints/{complaint_id}/attachments")
            view.filenames |= {a.get("filename") for a in attachments.json()} - {None}
    for referral_id in world.referrals:
        one = await api.get(f"/v1/referrals/{referral_id}")
        assert one.status_code in (200, 404), one.text
        if one.status_code == 404:
            assert referral_id not in view.referrals
            continue
        assert referral_id in view.referrals
        bodies.append(one.text)
        events = await api.get(f"/v1/referrals/{referral_id}/events")
        assert events.status_code == 200, events.text
        bodies.append(events.text)
        view.events[referral_id] = Counter(
            (e["type"], _instant(e["occurred_at"]), bool((e["data"] or {}).get("contains_identity")))
            for e in events.json()
        )
        view.filenames |= {(e["data"] or {}).get("filename") for e in events.json()} - {None}
        attachments = await api.get(f"/v1/referrals/{referral_id}/attachments")
        assert attachments.status_code == 200, attachments.text
        view.filenames |= {a.get("filename") for a in attachments.json()} - {None}
    report = await api.get("/v1/reports/agency-performance", params=window, headers={"Accept": "text/csv"})
    assert report.status_code == 200, report.text
    view.figures = set(report.text.splitlines())
    view.text = "\n".join(bodies)
    return view


# --- what the pages show ------------------------------------------------------------------------


@dataclass
class PageView:
    referrals: set[str] = field(default_factory=set)  # linked from a list, or opened with 200
    text: str = ""
    events: dict[str, Counter[tuple[str, datetime, bool]]] = field(default_factory=dict)
    figures: set[str] = field(default_factory=set)


_TIMELINE = re.compile(r'<ol class="timeline">(.*?)</ol>', re.S)
_ENTRY = re.compile(r'<li><time datetime="([^"]+)">.*?<strong>(.*?)</strong>(.*?)</li>', re.S)
_LINK = re.compile(r'href="/ui/referrals/([0-9a-f-]{36})"')


def _timeline(text: str) -> Counter[tuple[str, datetime, bool]]:
    match = _TIMELINE.search(text)
    assert match, "no timeline on the referral page"
    entries: Counter[tuple[str, datetime, bool]] = Counter()
    for instant, label, rest in _ENTRY.findall(match.group(1)):
        event_type = _EVENT_OF_LABEL[html.unescape(label)]
        entries[(event_type, datetime.fromisoformat(instant), IDENTITY_DOCUMENT_EN in html.unescape(rest))] += 1
    return entries


async def _page_view(browser: httpx.AsyncClient, world: World, window: dict[str, str]) -> PageView:
    view = PageView()
    texts: list[str] = []
    lists = ["/ui/queue?state=&lang=en", "/ui/queue?lang=en", "/ui/queue?state=forwarded&overdue=1&lang=en"]
    lists += [f"/ui/queue?state={state}&lang=en" for state in ("received", "forwarded", "acknowledged", "responded")]
    lists.append("/ui/deadlines?lang=en")
    for url in lists:
        for _ in range(25):  # follow the queue's pages (newest first: the dataset is on the first ones)
            response = await browser.get(url)
            assert response.status_code == 200, (url, response.status_code)
            texts.append(response.text)
            view.referrals |= set(_LINK.findall(response.text))
            following = re.search(r'<a href="(/ui/queue\?[^"]+)" rel="next">', response.text)
            if following is None or set(world.referrals) <= view.referrals:
                break
            url = html.unescape(following.group(1)) + "&lang=en"
    for referral_id in world.referrals:
        response = await browser.get(f"/ui/referrals/{referral_id}?lang=en")
        assert response.status_code in (200, 404), response.status_code
        if response.status_code == 200:
            view.referrals.add(referral_id)
            texts.append(response.text)
            view.events[referral_id] = _timeline(response.text)
    figures = await browser.get("/ui/figures.csv", params=window)
    assert figures.status_code == 200, figures.text
    view.figures = set(figures.text.splitlines())
    view.text = html.unescape("\n".join(texts))
    return view


@pytest.fixture
async def browser(app):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as client:
        yield client


ROLES = [
    "admin",
    "national",
    "ombudsman_64",
    "ombudsman_63",
    "ombudsman_65",
    "agency_forwarded_to",
    "agency_child",
    "agency_not_forwarded_to",
    "agency_other_region",
]


@pytest.mark.parametrize("role", ROLES)
async def test_each_page_shows_a_subset_of_what_the_api_shows(browser, world, role):
    key = world.keys[role]
    window = {"from": date(2026, 1, 1).isoformat(), "to": clock.now().date().isoformat()}
    api = await _api_view(key, world, window)
    signed = await sign_in(browser, key.key)
    assert signed.status_code == 303, signed.text
    pages = await _page_view(browser, world, window)

    # The dataset's referrals: the API shows each role what the scope rules give it, and the pages show
    # it no referral beyond that (and, being the same services, every one of them).
    ours = set(world.referrals)
    assert api.referrals & ours == world.expected[role]
    assert pages.referrals & ours <= api.referrals
    assert pages.referrals & ours == world.expected[role]

    for planted in world.names:
        if planted in pages.text:
            assert planted in api.text, f"{role}: the pages show {planted!r}, the API does not"
    for filename in world.filenames:
        if filename in pages.text:
            assert filename in api.filenames, f"{role}: the pages show the attachment {filename!r}, the API does not"

    for referral_id, entries in pages.events.items():
        beyond = entries - api.events[referral_id]
        assert not beyond, f"{role}: the page of {referral_id} shows timeline entries the API does not: {beyond}"
        assert entries, f"{role}: an empty timeline on the page of {referral_id}"

    assert pages.figures <= api.figures, f"{role}: figures rows beyond the API's: {pages.figures - api.figures}"


async def test_the_dataset_exercises_the_identity_rules(browser, world):
    """Not vacuous: the agency's page of a confidential complaint leaves out an identity document the
    Ombudsman's page shows, and shows one of an open complaint."""
    confidential, overdue = world.referrals[0], world.referrals[2]

    async def identity_entries(role: str, referral_id: str) -> int:
        browser.cookies.clear()
        await sign_in(browser, world.keys[role].key)
        page = await browser.get(f"/ui/referrals/{referral_id}?lang=en")
        assert page.status_code == 200
        return sum(n for (_, _, identity), n in _timeline(page.text).items() if identity)

    assert await identity_entries("ombudsman_64", confidential) == 1
    assert await identity_entries("agency_forwarded_to", confidential) == 0
    assert await identity_entries("agency_forwarded_to", overdue) == 1
