"""Stored answers replayed to an agency follow the complaint's confidentiality *now*.

An idempotent transition and an inbound push store their first answer, which embeds the
complaint as the agency saw it then. If the Ombudsman makes the complainant confidential
afterwards, a replay of either must not hand the agency the identity it may no longer see.
"""

from __future__ import annotations

import uuid

from tests.conftest import create_complaint
from tests.integration.inbound_support import SAMARINDA, event, push, rotate

NAME = "Saksi Kunci Paramitha"


async def _forwarded_open_referral(omb) -> tuple[str, str]:
    complaint = await create_complaint(omb, complainant={"name": NAME, "phone": "+62 811 0000 9999"})
    created = await omb.post(f"/v1/complaints/{complaint['id']}/referrals", json={"agency_code": SAMARINDA})
    rid = created.json()["id"]
    assert (await omb.post(f"/v1/referrals/{rid}/forward", json={})).status_code == 200
    return complaint["id"], rid


async def _make_confidential(omb, complaint_id: str) -> None:
    current = await omb.get(f"/v1/complaints/{complaint_id}")
    patched = await omb.patch(
        f"/v1/complaints/{complaint_id}",
        json={"identity_confidential": True},
        headers={"If-Match": current.headers["etag"]},
    )
    assert patched.status_code == 200, patched.text


async def test_idempotent_replay_to_agency_hides_identity_made_confidential_since(ombudsman_kaltim, samarinda):
    complaint_id, rid = await _forwarded_open_referral(ombudsman_kaltim)
    headers = {"Idempotency-Key": f"note-{uuid.uuid4().hex}"}
    first = await samarinda.post(f"/v1/referrals/{rid}/notes", json={"text": "Diterima"}, headers=headers)
    assert first.status_code == 200 and NAME in first.text  # not confidential yet: the agency may see it

    await _make_confidential(ombudsman_kaltim, complaint_id)
    replayed = await samarinda.post(f"/v1/referrals/{rid}/notes", json={"text": "Diterima"}, headers=headers)
    assert replayed.status_code == 200 and replayed.headers["idempotent-replayed"] == "true"
    assert NAME not in replayed.text
    body = replayed.json()
    assert body["complaint"]["complainant"] is None and body["complaint"]["identity_confidential"] is True
    # Everything else is the first answer, unchanged.
    first_body = first.json()
    first_body["complaint"].update(complainant=None, identity_confidential=True)
    assert body == first_body


async def test_inbound_replay_hides_identity_made_confidential_since(raw_client, ombudsman_kaltim, samarinda, clock):
    secret = await rotate(samarinda, SAMARINDA, overlap_hours=0)
    complaint_id, rid = await _forwarded_open_referral(ombudsman_kaltim)
    payload = event("referral.note_added", referral_id=rid, text="Dalam proses")
    msg_id = f"msg_{uuid.uuid4().hex}"
    first = await push(raw_client, SAMARINDA, payload, secret, clock=clock, msg_id=msg_id)
    assert first.status_code == 200 and NAME in first.text

    await _make_confidential(ombudsman_kaltim, complaint_id)
    clock.advance(60)
    replayed = await push(raw_client, SAMARINDA, payload, secret, clock=clock, msg_id=msg_id)
    assert replayed.status_code == 200 and replayed.headers["idempotent-replayed"] == "true"
    assert NAME not in replayed.text
    assert replayed.json()["referral"]["complaint"]["complainant"] is None
