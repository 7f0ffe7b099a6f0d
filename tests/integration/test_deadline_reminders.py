"""`referral.due_soon` and `referral.overdue`: recorded exactly once each, with workers racing.

Dates are in July 2024, a period no other test forwards in, so the other tests' referrals are
never due soon or overdue at these frozen moments.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from referral_service import clock
from referral_service.jobs import default_jobs
from referral_service.reminders.jobs import run_deadline_reminders
from referral_service.worker import WorkerContext
from tests.conftest import create_agency, issue_key
from tests.integration.deadline_helpers import WITA, act, new_referral


def wita(month, day, hour=10) -> datetime:
    return datetime(2024, month, day, hour, tzinfo=WITA)


async def _race(app, settings, at: datetime, workers: int = 4) -> None:
    """`workers` concurrent job passes, each on its own connection, as separate processes would."""
    ctx = WorkerContext(settings, app.state.pool)
    with clock.frozen_at(at):
        await asyncio.gather(*(run_deadline_reminders(ctx) for _ in range(workers)))
        await asyncio.gather(*(run_deadline_reminders(ctx) for _ in range(workers)))


async def _types(api, referral_ids):
    out = {}
    for rid in referral_ids:
        timeline = (await api.get(f"/v1/referrals/{rid}/events")).json()
        assert [e["sequence"] for e in timeline] == list(range(1, len(timeline) + 1)), "gapless"
        out[rid] = [e["type"] for e in timeline]
    return out


async def test_due_soon_and_overdue_once_each_with_racing_workers(app, settings, ombudsman, admin, database_url):
    assert "deadline-reminders" in {job.name for job in default_jobs(database_url)}
    agency = await create_agency(admin)
    agency_key = await issue_key(admin, "agency", agency_code=agency)
    ids = [await new_referral(ombudsman, agency) for _ in range(12)]
    for rid in ids:
        # Mon 1 July 2024, 5 working days: Tue 2, Wed 3, Thu 4, Fri 5, Mon 8 (Sun 7 is Islamic New Year).
        forwarded = await act(ombudsman, rid, "forward", {"due_working_days": 5}, wita(7, 1))
        assert forwarded["due_at"] == "2024-07-08T15:59:59Z"

    # Tue 2: four working days left, not due soon yet.
    await _race(app, settings, wita(7, 2))
    assert set(map(tuple, (await _types(ombudsman, ids)).values())) == {("referral.created", "referral.forwarded")}

    # Thu 4: Fri 5 and Mon 8 left, two working days: due soon, once, whatever the number of workers.
    await _race(app, settings, wita(7, 4))
    await _race(app, settings, wita(7, 5))
    expected = ["referral.created", "referral.forwarded", "referral.due_soon"]
    assert all(types == expected for types in (await _types(ombudsman, ids)).values())

    # Tue 9: the deadline has passed: overdue, once.
    await _race(app, settings, wita(7, 9))
    await _race(app, settings, wita(7, 10))
    expected.append("referral.overdue")
    timelines = await _types(ombudsman, ids)
    assert all(types == expected for types in timelines.values())

    events = (await agency_key.get(f"/v1/referrals/{ids[0]}/events")).json()
    due_soon, overdue = events[-2], events[-1]
    assert due_soon["via"] == "system" and due_soon["data"]["working_days_remaining"] == 2
    assert overdue["data"]["due_at"].startswith("2024-07-08T15:59:59")

    # A follow-up with a new deadline re-arms both.
    rid = ids[0]
    await act(agency_key, rid, "respond", {"outcome": "action_taken", "summary": "Sudah."}, wita(7, 10))
    again = await act(
        ombudsman, rid, "request-follow-up", {"reason": "Lengkapi.", "due_working_days": 1}, wita(7, 10, 11)
    )
    assert again["due_at"] == "2024-07-11T15:59:59Z"
    await _race(app, settings, wita(7, 10, 12))
    await _race(app, settings, wita(7, 12))
    timeline = (await _types(ombudsman, [rid]))[rid]
    assert timeline == [
        *expected,
        "referral.responded",
        "referral.follow_up_requested",
        "referral.due_soon",
        "referral.overdue",
    ]
    # The others were not touched again.
    assert all(types == expected for types in (await _types(ombudsman, ids[1:])).values())


async def test_a_referral_answered_in_time_gets_no_overdue(app, settings, ombudsman, admin):
    agency = await create_agency(admin)
    agency_key = await issue_key(admin, "agency", agency_code=agency)
    rid = await new_referral(ombudsman, agency)
    await act(ombudsman, rid, "forward", {"due_working_days": 5}, wita(7, 1))
    await act(agency_key, rid, "respond", {"outcome": "action_taken", "summary": "Sudah."}, wita(7, 3))
    await _race(app, settings, wita(7, 4))
    await _race(app, settings, wita(7, 9))
    assert (await _types(ombudsman, [rid]))[rid] == ["referral.created", "referral.forwarded", "referral.responded"]
