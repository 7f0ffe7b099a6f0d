"""Every route and page that can show a confidential complainant's identity writes exactly one audit
row per response, also when what it shows was stored before the complaint turned confidential (an
idempotent replay, the event feed, the inbound log) and when it is a document (an identity document,
whole or a range).

`ROUTES` classifies every route the app has (a test fails on one it does not list): either it can
show the identity, and the walk below calls it and counts the rows, or it cannot, and says why.
"""

from __future__ import annotations

import uuid

import httpx
import pytest
from fastapi.routing import iter_route_contexts

from tests.attachment_support import pdf_bytes, upload_headers
from tests.conftest import create_complaint
from tests.integration.inbound_support import SAMARINDA, event, push, rotate
from tests.integration.test_ui_http import BASE as UI_BASE
from tests.integration.test_ui_http import hidden, sign_in

SHOWS = "shows the complaint as the Ombudsman side sees it"

# fmt: off
ROUTES: dict[tuple[str, str], str] = {
    ("POST", "/v1/complaints"):                                    SHOWS + " (a replay: as stored)",
    ("GET", "/v1/complaints"):                                     SHOWS,
    ("GET", "/v1/complaints/{complaint_id}"):                      SHOWS,
    ("PATCH", "/v1/complaints/{complaint_id}"):                    SHOWS,
    ("POST", "/v1/complaints/{complaint_id}/referrals"):           SHOWS + " (embedded; a replay: as stored)",
    ("GET", "/v1/referrals"):                                      SHOWS + " (embedded)",
    ("GET", "/v1/referrals/{referral_id}"):                        SHOWS + " (embedded)",
    ("POST", "/v1/referrals/{referral_id}/forward"):               SHOWS + " (embedded)",
    ("POST", "/v1/referrals/{referral_id}/notes"):                 SHOWS + " (embedded)",
    ("POST", "/v1/referrals/{referral_id}/request-follow-up"):     SHOWS + " (embedded)",
    ("POST", "/v1/referrals/{referral_id}/close"):                 SHOWS + " (embedded)",
    ("GET", "/v1/events"):                                         SHOWS + " (the bodies stored with each event)",
    ("GET", "/v1/attachments/{attachment_id}"):                    "shows an identity document",
    ("GET", "/v1/agencies/{code}/inbound-events"):                 "shows the answers stored for an agency's pushes",
    ("GET", "/ui/referrals/{referral_id}"):                        SHOWS + " (the referral page)",
    ("POST", "/ui/referrals/{referral_id}"):                       SHOWS + " (the page again, when the action is refused)",
    ("POST", "/ui/referrals/{referral_id}/attachments"):           SHOWS + " (the page again, when the upload is refused)",
    ("GET", "/ui/attachments/{attachment_id}"):                    "shows an identity document (the page's download)",
    # Never the identity:
    ("POST", "/v1/referrals/{referral_id}/acknowledge"):           "agency keys only: never a confidential identity",
    ("POST", "/v1/referrals/{referral_id}/respond"):               "agency keys only: never a confidential identity",
    ("POST", "/v1/inbound/{agency_code}/events"):                  "an agency's push: answered as the agency may see it",
    ("POST", "/v1/inbound/{agency_code}/attachments"):             "an agency's upload: its metadata",
    ("POST", "/v1/complaints/{complaint_id}/erase"):               "answers the erased complaint: no complainant",
    ("GET", "/v1/complaints/{complaint_id}/events"):               "the timeline: changed fields, never their values",
    ("GET", "/v1/referrals/{referral_id}/events"):                 "the timeline: changed fields, never their values",
    ("GET", "/v1/complaints/{complaint_id}/attachments"):          "documents' metadata; the document is audited when downloaded",
    ("POST", "/v1/complaints/{complaint_id}/attachments"):         "documents' metadata",
    ("GET", "/v1/referrals/{referral_id}/attachments"):            "documents' metadata; the document is audited when downloaded",
    ("POST", "/v1/referrals/{referral_id}/attachments"):           "documents' metadata",
    ("GET", "/v1/audit/identity-reads"):                           "complaint ids and who read them",
    ("GET", "/v1/reports/agency-performance"):                     "figures",
    ("GET", "/v1/webhook-endpoints/{endpoint_id}/deliveries"):     "the receivers' own answers (dropped with an erased complaint)",
    ("POST", "/v1/webhook-deliveries/{delivery_id}/retry"):        "a delivery's status",
    ("POST", "/v1/webhook-endpoints/{endpoint_id}/recover"):       "a count",
    **{(method, path): "subscriptions: urls and owners" for method, path in (
        ("GET", "/v1/webhook-endpoints"), ("POST", "/v1/webhook-endpoints"),
        ("GET", "/v1/webhook-endpoints/{endpoint_id}"), ("PATCH", "/v1/webhook-endpoints/{endpoint_id}"),
        ("DELETE", "/v1/webhook-endpoints/{endpoint_id}"), ("POST", "/v1/webhook-endpoints/{endpoint_id}/rotate-secret"),
        ("POST", "/v1/webhook-endpoints/{endpoint_id}/test"),
    )},
    **{(method, path): "the agency directory and its settings" for method, path in (
        ("GET", "/v1/agencies"), ("POST", "/v1/agencies"), ("GET", "/v1/agencies/{code}"),
        ("PATCH", "/v1/agencies/{code}"), ("POST", "/v1/agencies/{code}/inbound-secret"),
        ("GET", "/v1/agencies/{code}/status-mapping"), ("PUT", "/v1/agencies/{code}/status-mapping"),
    )},
    **{(method, path): "keys, the calendar, regions" for method, path in (
        ("GET", "/v1/api-keys"), ("POST", "/v1/api-keys"), ("DELETE", "/v1/api-keys/{key_id}"),
        ("GET", "/v1/calendar"), ("PUT", "/v1/calendar/{day}"), ("DELETE", "/v1/calendar/{day}"),
        ("GET", "/v1/regions"),
    )},
    **{(method, path): "the service itself and its documentation" for method, path in (
        ("GET", "/"), ("GET", "/docs"), ("GET", "/docs-assets/{name}"), ("GET", "/healthz"), ("GET", "/metrics"),
        ("GET", "/openapi.json"), ("GET", "/readyz"), ("GET", "/redoc"),
    )},
    **{(method, path): "web pages of figures and work lists: subjects and deadlines, no complainant" for method, path in (
        ("GET", "/ui"), ("GET", "/ui/"), ("GET", "/ui/deadlines"), ("GET", "/ui/figures"), ("GET", "/ui/figures.csv"),
        ("GET", "/ui/queue"), ("GET", "/ui/static/{name}"),
    )},
    **{(method, path): "signing in and out" for method, path in (
        ("GET", "/ui/sign-in"), ("POST", "/ui/sign-in"), ("POST", "/ui/sign-out"),
    )},
    ("POST", "/ui/presenting"): "switches the session's presenting mode and redirects: shows nothing",
}
# fmt: on
SHOWING = {route for route, why in ROUTES.items() if why.startswith(("shows",))}


def test_every_route_is_classified(app):
    routes = {(method, route.path) for route in iter_route_contexts(app.routes) for method in route.methods}
    routes -= {(method, path) for method, path in routes if method == "HEAD"}
    assert {("GET", "/v1/complaints/{complaint_id}"), ("GET", "/ui/referrals/{referral_id}")} <= routes
    assert sorted(routes - set(ROUTES)) == [], "routes without a decision in ROUTES"
    assert sorted(set(ROUTES) - routes) == [], "ROUTES lists routes the app does not have"


NAME = "Saksi Rahasia Kemudian"


@pytest.fixture
async def browser(app):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=UI_BASE) as client:
        yield client


async def test_each_route_showing_the_identity_writes_one_row(
    app, admin, ombudsman, samarinda, raw_client, browser, clock
):
    """The complaint turns confidential after its intake (replays, feed bodies and inbound answers were
    stored saying `identity_confidential: false`): every route of SHOWING is called and counted."""
    intake_key, referral_key = f"audit-{uuid.uuid4().hex}", f"audit-{uuid.uuid4().hex}"
    body = {
        "channel": "walk_in",
        "complainant": {"name": NAME, "identity_number": "6472019999000001"},
        "subject": "Izin usaha",
        "description": "Belum ada kabar.",
        "category": "penundaan_berlarut",
        "region_code": "64.72",
    }
    created = await ombudsman.post("/v1/complaints", json=body, headers={"Idempotency-Key": intake_key})
    cid = created.json()["id"]
    document = await ombudsman.client.post(
        f"/v1/complaints/{cid}/attachments?contains_identity=true",
        content=pdf_bytes("KTP", 3000),
        headers={"Authorization": f"Bearer {ombudsman.key}", **upload_headers("application/pdf", "ktp.pdf")},
    )
    assert document.status_code == 201, document.text
    referral_body = {"agency_code": SAMARINDA}
    referral = await ombudsman.post(
        f"/v1/complaints/{cid}/referrals", json=referral_body, headers={"Idempotency-Key": referral_key}
    )
    rid = referral.json()["id"]
    assert (await ombudsman.post(f"/v1/referrals/{rid}/forward", json={})).status_code == 200
    secret = await rotate(admin, SAMARINDA)
    pushed = await push(
        raw_client, SAMARINDA, event("referral.note_added", referral_id=rid, text="Diterima"), secret, clock=clock
    )
    assert pushed.status_code == 200 and NAME in pushed.text  # not confidential yet: the agency saw the name
    current = await ombudsman.get(f"/v1/complaints/{cid}")
    made = await ombudsman.patch(
        f"/v1/complaints/{cid}", json={"identity_confidential": True}, headers={"If-Match": current.headers["etag"]}
    )
    assert made.status_code == 200
    assert (await browser.get("/ui/sign-in")).status_code == 200
    assert (await sign_in(browser, ombudsman.key)).status_code == 303
    second = (await ombudsman.post(f"/v1/complaints/{cid}/referrals", json=referral_body)).json()["id"]

    async def rows() -> list[tuple[str, str]]:
        async with app.state.pool.acquire() as conn:
            found = await conn.fetch(
                "SELECT route, method FROM identity_reads WHERE complaint_id = $1 ORDER BY id", uuid.UUID(cid)
            )
        return [(r["method"], r["route"]) for r in found]

    async def etag() -> str:
        return (await ombudsman.get(f"/v1/complaints/{cid}")).headers["etag"]

    download = f"/v1/attachments/{document.json()['id']}"
    page = await browser.get(f"/ui/referrals/{rid}")
    stale = {"csrf": hidden(page.text, "csrf"), "etag": '"1"', "text": "Catatan", "act": "add_note"}
    not_a_document = {"file": ("laporan.pdf", b"MZ\x90\x00 not a document", "application/pdf")}
    calls = [
        (("POST", "/v1/complaints"), lambda: ombudsman.post("/v1/complaints", json=body, headers={"Idempotency-Key": intake_key})),
        (("GET", "/v1/complaints"), lambda: ombudsman.get("/v1/complaints", params={"limit": 100})),
        (("GET", "/v1/complaints/{complaint_id}"), lambda: ombudsman.get(f"/v1/complaints/{cid}")),
        (("POST", "/v1/complaints/{complaint_id}/referrals"), lambda: ombudsman.post(
            f"/v1/complaints/{cid}/referrals", json=referral_body, headers={"Idempotency-Key": referral_key})),
        (("GET", "/v1/referrals"), lambda: ombudsman.get("/v1/referrals", params={"complaint_id": cid})),
        (("GET", "/v1/referrals/{referral_id}"), lambda: ombudsman.get(f"/v1/referrals/{rid}")),
        (("POST", "/v1/referrals/{referral_id}/forward"), lambda: ombudsman.post(f"/v1/referrals/{second}/forward", json={})),
        (("POST", "/v1/referrals/{referral_id}/notes"), lambda: ombudsman.post(f"/v1/referrals/{rid}/notes", json={"text": "x"})),
        (("GET", "/v1/events"), lambda: ombudsman.get("/v1/events", params={"complaint_id": cid, "type": "complaint.created", "wait": 10})),
        (("GET", "/v1/attachments/{attachment_id}"), lambda: ombudsman.get(download)),
        (("GET", "/v1/attachments/{attachment_id}"), lambda: ombudsman.get(download, headers={"Range": "bytes=0-99"})),
        (("GET", "/v1/agencies/{code}/inbound-events"), lambda: admin.get(f"/v1/agencies/{SAMARINDA}/inbound-events")),
        (("GET", "/ui/referrals/{referral_id}"), lambda: browser.get(f"/ui/referrals/{rid}")),
        (("POST", "/ui/referrals/{referral_id}"), lambda: browser.post(f"/ui/referrals/{rid}", data=stale)),
        (("POST", "/ui/referrals/{referral_id}/attachments"), lambda: browser.post(
            f"/ui/referrals/{rid}/attachments", data={"csrf": stale["csrf"]}, files=not_a_document)),
        (("GET", "/ui/attachments/{attachment_id}"), lambda: browser.get(download.replace("/v1/", "/ui/"))),
        (("PATCH", "/v1/complaints/{complaint_id}"), None),  # needs a fresh ETag: below
        (("POST", "/v1/referrals/{referral_id}/request-follow-up"), None),  # needs an answer first: below
        (("POST", "/v1/referrals/{referral_id}/close"), None),
    ]  # fmt: skip
    assert {route for route, _ in calls} == SHOWING
    for route, call in calls:
        if call is None:
            continue
        before = await rows()
        response = await call()
        assert response.status_code in (200, 201, 206, 409, 415), (route, response.status_code, response.text[:300])
        assert NAME in response.text or route[1].endswith("/attachments/{attachment_id}"), route
        assert await rows() == [*before, route], route

    # Unchanged since: nothing shown, nothing written.
    before = await rows()
    etag_header = {"If-None-Match": f'"{document.json()["sha256"]}"'}
    assert (await ombudsman.get(download, headers=etag_header)).status_code == 304
    assert await rows() == before

    tag = await etag()
    for route, call in [
        (("PATCH", "/v1/complaints/{complaint_id}"), lambda: ombudsman.patch(
            f"/v1/complaints/{cid}", json={"subject": "Izin usaha (2)"}, headers={"If-Match": tag})),
        (("POST", "/v1/referrals/{referral_id}/request-follow-up"), lambda: ombudsman.post(
            f"/v1/referrals/{rid}/request-follow-up", json={"reason": "Lengkapi"})),
        (("POST", "/v1/referrals/{referral_id}/close"), lambda: ombudsman.post(
            f"/v1/referrals/{rid}/close", json={"resolution": "resolved"})),
    ]:  # fmt: skip
        if route[1].endswith("request-follow-up"):
            answered = await samarinda.post(
                f"/v1/referrals/{rid}/respond", json={"outcome": "action_taken", "summary": "Selesai"}
            )
            assert answered.status_code == 200 and NAME not in answered.text
        before = await rows()
        response = await call()
        assert response.status_code == 200 and NAME in response.text, (route, response.text[:300])
        assert await rows() == [*before, route], route

    # An agency reading the feed gets no name of a complaint confidential now, and writes nothing.
    before = await rows()
    agency_feed = await samarinda.get("/v1/events", params={"referral_id": rid})
    assert agency_feed.json()["items"] and NAME not in agency_feed.text
    assert await rows() == before


async def test_the_feed_decides_by_the_complaint_as_it_is_now(app, ombudsman, samarinda):
    """A body stored by a change that raced the complaint turning confidential (built from the complaint
    as it was) is served to the agency without the complainant, and audited when an Ombudsman key reads it."""
    complaint = await create_complaint(ombudsman, complainant={"name": NAME})
    created = await ombudsman.post(f"/v1/complaints/{complaint['id']}/referrals", json={"agency_code": SAMARINDA})
    rid = created.json()["id"]
    assert (await ombudsman.post(f"/v1/referrals/{rid}/forward", json={})).status_code == 200
    async with app.state.pool.acquire() as conn:
        event_id, stale = await conn.fetchrow(
            "SELECT event_id, agency_body FROM event_feed WHERE referral_id = $1 AND type = 'referral.forwarded'",
            uuid.UUID(rid),
        )
    assert NAME.encode() in stale
    current = await ombudsman.get(f"/v1/complaints/{complaint['id']}")
    made = await ombudsman.patch(
        f"/v1/complaints/{complaint['id']}",
        json={"identity_confidential": True},
        headers={"If-Match": current.headers["etag"]},
    )
    assert made.status_code == 200
    async with app.state.pool.acquire() as conn:
        await conn.execute("UPDATE event_feed SET agency_body = $2 WHERE event_id = $1", event_id, stale)

    feed = await samarinda.get("/v1/events", params={"referral_id": rid})
    items = {item["type"]: item for item in feed.json()["items"]}
    assert NAME not in feed.text
    assert items["referral.forwarded"]["data"]["referral"]["complaint"]["complainant"] is None
    assert items["referral.forwarded"]["data"]["referral"]["complaint"]["identity_confidential"] is True
    async with app.state.pool.acquire() as conn:
        before = await conn.fetchval(
            "SELECT count(*) FROM identity_reads WHERE complaint_id = $1", uuid.UUID(complaint["id"])
        )
    shown = await ombudsman.get("/v1/events", params={"referral_id": rid, "type": "referral.forwarded"})
    assert NAME in shown.text
    async with app.state.pool.acquire() as conn:
        after = await conn.fetchval(
            "SELECT count(*) FROM identity_reads WHERE complaint_id = $1", uuid.UUID(complaint["id"])
        )
    assert after == before + 1
