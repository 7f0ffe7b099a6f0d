"""The seed story delivered by webhook: each subscriber gets exactly what it may see, in order,
signed; a confidential complainant's identity never reaches an agency endpoint or the log."""

import asyncio
import logging

from tests.conftest import CONFIDENTIAL_NAME, create_complaint

STORY_TYPES = [
    "referral.created",
    "referral.forwarded",
    "referral.acknowledged",
    "referral.responded",
    "referral.follow_up_requested",
    "referral.responded",
    "referral.closed",
]


async def _all_delivered(api, endpoint_id: str, count: int, timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        response = await api.get(f"/v1/webhook-endpoints/{endpoint_id}/deliveries", params={"limit": 100})
        assert response.status_code == 200, response.text
        items = response.json()["items"]
        if len(items) == count and all(item["status"] == "delivered" for item in items):
            return
        assert len(items) <= count, items
        assert asyncio.get_running_loop().time() < deadline, items
        await asyncio.sleep(0.05)


async def test_seed_story_reaches_each_subscriber_as_it_may_see_it(
    ombudsman_kaltim, samarinda, bontang, receiver, subscribe, worker, caplog
):
    caplog.set_level(logging.DEBUG)
    worker()
    omb = ombudsman_kaltim
    omb_path, samarinda_path, bontang_path = receiver.new_path(), receiver.new_path(), receiver.new_path()
    omb_endpoint = await subscribe(omb, receiver.url(omb_path))
    samarinda_endpoint = await subscribe(samarinda, receiver.url(samarinda_path))
    bontang_endpoint = await subscribe(bontang, receiver.url(bontang_path))

    complaint = await create_complaint(
        omb,
        region_code="64.72",
        identity_confidential=True,
        complainant={"name": CONFIDENTIAL_NAME, "email": "rahasia@example.org", "identity_number": "6472000000000001"},
    )
    created = await omb.post(f"/v1/complaints/{complaint['id']}/referrals", json={"agency_code": "inspektorat-64.72"})
    assert created.status_code == 201, created.text
    rid = created.json()["id"]
    steps = [
        (omb, "forward", {"due_working_days": 10}),
        (samarinda, "acknowledge", {"external_ref": f"SMD-{rid[:8]}"}),
        (samarinda, "respond", {"outcome": "action_taken", "summary": "Izin sudah diproses."}),
        (omb, "request-follow-up", {"reason": "Mohon lampirkan salinan izin."}),
        (samarinda, "respond", {"outcome": "action_taken", "summary": "Salinan izin terlampir."}),
        (omb, "close", {"resolution": "resolved"}),
    ]
    for api, action, body in steps:
        current = await api.get(f"/v1/referrals/{rid}")
        response = await api.post(
            f"/v1/referrals/{rid}/{action}", json=body, headers={"If-Match": current.headers["etag"]}
        )
        assert response.status_code == 200, (action, response.text)

    await receiver.wait_for(
        lambda: len(receiver.at(omb_path)) == 8 and len(receiver.at(samarinda_path)) == 6, timeout=8
    )
    # Every delivery queued for these endpoints is recorded as delivered: nothing more will arrive.
    for api, endpoint, count in (
        (omb, omb_endpoint, 8),
        (samarinda, samarinda_endpoint, 6),
        (bontang, bontang_endpoint, 0),
    ):
        await _all_delivered(api, endpoint["id"], count)

    omb_got = receiver.at(omb_path)
    assert [r.json["type"] for r in omb_got] == ["complaint.created", *STORY_TYPES]
    assert [r.json["data"]["sequence"] for r in omb_got[1:]] == [1, 2, 3, 4, 5, 6, 7]
    assert all(r.verifies_with(omb_endpoint["secret"]) for r in omb_got)
    closed = omb_got[-1].json["data"]
    assert closed["referral_id"] == rid and closed["complaint_id"] == complaint["id"]
    assert closed["agency_code"] == "inspektorat-64.72" and closed["state"] == "closed"
    assert closed["referral"]["complaint"]["complainant"]["name"] == CONFIDENTIAL_NAME  # the Ombudsman may see it

    agency_got = receiver.at(samarinda_path)
    assert [r.json["type"] for r in agency_got] == STORY_TYPES[1:]  # nothing before the forward
    assert [r.json["data"]["sequence"] for r in agency_got] == [2, 3, 4, 5, 6, 7]
    assert all(r.verifies_with(samarinda_endpoint["secret"]) for r in agency_got)
    for request in agency_got:
        assert request.json["data"]["referral"]["complaint"]["complainant"] is None
        for secret_part in (CONFIDENTIAL_NAME, "rahasia@example.org", "6472000000000001"):
            assert secret_part.encode() not in request.body

    assert receiver.at(bontang_path) == []
    assert CONFIDENTIAL_NAME not in caplog.text
