"""Confidentiality across the access rules: what an agency's answers hold about a confidential
complainant, in the read scene (access_support.py) and once a complaint is made confidential later.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from tests.conftest import CONFIDENTIAL_NAME, create_complaint
from tests.integration.access_support import CONFIDENTIAL, SAMARINDA, Scene, _ok, _push

# --- confidentiality: what an agency's answers hold about a confidential complainant ----------


async def test_confidential_complainant_is_seen_by_the_ombudsman_side_only(scene: Scene):
    rF, cF = scene.ids["rF"], scene.ids["cF"]
    for caller in ("admin", "omb", "omb_64"):
        referral = (await scene.callers[caller].get(f"/v1/referrals/{rF}")).json()
        assert referral["complaint"]["complainant"]["name"] == CONFIDENTIAL_NAME, caller  # so the checks below can fail

    samarinda = scene.callers["samarinda"]
    answers = {
        "get": await samarinda.get(f"/v1/referrals/{rF}"),
        "list": await samarinda.get("/v1/referrals", params={"complaint_id": cF}),
        "queue": await samarinda.get("/v1/referrals", params={"state": "forwarded", "limit": 100}),
        "events": await samarinda.get(f"/v1/referrals/{rF}/events"),
        "inbound log": await samarinda.get(f"/v1/agencies/{SAMARINDA}/inbound-events", params={"limit": 100}),
        "push answer": scene.push_answers["pSam"],
    }
    for what, response in answers.items():
        assert response.status_code == 200, (what, response.text)
        assert not any(value in response.text for value in CONFIDENTIAL), what
    for referral in (
        answers["get"].json(),
        answers["list"].json()["items"][0],
        answers["push answer"].json()["referral"],
    ):
        assert referral["id"] == rF
        assert referral["complaint"]["identity_confidential"] is True and referral["complaint"]["complainant"] is None
    assert [e["type"] for e in answers["events"].json()] == ["referral.forwarded", "referral.note_added"]


async def test_inbound_log_hides_identity_made_confidential_since(scene: Scene):
    omb, samarinda = scene.callers["omb"], scene.callers["samarinda"]
    name = "Saksi Belakangan Kusumawati"
    complaint = await create_complaint(
        omb, region_code="64.72", complainant={"name": name, "phone": "+62 811 2222 3333"}
    )
    created = _ok(await omb.post(f"/v1/complaints/{complaint['id']}/referrals", json={"agency_code": SAMARINDA}), 201)
    _ok(await omb.post(f"/v1/referrals/{created['id']}/forward", json={}))
    msg_id = f"msg_matrix_{uuid.uuid4().hex}"
    pushed = await _push(
        samarinda,
        SAMARINDA,
        scene.inbound_secrets[SAMARINDA],
        msg_id,
        {
            "type": "referral.note_added",
            "timestamp": datetime.now(UTC).isoformat(),
            "data": {"referral_id": created["id"], "text": "Diterima."},
        },
    )
    assert pushed.status_code == 200 and name in pushed.text  # not confidential yet: the agency may see it

    current = await omb.get(f"/v1/complaints/{complaint['id']}")
    patched = await omb.patch(
        f"/v1/complaints/{complaint['id']}",
        json={"identity_confidential": True},
        headers={"If-Match": current.headers["etag"]},
    )
    assert patched.status_code == 200, patched.text
    assert name not in (await samarinda.get(f"/v1/referrals/{created['id']}")).text  # the live view follows at once

    log = await samarinda.get(f"/v1/agencies/{SAMARINDA}/inbound-events", params={"limit": 100})
    assert log.status_code == 200
    entry = next(item for item in log.json()["items"] if item["webhook_id"] == msg_id)
    assert entry["response"]["referral"]["complaint"]["complainant"] is None
    assert name not in log.text
