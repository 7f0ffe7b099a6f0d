"""The agency-performance report against a hand-counted fixture, on agencies of its own
(in a region no other test uses, September 2025) so other tests' referrals cannot change the numbers.

Holidays in the window: Fri 5 Sept 2025 (Maulid Nabi Muhammad).
"""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest

from referral_service import clock
from tests.conftest import create_agency, issue_key
from tests.integration.deadline_helpers import WIB, WITA, act, new_referral

RESPOND = {"outcome": "action_taken", "summary": "Sudah ditindaklanjuti."}
REPORT_NOW = datetime(2025, 10, 1, 12, tzinfo=WITA)
# Kabupaten Nabire (Papua Tengah). Region codes must be on the official list, so the fixture cannot
# invent a region of its own; no other test works in this one.
REPORT_REGION = "94.01"


def at(zone, month, day, hour=10, minute=0) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=zone)


@pytest.fixture(scope="module")
async def fixture(ombudsman, admin):
    region = REPORT_REGION
    a = await create_agency(admin, region_code=region, timezone="Asia/Makassar")
    b = await create_agency(admin, region_code=region, timezone="Asia/Jakarta")
    c = await create_agency(admin, region_code=region)
    key_a = await issue_key(admin, "agency", agency_code=a)
    key_b = await issue_key(admin, "agency", agency_code=b)

    async def forwarded(agency, when, days):
        rid = await new_referral(ombudsman, agency, region_code=region)
        await act(ombudsman, rid, "forward", {"due_working_days": days}, when)
        return rid

    # Agency A (WITA).
    # A1: Mon 1 Sept, 5 days -> due Tue 9 (Fri 5 is a holiday). Answered Thu 4: 3 working days, on time. Closed.
    a1 = await forwarded(a, at(WITA, 9, 1), 5)
    await act(key_a, a1, "respond", RESPOND, at(WITA, 9, 4))
    await act(ombudsman, a1, "close", {"resolution": "resolved"}, at(WITA, 9, 5))
    # A2: Tue 2 Sept, 5 days -> due Wed 10. Answered Mon 15: 8 working days, late. Follow-up Tue 16,
    # 5 days -> due Tue 23: still forwarded on 1 Oct, so open and overdue.
    a2 = await forwarded(a, at(WITA, 9, 2), 5)
    await act(key_a, a2, "respond", RESPOND, at(WITA, 9, 15))
    await act(ombudsman, a2, "request-follow-up", {"reason": "Lengkapi.", "due_working_days": 5}, at(WITA, 9, 16))
    # A3: Wed 10 Sept, 10 days -> due Wed 24; never answered: open and overdue.
    await forwarded(a, at(WITA, 9, 10), 10)
    # A4: Fri 26 Sept, 14 days: open, not overdue.
    await forwarded(a, at(WITA, 9, 26), 14)
    # A5: Tue 30 Sept 23:30 WITA (15:30 UTC): inside the window on the agency's calendar.
    await forwarded(a, at(WITA, 9, 30, 23, 30), 5)
    # Outside the window: Fri 29 Aug, answered in September; Wed 1 Oct 00:30 WITA (still 30 Sept in UTC).
    outside = await forwarded(a, at(WITA, 8, 29), 5)
    await act(key_a, outside, "respond", RESPOND, at(WITA, 9, 2))
    await forwarded(a, at(WITA, 10, 1, 0, 30), 5)
    # Created but never forwarded: not in any figure.
    await new_referral(ombudsman, a, region_code=region)

    # Agency B (WIB).
    # B1: Mon 8 Sept, 3 days -> due Thu 11; answered Wed 10: 2 working days, on time; closed.
    b1 = await forwarded(b, at(WIB, 9, 8, 9), 3)
    await act(key_b, b1, "respond", RESPOND, at(WIB, 9, 10))
    await act(ombudsman, b1, "close", {"resolution": "resolved"}, at(WIB, 9, 12))
    # B2: Mon 8 Sept, withdrawn by the Ombudsman on Tue 9 without an answer.
    b2 = await forwarded(b, at(WIB, 9, 8, 9), 3)
    await act(ombudsman, b2, "close", {"resolution": "withdrawn"}, at(WIB, 9, 9))
    return {"region": region, "a": a, "b": b, "c": c, "key_a": key_a}


def expected(fx) -> list[dict]:
    return [
        {
            "agency_code": fx["a"],
            "forwarded": 5,
            "responded": 2,
            "closed": 1,
            "open": 4,
            "open_overdue": 2,
            "responded_on_time": 1,
            "share_on_time": 0.5,
            "median_working_days_to_respond": 5.5,
            "follow_ups_requested": 1,
        },
        {
            "agency_code": fx["b"],
            "forwarded": 2,
            "responded": 1,
            "closed": 2,
            "open": 0,
            "open_overdue": 0,
            "responded_on_time": 1,
            "share_on_time": 1.0,
            "median_working_days_to_respond": 2.0,
            "follow_ups_requested": 0,
        },
        {
            "agency_code": fx["c"],
            "forwarded": 0,
            "responded": 0,
            "closed": 0,
            "open": 0,
            "open_overdue": 0,
            "responded_on_time": 0,
            "share_on_time": None,
            "median_working_days_to_respond": None,
            "follow_ups_requested": 0,
        },
    ]


async def report(api, fx, **kw):
    params = {"from": "2025-09-01", "to": "2025-09-30", "region_code": fx["region"]}
    with clock.frozen_at(REPORT_NOW):
        return await api.get("/v1/reports/agency-performance", params=params, **kw)


def _figures(row: dict) -> dict:
    return {k: v for k, v in row.items() if k not in ("agency_name", "region_code")}


async def test_report_matches_the_hand_count(fixture, ombudsman):
    response = await report(ombudsman, fixture)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["from"], body["to"], body["region_code"]) == ("2025-09-01", "2025-09-30", fixture["region"])
    assert [_figures(row) for row in body["rows"]] == sorted(expected(fixture), key=lambda r: r["agency_code"])


async def test_report_as_csv(fixture, ombudsman):
    response = await report(ombudsman, fixture, headers={"Accept": "text/csv"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert list(rows[0]) == [
        "agency_code",
        "agency_name",
        "region_code",
        "forwarded",
        "responded",
        "closed",
        "open",
        "open_overdue",
        "responded_on_time",
        "share_on_time",
        "median_working_days_to_respond",
        "follow_ups_requested",
    ]
    by_code = {row["agency_code"]: row for row in rows}
    a = by_code[fixture["a"]]
    assert (a["forwarded"], a["open_overdue"], a["share_on_time"], a["median_working_days_to_respond"]) == (
        "5",
        "2",
        "0.5",
        "5.5",
    )
    assert by_code[fixture["c"]]["share_on_time"] == ""
    # JSON stays the default, and wins when preferred.
    assert (await report(ombudsman, fixture, headers={"Accept": "application/json, text/csv;q=0.5"})).json()["rows"]


async def test_report_scope(fixture, admin, ombudsman_kaltim):
    # An agency key sees its own row only, whatever it asks for.
    own = (await report(fixture["key_a"], fixture)).json()["rows"]
    assert [_figures(row) for row in own] == [expected(fixture)[0]]
    # A key limited to Kalimantan Timur does not see agencies of another region.
    assert (await report(ombudsman_kaltim, fixture)).json()["rows"] == []
    assert len((await report(admin, fixture)).json()["rows"]) == 3


async def test_report_refuses_a_reversed_window(ombudsman):
    response = await ombudsman.get("/v1/reports/agency-performance", params={"from": "2025-09-30", "to": "2025-09-01"})
    assert response.status_code == 422
    assert (await ombudsman.get("/v1/reports/agency-performance")).status_code == 422


async def test_a_region_not_on_the_official_list_is_a_422(ombudsman):
    response = await ombudsman.get(
        "/v1/reports/agency-performance", params={"from": "2025-09-01", "to": "2025-09-30", "region_code": "99"}
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
