"""The seed story, end to end through the API, and the timeline that tells it."""

from tests.conftest import create_complaint


async def test_seed_story_complaint_to_samarinda_and_back(ombudsman_kaltim, samarinda):
    omb = ombudsman_kaltim
    complaint = await create_complaint(omb, region_code="64.72")
    created = await omb.post(
        f"/v1/complaints/{complaint['id']}/referrals",
        json={"agency_code": "inspektorat-64.72", "instructions": "Mohon ditindaklanjuti."},
    )
    assert created.status_code == 201, created.text
    referral = created.json()
    rid = referral["id"]
    assert referral["state"] == "received"
    assert created.headers["location"] == f"/v1/referrals/{rid}"

    # Not visible to the agency before it is forwarded.
    assert (await samarinda.get(f"/v1/referrals/{rid}")).status_code == 404

    steps = [
        (omb, "forward", {"due_working_days": 10}, "forwarded"),
        (samarinda, "acknowledge", {"external_ref": f"SMD-{rid[:8]}"}, "forwarded"),
        (samarinda, "respond", {"outcome": "action_taken", "summary": "Izin sudah diproses."}, "responded"),
        (omb, "request-follow-up", {"reason": "Mohon lampirkan salinan izin."}, "forwarded"),
        (samarinda, "respond", {"outcome": "action_taken", "summary": "Salinan izin terlampir."}, "responded"),
        (omb, "close", {"resolution": "resolved"}, "closed"),
    ]
    for api, action, body, expected_state in steps:
        current = await api.get(f"/v1/referrals/{rid}")
        response = await api.post(
            f"/v1/referrals/{rid}/{action}", json=body, headers={"If-Match": current.headers["etag"]}
        )
        assert response.status_code == 200, (action, response.text)
        assert response.json()["state"] == expected_state, action

    final = (await omb.get(f"/v1/referrals/{rid}")).json()
    assert final["follow_up_count"] == 1
    assert final["resolution"] == "resolved"
    assert final["response"]["summary"] == "Salinan izin terlampir."
    assert final["external_ref"] == f"SMD-{rid[:8]}"

    timeline = (await omb.get(f"/v1/referrals/{rid}/events")).json()
    assert [(e["sequence"], e["type"], e["from_state"], e["to_state"]) for e in timeline] == [
        (1, "referral.created", None, "received"),
        (2, "referral.forwarded", "received", "forwarded"),
        (3, "referral.acknowledged", "forwarded", "forwarded"),
        (4, "referral.responded", "forwarded", "responded"),
        (5, "referral.follow_up_requested", "responded", "forwarded"),
        (6, "referral.responded", "forwarded", "responded"),
        (7, "referral.closed", "responded", "closed"),
    ]
    assert timeline[2]["actor"]["agency_code"] == "inspektorat-64.72"
    assert timeline[2]["actor"]["role"] == "agency"
    assert timeline[1]["actor"]["role"] == "ombudsman"

    # The agency's view of the same timeline starts at the forward.
    agency_timeline = (await samarinda.get(f"/v1/referrals/{rid}/events")).json()
    assert [e["sequence"] for e in agency_timeline] == [2, 3, 4, 5, 6, 7]

    # The complaint's timeline holds its own creation plus the whole referral story.
    complaint_events = (await omb.get(f"/v1/complaints/{complaint['id']}/events")).json()
    assert [e["type"] for e in complaint_events][:2] == ["complaint.created", "referral.created"]
    assert len(complaint_events) == 8
