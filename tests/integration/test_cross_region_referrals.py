"""Referrals across regions: who may make them, and who sees them afterwards.

A region-limited Ombudsman key refers only to agencies inside its region (403 otherwise). A
national key may refer a complaint to an agency of another region; the referral is then visible
to the region-limited Ombudsman keys of the complaint's region *and* of the agency's region, in
reads, lists and webhook fan-out alike.
"""

from __future__ import annotations

import pytest

from tests.conftest import create_agency, create_complaint, issue_key


@pytest.fixture(scope="module")
async def regions(admin, kaltim):
    """An agency in 63.71 (Kota Banjarmasin, outside Kalimantan Timur) and keys for both regions."""
    agency_63 = await create_agency(admin, region_code="63.71", kind="inspektorat_kota")
    return {
        "agency_63": agency_63,
        "omb_64": await issue_key(admin, "ombudsman", region_code="64"),
        "omb_63": await issue_key(admin, "ombudsman", region_code="63"),
        "agency_63_key": await issue_key(admin, "agency", agency_code=agency_63),
    }


async def test_region_limited_key_cannot_refer_outside_its_region(regions):
    omb_64 = regions["omb_64"]
    complaint = await create_complaint(omb_64, region_code="64.74")
    response = await omb_64.post(
        f"/v1/complaints/{complaint['id']}/referrals", json={"agency_code": regions["agency_63"]}
    )
    assert response.status_code == 403, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert "63.71" in response.json()["detail"] and "national" in response.json()["detail"]
    # Nothing was created: the complaint has no referral.
    listed = await omb_64.get("/v1/referrals", params={"complaint_id": complaint["id"]})
    assert listed.json()["items"] == []


async def test_region_limited_key_refers_inside_its_region(regions):
    omb_64 = regions["omb_64"]
    complaint = await create_complaint(omb_64, region_code="64.74")
    response = await omb_64.post(
        f"/v1/complaints/{complaint['id']}/referrals", json={"agency_code": "inspektorat-64.72"}
    )
    assert response.status_code == 201, response.text


async def test_national_cross_region_referral_is_visible_to_both_regions(ombudsman, regions):
    omb_64, omb_63, agency_63_key = regions["omb_64"], regions["omb_63"], regions["agency_63_key"]
    complaint = await create_complaint(ombudsman, region_code="64.74")
    created = await ombudsman.post(
        f"/v1/complaints/{complaint['id']}/referrals", json={"agency_code": regions["agency_63"]}
    )
    assert created.status_code == 201, created.text
    referral_id = created.json()["id"]

    for key in (omb_64, omb_63):
        read = await key.get(f"/v1/referrals/{referral_id}")
        assert read.status_code == 200, (key.region_code, read.text)
        listed = await key.get("/v1/referrals", params={"complaint_id": complaint["id"]})
        assert [item["id"] for item in listed.json()["items"]] == [referral_id], key.region_code
        timeline = await key.get(f"/v1/referrals/{referral_id}/events")
        assert timeline.status_code == 200

    # The agency's own region's Ombudsman may act on it too (here: forward it).
    forwarded = await omb_63.post(f"/v1/referrals/{referral_id}/forward", json={})
    assert forwarded.status_code == 200, forwarded.text
    assert (await agency_63_key.get(f"/v1/referrals/{referral_id}")).status_code == 200

    # The complaint record itself stays in its own region's scope.
    assert (await omb_63.get(f"/v1/complaints/{complaint['id']}")).status_code == 404


async def test_unrelated_region_sees_nothing(admin, ombudsman, regions):
    omb_65 = await issue_key(admin, "ombudsman", region_code="65")
    complaint = await create_complaint(ombudsman, region_code="64.74")
    created = await ombudsman.post(
        f"/v1/complaints/{complaint['id']}/referrals", json={"agency_code": regions["agency_63"]}
    )
    referral_id = created.json()["id"]
    assert (await omb_65.get(f"/v1/referrals/{referral_id}")).status_code == 404
    listed = await omb_65.get("/v1/referrals", params={"complaint_id": complaint["id"]})
    assert listed.json()["items"] == []


async def test_cross_region_referral_events_reach_both_regions_subscribers(ombudsman, regions, subscribe):
    """Region-limited subscriptions of the complaint's and of the agency's region both get the events."""
    omb_64, omb_63 = regions["omb_64"], regions["omb_63"]
    types = ["referral.created", "referral.forwarded"]
    # Nothing listens on port 9: deliveries stay queued, which is all this test reads.
    endpoint_64 = await subscribe(omb_64, "http://127.0.0.1:9/region-64", event_types=types)
    endpoint_63 = await subscribe(omb_63, "http://127.0.0.1:9/region-63", event_types=types)
    complaint = await create_complaint(ombudsman, region_code="64.74")
    created = await ombudsman.post(
        f"/v1/complaints/{complaint['id']}/referrals", json={"agency_code": regions["agency_63"]}
    )
    referral_id = created.json()["id"]
    assert (await ombudsman.post(f"/v1/referrals/{referral_id}/forward", json={})).status_code == 200

    for key, endpoint in ((omb_64, endpoint_64), (omb_63, endpoint_63)):
        page = (await key.get(f"/v1/webhook-endpoints/{endpoint['id']}/deliveries", params={"limit": 100})).json()
        assert sorted(item["event_type"] for item in page["items"]) == sorted(types), key.region_code
