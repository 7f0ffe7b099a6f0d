"""Header values that cannot be decoded get a 4xx problem, never a 500, on every kind of route.

Every header the service parses is sent, to every kind of route (keyed API reads and writes,
uploads, downloads, signed inbound pushes and uploads, the web pages, the unauthenticated meta
routes), with bytes that decode to nothing sensible: invalid percent-encoded UTF-8 (`%FF`, the
overlong `%C0%AF`, the surrogate `%ED%A0%80`), the same bytes raw, and Latin-1. The header replaces
the request's own of that name, so a hostile `Authorization` makes the request unauthenticated too.
"""

from __future__ import annotations

import json
import uuid

import httpx
import pytest

from referral_service import signing
from tests.attachment_support import PNG, upload_headers
from tests.conftest import Api, create_complaint
from tests.integration.inbound_support import SAMARINDA, forwarded_referral, rotate

pytestmark = pytest.mark.usefixtures("kaltim")

PAYLOADS = [
    b"%FF",
    b"%C0%AF",
    b"%ED%A0%80",
    b"%",
    b"\xff\xfe",
    b"\xc0\xaf",
    b"\xed\xa0\x80",
    b"caf\xe9",
    "é".encode(),
]

# Where each parsed header puts its payload: a bare value, and the places its grammar decodes.
TEMPLATES: dict[str, list[bytes]] = {
    "authorization": [b"Bearer %s", b"%s"],
    "content-disposition": [
        b"attachment; filename*=UTF-8''%s.png",
        b"attachment; filename*=iso-8859-1''%s.png",
        b"attachment; filename*=%s''x.png",
        b'attachment; filename="%s.png"',
    ],
    "content-digest": [b"sha-256=:%s:", b"%s"],
    "content-type": [b"%s", b"image/png; charset=%s", b"application/json; charset=%s"],
    "idempotency-key": [b"%s"],
    "if-match": [b'"%s"', b"%s"],
    "if-none-match": [b'"%s"', b'W/"%s"'],
    "range": [b"bytes=%s", b"bytes=0-%s", b"%s=0-1"],
    "if-range": [b'"%s"'],
    "cookie": [b"ui_session=%s", b"ui_lang=%s", b"ui_login_csrf=%s", b"%s"],
    "x-request-id": [b"%s"],
    "x-forwarded-for": [b"%s", b"127.0.0.1, %s"],
    "x-access-reason": [b"%s"],
    "webhook-id": [b"msg_%s"],
    "webhook-timestamp": [b"%s"],
    "webhook-signature": [b"v1,%s", b"%s"],
    "accept": [b"%s", b"text/%s"],
    "accept-language": [b"%s"],
}


def hostile_headers():
    for name, templates in TEMPLATES.items():
        for template in templates:
            for payload in PAYLOADS:
                yield name, template.replace(b"%s", payload)


class Scene:
    """One of each resource the routes need, made once."""

    def __init__(self, complaint_id: str, referral_id: str, attachment_id: str, secret: str, samarinda: Api):
        self.complaint_id = complaint_id
        self.referral_id = referral_id
        self.attachment_id = attachment_id
        self.secret = secret
        self.samarinda = samarinda


@pytest.fixture(scope="module")
async def scene(ombudsman_kaltim: Api, samarinda: Api) -> Scene:
    complaint = await create_complaint(ombudsman_kaltim)
    referral_id = await forwarded_referral(ombudsman_kaltim)
    uploaded = await ombudsman_kaltim.post(
        f"/v1/complaints/{complaint['id']}/attachments", content=PNG, headers=upload_headers("image/png", "bukti.png")
    )
    assert uploaded.status_code == 201, uploaded.text
    secret = await rotate(samarinda, SAMARINDA, overlap_hours=0)
    return Scene(complaint["id"], referral_id, uploaded.json()["id"], secret, samarinda)


def signed(secret: str, body: bytes, extra: dict[str, str]) -> dict[str, str]:
    return {**signing.build_headers([secret], f"msg_{uuid.uuid4().hex}", body), **extra}


# (name, method, path, headers, body, answers with problem+json)
def routes(scene: Scene, omb: Api) -> list[tuple[str, str, str, dict[str, str], bytes | None, bool]]:
    key = {"Authorization": f"Bearer {omb.key}"}
    agency_key = {"Authorization": f"Bearer {scene.samarinda.key}"}
    json_type = {"Content-Type": "application/json"}
    complaint = json.dumps(
        {
            "channel": "walk_in",
            "complainant": {"name": "Budi"},
            "subject": "Izin",
            "description": "Belum ada kabar.",
            "category": "penundaan_berlarut",
            "region_code": "64.72",
        }
    ).encode()
    note = json.dumps({"type": "referral.note_added", "timestamp": "2026-12-01T09:00:00+08:00", "data": {}}).encode()
    return [
        ("read", "GET", f"/v1/complaints/{scene.complaint_id}", key, None, True),
        ("list", "GET", "/v1/referrals?state=forwarded", agency_key, None, True),
        ("intake", "POST", "/v1/complaints", {**key, **json_type, "Idempotency-Key": "k"}, complaint, True),
        (
            "patch",
            "PATCH",
            f"/v1/complaints/{scene.complaint_id}",
            {**key, "Content-Type": "application/merge-patch+json", "If-Match": '"1"'},
            b'{"subject": "Izin usaha"}',
            True,
        ),
        (
            "action",
            "POST",
            f"/v1/referrals/{scene.referral_id}/notes",
            {**agency_key, **json_type, "If-Match": '"1"', "Idempotency-Key": "n"},
            b'{"text": "Catatan."}',
            True,
        ),
        (
            "upload",
            "POST",
            f"/v1/complaints/{scene.complaint_id}/attachments",
            {**key, **upload_headers("image/png", "bukti.png")},
            PNG,
            True,
        ),
        (
            "download",
            "GET",
            f"/v1/attachments/{scene.attachment_id}",
            {**key, "Range": "bytes=0-3", "If-Range": '"x"'},
            None,
            True,
        ),
        ("report", "GET", "/v1/reports/agency-performance?period=2026-11", key, None, True),
        ("inbound-push", "POST", f"/v1/inbound/{SAMARINDA}/events", signed(scene.secret, note, json_type), note, True),
        (
            "inbound-upload",
            "POST",
            f"/v1/inbound/{SAMARINDA}/attachments",
            signed(scene.secret, PNG, upload_headers("image/png", "bukti.png")),
            PNG,
            True,
        ),
        ("page", "GET", "/ui/queue", {}, None, False),
        (
            "sign-in",
            "POST",
            "/ui/sign-in",
            {"Content-Type": "application/x-www-form-urlencoded", "Cookie": "ui_login_csrf=c"},
            b"csrf=c&api_key=x",
            False,
        ),
        ("index", "GET", "/", {}, None, False),
        ("readyz", "GET", "/readyz", {}, None, False),
        ("metrics", "GET", "/metrics", key, None, False),
    ]


ROUTE_NAMES = [
    "read",
    "list",
    "intake",
    "patch",
    "action",
    "upload",
    "download",
    "report",
    "inbound-push",
    "inbound-upload",
    "page",
    "sign-in",
    "index",
    "readyz",
    "metrics",
]


@pytest.fixture(scope="module")
async def client(app):
    """Sees a 500 as the response a client gets, rather than as the exception behind it."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.mark.parametrize("route", ROUTE_NAMES)
async def test_undecodable_header_values_are_4xx_problems_never_5xx(route, client, scene, ombudsman_kaltim):
    name, method, path, headers, body, api = next(r for r in routes(scene, ombudsman_kaltim) if r[0] == route)
    failures = []
    for header, value in hostile_headers():
        sent = [(k.lower().encode(), v.encode()) for k, v in headers.items() if k.lower() != header]
        sent.append((header.encode(), value))  # raw bytes, sent as they are
        response = await client.request(method, path, content=body, headers=sent)
        if response.status_code >= 500:
            failures.append(f"{header}: {value!r} -> {response.status_code} {response.text[:200]}")
        elif (
            api
            and response.status_code >= 400
            and not response.headers["content-type"].startswith("application/problem+json")
        ):
            failures.append(f"{header}: {value!r} -> {response.status_code} {response.headers['content-type']}")
    assert not failures, f"{name}: {len(failures)} bad answers:\n" + "\n".join(failures[:40])
