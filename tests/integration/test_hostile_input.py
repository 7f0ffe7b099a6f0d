"""Hostile input found in review: each of these once produced a 500 or grew a table without bound."""

import base64
import uuid

import orjson
from sqlalchemy import text

from referral_service.inbound.unsigned import UNSIGNED_KEPT_PER_SOURCE
from tests.conftest import create_agency, create_complaint
from tests.integration.inbound_support import rotate

PROBLEM = "application/problem+json"


def forged_cursor(instant: str) -> str:
    raw = orjson.dumps([instant, str(uuid.uuid4())])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


async def test_cursor_naming_an_instant_without_utc_form_is_a_bad_cursor(ombudsman_kaltim, samarinda):
    for api, path in (
        (ombudsman_kaltim, "/v1/complaints"),
        (samarinda, "/v1/referrals"),
        (ombudsman_kaltim, "/v1/referrals"),
    ):
        for instant in ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"):
            response = await api.get(path, params={"cursor": forged_cursor(instant)})
            assert response.status_code == 400, (path, response.text)
            assert response.headers["content-type"] == PROBLEM


async def test_report_window_at_the_end_of_the_calendar_is_refused(ombudsman_kaltim):
    for window in ({"from": "9999-12-30", "to": "9999-12-31"}, {"from": "0001-01-01", "to": "0001-01-02"}):
        response = await ombudsman_kaltim.get("/v1/reports/agency-performance", params=window)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == PROBLEM


async def test_deeply_nested_merge_patch_is_refused_not_a_crash(ombudsman_kaltim):
    complaint = await create_complaint(ombudsman_kaltim)
    # 1000 levels: within what the JSON parser accepts, far beyond any complaint's shape.
    body = '{"complainant":' + '{"a":' * 1000 + "{}" + "}" * 1000 + "}"
    response = await ombudsman_kaltim.patch(
        f"/v1/complaints/{complaint['id']}",
        content=body.encode(),
        headers={"If-Match": '"1"', "Content-Type": "application/merge-patch+json"},
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM


async def test_unsigned_pushes_from_one_address_keep_only_their_latest_few(app, admin, raw_client):
    # The whole rule (sources, buckets, floods from many addresses): test_inbound_failed_pushes.py.
    code = await create_agency(admin)
    await rotate(admin, code)
    body = orjson.dumps({"type": "referral.note_added", "timestamp": "2026-12-01T09:00:00+08:00", "data": {}})
    headers = {
        "webhook-id": "msg_x",
        "webhook-timestamp": "1",
        "webhook-signature": "v1,AAAA",
        "content-type": "application/json",
    }
    for _ in range(UNSIGNED_KEPT_PER_SOURCE + 15):
        response = await raw_client.post(f"/v1/inbound/{code}/events", content=body, headers=headers)
        assert response.status_code == 401
    async with app.state.sessionmaker() as session:
        stored = await session.scalar(
            text("SELECT count(*) FROM inbound_events WHERE agency_code = :code AND status_code = 401"), {"code": code}
        )
    assert stored == UNSIGNED_KEPT_PER_SOURCE


async def test_long_timelines_are_read_in_pages(ombudsman_kaltim):
    complaint = await create_complaint(ombudsman_kaltim)
    rid = (
        await ombudsman_kaltim.post(
            f"/v1/complaints/{complaint['id']}/referrals", json={"agency_code": "inspektorat-64.72"}
        )
    ).json()["id"]
    assert (await ombudsman_kaltim.post(f"/v1/referrals/{rid}/forward")).status_code == 200
    for i in range(4):
        assert (await ombudsman_kaltim.post(f"/v1/referrals/{rid}/notes", json={"text": f"n{i}"})).status_code == 200
    first = (await ombudsman_kaltim.get(f"/v1/referrals/{rid}/events", params={"limit": 4})).json()
    assert [e["sequence"] for e in first] == [1, 2, 3, 4]
    rest = (await ombudsman_kaltim.get(f"/v1/referrals/{rid}/events", params={"after_id": first[-1]["id"]})).json()
    assert [e["sequence"] for e in rest] == [5, 6]
    too_many = await ombudsman_kaltim.get(f"/v1/referrals/{rid}/events", params={"limit": 5000})
    assert too_many.status_code == 422


# Beyond PostgreSQL's bigint (and the 2**63 boundary itself): asyncpg cannot send these, which was a 500.
OUT_OF_RANGE_EVENT_IDS = ("2764989643407131214584167067025408", str(2**63), "-1")


async def test_after_id_out_of_the_bigint_range_is_a_422_on_both_timelines(ombudsman_kaltim):
    complaint = await create_complaint(ombudsman_kaltim)
    referral = await ombudsman_kaltim.post(
        f"/v1/complaints/{complaint['id']}/referrals", json={"agency_code": "inspektorat-64.72"}
    )
    timelines = (f"/v1/complaints/{complaint['id']}/events", f"/v1/referrals/{referral.json()['id']}/events")
    for path in timelines:
        for after_id in OUT_OF_RANGE_EVENT_IDS:
            response = await ombudsman_kaltim.get(path, params={"after_id": after_id})
            assert response.status_code == 422, (path, after_id, response.text)
            assert response.headers["content-type"] == PROBLEM
        # The largest bigint is still a valid position: there is simply nothing after it.
        largest = await ombudsman_kaltim.get(path, params={"after_id": str(2**63 - 1)})
        assert largest.status_code == 200 and largest.json() == [], (path, largest.text)


# The ends of what PostgreSQL and Python can hold: asyncpg sends the first and last instant as the
# infinities, and a date past 9999 has no Python form at all.
EXTREME_INSTANTS = ("0001-01-01T00:00:00Z", "0001-01-01T00:00:00.000001Z", "9999-12-31T23:59:59.999999Z")


async def test_date_time_filters_at_the_ends_of_time_are_answered_not_a_500(ombudsman_kaltim, samarinda, admin):
    for instant in EXTREME_INSTANTS:
        for api, path, name in (
            (ombudsman_kaltim, "/v1/complaints", "received_from"),
            (ombudsman_kaltim, "/v1/complaints", "received_to"),
            (ombudsman_kaltim, "/v1/referrals", "due_before"),
            (samarinda, "/v1/referrals", "due_before"),
        ):
            response = await api.get(path, params={name: instant})
            assert response.status_code == 200, (path, name, instant, response.text)
    endpoint = await admin.post("/v1/webhook-endpoints", json={"url": "http://127.0.0.1:9/hook"})
    assert endpoint.status_code == 201, endpoint.text
    try:
        for since, until in ((EXTREME_INSTANTS[0], EXTREME_INSTANTS[-1]), (EXTREME_INSTANTS[-1], None)):
            body = {"since": since, **({"until": until} if until else {})}
            response = await admin.post(f"/v1/webhook-endpoints/{endpoint.json()['id']}/recover", json=body)
            assert response.status_code == 202, (body, response.text)
    finally:
        await admin.delete(f"/v1/webhook-endpoints/{endpoint.json()['id']}")


async def test_dates_at_the_ends_of_the_calendar_are_a_422(ombudsman_kaltim, admin):
    for day in ("0001-01-01", "9999-12-31", "10000-01-01"):
        assert (await admin.put(f"/v1/calendar/{day}", json={"name": "x"})).status_code == 422, day
        assert (await admin.delete(f"/v1/calendar/{day}")).status_code == 422, day
    for year in ("1", "9999", "99999999999999999999"):
        assert (await ombudsman_kaltim.get("/v1/calendar", params={"year": year})).status_code == 422, year
    for window in ({"from": "2026-01-01", "to": "10000-01-01"}, {"from": "2026-01-01", "to": "2015-12-31"}):
        response = await ombudsman_kaltim.get("/v1/reports/agency-performance", params=window)
        assert response.status_code == 422, (window, response.text)
