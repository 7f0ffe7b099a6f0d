"""Request bodies as RFC 9457 problems: 413 over one MiB (declared, chunked, on patch), 415 for
anything but JSON, 400 for malformed JSON, and 422 with per-field errors and for unknown fields."""

from __future__ import annotations

import uuid

import orjson
import pytest

from tests.conftest import complaint_body, create_complaint
from tests.integration.foundation_support import assert_problem, field_locs, send_raw

ONE_MIB = 1024 * 1024


# ---------------------------------------------------------------------------------------------
# 413 / 415 / 400 malformed JSON


async def test_body_over_one_mib_is_413_before_parsing(ombudsman):
    # Not even JSON: the guard must refuse on size alone, before any parser sees it.
    oversized = b"{" + b"x" * ONE_MIB
    body = assert_problem(await send_raw(ombudsman, "POST", "/v1/complaints", oversized), 413)
    assert body["type"].endswith("/payload-too-large")


async def test_valid_json_over_the_limit_is_413_and_creates_nothing(ombudsman):
    token = "bigbody" + uuid.uuid4().hex[:8]
    payload = complaint_body(subject=token, description="y" * (ONE_MIB + 10))
    response = await ombudsman.post("/v1/complaints", json=payload)
    assert_problem(response, 413)
    listed = await ombudsman.get("/v1/complaints", params={"q": token})
    assert listed.status_code == 200
    assert listed.json()["items"] == []


async def test_body_exactly_at_the_limit_is_not_413(ombudsman):
    payload = orjson.dumps(complaint_body())
    padded = payload[:-1] + b" " * (ONE_MIB - len(payload)) + b"}"
    assert len(padded) == ONE_MIB
    response = await send_raw(ombudsman, "POST", "/v1/complaints", padded)
    assert response.status_code == 201, response.text


async def test_chunked_body_over_the_limit_is_413(ombudsman):
    async def chunks():
        for _ in range(20):
            yield b" " * (128 * 1024)

    response = await ombudsman.client.post(
        "/v1/complaints",
        content=chunks(),
        headers={"Authorization": f"Bearer {ombudsman.key}", "Content-Type": "application/json"},
    )
    assert "content-length" not in response.request.headers
    assert_problem(response, 413)


async def test_413_on_patch_too(ombudsman):
    complaint = await create_complaint(ombudsman)
    big = orjson.dumps({"description": "z" * (ONE_MIB + 1)})
    response = await send_raw(
        ombudsman,
        "PATCH",
        f"/v1/complaints/{complaint['id']}",
        big,
        "application/merge-patch+json",
        {"If-Match": '"1"'},
    )
    assert_problem(response, 413)


@pytest.mark.parametrize(
    "content_type",
    [None, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml"],
)
async def test_non_json_content_type_is_415(ombudsman, content_type):
    content = orjson.dumps(complaint_body())
    response = await send_raw(ombudsman, "POST", "/v1/complaints", content, content_type)
    body = assert_problem(response, 415)
    assert body["type"].endswith("/unsupported-media-type")


async def test_non_json_content_type_is_415_on_patch_and_admin_endpoints(admin, ombudsman):
    complaint = await create_complaint(ombudsman)
    patched = await send_raw(
        ombudsman, "PATCH", f"/v1/complaints/{complaint['id']}", b"subject=x", "text/plain", {"If-Match": '"1"'}
    )
    assert_problem(patched, 415)
    assert_problem(await send_raw(admin, "POST", "/v1/agencies", b"<agency/>", "application/xml"), 415)
    assert_problem(
        await send_raw(admin, "POST", "/v1/api-keys", b"role=admin", "application/x-www-form-urlencoded"), 415
    )


async def test_json_content_type_with_charset_is_accepted(ombudsman):
    response = await send_raw(
        ombudsman, "POST", "/v1/complaints", orjson.dumps(complaint_body()), "application/json; charset=utf-8"
    )
    assert response.status_code == 201, response.text


@pytest.mark.parametrize(
    "content",
    [b'{"channel": ', b"{'single': 'quotes'}", b"not json", b'{"a": 1,}', b"\xff\xfe\x00"],
    ids=["truncated", "single-quotes", "bare-word", "trailing-comma", "bad-utf8"],
)
async def test_malformed_json_is_400_problem(ombudsman, content):
    body = assert_problem(await send_raw(ombudsman, "POST", "/v1/complaints", content), 400)
    assert "errors" not in body or isinstance(body["errors"], list)


async def test_malformed_json_patch_is_400_problem(ombudsman):
    complaint = await create_complaint(ombudsman)
    response = await send_raw(
        ombudsman,
        "PATCH",
        f"/v1/complaints/{complaint['id']}",
        b'{"subject": ',
        "application/merge-patch+json",
        {"If-Match": '"1"'},
    )
    assert_problem(response, 400)


async def test_malformed_json_on_admin_endpoints_is_400(admin):
    assert_problem(await send_raw(admin, "POST", "/v1/agencies", b"{nope"), 400)
    assert_problem(await send_raw(admin, "POST", "/v1/api-keys", b"{nope"), 400)


# ---------------------------------------------------------------------------------------------
# 422 with per-field errors, unknown fields


async def test_validation_error_lists_each_field(ombudsman):
    payload = complaint_body(channel="carrier_pigeon", category="bogus")
    del payload["subject"]
    problem = assert_problem(await ombudsman.post("/v1/complaints", json=payload), 422)
    locs = field_locs(problem)
    named = {loc[-1] for loc in locs}
    assert {"channel", "category", "subject"} <= named, locs


@pytest.mark.parametrize(
    "url, payload",
    [
        ("/v1/complaints", complaint_body(status="closed")),
        ("/v1/complaints", complaint_body(complainant={"name": "Budi", "nickname": "B"})),
        ("/v1/agencies", {"code": "x-unknown-field", "name": "X", "kind": "opd", "region_code": "64", "color": "red"}),
        ("/v1/api-keys", {"role": "ombudsman", "name": "x", "scopes": ["all"]}),
    ],
    ids=["complaint-top", "complaint-nested", "agency", "api-key"],
)
async def test_unknown_fields_are_422(admin, kaltim, url, payload):
    problem = assert_problem(await admin.post(url, json=payload), 422)
    types = {error["type"] for error in problem["errors"]}
    assert "extra_forbidden" in types, problem


async def test_validation_errors_never_echo_input(ombudsman):
    secret = "NIK-3171234567890001"
    payload = complaint_body(complainant={"name": "Budi", "identity_number": secret * 10})
    response = await ombudsman.post("/v1/complaints", json=payload)
    assert_problem(response, 422)
    assert secret not in response.text
