"""Who may call what: every foundation endpoint against every kind of caller, in one table.

Read a row as "this endpoint, called by each caller, answers ...". `omb_64` is an ombudsman key
limited to region 64 (Kalimantan Timur); the objects it touches here are in 64.72, inside its scope.
Scope (404 outside the region, 403 creating outside it) has its own table below.

`READS` then lists every GET route the app has (a test fails when one is missing) against every
caller, two agencies included, in a scene where each visibility rule makes a difference: for
lists it names which of the scene's objects each caller gets back, not only the status.
"""

from __future__ import annotations

import secrets
import string
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode, urlsplit

import httpx
import orjson
import pytest
from starlette.routing import compile_path

from referral_service.webhooks import signing
from tests.conftest import CONFIDENTIAL_NAME, Api, complaint_body, create_agency, create_complaint, issue_key

PROBLEM = "application/problem+json"

CALLERS = ("admin", "omb", "omb_64", "agency", "no_key")

# fmt: off
ACCESS = [
    # endpoint                 admin  omb   omb_64  agency  no_key
    ("complaints.create",       201,  201,  201,    403,    401),
    ("complaints.list",         200,  200,  200,    403,    401),
    ("complaints.get",          200,  200,  200,    403,    401),
    ("complaints.patch",        200,  200,  200,    403,    401),
    ("complaints.events",       200,  200,  200,    403,    401),
    ("agencies.create",         201,  403,  403,    403,    401),
    ("agencies.list",           200,  200,  200,    200,    401),
    ("agencies.get",            200,  200,  200,    200,    401),
    ("agencies.patch",          200,  403,  403,    403,    401),
    ("regions.list",            200,  200,  200,    200,    401),
    ("api_keys.create",         201,  403,  403,    403,    401),
    ("api_keys.list",           200,  403,  403,    403,    401),
    ("api_keys.delete",         204,  403,  403,    403,    401),
    ("complaints.erase",        200,  403,  403,    403,    401),
    ("audit.identity_reads",    200,  403,  403,    403,    401),
]

# A region-64 ombudsman key against a complaint in 63.71 (Kota Banjarmasin, outside its scope).
OUT_OF_SCOPE = [
    # endpoint                 omb_64   omb (national, for contrast)
    ("complaints.create",       403,    201),
    ("complaints.get",          404,    200),
    ("complaints.patch",        404,    200),
    ("complaints.events",       404,    200),
]
# fmt: on

CASES = [
    (endpoint, caller, status)
    for endpoint, *statuses in ACCESS
    for caller, status in zip(CALLERS, statuses, strict=True)
]


class NoKey(Api):
    """A caller that sends no Authorization header at all."""

    def _headers(self, headers: dict[str, str] | None) -> dict[str, str]:
        return dict(headers or {})


@dataclass
class World:
    callers: dict[str, Api]
    admin: Api
    complaint_id: str  # in 64.72
    outside_complaint_id: str  # in 63.71
    agency_code: str


@pytest.fixture(scope="module")
async def world(admin, ombudsman, ombudsman_kaltim, samarinda) -> World:
    complaint = await create_complaint(admin, region_code="64.72")
    outside = await create_complaint(admin, region_code="63.71")
    agency_code = await create_agency(admin, region_code="64.72")
    callers = {
        "admin": admin,
        "omb": ombudsman,
        "omb_64": ombudsman_kaltim,
        "agency": samarinda,
        "no_key": NoKey(admin.client, "", "none"),
    }
    return World(callers, admin, complaint["id"], outside["id"], agency_code)


async def _current_etag(world: World, complaint_id: str) -> str:
    response = await world.admin.get(f"/v1/complaints/{complaint_id}")
    assert response.status_code == 200
    return response.headers["etag"]


async def call(endpoint: str, api: Api, world: World, complaint_id: str | None = None) -> httpx.Response:
    """Perform one well-formed request for `endpoint`, so the only thing that can fail is access."""
    complaint_id = complaint_id or world.complaint_id
    match endpoint:
        case "complaints.create":
            region = "63.71" if complaint_id == world.outside_complaint_id else "64.72"
            return await api.post("/v1/complaints", json=complaint_body(region_code=region))
        case "complaints.list":
            return await api.get("/v1/complaints", params={"limit": 5})
        case "complaints.get":
            return await api.get(f"/v1/complaints/{complaint_id}")
        case "complaints.patch":
            return await api.patch(
                f"/v1/complaints/{complaint_id}",
                content=orjson.dumps({"subject": f"Subject {uuid.uuid4().hex[:8]}"}),
                headers={
                    "Content-Type": "application/merge-patch+json",
                    "If-Match": await _current_etag(world, complaint_id),
                },
            )
        case "complaints.events":
            return await api.get(f"/v1/complaints/{complaint_id}/events")
        case "agencies.create":
            code = f"matrix-{uuid.uuid4().hex[:10]}"
            return await api.post(
                "/v1/agencies", json={"code": code, "name": "Matrix OPD", "kind": "opd", "region_code": "64.72"}
            )
        case "agencies.list":
            return await api.get("/v1/agencies")
        case "agencies.get":
            return await api.get(f"/v1/agencies/{world.agency_code}")
        case "agencies.patch":
            return await api.patch(
                f"/v1/agencies/{world.agency_code}", json={"name": f"Renamed {uuid.uuid4().hex[:6]}"}
            )
        case "regions.list":
            return await api.get("/v1/regions", params={"parent": "64"})
        case "api_keys.create":
            return await api.post("/v1/api-keys", json={"role": "ombudsman", "name": "matrix key"})
        case "api_keys.list":
            return await api.get("/v1/api-keys")
        case "api_keys.delete":
            victim = await issue_key(world.admin, "ombudsman")
            return await api.delete(f"/v1/api-keys/{victim.key_id}")
        case "complaints.erase":
            victim = await create_complaint(world.admin, region_code="64.72")
            return await api.post(f"/v1/complaints/{victim['id']}/erase", json={"reason": "matrix"})
        case "audit.identity_reads":
            return await api.get("/v1/audit/identity-reads")
    raise AssertionError(f"no request defined for {endpoint}")


def test_matrix_covers_every_endpoint_and_caller():
    assert len({row[0] for row in ACCESS}) == len(ACCESS) == 15
    assert all(len(row) == 1 + len(CALLERS) for row in ACCESS)


@pytest.mark.parametrize("endpoint, caller, expected", CASES, ids=[f"{e}-{c}" for e, c, _ in CASES])
async def test_access(world: World, endpoint: str, caller: str, expected: int):
    response = await call(endpoint, world.callers[caller], world)
    assert response.status_code == expected, (endpoint, caller, response.status_code, response.text)
    if expected >= 400:
        assert response.headers["content-type"].startswith(PROBLEM)
        assert response.json()["status"] == expected
    if expected == 401:
        assert response.headers["www-authenticate"].lower().startswith("bearer")


OUT_CASES = [
    (endpoint, caller, status)
    for endpoint, *statuses in OUT_OF_SCOPE
    for caller, status in zip(("omb_64", "omb"), statuses, strict=True)
]


@pytest.mark.parametrize("endpoint, caller, expected", OUT_CASES, ids=[f"{e}-{c}" for e, c, _ in OUT_CASES])
async def test_out_of_region_scope(world: World, endpoint: str, caller: str, expected: int):
    response = await call(endpoint, world.callers[caller], world, complaint_id=world.outside_complaint_id)
    assert response.status_code == expected, (endpoint, caller, response.status_code, response.text)
    if expected >= 400:
        assert response.headers["content-type"].startswith(PROBLEM)


async def test_denied_callers_change_nothing(world: World):
    """A 403/401 on a write must not have written anything."""
    before = (await world.admin.get(f"/v1/agencies/{world.agency_code}")).json()
    for caller in ("omb", "omb_64", "agency", "no_key"):
        response = await world.callers[caller].patch(f"/v1/agencies/{world.agency_code}", json={"name": "Hijacked"})
        assert response.status_code in (401, 403)
    after = (await world.admin.get(f"/v1/agencies/{world.agency_code}")).json()
    assert after["name"] == before["name"] != "Hijacked"

    keys_before = {k["id"] for k in (await world.admin.get("/v1/api-keys")).json()}
    for caller in ("omb", "omb_64", "agency", "no_key"):
        response = await world.callers[caller].post("/v1/api-keys", json={"role": "admin", "name": "escalation"})
        assert response.status_code in (401, 403)
    keys_after = (await world.admin.get("/v1/api-keys")).json()
    assert {k["id"] for k in keys_after} == keys_before
    assert not any(k["name"] == "escalation" for k in keys_after)


@pytest.mark.parametrize("caller, expected", [("no_key", 401), ("agency", 403), ("omb", 403)])
async def test_auth_is_checked_before_the_body(world: World, caller: str, expected: int):
    """An invalid body from a caller who may not call at all is refused for who they are, not for the body."""
    response = await world.callers[caller].post("/v1/api-keys", json={"role": "wizard", "unknown": 1})
    assert response.status_code == expected, response.text


# --- Every GET route, for every caller, with what it returns ----------------------------------
#
# The scene below is a small world in which every visibility rule makes a difference. Labels name
# its objects; a request in READS names them in braces and is filled in from the scene.
#
#   complaint  region  referrals (all made by the national key)
#   cA         64.72   rA -> Samarinda, forwarded;  rU -> Samarinda, never forwarded;  rAb -> Bontang, forwarded
#   cB         64.74   rB -> Bontang, forwarded (Bontang pushes a note);  rX -> a63 (63.71), forwarded
#   cC         63.71   rC -> a63, forwarded
#   cD         63.71   rD -> Samarinda, forwarded (across regions: region 64 sees rD, not cD)
#   cE         64.72   rE -> Samarinda, closed straight from received;  rG -> Samarinda, forwarded then closed
#   cF         64.72   rF -> Samarinda, forwarded; the complainant is confidential; Samarinda pushes a note
#
# Agencies: sam (inspektorat-64.72), bon (inspektorat-64.74), a63 (a test agency in 63.71).
# Webhook endpoints, one per key: wAdmin, wOmb, wOmb64, wOmb63 (an ombudsman key limited to 63),
# wSam, wBon, all created before the referrals, so each received what its owner may see.
# Inbound pushes: pSam (Samarinda's note on rF), pBon (Bontang's note on rB).
#
# An expectation is a status, or a string: 200, and the scene's objects in the answer are exactly
# those labels (for a referral's timeline: its event types, oldest first). Objects of other tests
# in the same lists are ignored by the label comparison but still checked against the rules.

READ_CALLERS = ("admin", "omb", "omb_64", "samarinda", "bontang", "no_key")

C_ALL = "cA cB cC cD cE cF"
C_64 = "cA cB cE cF"
R_ALL = "rA rU rAb rB rX rC rD rE rG rF"
R_64 = "rA rU rAb rB rX rD rE rG rF"  # every referral but rC: its complaint or its agency is in 64
R_SAM = "rA rD rG rF"  # forwarded to Samarinda at some point
R_BON = "rAb rB"
R_63 = "rX rC rD"
W_ALL = "wAdmin wOmb wOmb64 wOmb63 wSam wBon"
REPORT = "/v1/reports/agency-performance?from={from}&to={to}"
OPEN = (200, 200, 200, 200, 200, 200)  # no authentication
ANY_KEY = (200, 200, 200, 200, 200, 401)
SIGN_IN = (303, 303, 303, 303, 303, 303)  # a web page without a session: to the sign-in form

# fmt: off
READS = [
    # request                                           admin     omb       omb_64    samarinda  bontang   no_key
    ("/healthz",                                        *OPEN),
    ("/readyz",                                         *OPEN),
    ("/openapi.json",                                   *OPEN),
    ("/docs",                                           *OPEN),
    ("/",                                               *OPEN),
    ("/metrics",                                        200,      403,      403,      403,       403,      401),
    ("/redoc",                                          *OPEN),
    ("/docs-assets/swagger-ui.css",                     *OPEN),
    ("/docs-assets/not-an-asset.js",                    404,      404,      404,      404,       404,      404),
    # The web pages take a session cookie, never an API key: without a session every page sends
    # the browser to the sign-in form (tests/integration/test_ui_http.py checks them signed in).
    ("/ui",                                             *SIGN_IN),
    ("/ui/",                                            *SIGN_IN),
    ("/ui/sign-in",                                     *OPEN),
    ("/ui/static/ui.css",                               *OPEN),
    ("/ui/figures",                                     *SIGN_IN),
    ("/ui/figures.csv",                                 *SIGN_IN),
    ("/ui/deadlines",                                   *SIGN_IN),
    ("/ui/queue",                                       *SIGN_IN),
    ("/ui/referrals/{rA}",                              *SIGN_IN),

    ("/v1/complaints",                                  C_ALL,    C_ALL,    C_64,     403,       403,      401),
    ("/v1/complaints?q={token}",                        C_ALL,    C_ALL,    C_64,     403,       403,      401),
    ("/v1/complaints?region_code=63",                   "cC cD",  "cC cD",  "",       403,       403,      401),
    ("/v1/complaints/{cA}",                             200,      200,      200,      403,       403,      401),
    ("/v1/complaints/{cC}",                             200,      200,      404,      403,       403,      401),
    ("/v1/complaints/{cD}",                             200,      200,      404,      403,       403,      401),
    ("/v1/complaints/{missing}",                        404,      404,      404,      403,       403,      401),
    ("/v1/complaints/{cA}/events",                      "cA rA rU rAb", "cA rA rU rAb", "cA rA rU rAb", 403, 403, 401),
    ("/v1/complaints/{cB}/events",                      "cB rB rX", "cB rB rX", "cB rB rX", 403,   403,      401),
    ("/v1/complaints/{cC}/events",                      "cC rC",  "cC rC",  404,      403,       403,      401),
    ("/v1/complaints/{cD}/events",                      "cD rD",  "cD rD",  404,      403,       403,      401),
    ("/v1/complaints/{missing}/events",                 404,      404,      404,      403,       403,      401),

    ("/v1/referrals",                                   R_ALL,    R_ALL,    R_64,     R_SAM,     R_BON,    401),
    ("/v1/referrals?state=forwarded",                   "rA rAb rB rX rC rD rF", "rA rAb rB rX rC rD rF",
                                                                            "rA rAb rB rX rD rF", "rA rD rF", R_BON, 401),
    ("/v1/referrals?state=received",                    "rU",     "rU",     "rU",     "",        "",       401),
    ("/v1/referrals?agency_code={sam}",                 "rA rU rD rE rG rF", "rA rU rD rE rG rF",
                                                                            "rA rU rD rE rG rF", R_SAM, "", 401),
    ("/v1/referrals?agency_code={bon}",                 R_BON,    R_BON,    R_BON,    "",        R_BON,    401),
    ("/v1/referrals?agency_code={a63}",                 "rX rC",  "rX rC",  "rX",     "",        "",       401),
    ("/v1/referrals?complaint_id={cA}",                 "rA rU rAb", "rA rU rAb", "rA rU rAb", "rA", "rAb",  401),
    ("/v1/referrals?complaint_id={cB}",                 "rB rX",  "rB rX",  "rB rX",  "",        "rB",     401),
    ("/v1/referrals?complaint_id={cC}",                 "rC",     "rC",     "",       "",        "",       401),
    ("/v1/referrals?complaint_id={cD}",                 "rD",     "rD",     "rD",     "rD",      "",       401),
    ("/v1/referrals?complaint_id={cE}",                 "rE rG",  "rE rG",  "rE rG",  "rG",      "",       401),
    ("/v1/referrals/{rA}",                              200,      200,      200,      200,       404,      401),
    ("/v1/referrals/{rU}",                              200,      200,      200,      404,       404,      401),
    ("/v1/referrals/{rAb}",                             200,      200,      200,      404,       200,      401),
    ("/v1/referrals/{rB}",                              200,      200,      200,      404,       200,      401),
    ("/v1/referrals/{rX}",                              200,      200,      200,      404,       404,      401),
    ("/v1/referrals/{rC}",                              200,      200,      404,      404,       404,      401),
    ("/v1/referrals/{rD}",                              200,      200,      200,      200,       404,      401),
    ("/v1/referrals/{rE}",                              200,      200,      200,      404,       404,      401),
    ("/v1/referrals/{rG}",                              200,      200,      200,      200,       404,      401),
    ("/v1/referrals/{rF}",                              200,      200,      200,      200,       404,      401),
    ("/v1/referrals/{missing}",                         404,      404,      404,      404,       404,      401),
    ("/v1/referrals/{rA}/events",                       "created forwarded attachment.added", "created forwarded attachment.added",
                                                        "created forwarded attachment.added", "forwarded attachment.added", 404, 401),
    ("/v1/referrals/{rU}/events",                       "created", "created", "created", 404,      404,      401),
    ("/v1/referrals/{rAb}/events",                      "created forwarded", "created forwarded", "created forwarded",
                                                                                      404,  "forwarded",   401),
    ("/v1/referrals/{rB}/events",                       "created forwarded note_added", "created forwarded note_added",
                                                        "created forwarded note_added", 404, "forwarded note_added", 401),
    ("/v1/referrals/{rX}/events",                       "created forwarded", "created forwarded", "created forwarded",
                                                                                      404,       404,      401),
    ("/v1/referrals/{rC}/events",                       "created forwarded", "created forwarded", 404, 404, 404, 401),
    ("/v1/referrals/{rD}/events",                       "created forwarded", "created forwarded", "created forwarded",
                                                                                      "forwarded", 404,    401),
    ("/v1/referrals/{rE}/events",                       "created closed", "created closed", "created closed", 404, 404, 401),
    ("/v1/referrals/{rG}/events",                       "created forwarded closed", "created forwarded closed",
                                                        "created forwarded closed", "forwarded closed", 404, 401),
    ("/v1/referrals/{rF}/events",                       "created forwarded note_added", "created forwarded note_added",
                                                        "created forwarded note_added", "forwarded note_added", 404, 401),
    ("/v1/referrals/{missing}/events",                  404,      404,      404,      404,       404,      401),

    # The event feed, per complaint: each event labelled by its referral (or its complaint).
    ("/v1/events?complaint_id={cA}",                    "cA rA rU rAb", "cA rA rU rAb", "cA rA rU rAb", "rA", "rAb", 401),
    ("/v1/events?complaint_id={cB}",                    "cB rB rX", "cB rB rX", "cB rB rX", "",     "rB",     401),
    ("/v1/events?complaint_id={cC}",                    "cC rC",  "cC rC",  "",       "",        "",       401),
    ("/v1/events?complaint_id={cD}",                    "cD rD",  "cD rD",  "rD",     "rD",      "",       401),
    ("/v1/events?complaint_id={cE}",                    "cE rE rG", "cE rE rG", "cE rE rG", "rG",  "",       401),
    ("/v1/events?complaint_id={cF}",                    "cF rF",  "cF rF",  "cF rF",  "rF",      "",       401),
    # Attachments follow their record; an agency sees a complaint's own documents once a referral of it
    # was forwarded to the agency, and never aFid (an identity document of cF's confidential complainant).
    ("/v1/attachments/{aA}",                            200,      200,      200,      200,       200,      401),
    ("/v1/attachments/{aRA}",                           200,      200,      200,      200,       404,      401),
    ("/v1/attachments/{aF}",                            200,      200,      200,      200,       404,      401),
    ("/v1/attachments/{aFid}",                          200,      200,      200,      404,       404,      401),
    ("/v1/attachments/{aC}",                            200,      200,      404,      404,       404,      401),
    ("/v1/attachments/{missing}",                       404,      404,      404,      404,       404,      401),
    ("/v1/complaints/{cA}/attachments",                 "aA aRA", "aA aRA", "aA aRA", 403,       403,      401),
    ("/v1/complaints/{cC}/attachments",                 "aC",     "aC",     404,      403,       403,      401),
    ("/v1/complaints/{cF}/attachments",                 "aF aFid", "aF aFid", "aF aFid", 403,    403,      401),
    ("/v1/complaints/{missing}/attachments",            404,      404,      404,      403,       403,      401),
    ("/v1/referrals/{rA}/attachments",                  "aA aRA", "aA aRA", "aA aRA", "aA aRA",  404,      401),
    ("/v1/referrals/{rAb}/attachments",                 "aA",     "aA",     "aA",     404,       "aA",     401),
    ("/v1/referrals/{rU}/attachments",                  "aA",     "aA",     "aA",     404,       404,      401),
    ("/v1/referrals/{rF}/attachments",                  "aF aFid", "aF aFid", "aF aFid", "aF",   404,      401),
    ("/v1/referrals/{rC}/attachments",                  "aC",     "aC",     404,      404,       404,      401),
    ("/v1/referrals/{missing}/attachments",             404,      404,      404,      404,       404,      401),

    # The agency directory is the same for every key.
    ("/v1/agencies",                                    "sam bon a63", "sam bon a63", "sam bon a63", "sam bon a63", "sam bon a63", 401),
    ("/v1/agencies?region_code=63",                     "a63",    "a63",    "a63",    "a63",     "a63",    401),
    ("/v1/agencies/{sam}",                              *ANY_KEY),
    ("/v1/agencies/{a63}",                              *ANY_KEY),
    ("/v1/agencies/{nosuch}",                           404,      404,      404,      404,       404,      401),
    # Inbound settings: the agency itself, Ombudsman keys covering the agency's region, admin.
    ("/v1/agencies/{sam}/status-mapping",               200,      200,      200,      200,       404,      401),
    ("/v1/agencies/{bon}/status-mapping",               200,      200,      200,      404,       200,      401),
    ("/v1/agencies/{a63}/status-mapping",               200,      200,      404,      404,       404,      401),
    ("/v1/agencies/{nosuch}/status-mapping",            404,      404,      404,      404,       404,      401),
    ("/v1/agencies/{sam}/inbound-events",               "pSam",   "pSam",   "pSam",   "pSam",    404,      401),
    ("/v1/agencies/{bon}/inbound-events",               "pBon",   "pBon",   "pBon",   404,       "pBon",   401),
    ("/v1/agencies/{a63}/inbound-events",               "",       "",       404,      404,       404,      401),
    ("/v1/agencies/{nosuch}/inbound-events",            404,      404,      404,      404,       404,      401),

    ("/v1/regions",                                     *ANY_KEY),
    ("/v1/regions?parent=64",                           *ANY_KEY),
    ("/v1/calendar?year={year}",                        *ANY_KEY),

    # One row per agency in scope, selected by the agency's region (an agency key: its own row).
    (REPORT,                                            "sam bon a63", "sam bon a63", "sam bon", "sam", "bon",   401),
    (REPORT + "&region_code=63",                        "a63",    "a63",    "",       "",        "",       401),
    (REPORT + "&region_code=64.72",                     "sam",    "sam",    "sam",    "sam",     "",       401),

    # Webhook endpoints: admin manages all; a national ombudsman key all ombudsman endpoints; a
    # region-limited one those of its region; an agency key its agency's (docs/webhooks.md).
    ("/v1/webhook-endpoints",                           W_ALL,    "wOmb wOmb64 wOmb63", "wOmb64", "wSam", "wBon", 401),
    ("/v1/webhook-endpoints/{wAdmin}",                  200,      404,      404,      404,       404,      401),
    ("/v1/webhook-endpoints/{wOmb}",                    200,      200,      404,      404,       404,      401),
    ("/v1/webhook-endpoints/{wOmb64}",                  200,      200,      200,      404,       404,      401),
    ("/v1/webhook-endpoints/{wOmb63}",                  200,      200,      404,      404,       404,      401),
    ("/v1/webhook-endpoints/{wSam}",                    200,      404,      404,      200,       404,      401),
    ("/v1/webhook-endpoints/{wBon}",                    200,      404,      404,      404,       200,      401),
    ("/v1/webhook-endpoints/{missing}",                 404,      404,      404,      404,       404,      401),
    # The attempt log: which of the scene's referrals each endpoint received events of.
    ("/v1/webhook-endpoints/{wAdmin}/deliveries",       R_ALL,    404,      404,      404,       404,      401),
    ("/v1/webhook-endpoints/{wOmb}/deliveries",         R_ALL,    R_ALL,    404,      404,       404,      401),
    ("/v1/webhook-endpoints/{wOmb64}/deliveries",       R_64,     R_64,     R_64,     404,       404,      401),
    ("/v1/webhook-endpoints/{wOmb63}/deliveries",       R_63,     R_63,     404,      404,       404,      401),
    ("/v1/webhook-endpoints/{wSam}/deliveries",         R_SAM,    404,      404,      R_SAM,     404,      401),
    ("/v1/webhook-endpoints/{wBon}/deliveries",         R_BON,    404,      404,      404,       R_BON,    401),
    ("/v1/webhook-endpoints/{missing}/deliveries",      404,      404,      404,      404,       404,      401),

    ("/v1/api-keys",                                    "kOmb kOmb64 kOmb63 kSam kBon", 403, 403, 403,  403,      401),
    ("/v1/audit/identity-reads",                        200,      403,      403,      403,       403,      401),
]
# fmt: on

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


# --- which GET routes the app has, and which of them a request hits ---------------------------


def app_get_routes(app) -> set[str]:
    """Every path template the app answers GET on: its route table (with routes left out of the
    OpenAPI document, like /docs) and the OpenAPI document itself."""
    try:
        from fastapi.routing import iter_route_contexts  # FastAPI >= 0.165: included routers stay lazy
    except ImportError:  # pragma: no cover - older FastAPI flattens included routers into app.routes
        routes = list(app.routes)
    else:
        routes = list(iter_route_contexts(app.routes))
    unreadable = [route for route in routes if getattr(route, "methods", None) is None]
    # A mount or a websocket route would hide what it serves from this enumeration.
    assert not unreadable, f"routes whose methods cannot be enumerated: {unreadable}"
    found = {route.path for route in routes if "GET" in route.methods}
    found |= {path for path, item in app.openapi()["paths"].items() if "get" in item}
    return found


def route_of(request: str, routes: set[str]) -> str:
    path = urlsplit(request).path
    matches = [route for route in routes if compile_path(route)[0].match(path)]
    assert len(matches) == 1, f"{request} matches {matches or 'no GET route'}"
    return matches[0]


def test_reads_cover_every_get_route(app):
    """A GET route the matrix does not list fails here: a new endpoint needs its row (and its
    decision about who may read what) before it can ship."""
    assert all(len(row) == 1 + len(READ_CALLERS) for row in READS)
    assert len({row[0] for row in READS}) == len(READS), "a request is listed twice"
    routes = app_get_routes(app)
    # Placeholders are filled in with ids, which never contain a slash: any label matches the same route.
    covered = {route_of(row[0].replace("{", "").replace("}", ""), routes) for row in READS}
    assert routes - covered == set(), f"GET routes without a row in READS: {sorted(routes - covered)}"
    # The enumeration itself must see the routers' routes, or the check above proves nothing.
    assert {"/v1/complaints/{complaint_id}", "/v1/referrals", "/docs"} <= routes


READ_CASES = [
    (row[0], caller, expected) for row in READS for caller, expected in zip(READ_CALLERS, row[1:], strict=True)
]

# Lists read page by page (every answer of a list is then checked whole, not its first page).
PAGED = {  # route -> the field a newest-first page is ordered by (pages are read back to Scene.since)
    "/v1/complaints": "created_at",
    "/v1/referrals": "created_at",
    "/v1/agencies/{code}/inbound-events": "received_at",
    "/v1/webhook-endpoints/{endpoint_id}/deliveries": None,  # read to the end
}
# Routes whose answer does not depend on who asks (compared with the admin's).
SAME_FOR_EVERY_READER = {
    "/v1/agencies",
    "/v1/agencies/{code}",
    "/v1/agencies/{code}/status-mapping",
    "/v1/regions",
    "/v1/calendar",
    "/v1/webhook-endpoints/{endpoint_id}",
    "/healthz",
    "/readyz",
    "/openapi.json",
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
    """Every item of a list answer, the scene's or not, obeys the access rules (docs/operations.md)."""
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


@pytest.mark.parametrize("request_, caller, expected", READ_CASES, ids=[f"{r}-{c}" for r, c, _ in READ_CASES])
async def test_read(app, scene: Scene, request_: str, caller: str, expected: int | str):
    routes = app_get_routes(app)
    route = route_of(request_, routes)
    url = scene.fill(request_)
    api = scene.callers[caller]
    response, body = await read_all(api, url, route, scene.since)
    status = 200 if isinstance(expected, str) else expected
    assert response.status_code == status, (url, caller, response.status_code, response.text[:500])

    if status >= 400:
        assert response.headers["content-type"].startswith(PROBLEM)
        assert response.json()["status"] == status
        if status == 401:
            assert response.headers["www-authenticate"].lower().startswith("bearer")
        return
    if api.role == "agency":
        # A confidential complainant (cF) never reaches an agency, in any answer.
        assert not any(value in response.text for value in CONFIDENTIAL), url
        if body is not None and route in PAGED:
            assert not any(value in orjson.dumps(body).decode() for value in CONFIDENTIAL), url
    if isinstance(expected, str):
        found = labels_in(scene, route, body)
        if route == "/v1/referrals/{referral_id}/events":
            assert found == expected.split(), (url, caller)  # in timeline order
        else:
            assert sorted(set(found)) == sorted(expected.split()), (url, caller, found)
            if route not in (
                "/v1/complaints/{complaint_id}/events",
                "/v1/webhook-endpoints/{endpoint_id}/deliveries",
                "/v1/events",
            ):
                assert len(found) == len(set(found)), (url, caller, "listed twice", found)
        check_rules(scene, caller, route, body)
    if route == "/v1/webhook-endpoints":
        # Exactly the endpoints the rule gives this key, among all of them (other tests' included).
        everything = (await scene.admin.get("/v1/webhook-endpoints")).json()
        expected_ids = {e["id"] for e in everything if may_manage_endpoint(api, e["owner"])}
        assert {e["id"] for e in body} == expected_ids
    if route == "/v1/api-keys":
        assert all("key" not in item and "key_hash" not in item for item in body)
    if route in SAME_FOR_EVERY_READER and caller != "admin":
        assert body == (await scene.admin.get(url)).json(), url
    # The object the path names, e.g. "{rA}" in /v1/referrals/{rA} -> rA's id.
    (target,) = compile_path(route)[0].match(urlsplit(url).path).groupdict().values() or (None,)
    if route in ("/v1/complaints/{complaint_id}", "/v1/referrals/{referral_id}", "/v1/webhook-endpoints/{endpoint_id}"):
        assert body["id"] == target
    if route == "/v1/agencies/{code}":
        assert body["code"] == target
    if route == "/v1/webhook-endpoints/{endpoint_id}/deliveries":
        # Each event of the scene's referrals in scope, once, and for an agency's endpoint only
        # what the agency reads in the timeline (nothing before the forward).
        delivered = sorted(scene.event_labels[d["event_id"]] for d in body if d["event_id"] in scene.event_labels)
        agency_owned = target in (scene.ids["wSam"], scene.ids["wBon"])
        assert delivered == sorted(
            (label, type_)
            for label, type_ in scene.event_labels.values()
            if label in expected.split() and not (agency_owned and type_ == "referral.created")
        ), url
    if route == "/v1/agencies/{code}/status-mapping" and target == SAMARINDA:
        assert body == SAM_MAPPING
    if route == "/v1/referrals/{referral_id}" and api.role == "agency":
        assert body["agency_code"] == api.agency_code and body["state"] != "received"


# --- confidentiality: what an agency's answers hold about a confidential complainant ----------


async def test_confidential_complainant_is_seen_by_the_ombudsman_side_only(scene: Scene):
    rF, cF = scene.ids["rF"], scene.ids["cF"]
    for caller in ("admin", "omb", "omb_64"):
        referral = (await scene.callers[caller].get(f"/v1/referrals/{rF}")).json()
        assert referral["complaint"]["complainant"]["name"] == CONFIDENTIAL_NAME, caller  # so the checks below can fail

    samarinda = scene.callers["samarinda"]
    answers = {
        "get": await samarinda.get(f"/v1/referrals/{rF}"),
        "list": await samarinda.get("/v1/referrals", params={"complaint_id": cF}),
        "queue": await samarinda.get("/v1/referrals", params={"state": "forwarded", "limit": 100}),
        "events": await samarinda.get(f"/v1/referrals/{rF}/events"),
        "inbound log": await samarinda.get(f"/v1/agencies/{SAMARINDA}/inbound-events", params={"limit": 100}),
        "push answer": scene.push_answers["pSam"],
    }
    for what, response in answers.items():
        assert response.status_code == 200, (what, response.text)
        assert not any(value in response.text for value in CONFIDENTIAL), what
    for referral in (
        answers["get"].json(),
        answers["list"].json()["items"][0],
        answers["push answer"].json()["referral"],
    ):
        assert referral["id"] == rF
        assert referral["complaint"]["identity_confidential"] is True and referral["complaint"]["complainant"] is None
    assert [e["type"] for e in answers["events"].json()] == ["referral.forwarded", "referral.note_added"]


async def test_inbound_log_hides_identity_made_confidential_since(scene: Scene):
    omb, samarinda = scene.callers["omb"], scene.callers["samarinda"]
    name = "Saksi Belakangan Kusumawati"
    complaint = await create_complaint(
        omb, region_code="64.72", complainant={"name": name, "phone": "+62 811 2222 3333"}
    )
    created = _ok(await omb.post(f"/v1/complaints/{complaint['id']}/referrals", json={"agency_code": SAMARINDA}), 201)
    _ok(await omb.post(f"/v1/referrals/{created['id']}/forward", json={}))
    msg_id = f"msg_matrix_{uuid.uuid4().hex}"
    pushed = await _push(
        samarinda,
        SAMARINDA,
        scene.inbound_secrets[SAMARINDA],
        msg_id,
        {
            "type": "referral.note_added",
            "timestamp": datetime.now(UTC).isoformat(),
            "data": {"referral_id": created["id"], "text": "Diterima."},
        },
    )
    assert pushed.status_code == 200 and name in pushed.text  # not confidential yet: the agency may see it

    current = await omb.get(f"/v1/complaints/{complaint['id']}")
    patched = await omb.patch(
        f"/v1/complaints/{complaint['id']}",
        json={"identity_confidential": True},
        headers={"If-Match": current.headers["etag"]},
    )
    assert patched.status_code == 200, patched.text
    assert name not in (await samarinda.get(f"/v1/referrals/{created['id']}")).text  # the live view follows at once

    log = await samarinda.get(f"/v1/agencies/{SAMARINDA}/inbound-events", params={"limit": 100})
    assert log.status_code == 200
    entry = next(item for item in log.json()["items"] if item["webhook_id"] == msg_id)
    assert entry["response"]["referral"]["complaint"]["complainant"] is None
    assert name not in log.text
