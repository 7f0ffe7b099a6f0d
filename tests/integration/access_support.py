"""Shared by the access tests: a caller without a key, and the read scene.

The scene (the `scene` fixture, module scope, registered in tests/conftest.py) is a small world in
which every visibility rule makes a difference; test_read_matrix.py describes its objects above
READS. The helpers below read an answer back as the scene's labels and check every item of a list
against the access rules.
"""

from __future__ import annotations

import secrets
import string
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import httpx
import orjson
import pytest

from referral_service import signing
from tests.conftest import CONFIDENTIAL_NAME, Api, create_agency, create_complaint, issue_key

PROBLEM = "application/problem+json"


class NoKey(Api):
    """A caller that sends no Authorization header at all."""

    def _headers(self, headers: dict[str, str] | None) -> dict[str, str]:
        return dict(headers or {})


SAMARINDA, BONTANG = "inspektorat-64.72", "inspektorat-64.74"
# The confidential complainant of cF: none of these may reach an agency, anywhere.
SECRET_EMAIL = "rahasia.pelapor@example.org"
SECRET_PHONE = "+62 812 9876 5432"
CONFIDENTIAL = (CONFIDENTIAL_NAME, SECRET_EMAIL, SECRET_PHONE)
SAM_MAPPING = {"DITERIMA": {"action": "acknowledge"}, "CATATAN": {"action": "add_note"}}


@dataclass
class Scene:
    callers: dict[str, Api]
    admin: Api
    ids: dict[str, str]  # label -> id (or agency code); also token, year, from, to for requests
    labels: dict[str, str]  # id -> label
    since: datetime  # everything of the scene was created at or after this instant
    agency_regions: dict[str, str]  # agency code -> region code, every agency in the directory
    event_labels: dict[int, tuple[str, str]]  # timeline event id -> (referral label, event type)
    inbound_secrets: dict[str, str]  # agency code -> its inbound signing secret
    push_answers: dict[str, httpx.Response]  # pSam, pBon -> the push's answer

    def fill(self, request: str) -> str:
        return request.format_map(self.ids)


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _ok(response: httpx.Response, status: int = 200) -> dict:
    assert response.status_code == status, response.text
    return response.json() if response.content else {}


async def _push(api: Api, code: str, secret: str, msg_id: str, payload: dict) -> httpx.Response:
    body = orjson.dumps(payload)
    headers = signing.build_headers([secret], msg_id, body)
    return await api.client.post(
        f"/v1/inbound/{code}/events", content=body, headers={**headers, "content-type": "application/json"}
    )


@pytest.fixture(scope="module")
async def scene(admin, ombudsman, ombudsman_kaltim, samarinda, bontang) -> AsyncIterator[Scene]:
    omb_63 = await issue_key(admin, "ombudsman", region_code="63")
    callers = {
        "admin": admin,
        "omb": ombudsman,
        "omb_64": ombudsman_kaltim,
        "samarinda": samarinda,
        "bontang": bontang,
        "no_key": NoKey(admin.client, "", "none"),
    }
    token = "matriks" + "".join(secrets.choice(string.ascii_lowercase) for _ in range(10))
    today = datetime.now(UTC).date()
    ids: dict[str, str] = {
        "token": token,
        "year": str(today.year),
        "from": (today - timedelta(days=3)).isoformat(),
        "to": (today + timedelta(days=3)).isoformat(),
        "missing": str(uuid.uuid4()),
        "nosuch": f"tidak-ada-{uuid.uuid4().hex[:8]}",
        "sam": SAMARINDA,
        "bon": BONTANG,
        "a63": await create_agency(admin, region_code="63.71", kind="inspektorat_kota"),
        "kOmb": ombudsman.key_id,
        "kOmb64": ombudsman_kaltim.key_id,
        "kOmb63": omb_63.key_id,
        "kSam": samarinda.key_id,
        "kBon": bontang.key_id,
    }

    # Subscriptions first: each then receives what its owner may see of what follows.
    for label, api in (
        ("wAdmin", admin),
        ("wOmb", ombudsman),
        ("wOmb64", ombudsman_kaltim),
        ("wOmb63", omb_63),
        ("wSam", samarinda),
        ("wBon", bontang),
    ):
        # Nothing listens on port 9, and no worker runs here: deliveries stay queued.
        created = _ok(await api.post("/v1/webhook-endpoints", json={"url": f"http://127.0.0.1:9/matrix/{label}"}), 201)
        ids[label] = created["id"]

    since = datetime.now(UTC)
    complaints = {"cA": "64.72", "cB": "64.74", "cC": "63.71", "cD": "63.71", "cE": "64.72", "cF": "64.72"}
    for label, region in complaints.items():
        extra = {}
        if label == "cF":
            extra = {
                "identity_confidential": True,
                "complainant": {"name": CONFIDENTIAL_NAME, "email": SECRET_EMAIL, "phone": SECRET_PHONE},
            }
        complaint = await create_complaint(ombudsman, region_code=region, subject=f"Aduan {token} {label}", **extra)
        ids[label] = complaint["id"]
        since = min(since, _instant(complaint["created_at"]))

    # referral: (complaint, agency, what happens to it)
    referrals = {
        "rA": ("cA", "sam", "forward"),
        "rU": ("cA", "sam", None),
        "rAb": ("cA", "bon", "forward"),
        "rB": ("cB", "bon", "forward"),
        "rX": ("cB", "a63", "forward"),
        "rC": ("cC", "a63", "forward"),
        "rD": ("cD", "sam", "forward"),
        "rE": ("cE", "sam", "close"),
        "rG": ("cE", "sam", "forward close"),
        "rF": ("cF", "sam", "forward"),
    }
    for label, (complaint, agency, moves) in referrals.items():
        created = _ok(
            await ombudsman.post(f"/v1/complaints/{ids[complaint]}/referrals", json={"agency_code": ids[agency]}), 201
        )
        ids[label] = created["id"]
        for move in (moves or "").split():
            body = {} if move == "forward" else {"resolution": "withdrawn"}
            _ok(await ombudsman.post(f"/v1/referrals/{created['id']}/{move}", json=body))

    # Attachments: the complaint's own (aA on cA, aC on cC, aF and the identity document aFid on cF)
    # and Samarinda's report on rA (aRA).
    pdf = b"%PDF-1.4\n% matrix\n%%EOF\n"
    for label, url, api, identity in (
        ("aA", f"/v1/complaints/{ids['cA']}/attachments", ombudsman, False),
        ("aC", f"/v1/complaints/{ids['cC']}/attachments", ombudsman, False),
        ("aF", f"/v1/complaints/{ids['cF']}/attachments", ombudsman, False),
        ("aFid", f"/v1/complaints/{ids['cF']}/attachments", ombudsman, True),
        ("aRA", f"/v1/referrals/{ids['rA']}/attachments", samarinda, False),
    ):
        uploaded = await api.post(
            url,
            content=pdf,
            params={"contains_identity": str(identity).lower()},
            headers={"Content-Type": "application/pdf", "Content-Disposition": f'attachment; filename="{label}.pdf"'},
        )
        ids[label] = _ok(uploaded, 201)["id"]

    # Inbound: each agency sets its own secret and pushes a note; Samarinda also its status words.
    _ok(await samarinda.put(f"/v1/agencies/{SAMARINDA}/status-mapping", json=SAM_MAPPING))
    inbound_secrets, push_answers = {}, {}
    for label, api, code, referral in (("pSam", samarinda, SAMARINDA, "rF"), ("pBon", bontang, BONTANG, "rB")):
        secret = inbound_secrets[code] = (_ok(await api.post(f"/v1/agencies/{code}/inbound-secret", json={})))["secret"]
        msg_id = f"msg_matrix_{uuid.uuid4().hex}"
        pushed = await _push(
            api,
            code,
            secret,
            msg_id,
            {
                "type": "referral.note_added",
                "timestamp": datetime.now(UTC).isoformat(),
                "data": {"referral_id": ids[referral], "text": "Sedang ditelaah."},
            },
        )
        assert pushed.status_code == 200, pushed.text
        ids[label], push_answers[label] = msg_id, pushed

    event_labels = {}
    for label in referrals:
        for event in _ok(await admin.get(f"/v1/referrals/{ids[label]}/events")):
            event_labels[event["id"]] = (label, event["type"])
    directory = _ok(await admin.get("/v1/agencies"))
    yield Scene(
        callers=callers,
        admin=admin,
        ids=ids,
        labels={str(v): k for k, v in ids.items()},
        since=since,
        agency_regions={a["code"]: a["region_code"] for a in directory},
        event_labels=event_labels,
        inbound_secrets=inbound_secrets,
        push_answers=push_answers,
    )
    for label in ("wAdmin", "wOmb", "wOmb64", "wOmb63", "wSam", "wBon"):
        assert (await admin.delete(f"/v1/webhook-endpoints/{ids[label]}")).status_code == 204


# --- reading an answer back as the scene's labels ------------------------------------------

# Lists read page by page (every answer of a list is then checked whole, not its first page).
PAGED = {  # route -> the field a newest-first page is ordered by (pages are read back to Scene.since)
    "/v1/complaints": "created_at",
    "/v1/referrals": "created_at",
    "/v1/agencies/{code}/inbound-events": "received_at",
    "/v1/webhook-endpoints/{endpoint_id}/deliveries": None,  # read to the end
}


async def read_all(api: Api, url: str, route: str, since: datetime) -> tuple[httpx.Response, list | dict]:
    """The first answer, and the items of every page back to `since` for the paged lists."""
    if route not in PAGED:
        response = await api.get(url)
        return response, (
            response.json() if response.status_code == 200 and "json" in response.headers["content-type"] else None
        )
    order_field = PAGED[route]
    page_url = url + ("&" if "?" in url else "?") + "limit=100"
    first, items = None, []
    while True:
        response = await api.get(page_url)
        first = first or response
        if response.status_code != 200:
            return first, None
        page = response.json()
        items.extend(page["items"])
        if page["next_cursor"] is None or (order_field and _instant(page["items"][-1][order_field]) < since):
            return first, items
        page_url = url + ("&" if "?" in url else "?") + urlencode({"limit": 100, "cursor": page["next_cursor"]})


def labels_in(scene: Scene, route: str, body) -> list[str]:
    """The scene's objects in an answer, as labels (ids of other tests' objects are left out)."""
    label = scene.labels.get
    if route == "/v1/referrals/{referral_id}/events":
        return [event["type"].removeprefix("referral.") for event in body]
    if route == "/v1/complaints/{complaint_id}/events":
        return [label(str(e["referral_id"] or e["complaint_id"]), "?") for e in body]
    if route == "/v1/events":
        return [label(str(e["data"]["referral_id"] or e["data"]["complaint_id"]), "?") for e in body["items"]]
    if route == "/v1/webhook-endpoints/{endpoint_id}/deliveries":
        return [scene.event_labels[d["event_id"]][0] for d in body if d["event_id"] in scene.event_labels]
    if route == "/v1/reports/agency-performance":
        keys = [row["agency_code"] for row in body["rows"]]
    elif route == "/v1/agencies":
        keys = [agency["code"] for agency in body]
    elif route == "/v1/agencies/{code}/inbound-events":
        keys = [event["webhook_id"] for event in body]
    else:
        keys = [str(item["id"]) for item in body]
    return [label(key) for key in keys if label(key) is not None]


def in_region(region_code: str, scope: str) -> bool:
    return region_code == scope or region_code.startswith(scope + ".")


def check_rules(scene: Scene, caller: str, route: str, body) -> None:
    """Every item of a list answer, the scene's or not, obeys the access rules (docs/administration.md)."""
    api = scene.callers[caller]
    if route == "/v1/complaints" and api.region_code:
        assert all(in_region(c["region_code"], api.region_code) for c in body)
    elif route == "/v1/referrals":
        for referral in body:
            if api.role == "agency":
                assert referral["agency_code"] == api.agency_code and referral["forwarded_at"] is not None
                assert referral["state"] != "received"
                if referral["complaint"]["identity_confidential"]:
                    assert referral["complaint"]["complainant"] is None
            elif api.region_code:
                assert in_region(referral["complaint"]["region_code"], api.region_code) or in_region(
                    scene.agency_regions[referral["agency_code"]], api.region_code
                ), referral["id"]
    elif route == "/v1/referrals/{referral_id}/events" and api.role == "agency":
        assert all(e["type"] != "referral.created" and not e["type"].startswith("complaint.") for e in body)
    elif route == "/v1/reports/agency-performance":
        if api.role == "agency":
            assert {row["agency_code"] for row in body["rows"]} <= {api.agency_code}
        elif api.region_code:
            assert all(in_region(row["region_code"], api.region_code) for row in body["rows"])
    elif route == "/v1/webhook-endpoints/{endpoint_id}/deliveries" and api.role == "agency":
        assert all(d["event_type"] != "referral.created" and not d["event_type"].startswith("complaint.") for d in body)


def may_manage_endpoint(api: Api, owner: dict) -> bool:
    """docs/webhooks.md: who may manage (and so read) a subscription, by its owner's scope."""
    if api.role == "admin":
        return True
    if api.role == "agency":
        return owner["role"] == "agency" and owner["agency_code"] == api.agency_code
    if owner["role"] != "ombudsman":
        return False
    return api.region_code is None or (
        owner["region_code"] is not None and in_region(owner["region_code"], api.region_code)
    )
