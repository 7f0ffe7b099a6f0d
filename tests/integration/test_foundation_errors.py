"""Service foundation: every error is RFC 9457 problem+json, with a type of its own per status.

Covers the unauthenticated health probes, 401, 403, 404, 405, 409, 412, 428 and 400 for a bad
cursor. Request bodies (413, 415, 400, 422) are in test_request_body_errors.py; hostile input that
must never give a 500 in test_hostile_requests.py.
"""

from __future__ import annotations

import base64
import uuid

import httpx
import orjson
import pytest

from tests.conftest import create_complaint
from tests.integration.foundation_support import assert_problem, send_raw

# ---------------------------------------------------------------------------------------------
# Health probes: no authentication


async def test_healthz_and_readyz_need_no_auth(raw_client: httpx.AsyncClient):
    live = await raw_client.get("/healthz")
    assert live.status_code == 200
    assert live.json() == {"status": "ok"}
    ready = await raw_client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json() == {"status": "ready"}


# ---------------------------------------------------------------------------------------------
# 401 / 403 / 404 / 405


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer "},
        {"Authorization": "Bearer rsk_thisKeyWasNeverIssued0000000000000000000000"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer " + "x" * 5000},
        {"Authorization": "rsk_no_scheme_at_all"},
    ],
    ids=["missing", "empty-bearer", "unknown-key", "basic-scheme", "oversized-key", "no-scheme"],
)
async def test_missing_or_unknown_key_is_401_problem(raw_client, headers):
    response = await raw_client.get("/v1/complaints", headers=headers)
    body = assert_problem(response, 401)
    assert body["type"].endswith("/unauthorized")
    assert response.headers["www-authenticate"].lower().startswith("bearer")


async def test_wrong_role_is_403_problem(samarinda):
    body = assert_problem(await samarinda.get("/v1/complaints"), 403)
    assert body["type"].endswith("/forbidden")


async def test_unknown_complaint_is_404_problem(ombudsman):
    assert_problem(await ombudsman.get(f"/v1/complaints/{uuid.uuid4()}"), 404)
    assert_problem(await ombudsman.get(f"/v1/complaints/{uuid.uuid4()}/events"), 404)


async def test_unknown_route_is_404_problem(admin, raw_client):
    assert_problem(await admin.get("/v1/no-such-thing"), 404)
    assert_problem(await raw_client.get("/definitely/not/here"), 404)


async def test_wrong_method_is_405_problem(admin, ombudsman):
    complaint = await create_complaint(ombudsman)
    for response in (
        await admin.put("/v1/complaints", json={}),
        await admin.delete("/v1/complaints"),
        await admin.delete(f"/v1/complaints/{complaint['id']}"),
        await admin.put("/v1/agencies/inspektorat-64", json={"name": "x"}),
    ):
        body = assert_problem(response, 405)
        assert body["type"].endswith("/method-not-allowed")
        assert "allow" in {k.lower() for k in response.headers}


# ---------------------------------------------------------------------------------------------
# 409 / 412 / 428


async def test_duplicate_agency_is_409_problem(admin, kaltim):
    body = {"code": "inspektorat-64", "name": "Duplicate", "kind": "inspektorat_provinsi", "region_code": "64"}
    problem = assert_problem(await admin.post("/v1/agencies", json=body), 409)
    assert "inspektorat-64" in problem.get("detail", "")


async def test_patch_preconditions_are_428_and_412_problems(ombudsman):
    complaint = await create_complaint(ombudsman)
    url = f"/v1/complaints/{complaint['id']}"
    patch = orjson.dumps({"subject": "Changed"})
    missing = await send_raw(ombudsman, "PATCH", url, patch, "application/merge-patch+json")
    assert assert_problem(missing, 428)["type"].endswith("/precondition-required")
    stale = await send_raw(ombudsman, "PATCH", url, patch, "application/merge-patch+json", {"If-Match": '"999"'})
    assert assert_problem(stale, 412)["type"].endswith("/precondition-failed")


# ---------------------------------------------------------------------------------------------
# 400: bad cursor


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage!!",
        "%%%",
        _b64(b"not json"),
        _b64(b'["2026-01-01T00:00:00", "' + str(uuid.uuid4()).encode() + b'"]'),  # naive timestamp
        _b64(b'["2026-01-01T00:00:00+00:00", "not-a-uuid"]'),
        _b64(b'["2026-01-01T00:00:00+00:00"]'),
        _b64(b'{"a": 1}'),
        _b64(b"[1, 2]"),
        _b64(b"\xff\xfe"),
        "\u00e9t\u00e9",
    ],
    ids=[
        "punctuation",
        "percent",
        "not-json",
        "naive",
        "bad-uuid",
        "short",
        "object",
        "numbers",
        "bad-utf8",
        "non-ascii",
    ],
)
async def test_bad_cursor_is_400_problem(ombudsman, cursor):
    body = assert_problem(await ombudsman.get("/v1/complaints", params={"cursor": cursor}), 400)
    assert body["type"].endswith("/bad-request")


async def test_cursor_from_a_real_page_is_accepted(ombudsman):
    await create_complaint(ombudsman)
    await create_complaint(ombudsman)
    first = await ombudsman.get("/v1/complaints", params={"limit": 1})
    assert first.status_code == 200
    cursor = first.json()["next_cursor"]
    assert cursor
    second = await ombudsman.get("/v1/complaints", params={"limit": 1, "cursor": cursor})
    assert second.status_code == 200, second.text


# ---------------------------------------------------------------------------------------------
# Errors carry the same shape everywhere


async def test_problem_types_are_distinct_per_status(ombudsman, samarinda, raw_client):
    complaint = await create_complaint(ombudsman)
    responses = {
        401: await raw_client.get("/v1/complaints"),
        403: await samarinda.get("/v1/complaints"),
        404: await ombudsman.get(f"/v1/complaints/{uuid.uuid4()}"),
        428: await send_raw(
            ombudsman, "PATCH", f"/v1/complaints/{complaint['id']}", b"{}", "application/merge-patch+json"
        ),
        400: await ombudsman.get("/v1/complaints", params={"cursor": "x"}),
        422: await ombudsman.post("/v1/complaints", json={}),
    }
    types = {status: assert_problem(response, status)["type"] for status, response in responses.items()}
    assert len(set(types.values())) == len(types), types


@pytest.mark.parametrize("cursor", ["A" * 201, "A" * 4000], ids=["just-over-200", "very-long"])
async def test_overlong_cursor_is_400_problem(ombudsman, cursor):
    assert_problem(await ombudsman.get("/v1/complaints", params={"cursor": cursor}), 400)
