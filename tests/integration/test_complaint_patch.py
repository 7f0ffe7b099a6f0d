"""Updating a complaint: JSON merge patch with If-Match (428, 412), field validation (422), removing
and merging members, and the complaint.updated event in the timeline."""

from __future__ import annotations

import uuid

import orjson
import pytest

from tests.conftest import create_complaint
from tests.integration.complaint_support import patch
from tests.integration.problem_support import assert_problem

# ---------------------------------------------------------------------------------------------
# PATCH (JSON merge patch with If-Match)


async def test_patch_requires_if_match(ombudsman):
    created = await create_complaint(ombudsman)
    assert_problem(await patch(ombudsman, created["id"], {"subject": "New"}, None), 428)
    assert_problem(await patch(ombudsman, created["id"], {"subject": "New"}, "   "), 428)
    fetched = await ombudsman.get(f"/v1/complaints/{created['id']}")
    assert fetched.json()["subject"] == created["subject"]
    assert fetched.headers["etag"] == '"1"'


@pytest.mark.parametrize("stale", ['"0"', '"2"', 'W/"1"', "1", '"1 "', '"abc", "7"'])
async def test_patch_with_stale_etag_is_412(ombudsman, stale):
    created = await create_complaint(ombudsman)
    problem = assert_problem(await patch(ombudsman, created["id"], {"subject": "New"}, stale), 412)
    assert problem.get("current_etag") in (None, '"1"')
    assert (await ombudsman.get(f"/v1/complaints/{created['id']}")).json()["subject"] == created["subject"]


@pytest.mark.parametrize("if_match", ['"0"', None], ids=["stale", "missing"])
async def test_patch_with_invalid_body_is_422_before_any_precondition(ombudsman, if_match):
    """A patch that could never apply is reported as such, whatever If-Match says."""
    created = await create_complaint(ombudsman)
    problem = assert_problem(await patch(ombudsman, created["id"], {"category": "not-a-category"}, if_match), 422)
    assert any("category" in str(error.get("loc")) for error in problem["errors"])


async def test_patch_with_current_etag_updates_and_bumps_etag(ombudsman):
    created = await create_complaint(ombudsman)
    response = await patch(ombudsman, created["id"], {"subject": "Izin usaha sudah lima bulan"}, '"1"')
    assert response.status_code == 200, response.text
    assert response.headers["etag"] == '"2"'
    assert response.headers["content-type"].startswith("application/json")
    updated = response.json()
    assert updated["subject"] == "Izin usaha sudah lima bulan"
    assert updated["description"] == created["description"]
    assert updated["reference"] == created["reference"] and updated["id"] == created["id"]
    assert updated["updated_at"] > created["updated_at"]
    fetched = await ombudsman.get(f"/v1/complaints/{created['id']}")
    assert fetched.json() == updated
    assert fetched.headers["etag"] == '"2"'
    # The old ETag is now stale.
    assert_problem(await patch(ombudsman, created["id"], {"subject": "Again"}, '"1"'), 412)
    again = await patch(ombudsman, created["id"], {"subject": "Again"}, '"2"')
    assert again.status_code == 200 and again.headers["etag"] == '"3"'


async def test_patch_accepts_plain_json_content_type(ombudsman):
    created = await create_complaint(ombudsman)
    response = await patch(ombudsman, created["id"], {"subject": "Plain"}, '"1"', content_type="application/json")
    assert response.status_code == 200, response.text


async def test_null_removes_optional_fields(ombudsman):
    created = await create_complaint(
        ombudsman,
        incident_date="2026-01-15",
        reported_party={"name": "Dinas Penanaman Modal", "agency_code": "inspektorat-64.72"},
    )
    assert created["incident_date"] == "2026-01-15"
    assert created["complainant"]["email"] == "budi@example.org"
    response = await patch(
        ombudsman, created["id"], {"incident_date": None, "reported_party": None, "complainant": {"email": None}}, '"1"'
    )
    assert response.status_code == 200, response.text
    updated = response.json()
    assert updated["incident_date"] is None
    assert updated["reported_party"] is None
    assert updated["complainant"]["email"] is None
    assert updated["complainant"]["name"] == "Budi Santoso"  # siblings survive a nested merge
    assert updated["complainant"]["phone"] == "+62 812 0000 1111"
    stored = (await ombudsman.get(f"/v1/complaints/{created['id']}")).json()
    assert stored == updated


async def test_nested_merge_changes_one_member(ombudsman):
    created = await create_complaint(ombudsman, reported_party={"name": "Dinas A", "agency_code": "inspektorat-64.72"})
    response = await patch(ombudsman, created["id"], {"reported_party": {"name": "Dinas B"}}, '"1"')
    assert response.status_code == 200, response.text
    assert response.json()["reported_party"] == {"name": "Dinas B", "agency_code": "inspektorat-64.72"}


@pytest.mark.parametrize(
    "doc",
    [
        {"status": "closed"},
        {"reference": "64-2026-999999"},
        {"id": str(uuid.uuid4())},
        {"complainant": {"nickname": "x"}},
        {"version": 7},
    ],
    ids=["status", "reference", "id", "nested", "version"],
)
async def test_patch_unknown_field_is_422(ombudsman, doc):
    created = await create_complaint(ombudsman)
    problem = assert_problem(await patch(ombudsman, created["id"], doc, '"1"'), 422)
    assert problem.get("errors"), problem
    after = await ombudsman.get(f"/v1/complaints/{created['id']}")
    assert after.headers["etag"] == '"1"' and after.json()["reference"] == created["reference"]


@pytest.mark.parametrize(
    "doc, field",
    [
        ({"subject": None}, "subject"),
        ({"subject": ""}, "subject"),
        ({"category": "bogus"}, "category"),
        ({"channel": None}, "channel"),
        ({"complainant": None}, "complainant"),
        ({"complainant": {"name": None}}, "name"),
        ({"complainant": {"email": "not-an-email"}}, "email"),
        ({"region_code": "64.7"}, "region_code"),
        ({"received_at": "2026-01-01T00:00:00"}, "received_at"),
        ({"identity_confidential": "perhaps"}, "identity_confidential"),
        ({"external_refs": [{"system": "lapor"}]}, "id"),
    ],
    ids=[
        "subject-null",
        "subject-empty",
        "category",
        "channel-null",
        "complainant-null",
        "name-null",
        "email",
        "region",
        "naive-received-at",
        "bool",
        "external-ref",
    ],
)
async def test_patch_with_invalid_result_is_422_with_field_errors(ombudsman, doc, field):
    created = await create_complaint(ombudsman)
    problem = assert_problem(await patch(ombudsman, created["id"], doc, '"1"'), 422)
    assert isinstance(problem.get("errors"), list) and problem["errors"]
    assert any(field in [str(part) for part in error["loc"]] for error in problem["errors"]), problem["errors"]
    after = await ombudsman.get(f"/v1/complaints/{created['id']}")
    assert after.headers["etag"] == '"1"'
    assert after.json() == created


@pytest.mark.parametrize("doc", [[], [{"op": "replace", "path": "/subject", "value": "x"}], "subject", 5, None])
async def test_patch_that_is_not_an_object_is_422(ombudsman, doc):
    created = await create_complaint(ombudsman)
    assert_problem(await patch(ombudsman, created["id"], doc, '"1"'), 422)


async def test_patch_unknown_complaint_is_404(ombudsman):
    assert_problem(await patch(ombudsman, str(uuid.uuid4()), {"subject": "x"}, '"1"'), 404)


async def test_patch_records_complaint_updated_event(ombudsman, ombudsman_kaltim):
    created = await create_complaint(ombudsman)
    events = (await ombudsman.get(f"/v1/complaints/{created['id']}/events")).json()
    assert [e["type"] for e in events] == ["complaint.created"]

    response = await patch(ombudsman_kaltim, created["id"], {"subject": "Baru", "category": "tidak_patut"}, '"1"')
    assert response.status_code == 200, response.text
    events_response = await ombudsman.get(f"/v1/complaints/{created['id']}/events")
    assert events_response.status_code == 200
    events = events_response.json()
    assert [e["type"] for e in events] == ["complaint.created", "complaint.updated"]
    updated = events[-1]
    assert updated["complaint_id"] == created["id"]
    assert updated["sequence"] == events[0]["sequence"] + 1
    assert sorted(updated["data"]["changed_fields"]) == ["category", "subject"]
    assert updated["data"]["version"] == 2
    assert updated["actor"]["key_id"] == ombudsman_kaltim.key_id
    assert updated["actor"]["role"] == "ombudsman"
    # Field names only: the new values (possibly personal data) are not in the timeline.
    assert "Baru" not in orjson.dumps(updated["data"]).decode()


async def test_refused_patches_record_no_event(ombudsman):
    created = await create_complaint(ombudsman)
    await patch(ombudsman, created["id"], {"subject": "x"}, None)
    await patch(ombudsman, created["id"], {"subject": "x"}, '"9"')
    await patch(ombudsman, created["id"], {"nope": 1}, '"1"')
    await patch(ombudsman, created["id"], {"subject": ""}, '"1"')
    events = (await ombudsman.get(f"/v1/complaints/{created['id']}/events")).json()
    assert [e["type"] for e in events] == ["complaint.created"]
