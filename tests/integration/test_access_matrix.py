"""Who may call what: every foundation endpoint against every kind of caller, in one table.

Read a row as "this endpoint, called by each caller, answers ...". `omb_64` is an ombudsman key
limited to region 64 (Kalimantan Timur); the objects it touches here are in 64.72, inside its scope.
Scope (404 outside the region, 403 creating outside it) has its own table below.

Every GET route against every caller is in test_read_matrix.py.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import httpx
import orjson
import pytest

from tests.conftest import Api, complaint_body, create_agency, create_complaint, issue_key
from tests.integration.access_support import PROBLEM, NoKey

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
