"""The agency directory: the shipped Kalimantan Timur Inspektorats, listing and its filters,
creating, reading and patching an agency, and invalid agencies refused."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from tests.conftest import create_agency
from tests.integration.problem_support import assert_problem

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


async def test_a_parent_chain_that_would_loop_is_422_and_changes_nothing(admin, kaltim):
    top = await create_agency(admin, region_code="64")
    middle = await create_agency(admin, region_code="64.72")
    bottom = await create_agency(admin, region_code="64.72")
    for child, parent in ((middle, top), (bottom, middle)):
        assert (await admin.patch(f"/v1/agencies/{child}", json={"parent_code": parent})).status_code == 200
    # top -> bottom -> middle -> top, and the two-step top -> middle -> top.
    for parent in (bottom, middle):
        problem = assert_problem(await admin.patch(f"/v1/agencies/{top}", json={"parent_code": parent}), 422)
        assert "loop" in problem["detail"]
    assert (await admin.get(f"/v1/agencies/{top}")).json()["parent_code"] is None
    # Moving a branch elsewhere in the tree is fine.
    assert (await admin.patch(f"/v1/agencies/{bottom}", json={"parent_code": top})).status_code == 200


async def test_concurrent_parent_changes_cannot_close_a_loop_between_them(admin, kaltim):
    first, second = await create_agency(admin), await create_agency(admin)
    answers = await asyncio.gather(
        admin.patch(f"/v1/agencies/{first}", json={"parent_code": second}),
        admin.patch(f"/v1/agencies/{second}", json={"parent_code": first}),
    )
    assert sorted(a.status_code for a in answers) == [200, 422], [a.text for a in answers]


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
