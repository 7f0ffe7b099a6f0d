"""Complaints on real PostgreSQL: intake (201, Location, ETag, reference numbers) and region scope.

Idempotency, listing, merge-patch updates and plausible dates have modules of their own
(test_complaint_*.py).
"""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime

import pytest

from tests.conftest import complaint_body, create_complaint
from tests.integration.complaint_support import count_rows, list_all, patch, token
from tests.integration.problem_support import assert_problem

REFERENCE = re.compile(r"^(\d{2})-(\d{4})-(\d{6,})$")


# ---------------------------------------------------------------------------------------------
# Intake


async def test_create_returns_201_with_location_etag_and_reference(ombudsman):
    response = await ombudsman.post("/v1/complaints", json=complaint_body())
    assert response.status_code == 201, response.text
    created = response.json()
    assert response.headers["location"] == f"/v1/complaints/{created['id']}"
    assert response.headers["etag"] == '"1"'
    match = REFERENCE.match(created["reference"])
    assert match, created["reference"]
    assert match.group(1) == "64"
    assert int(match.group(2)) == datetime.fromisoformat(created["received_at"]).astimezone(UTC).year

    fetched = await ombudsman.get(response.headers["location"])
    assert fetched.status_code == 200
    assert fetched.json() == created
    assert fetched.headers["etag"] == response.headers["etag"]


async def test_reference_uses_province_and_year_received(ombudsman):
    created = await create_complaint(ombudsman, region_code="63.71", received_at="2025-03-01T10:00:00+08:00")
    assert re.fullmatch(r"63-2025-\d{6,}", created["reference"]), created["reference"]


async def test_references_are_unique(ombudsman, ombudsman_kaltim, admin):
    results = await asyncio.gather(
        *(api.post("/v1/complaints", json=complaint_body()) for api in [ombudsman, ombudsman_kaltim, admin] * 5)
    )
    assert all(r.status_code == 201 for r in results), [r.text for r in results if r.status_code != 201]
    references = [r.json()["reference"] for r in results]
    assert len(set(references)) == len(references)
    assert all(REFERENCE.match(ref) for ref in references)


# ---------------------------------------------------------------------------------------------
# Region scope


@pytest.mark.parametrize("region", ["64", "64.72", "64.01", "64.11"])
async def test_region_key_creates_inside_its_region(ombudsman_kaltim, region):
    created = await create_complaint(ombudsman_kaltim, region_code=region)
    assert created["region_code"] == region


# Not on the Kemendagri list: a province that does not exist, a regency number Kalimantan Timur does
# not use, and codes below regency level (a kecamatan, a village), which the list does not go down to.
@pytest.mark.parametrize(
    "region", ["99", "64.05", "64.72.01", "64.01.02.2001"], ids=["province", "regency", "district", "village"]
)
async def test_a_region_not_on_the_official_list_is_422_on_create_and_patch(app, ombudsman, region):
    word = token()
    problem = assert_problem(
        await ombudsman.post("/v1/complaints", json=complaint_body(region_code=region, subject=word)), 422
    )
    assert [error["loc"] for error in problem["errors"]] == [["body", "region_code"]], problem
    assert await count_rows(app, subject=word) == 0
    created = await create_complaint(ombudsman, region_code="64.72")
    problem = assert_problem(await patch(ombudsman, created["id"], {"region_code": region}, '"1"'), 422)
    assert [error["loc"][-1] for error in problem["errors"]] == ["region_code"], problem
    assert (await ombudsman.get(f"/v1/complaints/{created['id']}")).json() == created


@pytest.mark.parametrize("region", ["63.71", "63", "65.01", "11"])
async def test_region_key_cannot_create_outside_its_region(app, ombudsman_kaltim, region):
    word = token()
    response = await ombudsman_kaltim.post("/v1/complaints", json=complaint_body(region_code=region, subject=word))
    assert_problem(response, 403)
    assert await count_rows(app, subject=word) == 0


async def test_region_key_does_not_see_other_regions(ombudsman, ombudsman_kaltim):
    word = token()
    outside = await create_complaint(ombudsman, region_code="63.71", subject=word)
    inside = await create_complaint(ombudsman, region_code="64.72", subject=word)

    assert_problem(await ombudsman_kaltim.get(f"/v1/complaints/{outside['id']}"), 404)
    assert_problem(await ombudsman_kaltim.get(f"/v1/complaints/{outside['id']}/events"), 404)
    assert_problem(await patch(ombudsman_kaltim, outside["id"], {"subject": "x"}, '"1"'), 404)
    assert (await ombudsman_kaltim.get(f"/v1/complaints/{inside['id']}")).status_code == 200

    seen = {c["id"] for c in await list_all(ombudsman_kaltim, q=word)}
    assert seen == {inside["id"]}
    assert await list_all(ombudsman_kaltim, q=word, region_code="63") == []
    assert await list_all(ombudsman_kaltim, region_code="63.71") == []
    everything = await list_all(ombudsman_kaltim, limit=100)
    assert all(c["region_code"] == "64" or c["region_code"].startswith("64.") for c in everything)
    assert outside["id"] not in {c["id"] for c in everything}

    national = {c["id"] for c in await list_all(ombudsman, q=word)}
    assert national == {inside["id"], outside["id"]}
    # The outside complaint was not touched by the refused patch.
    assert (await ombudsman.get(f"/v1/complaints/{outside['id']}")).headers["etag"] == '"1"'


async def test_region_key_cannot_patch_a_complaint_out_of_its_region(ombudsman_kaltim, ombudsman):
    created = await create_complaint(ombudsman_kaltim, region_code="64.72")
    response = await patch(ombudsman_kaltim, created["id"], {"region_code": "63.71"}, '"1"')
    assert_problem(response, 403)
    assert (await ombudsman.get(f"/v1/complaints/{created['id']}")).json()["region_code"] == "64.72"


async def test_agency_keys_cannot_list_or_read_complaints(samarinda, bontang, ombudsman):
    created = await create_complaint(ombudsman, region_code="64.72")
    for agency in (samarinda, bontang):
        assert_problem(await agency.get("/v1/complaints"), 403)
        assert_problem(await agency.get(f"/v1/complaints/{created['id']}"), 403)
        assert_problem(await agency.get(f"/v1/complaints/{created['id']}/events"), 403)
        assert_problem(await agency.post("/v1/complaints", json=complaint_body()), 403)
