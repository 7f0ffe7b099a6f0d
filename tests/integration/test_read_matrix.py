"""Who may read what: `READS` lists every GET route the app has (a test fails when one is missing)
against every caller, two agencies included, in a scene where each visibility rule makes a
difference: for lists it names which of the scene's objects each caller gets back, not only the
status. The scene and the helpers that read its answers are in access_support.py.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import orjson
import pytest
from starlette.routing import compile_path

from tests.integration.access_support import (
    CONFIDENTIAL,
    PAGED,
    PROBLEM,
    SAM_MAPPING,
    SAMARINDA,
    Scene,
    check_rules,
    labels_in,
    may_manage_endpoint,
    read_all,
)

# --- Every GET route, for every caller, with what it returns ----------------------------------
#
# The scene (access_support.py) is a small world in which every visibility rule makes a difference. Labels name
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
    ("/ui/attachments/{aA}",                            *SIGN_IN),

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
