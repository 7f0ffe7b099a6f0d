"""Service foundation: every error is RFC 9457 problem+json, and hostile input never gives a 500.

Covers 400, 401, 403, 404, 405, 409, 412, 413, 415, 422 (with per-field `errors`), 428, and the
unauthenticated health probes.
"""

from __future__ import annotations

import base64
import uuid

import httpx
import orjson
import pytest

from tests.conftest import Api, complaint_body, create_complaint

PROBLEM = "application/problem+json"
ONE_MIB = 1024 * 1024


def assert_problem(response: httpx.Response, status: int) -> dict:
    """The response is an RFC 9457 problem with the given status."""
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["content-type"].split(";")[0].strip() == PROBLEM, response.headers
    body = response.json()
    assert isinstance(body, dict)
    assert body["status"] == status
    assert isinstance(body["type"], str) and body["type"]
    assert isinstance(body["title"], str) and body["title"]
    if "detail" in body:
        assert isinstance(body["detail"], str)
    return body


async def send_raw(
    api: Api,
    method: str,
    url: str,
    content: bytes | None,
    content_type: str | None = "application/json",
    extra: dict[str, str] | None = None,
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {api.key}", **(extra or {})}
    if content_type is not None:
        headers["Content-Type"] = content_type
    return await api.client.request(method, url, content=content, headers=headers)


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


def field_locs(problem: dict) -> list[list]:
    assert isinstance(problem.get("errors"), list) and problem["errors"], problem
    for error in problem["errors"]:
        assert isinstance(error["loc"], list)
        assert isinstance(error["message"], str) and error["message"]
        assert isinstance(error["type"], str)
    return [error["loc"] for error in problem["errors"]]


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


# ---------------------------------------------------------------------------------------------
# Hostile strings and numbers: 4xx, never 500


NUL_CASES = [
    ("subject", {"subject": "Izin\u0000usaha"}),
    ("description", {"description": "abc\u0000"}),
    ("complainant.name", {"complainant": {"name": "Bu\u0000di"}}),
    ("complainant.email", {"complainant": {"name": "Budi", "email": "budi\u0000@example.org"}}),
    ("complainant.phone", {"complainant": {"name": "Budi", "phone": "+62\u0000"}}),
    ("reported_party.name", {"reported_party": {"name": "Dinas\u0000"}}),
    ("external_refs.id", {"external_refs": [{"system": "lapor", "id": "A\u0000"}]}),
]


@pytest.mark.parametrize("overrides", [case[1] for case in NUL_CASES], ids=[case[0] for case in NUL_CASES])
async def test_nul_character_in_complaint_is_422(ombudsman, overrides):
    problem = assert_problem(await ombudsman.post("/v1/complaints", json=complaint_body(**overrides)), 422)
    field_locs(problem)


async def test_nul_character_in_agency_and_key_names_is_422(admin):
    agency = {"code": "nul-agency-test", "name": "Dinas\u0000", "kind": "opd", "region_code": "64.72"}
    assert_problem(await admin.post("/v1/agencies", json=agency), 422)
    assert_problem(await admin.post("/v1/api-keys", json={"role": "ombudsman", "name": "x\u0000y"}), 422)


async def test_nul_character_in_patch_is_422(ombudsman):
    complaint = await create_complaint(ombudsman)
    for patch in ({"subject": "a\u0000b"}, {"complainant": {"email": "a\u0000@example.org"}}):
        response = await send_raw(
            ombudsman,
            "PATCH",
            f"/v1/complaints/{complaint['id']}",
            orjson.dumps(patch),
            "application/merge-patch+json",
            {"If-Match": '"1"'},
        )
        assert_problem(response, 422)


async def test_nul_character_in_query_is_4xx(ombudsman):
    response = await ombudsman.get("/v1/complaints", params={"q": "a\u0000b"})
    assert 400 <= response.status_code < 500
    assert_problem(response, response.status_code)


def with_member(member: bytes) -> bytes:
    """A valid complaint body with one more member appended; JSON parsers keep the last duplicate."""
    return orjson.dumps(complaint_body())[:-1] + b"," + member + b"}"


LONE_SURROGATES = [
    ("subject", b'"subject": "\\ud800"'),
    ("email", b'"complainant": {"name": "Budi", "email": "\\udc00@example.org"}'),
    ("name", b'"complainant": {"name": "\\ud83d"}'),
    ("description", b'"description": "x\\udfff y"'),
    ("external-ref", b'"external_refs": [{"system": "\\ud800", "id": "1"}]'),
]


@pytest.mark.parametrize("member", [c[1] for c in LONE_SURROGATES], ids=[c[0] for c in LONE_SURROGATES])
async def test_lone_surrogate_is_4xx_not_500(ombudsman, member):
    assert b"\\u" in member  # the escape goes over the wire as six characters
    response = await send_raw(ombudsman, "POST", "/v1/complaints", with_member(member))
    assert response.status_code in (400, 422), response.text
    assert_problem(response, response.status_code)


async def test_lone_surrogate_in_patch_is_4xx_not_500(ombudsman):
    complaint = await create_complaint(ombudsman)
    response = await send_raw(
        ombudsman,
        "PATCH",
        f"/v1/complaints/{complaint['id']}",
        b'{"subject": "\\ud800"}',
        "application/merge-patch+json",
        {"If-Match": '"1"'},
    )
    assert response.status_code in (400, 422), response.text
    assert_problem(response, response.status_code)


async def test_lone_surrogate_in_agency_and_key_bodies_is_4xx(admin):
    agency = b'{"code": "surrogate-test", "name": "\\ud800", "kind": "opd", "region_code": "64.72"}'
    for url, raw in (("/v1/agencies", agency), ("/v1/api-keys", b'{"role": "ombudsman", "name": "\\udc00"}')):
        response = await send_raw(admin, "POST", url, raw)
        assert response.status_code in (400, 422), response.text
        assert_problem(response, response.status_code)


HUGE_NUMBERS = [
    ("received_at-1e400", b'"received_at": 1e400'),
    ("received_at-bigint", b'"received_at": ' + b"9" * 5000),
    ("incident_date-bigint", b'"incident_date": 99999999999999999999999999999'),
    ("identity_confidential-1e999", b'"identity_confidential": 1e999'),
    ("subject-neg-huge", b'"subject": -1e309'),
    ("external_refs-nan", b'"external_refs": NaN'),
    ("received_at-huge-year", b'"received_at": "99999-01-01T00:00:00Z"'),
    ("received_at-neg-inf", b'"received_at": -1e400'),
    ("incident_date-1e400", b'"incident_date": 1e400'),
]


@pytest.mark.parametrize("member", [case[1] for case in HUGE_NUMBERS], ids=[case[0] for case in HUGE_NUMBERS])
async def test_huge_numbers_are_4xx_not_500(ombudsman, member):
    response = await send_raw(ombudsman, "POST", "/v1/complaints", with_member(member))
    assert response.status_code in (400, 422), (response.status_code, response.text)
    assert_problem(response, response.status_code)


@pytest.mark.parametrize(
    "patch",
    [
        b'{"received_at": 1e400}',
        b'{"incident_date": ' + b"9" * 5000 + b"}",
        b'{"identity_confidential": 1e999}',
        b'{"received_at": "10000-01-01T00:00:00Z"}',
    ],
    ids=["float-overflow", "bigint", "bool-overflow", "year-10000"],
)
async def test_huge_numbers_in_patch_are_4xx_not_500(ombudsman, patch):
    complaint = await create_complaint(ombudsman)
    response = await send_raw(
        ombudsman,
        "PATCH",
        f"/v1/complaints/{complaint['id']}",
        patch,
        "application/merge-patch+json",
        {"If-Match": '"1"'},
    )
    assert response.status_code in (400, 422), (response.status_code, response.text)
    assert_problem(response, response.status_code)


@pytest.mark.parametrize("limit", ["0", "101", "-1", "99999999999999999999999999", "1e3", "abc"])
async def test_bad_limit_is_422(ombudsman, limit):
    problem = assert_problem(await ombudsman.get("/v1/complaints", params={"limit": limit}), 422)
    assert any(error["loc"][-1] == "limit" for error in problem["errors"])


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


# ---------------------------------------------------------------------------------------------
# Hostile query strings and headers


@pytest.mark.parametrize(
    "q",
    ["'", '"unbalanced', "a & | ! b", "(((", "-", "or", "😀", "a" * 200, "<script>", "\\", "%", "_"],
)
async def test_hostile_search_text_is_not_an_error(ombudsman, q):
    response = await ombudsman.get("/v1/complaints", params={"q": q})
    assert response.status_code == 200, response.text
    assert isinstance(response.json()["items"], list)


async def test_invalid_utf8_in_query_string_is_not_500(ombudsman):
    for raw in ("/v1/complaints?q=%ED%A0%80", "/v1/complaints?q=%FF%FE", "/v1/agencies?region_code=%ED%A0%80"):
        response = await ombudsman.get(raw)
        assert response.status_code < 500, (raw, response.text)


async def test_non_ascii_bytes_in_authorization_header_are_401(raw_client):
    for value in (b"Bearer \xff\xfe\xfd", b"Bearer \xc3\xa9t\xc3\xa9", b"Bearer " + "é".encode("latin-1") * 50):
        response = await raw_client.get("/v1/complaints", headers={"Authorization": value})
        assert_problem(response, 401)


async def test_bad_path_parameters_are_422_not_500(ombudsman, admin):
    assert_problem(await ombudsman.get("/v1/complaints/not-a-uuid"), 422)
    assert_problem(await ombudsman.get("/v1/complaints/not-a-uuid/events"), 422)
    assert_problem(await admin.get("/v1/agencies/%00bad"), 422)
    assert_problem(await admin.delete("/v1/api-keys/123"), 422)


@pytest.mark.parametrize(
    "received_at",
    ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00Z"],
    ids=["year-1-east", "year-9999-west", "year-1-utc"],
)
async def test_extreme_received_at_is_not_500(ombudsman, received_at):
    response = await ombudsman.post("/v1/complaints", json=complaint_body(received_at=received_at))
    assert response.status_code in (201, 422), (response.status_code, response.text)
    if response.status_code == 422:
        assert_problem(response, 422)


@pytest.mark.parametrize(
    "params",
    [{"received_from": "0001-01-01T00:00:00+14:00"}, {"received_to": "9999-12-31T23:59:59-14:00"}],
    ids=["from-year-1-east", "to-year-9999-west"],
)
async def test_extreme_date_filters_are_not_500(ombudsman, params):
    response = await ombudsman.get("/v1/complaints", params=params)
    assert response.status_code in (200, 422), (response.status_code, response.text)


@pytest.mark.parametrize("depth", [2_000, 200_000], ids=["deep", "very-deep"])
async def test_deeply_nested_json_is_4xx_not_500(ombudsman, depth):
    nested = b'{"complainant": ' + b"[" * depth + b"]" * depth + b"}"
    response = await send_raw(ombudsman, "POST", "/v1/complaints", nested)
    assert response.status_code in (400, 422), (response.status_code, response.text[:300])
    assert_problem(response, response.status_code)
    complaint = await create_complaint(ombudsman)
    response = await send_raw(
        ombudsman,
        "PATCH",
        f"/v1/complaints/{complaint['id']}",
        nested,
        "application/merge-patch+json",
        {"If-Match": '"1"'},
    )
    assert response.status_code in (400, 422), (response.status_code, response.text[:300])
    assert_problem(response, response.status_code)


@pytest.mark.parametrize("raw", [b"[]", b"null", b'"text"', b"42"], ids=["array", "null", "string", "number"])
async def test_non_object_json_body_is_422(ombudsman, raw):
    assert_problem(await send_raw(ombudsman, "POST", "/v1/complaints", raw), 422)
