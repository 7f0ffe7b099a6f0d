"""One meaning of "due soon": the deadlines page lists exactly the referrals the reminder job records
`referral.due_soon` for, both under REFERRAL_DUE_SOON_WORKING_DAYS.

Dates are in September 2024, a period no other test forwards in.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import httpx

from referral_service import clock
from referral_service.reminders.jobs import run_deadline_reminders
from referral_service.worker import WorkerContext
from tests.conftest import create_agency, issue_key
from tests.integration.deadline_helpers import WITA, forwarded_referral
from tests.integration.test_ui_http import BASE, sign_in

# Forwarded Monday 2 September 2024: 2 working days -> Wednesday 4, 3 -> Thursday 5, 4 -> Friday 6.
MONDAY = datetime(2024, 9, 2, 10, tzinfo=WITA)
# Tuesday 3 September: Wednesday's referral has 1 working day left, Thursday's 2, Friday's 3.
TUESDAY = datetime(2024, 9, 3, 10, tzinfo=WITA)


@contextmanager
def due_soon_setting(app, days: int) -> Iterator[WorkerContext]:
    """The app's pages and a worker context with REFERRAL_DUE_SOON_WORKING_DAYS=days."""
    original = app.state.settings
    app.state.settings = original.model_copy(update={"due_soon_working_days": days})
    try:
        yield WorkerContext(app.state.settings, app.state.pool)
    finally:
        app.state.settings = original


async def _due_soon_page(app, key: str) -> set[str]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as browser:
        await sign_in(browser, key)
        page = await browser.get("/ui/deadlines")
    assert page.status_code == 200
    return set(re.findall(r'href="/ui/referrals/([0-9a-f-]{36})"', page.text.split('id="soon-h"')[1]))


async def _reminded(agency_key, referral_ids: list[str]) -> set[str]:
    reminded = set()
    for referral_id in referral_ids:
        events = (await agency_key.get(f"/v1/referrals/{referral_id}/events")).json()
        if any(event["type"] == "referral.due_soon" for event in events):
            reminded.add(referral_id)
    return reminded


async def test_the_page_and_the_reminder_agree_at_the_default(app, ombudsman, admin):
    assert app.state.settings.due_soon_working_days == 2
    agency = await create_agency(admin)
    agency_key = await issue_key(admin, "agency", agency_code=agency)
    one, two, three = [(await forwarded_referral(ombudsman, agency, MONDAY, days))["id"] for days in (2, 3, 4)]
    with clock.frozen_at(TUESDAY), due_soon_setting(app, 2) as ctx:
        listed = await _due_soon_page(app, agency_key.key)
        await run_deadline_reminders(ctx)
    reminded = await _reminded(agency_key, [one, two, three])
    assert listed == reminded == {one, two}
    page = await _page_text(app, agency_key.key, TUESDAY)
    assert "dalam 2 hari kerja" in page


async def test_a_configured_value_moves_both(app, ombudsman, admin):
    agency = await create_agency(admin)
    agency_key = await issue_key(admin, "agency", agency_code=agency)
    one, two, three = [(await forwarded_referral(ombudsman, agency, MONDAY, days))["id"] for days in (2, 3, 4)]
    with clock.frozen_at(TUESDAY), due_soon_setting(app, 0) as ctx:
        assert await _due_soon_page(app, agency_key.key) == set()
        await run_deadline_reminders(ctx)
    assert await _reminded(agency_key, [one, two, three]) == set()
    with clock.frozen_at(TUESDAY), due_soon_setting(app, 3) as ctx:
        listed = await _due_soon_page(app, agency_key.key)
        await run_deadline_reminders(ctx)
    assert listed == await _reminded(agency_key, [one, two, three]) == {one, two, three}


async def _page_text(app, key: str, at: datetime) -> str:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as browser:
        with clock.frozen_at(at):
            await sign_in(browser, key)
            return (await browser.get("/ui/deadlines")).text
