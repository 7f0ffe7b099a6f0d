"""Hostile requests get a 4xx problem, never a 500: NUL characters, lone surrogates, huge numbers,
out-of-range limits, hostile query strings and headers, bad path parameters, extreme dates and
deeply nested JSON."""

from __future__ import annotations

import orjson
import pytest

from tests.conftest import complaint_body, create_complaint
from tests.integration.foundation_support import assert_problem, field_locs, send_raw

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
