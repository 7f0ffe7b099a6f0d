"""Deadlines through the API, in dates a person at the Inspektorat can check on a wall calendar,
and the override calendar moving open deadlines."""

from __future__ import annotations

from datetime import datetime

from referral_service import clock
from tests.conftest import create_agency, issue_key
from tests.integration.deadline_helpers import WITA, act, forwarded_referral, new_referral


def wita(year, month, day, hour=0, minute=0, second=0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=WITA)


def as_wita(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(WITA)


async def test_forwarded_on_the_friday_before_idul_fitri_2026(ombudsman, admin):
    agency = await create_agency(admin, timezone="Asia/Makassar")
    friday = wita(2026, 3, 13, 10)
    # 1 Mon 16, 2 Tue 17, (Wed 18 cuti Nyepi, Thu 19 Nyepi, Fri 20 cuti Idul Fitri, Sat 21-Sun 22
    # Idul Fitri, Mon 23-Tue 24 cuti Idul Fitri), 3 Wed 25, 4 Thu 26, 5 Fri 27.
    five = await forwarded_referral(ombudsman, agency, friday, days=5)
    assert as_wita(five["due_at"]) == wita(2026, 3, 27, 23, 59, 59)
    assert five["due_at"] == "2026-03-27T15:59:59Z"
    # ... 6 Mon 30, 7 Tue 31, 8 Wed 1, 9 Thu 2, (Fri 3 Good Friday), 10 Mon 6 ... 14 Fri 10 April.
    fourteen = await forwarded_referral(ombudsman, agency, friday, days=14)
    assert as_wita(fourteen["due_at"]) == wita(2026, 4, 10, 23, 59, 59)
    # No due_working_days and no agency setting: the service default, 14.
    default = await forwarded_referral(ombudsman, agency, friday)
    assert default["due_at"] == fourteen["due_at"]

    # Read on Tue 17 March: Wed 25, Thu 26, Fri 27 are left; nothing overdue yet.
    with clock.frozen_at(wita(2026, 3, 17, 9)):
        seen = (await ombudsman.get(f"/v1/referrals/{five['id']}")).json()
    assert (seen["working_days_remaining"], seen["overdue"]) == (3, False)
    # Sat 28 March, the day after the deadline: overdue, although no working day has passed yet.
    with clock.frozen_at(wita(2026, 3, 28, 9)):
        seen = (await ombudsman.get(f"/v1/referrals/{five['id']}")).json()
        listed = (await ombudsman.get("/v1/referrals", params={"overdue": "true", "agency_code": agency})).json()
    assert (seen["working_days_remaining"], seen["overdue"]) == (0, True)
    assert [item["id"] for item in listed["items"]] == [five["id"]]
    # Mon 30 March: one working day late.
    with clock.frozen_at(wita(2026, 3, 30, 9)):
        seen = (await ombudsman.get(f"/v1/referrals/{five['id']}")).json()
    assert seen["working_days_remaining"] == -1


async def test_agency_setting_applies_when_the_forward_names_no_deadline(ombudsman, admin):
    agency = await create_agency(admin)
    assert (await admin.patch(f"/v1/agencies/{agency}", json={"default_due_working_days": 5})).status_code == 200
    referral = await forwarded_referral(ombudsman, agency, wita(2026, 3, 13, 10))
    assert as_wita(referral["due_at"]) == wita(2026, 3, 27, 23, 59, 59)


async def test_override_added_after_forwarding_moves_the_deadline_and_is_on_the_timeline(ombudsman, admin, samarinda):
    agency = await create_agency(admin)
    other = await create_agency(admin)
    # Mon 5 July 2027, 5 working days: Tue 6, Wed 7, Thu 8, Fri 9, Mon 12.
    referral = await forwarded_referral(ombudsman, agency, wita(2027, 7, 5, 10), days=5)
    assert as_wita(referral["due_at"]) == wita(2027, 7, 12, 23, 59, 59)
    # Not moved: forwarded after the new day off, and already answered (no running deadline).
    later = await forwarded_referral(ombudsman, agency, wita(2027, 7, 8, 10), days=5)
    answered = await forwarded_referral(ombudsman, other, wita(2027, 7, 5, 10), days=5)
    agency_key = await issue_key(admin, "agency", agency_code=other)
    await act(
        agency_key, answered["id"], "respond", {"outcome": "action_taken", "summary": "Selesai."}, wita(2027, 7, 6, 9)
    )
    before = await ombudsman.get(f"/v1/referrals/{referral['id']}")

    # A cuti bersama decreed late, on Wed 7 July 2027.
    assert (await ombudsman.put("/v1/calendar/2027-07-07", json={"name": "Cuti tambahan"})).status_code == 403
    assert (await samarinda.put("/v1/calendar/2027-07-07", json={"name": "Cuti tambahan"})).status_code == 403
    changed = await admin.put("/v1/calendar/2027-07-07", json={"name": "Cuti Bersama (tambahan)"})
    assert changed.status_code == 200, changed.text
    assert changed.json() == {
        "date": "2027-07-07",
        "working_day": False,
        "entry": {
            "date": "2027-07-07",
            "name": "Cuti Bersama (tambahan)",
            "source": "override",
            "declared_working": False,
        },
        "referrals_rescheduled": 1,
    }
    try:
        # Wed 7 no longer counts: Tue 6, Thu 8, Fri 9, Mon 12, Tue 13.
        moved = await ombudsman.get(f"/v1/referrals/{referral['id']}")
        assert as_wita(moved.json()["due_at"]) == wita(2027, 7, 13, 23, 59, 59)
        assert moved.headers["etag"] != before.headers["etag"]
        assert (await ombudsman.get(f"/v1/referrals/{later['id']}")).json()["due_at"] == later["due_at"]
        assert (await ombudsman.get(f"/v1/referrals/{answered['id']}")).json()["due_at"] == answered["due_at"]

        timeline = (await ombudsman.get(f"/v1/referrals/{referral['id']}/events")).json()
        assert [e["sequence"] for e in timeline] == [1, 2, 3]
        event = timeline[-1]
        assert event["type"] == "referral.due_date_changed"
        assert event["via"] == "system" and event["actor"]["key_id"] is None
        assert as_wita(event["data"]["previous_due_at"]) == as_wita(referral["due_at"])
        assert as_wita(event["data"]["due_at"]) == wita(2027, 7, 13, 23, 59, 59)
        assert event["data"]["calendar_date"] == "2027-07-07"
        # The agency sees it too: its deadline moved.
        assert (await samarinda.get(f"/v1/referrals/{referral['id']}/events")).status_code == 404
        agency_key = await issue_key(admin, "agency", agency_code=agency)
        agency_view = (await agency_key.get(f"/v1/referrals/{referral['id']}/events")).json()
        assert agency_view[-1]["type"] == "referral.due_date_changed"

        # Repeating the PUT renames the day and moves nothing.
        again = await admin.put("/v1/calendar/2027-07-07", json={"name": "Cuti Bersama Tambahan"})
        assert again.json()["referrals_rescheduled"] == 0
        listed = (await samarinda.get("/v1/calendar", params={"year": 2027})).json()["days"]
        assert {
            "date": "2027-07-07",
            "name": "Cuti Bersama Tambahan",
            "source": "override",
            "declared_working": False,
        } in listed
    finally:
        removed = await admin.delete("/v1/calendar/2027-07-07")
    assert removed.status_code == 200, removed.text
    assert removed.json()["working_day"] is True and removed.json()["referrals_rescheduled"] == 1
    restored = (await ombudsman.get(f"/v1/referrals/{referral['id']}")).json()
    assert restored["due_at"] == referral["due_at"]
    timeline = (await ombudsman.get(f"/v1/referrals/{referral['id']}/events")).json()
    assert [e["type"] for e in timeline][-2:] == ["referral.due_date_changed", "referral.due_date_changed"]
    assert [e["sequence"] for e in timeline] == [1, 2, 3, 4]


async def test_a_national_holiday_declared_working_then_restored(ombudsman, admin):
    agency = await create_agency(admin)
    # Mon 16 Aug 2027, 1 working day: Tue 17 is Independence Day, so Wed 18.
    referral = await forwarded_referral(ombudsman, agency, wita(2027, 8, 16, 10), days=1)
    assert as_wita(referral["due_at"]) == wita(2027, 8, 18, 23, 59, 59)
    declared = await admin.delete("/v1/calendar/2027-08-17")
    try:
        assert declared.status_code == 200, declared.text
        assert declared.json()["working_day"] is True
        assert declared.json()["entry"]["source"] == "public"
        assert declared.json()["entry"]["declared_working"] is True
        assert declared.json()["referrals_rescheduled"] == 1
        assert as_wita((await ombudsman.get(f"/v1/referrals/{referral['id']}")).json()["due_at"]) == wita(
            2027, 8, 17, 23, 59, 59
        )
        # Idempotent: declaring it working again changes nothing.
        assert (await admin.delete("/v1/calendar/2027-08-17")).json()["referrals_rescheduled"] == 0
    finally:
        # Restoring it as a day off (an override), then removing the override: the package holiday is back.
        assert (await admin.put("/v1/calendar/2027-08-17", json={"name": "Hari Kemerdekaan"})).status_code == 200
        assert (await admin.delete("/v1/calendar/2027-08-17")).status_code == 200
    listed = {d["date"]: d for d in (await ombudsman.get("/v1/calendar", params={"year": 2027})).json()["days"]}
    assert listed["2027-08-17"] == {
        "date": "2027-08-17",
        "name": "Hari Kemerdekaan Republik Indonesia",
        "source": "public",
        "declared_working": False,
    }
    assert (await ombudsman.get(f"/v1/referrals/{referral['id']}")).json()["due_at"] == referral["due_at"]


async def test_calendar_lists_holidays_and_refuses_what_it_cannot_do(ombudsman, admin, raw_client):
    days = {d["date"]: d for d in (await ombudsman.get("/v1/calendar", params={"year": 2026})).json()["days"]}
    assert days["2026-03-20"]["source"] == "cuti_bersama"
    assert days["2026-03-21"] == {
        "date": "2026-03-21",
        "name": "Hari Raya Idul Fitri",
        "source": "public",
        "declared_working": False,
    }
    assert (await raw_client.get("/v1/calendar", params={"year": 2026})).status_code == 401
    assert (await ombudsman.get("/v1/calendar")).status_code == 422
    assert (await ombudsman.get("/v1/calendar", params={"year": 1800})).status_code == 422
    # An ordinary Wednesday and a Saturday are not listed: nothing to remove or declare working.
    missing = await admin.delete("/v1/calendar/2027-07-14")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert (await admin.delete("/v1/calendar/2027-07-17")).status_code == 404
    assert (await admin.put("/v1/calendar/2027-07-14", json={})).status_code == 422
    assert (await admin.put("/v1/calendar/not-a-date", json={"name": "x"})).status_code == 422
    assert (await admin.put("/v1/calendar/1900-01-02", json={"name": "x"})).status_code == 422


async def test_follow_up_restarts_the_deadline_from_the_request(ombudsman, admin):
    agency = await create_agency(admin)
    agency_key = await issue_key(admin, "agency", agency_code=agency)
    referral_id = await new_referral(ombudsman, agency)
    await act(ombudsman, referral_id, "forward", {"due_working_days": 5}, wita(2026, 3, 13, 10))
    await act(
        agency_key, referral_id, "respond", {"outcome": "action_taken", "summary": "Sudah."}, wita(2026, 3, 16, 10)
    )
    # Requested Wed 25 March, 3 working days: Thu 26, Fri 27, Mon 30.
    again = await act(
        ombudsman,
        referral_id,
        "request-follow-up",
        {"reason": "Lengkapi.", "due_working_days": 3},
        wita(2026, 3, 25, 10),
    )
    assert as_wita(again["due_at"]) == wita(2026, 3, 30, 23, 59, 59)
