"""API keys (issue, list, revoke; stored only as a hash) and the agency directory."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import uuid

import pytest
from sqlalchemy import text

from tests.conftest import Api, create_agency, issue_key

PROBLEM = "application/problem+json"
KALTIM_CODES = {
    "inspektorat-64",
    "inspektorat-64.01",
    "inspektorat-64.02",
    "inspektorat-64.03",
    "inspektorat-64.07",
    "inspektorat-64.08",
    "inspektorat-64.09",
    "inspektorat-64.11",
    "inspektorat-64.71",
    "inspektorat-64.72",
    "inspektorat-64.74",
}


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status and body["type"] and body["title"]
    return body


def _common_prefix(values: list[str]) -> str:
    return os.path.commonprefix(values)  # noqa: RUF071 - key strings, not paths: character-wise is meant


# ---------------------------------------------------------------------------------------------
# API keys


async def test_bootstrap_admin_key_works(admin):
    response = await admin.get("/v1/api-keys")
    assert response.status_code == 200, response.text
    assert isinstance(response.json(), list)


async def test_create_key_returns_it_once_with_metadata(admin, kaltim):
    response = await admin.post(
        "/v1/api-keys", json={"role": "ombudsman", "name": "SIMPEL Kaltim", "region_code": "64"}
    )
    assert response.status_code == 201, response.text
    data = response.json()
    assert {"id", "key", "role", "name", "agency_code", "region_code", "created_at"} <= set(data)
    assert data["role"] == "ombudsman" and data["name"] == "SIMPEL Kaltim"
    assert data["region_code"] == "64" and data["agency_code"] is None
    uuid.UUID(data["id"])
    assert data["created_at"]

    agency = await admin.post(
        "/v1/api-keys", json={"role": "agency", "name": "Samarinda", "agency_code": "inspektorat-64.72"}
    )
    assert agency.status_code == 201, agency.text
    assert agency.json()["agency_code"] == "inspektorat-64.72" and agency.json()["region_code"] is None

    # The new key works straight away, with its role.
    ombudsman = Api(admin.client, data["key"], "ombudsman")
    assert (await ombudsman.get("/v1/complaints")).status_code == 200
    assert (await ombudsman.get("/v1/api-keys")).status_code == 403


async def test_keys_have_at_least_32_random_bytes(admin):
    keys = [(await issue_key(admin, "ombudsman")).key for _ in range(8)]
    assert len(set(keys)) == len(keys)
    for key in keys:
        assert re.fullmatch(r"[A-Za-z0-9_\-]+", key), key  # safe in a header, no padding
    prefix = _common_prefix(keys)
    assert len(prefix) <= 8, prefix  # a short fixed tag at most; the rest differs
    for key in keys:
        secret = key[len(prefix) :]
        raw = base64.urlsafe_b64decode(secret + "=" * (-len(secret) % 4))
        assert len(raw) >= 32, (key, len(raw))
        assert len(set(secret)) >= 16  # not a counter or a repeated pattern
    # Across keys, each position varies: nothing but the prefix is constant.
    positions = min(len(k) for k in keys)
    constant = [i for i in range(len(prefix), positions) if len({k[i] for k in keys}) == 1]
    assert len(constant) <= 4, constant


async def test_key_is_never_shown_again(admin):
    issued = await issue_key(admin, "ombudsman")
    listing = await admin.get("/v1/api-keys")
    assert listing.status_code == 200
    rows = listing.json()
    assert all("key" not in row for row in rows)
    mine = [row for row in rows if row["id"] == issued.key_id]
    assert len(mine) == 1
    assert mine[0]["role"] == "ombudsman" and mine[0]["revoked_at"] is None
    assert issued.key not in listing.text
    # Whatever prefix is shown to recognise the key is too short to be the key.
    assert len(mine[0].get("key_prefix", "")) < len(issued.key) // 2


async def test_keys_are_stored_only_as_a_hash(app, admin):
    issued = await issue_key(admin, "ombudsman")
    async with app.state.sessionmaker() as session:
        row = (
            (await session.execute(text("SELECT * FROM api_keys WHERE id = :id"), {"id": uuid.UUID(issued.key_id)}))
            .mappings()
            .one()
        )
        dump = (await session.execute(text("SELECT row_to_json(k)::text FROM api_keys k"))).scalars().all()
    secret_part = issued.key[8:]
    for value in row.values():
        if isinstance(value, (bytes, memoryview)):
            value = bytes(value)
            assert issued.key.encode() not in value
            assert value.hex() != issued.key
        else:
            assert issued.key not in str(value)
            assert secret_part not in str(value)
    assert all(issued.key not in line and secret_part not in line for line in dump)
    # And what is stored really is a one-way digest of the key.
    assert bytes(row["key_hash"]) == hashlib.sha256(issued.key.encode()).digest()


async def test_revoked_key_fails_on_its_very_next_request(admin):
    issued = await issue_key(admin, "ombudsman")
    other = await issue_key(admin, "ombudsman")
    assert (await issued.get("/v1/agencies")).status_code == 200  # it works (and any cache is warm)
    deleted = await admin.delete(f"/v1/api-keys/{issued.key_id}")
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert_problem(await issued.get("/v1/agencies"), 401)
    assert_problem(await issued.get("/v1/complaints"), 401)
    assert (await other.get("/v1/agencies")).status_code == 200
    listed = {row["id"]: row for row in (await admin.get("/v1/api-keys")).json()}
    assert listed[issued.key_id]["revoked_at"] is not None
    assert listed[other.key_id]["revoked_at"] is None


async def test_revoking_twice_or_unknown_is_404(admin):
    issued = await issue_key(admin, "ombudsman")
    assert (await admin.delete(f"/v1/api-keys/{issued.key_id}")).status_code == 204
    assert_problem(await admin.delete(f"/v1/api-keys/{issued.key_id}"), 404)
    assert_problem(await admin.delete(f"/v1/api-keys/{uuid.uuid4()}"), 404)
    assert_problem(await admin.delete("/v1/api-keys/not-a-uuid"), 422)


async def test_admin_key_can_revoke_itself_and_then_is_locked_out(admin):
    second_admin = await issue_key(admin, "admin")
    assert (await second_admin.delete(f"/v1/api-keys/{second_admin.key_id}")).status_code == 204
    assert_problem(await second_admin.get("/v1/api-keys"), 401)


@pytest.mark.parametrize(
    "body",
    [
        {"role": "agency", "name": "no agency"},
        {"role": "ombudsman", "name": "bound", "agency_code": "inspektorat-64.72"},
        {"role": "agency", "name": "regional agency", "agency_code": "inspektorat-64.72", "region_code": "64"},
        {"role": "admin", "name": "regional admin", "region_code": "64"},
        {"role": "agency", "name": "ghost", "agency_code": "inspektorat-99.99"},
        {"role": "ombudsman", "name": "bad region", "region_code": "Kaltim"},
        {"role": "ombudsman", "name": "unknown region", "region_code": "99"},
        {"role": "ombudsman", "name": "district", "region_code": "64.72.01"},
        {"role": "root", "name": "root"},
        {"role": "ombudsman", "name": ""},
        {"role": "ombudsman"},
        {"role": "ombudsman", "name": "x", "expires": "never"},
    ],
    ids=[
        "agency-no-code",
        "ombudsman-with-agency",
        "agency-with-region",
        "admin-with-region",
        "unknown-agency",
        "bad-region",
        "unknown-region",
        "district-region",
        "bad-role",
        "empty-name",
        "no-name",
        "unknown-field",
    ],
)
async def test_invalid_key_requests_are_422(admin, kaltim, body):
    before = len((await admin.get("/v1/api-keys")).json())
    assert_problem(await admin.post("/v1/api-keys", json=body), 422)
    assert len((await admin.get("/v1/api-keys")).json()) == before


# ---------------------------------------------------------------------------------------------
# Agencies


async def test_kalimantan_timur_directory_is_loaded(ombudsman):
    response = await ombudsman.get("/v1/agencies", params={"region_code": "64"})
    assert response.status_code == 200
    by_code = {a["code"]: a for a in response.json()}
    assert set(by_code) >= KALTIM_CODES
    assert len(KALTIM_CODES) == 11
    assert by_code["inspektorat-64"]["kind"] == "inspektorat_provinsi"
    assert by_code["inspektorat-64"]["parent_code"] is None
    assert by_code["inspektorat-64.72"]["kind"] == "inspektorat_kota"
    assert by_code["inspektorat-64.01"]["kind"] == "inspektorat_kabupaten"
    for code in KALTIM_CODES - {"inspektorat-64"}:
        assert by_code[code]["parent_code"] == "inspektorat-64"
        assert by_code[code]["region_code"] == code.removeprefix("inspektorat-")
    assert all(by_code[c]["timezone"] == "Asia/Makassar" and by_code[c]["active"] for c in KALTIM_CODES)


async def test_agency_list_is_ordered_by_code(ombudsman, kaltim):
    codes = [a["code"] for a in (await ombudsman.get("/v1/agencies")).json()]
    assert codes == sorted(codes)
    assert set(codes) >= KALTIM_CODES


async def test_region_filter_is_a_prefix_over_dotted_codes(admin, ombudsman, kaltim):
    in_64 = await create_agency(admin, region_code="64.72")
    in_65 = await create_agency(admin, region_code="65.01")
    in_6472 = {a["code"] for a in (await ombudsman.get("/v1/agencies", params={"region_code": "64.72"})).json()}
    assert {"inspektorat-64.72", in_64} <= in_6472
    assert "inspektorat-64" not in in_6472 and "inspektorat-64.71" not in in_6472 and in_65 not in in_6472
    in_64_all = (await ombudsman.get("/v1/agencies", params={"region_code": "64"})).json()
    codes = {a["code"] for a in in_64_all}
    assert KALTIM_CODES | {in_64} <= codes and in_65 not in codes
    assert all(a["region_code"] == "64" or a["region_code"].startswith("64.") for a in in_64_all)
    assert {a["code"] for a in (await ombudsman.get("/v1/agencies", params={"region_code": "65"})).json()} >= {in_65}
    assert_problem(await ombudsman.get("/v1/agencies", params={"region_code": "6"}), 422)
    assert_problem(await ombudsman.get("/v1/agencies", params={"region_code": "6%"}), 422)
    # A well-formed code that is not on the official list is refused too, not an empty list.
    assert_problem(await ombudsman.get("/v1/agencies", params={"region_code": "99"}), 422)


async def test_kind_and_active_filters(admin, samarinda, kaltim):
    inactive = await create_agency(admin, region_code="64.74", kind="opd")
    response = await admin.patch(f"/v1/agencies/{inactive}", json={"active": False})
    assert response.status_code == 200 and response.json()["active"] is False

    kota = (await samarinda.get("/v1/agencies", params={"kind": "inspektorat_kota", "region_code": "64"})).json()
    assert {a["code"] for a in kota} >= {"inspektorat-64.71", "inspektorat-64.72", "inspektorat-64.74"}
    assert all(a["kind"] == "inspektorat_kota" for a in kota)
    assert "inspektorat-64.01" not in {a["code"] for a in kota}

    provinsi = (
        await samarinda.get("/v1/agencies", params={"kind": "inspektorat_provinsi", "region_code": "64"})
    ).json()
    assert "inspektorat-64" in {a["code"] for a in provinsi}
    assert all(a["kind"] == "inspektorat_provinsi" for a in provinsi)

    inactive_list = (await samarinda.get("/v1/agencies", params={"active": "false"})).json()
    assert inactive in {a["code"] for a in inactive_list}
    assert all(a["active"] is False for a in inactive_list)
    assert not KALTIM_CODES & {a["code"] for a in inactive_list}
    active_list = (await samarinda.get("/v1/agencies", params={"active": "true", "region_code": "64.74"})).json()
    assert inactive not in {a["code"] for a in active_list}
    assert "inspektorat-64.74" in {a["code"] for a in active_list}
    assert all(a["active"] is True for a in active_list)

    assert_problem(await samarinda.get("/v1/agencies", params={"kind": "kementerian"}), 422)
    assert_problem(await samarinda.get("/v1/agencies", params={"active": "maybe"}), 422)


async def test_create_and_get_one_agency(admin, bontang, kaltim):
    body = {
        "code": f"opd-64.74-{uuid.uuid4().hex[:6]}",
        "name": "Dinas Penanaman Modal dan PTSP Kota Bontang",
        "kind": "opd",
        "region_code": "64.74",
        "parent_code": "inspektorat-64.74",
        "timezone": "Asia/Makassar",
        "default_due_working_days": 10,
    }
    created = await admin.post("/v1/agencies", json=body)
    assert created.status_code == 201, created.text
    data = created.json()
    for name, value in body.items():
        assert data[name] == value
    assert data["active"] is True and data["created_at"] and data["updated_at"]

    fetched = await bontang.get(f"/v1/agencies/{body['code']}")
    assert fetched.status_code == 200
    assert fetched.json() == data


async def test_unknown_agency_is_404(ombudsman):
    problem = assert_problem(await ombudsman.get("/v1/agencies/inspektorat-99.99"), 404)
    assert problem["type"].endswith("/not-found")
    assert_problem(await ombudsman.get("/v1/agencies/NOT-A-CODE"), 422)


async def test_duplicate_agency_code_is_409(admin):
    code = await create_agency(admin)
    problem = assert_problem(
        await admin.post("/v1/agencies", json={"code": code, "name": "Again", "kind": "opd", "region_code": "64.72"}),
        409,
    )
    assert code in problem["detail"]
    assert (await admin.get(f"/v1/agencies/{code}")).json()["name"] != "Again"


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"timezone": "asia/makassar"}, "timezone"),
        ({"timezone": "WITA"}, "timezone"),
        ({"timezone": ""}, "timezone"),
        ({"timezone": "../../etc/passwd"}, "timezone"),
        ({"kind": "kementerian"}, "kind"),
        ({"kind": None}, "kind"),
        ({"region_code": "Samarinda"}, "region_code"),
        ({"region_code": "99"}, "region_code"),
        ({"code": "Has Spaces"}, "code"),
        ({"default_due_working_days": 0}, "default_due_working_days"),
        ({"default_due_working_days": 366}, "default_due_working_days"),
        ({"name": ""}, "name"),
    ],
    ids=[
        "tz-unknown",
        "tz-case",
        "tz-abbrev",
        "tz-empty",
        "tz-path",
        "kind-unknown",
        "kind-null",
        "region",
        "region-unknown",
        "code",
        "due-0",
        "due-366",
        "name-empty",
    ],
)
async def test_invalid_agency_is_422_with_field_errors(admin, overrides, field):
    body = {"code": f"bad-{uuid.uuid4().hex[:8]}", "name": "X", "kind": "opd", "region_code": "64.72", **overrides}
    problem = assert_problem(await admin.post("/v1/agencies", json=body), 422)
    assert any(field in [str(p) for p in error["loc"]] for error in problem["errors"]), problem
    if "code" not in overrides:
        assert_problem(await admin.get(f"/v1/agencies/{body['code']}"), 404)


async def test_unknown_parent_is_422(admin):
    body = {
        "code": f"orphan-{uuid.uuid4().hex[:6]}",
        "name": "X",
        "kind": "opd",
        "region_code": "64.72",
        "parent_code": "inspektorat-99",
    }
    assert_problem(await admin.post("/v1/agencies", json=body), 422)


async def test_patch_agency(admin, kaltim):
    code = await create_agency(admin, region_code="64.72")
    before = (await admin.get(f"/v1/agencies/{code}")).json()
    response = await admin.patch(
        f"/v1/agencies/{code}",
        json={
            "name": "Dinas Baru",
            "timezone": "Asia/Jakarta",
            "parent_code": "inspektorat-64.72",
            "default_due_working_days": 7,
        },
    )
    assert response.status_code == 200, response.text
    after = response.json()
    assert after["name"] == "Dinas Baru" and after["timezone"] == "Asia/Jakarta"
    assert after["parent_code"] == "inspektorat-64.72" and after["default_due_working_days"] == 7
    assert after["kind"] == before["kind"] and after["region_code"] == before["region_code"]
    assert after["created_at"] == before["created_at"]
    assert after["updated_at"] > before["updated_at"]
    assert (await admin.get(f"/v1/agencies/{code}")).json() == after

    cleared = await admin.patch(f"/v1/agencies/{code}", json={"default_due_working_days": None, "parent_code": None})
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["default_due_working_days"] is None and cleared.json()["parent_code"] is None


@pytest.mark.parametrize(
    "body",
    [
        {"timezone": "Mars/Olympus_Mons"},
        {"kind": "kementerian"},
        {"name": None},
        {"kind": None},
        {"region_code": None},
        {"timezone": None},
        {"active": None},
        {"code": "renamed"},
        {"parent_code": "SELF"},
        {"parent_code": "inspektorat-99"},
    ],
    ids=[
        "tz",
        "kind",
        "name-null",
        "kind-null",
        "region-null",
        "tz-null",
        "active-null",
        "code",
        "self-parent",
        "unknown-parent",
    ],
)
async def test_invalid_agency_patch_is_422(admin, kaltim, body):
    code = await create_agency(admin)
    if body.get("parent_code") == "SELF":
        body = {"parent_code": code}
    before = (await admin.get(f"/v1/agencies/{code}")).json()
    assert_problem(await admin.patch(f"/v1/agencies/{code}", json=body), 422)
    assert (await admin.get(f"/v1/agencies/{code}")).json() == before


async def test_patch_unknown_agency_is_404(admin):
    assert_problem(await admin.patch("/v1/agencies/inspektorat-99.99", json={"name": "X"}), 404)
