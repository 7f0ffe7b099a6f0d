"""The read paths build response bodies directly (no pydantic round trip): every body must still be
exactly what the documented models make of it, so the representation cannot drift from the schema."""

import json

from pydantic import BaseModel

from referral_service.complaints.schemas import ComplaintOut
from referral_service.referrals.schemas import ReferralOut
from tests.conftest import create_complaint


def assert_canonical(model: type[BaseModel], body: dict) -> None:
    canonical = model.model_validate(body).model_dump(mode="json")
    assert body == canonical
    # Same keys in the same order, nested too: the bytes match what pydantic would have written.
    assert json.dumps(body) == json.dumps(canonical)


def assert_page(model: type[BaseModel], response) -> list[dict]:
    assert response.status_code == 200, response.text
    page = response.json()
    assert set(page) == {"items", "next_cursor"}
    assert page["items"], "expected a non-empty page"
    for item in page["items"]:
        assert_canonical(model, item)
    return page["items"]


async def test_list_and_get_bodies_match_the_models(ombudsman_kaltim, samarinda):
    omb = ombudsman_kaltim
    referral_ids, complaint_ids = [], []
    for i, overrides in enumerate(
        [
            {"identity_confidential": True},
            {
                "reported_party": {"name": "Dinas PTSP"},
                "incident_date": "2026-10-01",
                "external_refs": [{"system": "sp4n_lapor", "id": "LAP-1"}],
            },
            {"complainant": {"name": "Budi", "phone": "+62 812 0000"}},
            {},
        ]
    ):
        complaint = await create_complaint(omb, region_code="64.72", **overrides)
        assert_canonical(ComplaintOut, complaint)
        complaint_ids.append(complaint["id"])
        created = await omb.post(
            f"/v1/complaints/{complaint['id']}/referrals", json={"agency_code": "inspektorat-64.72"}
        )
        assert created.status_code == 201, created.text
        assert_canonical(ReferralOut, created.json())
        rid = created.json()["id"]
        referral_ids.append(rid)
        if i == 3:
            continue  # stays `received`: no deadline runs
        steps = [(omb, "forward", {"due_working_days": 5})]
        if i >= 1:
            steps.append((samarinda, "acknowledge", {"external_ref": f"REP-{rid[:8]}"}))
            steps.append(
                (samarinda, "respond", {"outcome": "action_taken", "summary": "Sudah.", "actions_taken": None})
            )
        if i == 2:
            steps.append((omb, "close", {"resolution": "resolved"}))
        for api, action, body in steps:
            response = await api.post(f"/v1/referrals/{rid}/{action}", json=body)
            assert response.status_code == 200, (action, response.text)
            assert_canonical(ReferralOut, response.json())

    for rid in referral_ids:
        response = await omb.get(f"/v1/referrals/{rid}")
        assert response.status_code == 200, response.text
        assert response.headers["etag"]
        assert_canonical(ReferralOut, response.json())
        agency = await samarinda.get(f"/v1/referrals/{rid}")
        if agency.status_code == 200:
            assert_canonical(ReferralOut, agency.json())
    for cid in complaint_ids:
        response = await omb.get(f"/v1/complaints/{cid}")
        assert response.status_code == 200, response.text
        assert_canonical(ComplaintOut, response.json())

    items = assert_page(ReferralOut, await omb.get("/v1/referrals", params={"limit": 100}))
    assert {i["state"] for i in items} >= {"received", "responded", "closed"}
    assert any(i["response"] is not None for i in items)
    assert_page(ReferralOut, await samarinda.get("/v1/referrals", params={"limit": 100}))
    agency_items = assert_page(ReferralOut, await samarinda.get("/v1/referrals", params={"state": "forwarded"}))
    confidential = [i for i in agency_items if i["id"] == referral_ids[0]]
    assert confidential and confidential[0]["complaint"]["complainant"] is None
    # The Ombudsman side sees every complainant, but those erased (other tests erase some: the
    # record then says "[erased]" where the description was).
    assert all(i["complaint"]["complainant"] is not None or i["complaint"]["description"] == "[erased]" for i in items)
    assert_page(ReferralOut, await omb.get("/v1/referrals", params={"limit": 2}))
    assert_page(ComplaintOut, await omb.get("/v1/complaints", params={"limit": 100}))
    assert_page(ComplaintOut, await omb.get("/v1/complaints", params={"limit": 2}))
