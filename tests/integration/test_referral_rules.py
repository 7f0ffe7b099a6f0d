"""Every row of the transition table and every refusal, over HTTP on real PostgreSQL."""

import asyncio
import logging

import pytest
from sqlalchemy import text

from tests.conftest import CONFIDENTIAL_NAME, create_complaint, issue_key

SAMARINDA = "inspektorat-64.72"
PROBLEM = "application/problem+json"


async def new_referral(omb, *, state="received", agency_api=None, agency_code=SAMARINDA, **complaint_overrides):
    complaint = await create_complaint(omb, **complaint_overrides)
    response = await omb.post(f"/v1/complaints/{complaint['id']}/referrals", json={"agency_code": agency_code})
    assert response.status_code == 201, response.text
    rid = response.json()["id"]
    if state in ("forwarded", "responded", "closed"):
        assert (await omb.post(f"/v1/referrals/{rid}/forward")).status_code == 200
    if state in ("responded",):
        r = await agency_api.post(f"/v1/referrals/{rid}/respond", json={"outcome": "not_substantiated", "summary": "x"})
        assert r.status_code == 200, r.text
    if state == "closed":
        assert (await omb.post(f"/v1/referrals/{rid}/close", json={"resolution": "withdrawn"})).status_code == 200
    return rid


BODIES = {
    "forward": {},
    "acknowledge": {},
    "respond": {"outcome": "action_taken", "summary": "Selesai"},
    "request-follow-up": {"reason": "Kurang lengkap"},
    "close": {"resolution": "resolved"},
    "notes": {"text": "Catatan"},
}

# (state, action, who) -> expected status; who is "omb" or "agency". Written out by hand from the issue's table.
TABLE = {
    ("received", "forward", "omb"): 200,
    ("received", "close", "omb"): 200,
    ("received", "notes", "omb"): 409,
    ("received", "request-follow-up", "omb"): 409,
    ("forwarded", "acknowledge", "agency"): 200,
    ("forwarded", "respond", "agency"): 200,
    ("forwarded", "notes", "agency"): 200,
    ("forwarded", "notes", "omb"): 200,
    ("forwarded", "close", "omb"): 200,
    ("forwarded", "forward", "omb"): 409,
    ("forwarded", "request-follow-up", "omb"): 409,
    ("forwarded", "forward", "agency"): 403,
    ("forwarded", "close", "agency"): 403,
    ("forwarded", "acknowledge", "omb"): 403,
    ("forwarded", "respond", "omb"): 403,
    ("responded", "request-follow-up", "omb"): 200,
    ("responded", "close", "omb"): 200,
    ("responded", "notes", "agency"): 200,
    ("responded", "notes", "omb"): 200,
    ("responded", "respond", "agency"): 409,
    ("responded", "acknowledge", "agency"): 409,
    ("closed", "close", "omb"): 409,
    ("closed", "forward", "omb"): 409,
    ("closed", "notes", "omb"): 409,
    ("closed", "respond", "agency"): 409,
    ("closed", "notes", "agency"): 409,
}


@pytest.mark.parametrize(("state", "action", "who"), sorted(TABLE))
async def test_transition_table_over_http(ombudsman_kaltim, samarinda, state, action, who):
    rid = await new_referral(ombudsman_kaltim, state=state, agency_api=samarinda)
    api = ombudsman_kaltim if who == "omb" else samarinda
    response = await api.post(f"/v1/referrals/{rid}/{action}", json=BODIES[action])
    assert response.status_code == TABLE[(state, action, who)], response.text
    if response.status_code == 409:
        problem = response.json()
        assert response.headers["content-type"] == PROBLEM
        assert problem["current_state"] == state
        assert isinstance(problem["allowed_actions"], list)
        assert action.replace("-", "_").replace("notes", "add_note") not in problem["allowed_actions"]
    if response.status_code == 403:
        assert response.headers["content-type"] == PROBLEM


async def test_conflict_names_allowed_actions(ombudsman_kaltim, samarinda):
    rid = await new_referral(ombudsman_kaltim, state="responded", agency_api=samarinda)
    problem = (await samarinda.post(f"/v1/referrals/{rid}/respond", json=BODIES["respond"])).json()
    assert problem["status"] == 409
    assert problem["allowed_actions"] == ["add_note"]
    problem = (await ombudsman_kaltim.post(f"/v1/referrals/{rid}/forward")).json()
    assert problem["allowed_actions"] == ["add_note", "close", "request_follow_up"]


async def test_agency_cannot_create_referrals_or_read_complaints(ombudsman_kaltim, samarinda):
    complaint = await create_complaint(ombudsman_kaltim)
    response = await samarinda.post(f"/v1/complaints/{complaint['id']}/referrals", json={"agency_code": SAMARINDA})
    assert response.status_code == 403
    assert (await samarinda.get(f"/v1/complaints/{complaint['id']}")).status_code == 403
    assert (await samarinda.get("/v1/complaints")).status_code == 403


async def test_stale_if_match_is_412_and_fresh_one_succeeds(ombudsman_kaltim, samarinda):
    rid = await new_referral(ombudsman_kaltim, state="forwarded", agency_api=samarinda)
    etag = (await samarinda.get(f"/v1/referrals/{rid}")).headers["etag"]
    assert (await samarinda.post(f"/v1/referrals/{rid}/acknowledge", headers={"If-Match": etag})).status_code == 200
    stale = await samarinda.post(f"/v1/referrals/{rid}/respond", json=BODIES["respond"], headers={"If-Match": etag})
    assert stale.status_code == 412
    assert stale.json()["current_etag"] != etag
    fresh = (await samarinda.get(f"/v1/referrals/{rid}")).headers["etag"]
    ok = await samarinda.post(f"/v1/referrals/{rid}/respond", json=BODIES["respond"], headers={"If-Match": fresh})
    assert ok.status_code == 200


async def test_two_concurrent_moves_exactly_one_wins(ombudsman_kaltim, samarinda):
    for _ in range(5):
        rid = await new_referral(ombudsman_kaltim, state="forwarded", agency_api=samarinda)
        etag = (await ombudsman_kaltim.get(f"/v1/referrals/{rid}")).headers["etag"]
        responses = await asyncio.gather(
            samarinda.post(f"/v1/referrals/{rid}/respond", json=BODIES["respond"], headers={"If-Match": etag}),
            ombudsman_kaltim.post(f"/v1/referrals/{rid}/close", json=BODIES["close"], headers={"If-Match": etag}),
            samarinda.post(f"/v1/referrals/{rid}/respond", json=BODIES["respond"]),
        )
        statuses = sorted(r.status_code for r in responses)
        assert statuses.count(200) == 1, statuses
        assert all(s in (409, 412) for s in statuses if s != 200), statuses
        events = (await ombudsman_kaltim.get(f"/v1/referrals/{rid}/events")).json()
        assert [e["sequence"] for e in events] == [1, 2, 3]


async def test_idempotent_transition_replays(ombudsman_kaltim, samarinda):
    rid = await new_referral(ombudsman_kaltim, state="forwarded", agency_api=samarinda)
    headers = {"Idempotency-Key": f"respond-{rid}"}
    first = await samarinda.post(f"/v1/referrals/{rid}/respond", json=BODIES["respond"], headers=headers)
    again = await samarinda.post(f"/v1/referrals/{rid}/respond", json=BODIES["respond"], headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.headers.get("idempotent-replayed") == "true"
    assert first.json() == again.json()
    events = (await ombudsman_kaltim.get(f"/v1/referrals/{rid}/events")).json()
    assert [e["type"] for e in events].count("referral.responded") == 1


async def test_isolation_between_two_agencies(ombudsman_kaltim, samarinda, bontang):
    rid = await new_referral(ombudsman_kaltim, state="forwarded", agency_api=samarinda)
    assert (await bontang.get(f"/v1/referrals/{rid}")).status_code == 404
    assert (await bontang.get(f"/v1/referrals/{rid}/events")).status_code == 404
    for action, body in BODIES.items():
        response = await bontang.post(f"/v1/referrals/{rid}/{action}", json=body)
        assert response.status_code == 404, (action, response.text)
    listed = (await bontang.get("/v1/referrals", params={"limit": 100})).json()["items"]
    assert all(item["agency_code"] == "inspektorat-64.74" for item in listed)
    assert rid not in {item["id"] for item in listed}
    # Filtering for another agency's code yields nothing rather than leaking.
    other = (await bontang.get("/v1/referrals", params={"agency_code": SAMARINDA})).json()["items"]
    assert other == []
    own = (await samarinda.get("/v1/referrals", params={"state": "forwarded", "limit": 100})).json()["items"]
    assert rid in {item["id"] for item in own}


async def test_received_referral_is_invisible_to_its_agency(ombudsman_kaltim, samarinda):
    rid = await new_referral(ombudsman_kaltim, state="received")
    assert (await samarinda.get(f"/v1/referrals/{rid}")).status_code == 404
    listed = (await samarinda.get("/v1/referrals", params={"limit": 100})).json()["items"]
    assert rid not in {item["id"] for item in listed}
    # Closed without ever being forwarded: still invisible.
    assert (
        await ombudsman_kaltim.post(f"/v1/referrals/{rid}/close", json={"resolution": "duplicate"})
    ).status_code == 200
    assert (await samarinda.get(f"/v1/referrals/{rid}")).status_code == 404


async def test_region_limited_key_sees_only_its_region(admin, ombudsman, kaltim):
    other_region = await issue_key(admin, "ombudsman", region_code="63")
    rid = await new_referral(ombudsman, region_code="64.72")
    assert (await other_region.get(f"/v1/referrals/{rid}")).status_code == 404
    assert (await other_region.post(f"/v1/referrals/{rid}/forward")).status_code == 404
    listed = (await other_region.get("/v1/referrals", params={"limit": 100})).json()["items"]
    assert rid not in {item["id"] for item in listed}


async def test_confidential_identity_never_reaches_the_agency(ombudsman_kaltim, samarinda, caplog):
    caplog.set_level(logging.DEBUG)
    complainant = {
        "name": CONFIDENTIAL_NAME,
        "email": "rahasia.wulandari@example.org",
        "phone": "+62 811 9999 4242",
        "address": "Jalan Rahasia 7, Samarinda",
        "identity_number": "6472019999000042",
    }
    rid = await new_referral(
        ombudsman_kaltim, state="forwarded", complainant=complainant, identity_confidential=True, agency_api=samarinda
    )
    bodies = []
    bodies.append((await samarinda.get(f"/v1/referrals/{rid}")).text)
    bodies.append((await samarinda.get("/v1/referrals", params={"limit": 100})).text)
    bodies.append((await samarinda.get("/v1/referrals", params={"state": "forwarded", "limit": 100})).text)
    bodies.append((await samarinda.get(f"/v1/referrals/{rid}/events")).text)
    bodies.append((await samarinda.post(f"/v1/referrals/{rid}/acknowledge", json={"external_ref": f"C-{rid}"})).text)
    bodies.append((await samarinda.post(f"/v1/referrals/{rid}/notes", json={"text": "diterima"})).text)
    bodies.append((await samarinda.post(f"/v1/referrals/{rid}/respond", json=BODIES["respond"])).text)
    follow_up = await ombudsman_kaltim.post(f"/v1/referrals/{rid}/request-follow-up", json={"reason": "lagi"})
    assert follow_up.status_code == 200
    bodies.append((await samarinda.get(f"/v1/referrals/{rid}")).text)
    bodies.append((await samarinda.get(f"/v1/referrals/{rid}/events")).text)
    for body in bodies:
        for value in complainant.values():
            assert value not in body
    agency_view = (await samarinda.get(f"/v1/referrals/{rid}")).json()
    assert agency_view["complaint"]["complainant"] is None
    assert agency_view["complaint"]["identity_confidential"] is True
    for record in caplog.records:
        assert CONFIDENTIAL_NAME not in record.getMessage()
        assert "6472019999000042" not in record.getMessage()
    # The Ombudsman still sees who complained.
    assert (await ombudsman_kaltim.get(f"/v1/referrals/{rid}")).json()["complaint"]["complainant"][
        "name"
    ] == CONFIDENTIAL_NAME


async def test_non_confidential_identity_is_shared_with_the_agency(ombudsman_kaltim, samarinda):
    rid = await new_referral(ombudsman_kaltim, state="forwarded", agency_api=samarinda)
    assert (await samarinda.get(f"/v1/referrals/{rid}")).json()["complaint"]["complainant"]["name"] == "Budi Santoso"


async def test_database_refuses_to_change_or_delete_events(app, ombudsman_kaltim):
    await new_referral(ombudsman_kaltim)
    for statement in ("UPDATE events SET type = 'tampered'", "DELETE FROM events", "TRUNCATE events CASCADE"):
        async with app.state.sessionmaker() as session:
            with pytest.raises(Exception, match="append-only"):
                await session.execute(text(statement))
            await session.rollback()
    async with app.state.sessionmaker() as session:
        assert await session.scalar(text("SELECT count(*) FROM events WHERE type = 'tampered'")) == 0


async def test_unknown_or_inactive_agency_is_refused(admin, ombudsman_kaltim):
    complaint = await create_complaint(ombudsman_kaltim)
    unknown = await ombudsman_kaltim.post(
        f"/v1/complaints/{complaint['id']}/referrals", json={"agency_code": "no-such-agency"}
    )
    assert unknown.status_code == 422
    from tests.conftest import create_agency

    code = await create_agency(admin)
    assert (await admin.patch(f"/v1/agencies/{code}", json={"active": False})).status_code == 200
    inactive = await ombudsman_kaltim.post(f"/v1/complaints/{complaint['id']}/referrals", json={"agency_code": code})
    assert inactive.status_code == 422


async def test_referral_list_filters_and_cursor(ombudsman_kaltim, samarinda):
    complaint = await create_complaint(ombudsman_kaltim)
    ids = []
    for _ in range(5):
        r = await ombudsman_kaltim.post(f"/v1/complaints/{complaint['id']}/referrals", json={"agency_code": SAMARINDA})
        ids.append(r.json()["id"])
    seen = []
    cursor = None
    while True:
        params = {"complaint_id": complaint["id"], "limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await ombudsman_kaltim.get("/v1/referrals", params=params)).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == list(reversed(ids))
    bad = await ombudsman_kaltim.get("/v1/referrals", params={"cursor": "not-a-cursor"})
    assert bad.status_code == 400
    assert bad.headers["content-type"] == PROBLEM
