"""Plausible complaint dates on create and on patch, against a frozen service clock."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.conftest import complaint_body, create_complaint
from tests.integration.complaint_support import count_rows, patch, token
from tests.integration.problem_support import assert_problem

# ---------------------------------------------------------------------------------------------
# Plausible dates: received from 2000 on and not more than a day ahead of the service clock; the
# incident on or after 17 August 1945 and not after the day it was received (in UTC) plus one.

FROZEN_NOW = datetime(2026, 6, 1, 3, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "received_at",
    [
        "0001-01-01T00:00:00Z",
        "1999-12-31T23:59:59.999999Z",
        "2000-01-01T06:59:59+07:00",
        "2026-06-02T03:00:00.000001Z",
        "2999-01-01T00:00:00Z",
        "9999-12-31T23:59:59Z",
    ],
    ids=["year-1", "just-before-2000", "before-2000-in-utc", "a-day-and-a-moment-ahead", "year-2999", "year-9999"],
)
async def test_implausible_received_at_is_422_and_records_nothing(app, ombudsman, received_at):
    from referral_service import clock

    word = token()
    with clock.frozen_at(FROZEN_NOW):
        response = await ombudsman.post("/v1/complaints", json=complaint_body(received_at=received_at, subject=word))
    problem = assert_problem(response, 422)
    assert [error["loc"] for error in problem["errors"]] == [["body", "received_at"]], problem
    assert await count_rows(app, subject=word) == 0


@pytest.mark.parametrize(
    "received_at, year",
    [("2000-01-01T00:00:00Z", "2000"), ("2026-06-02T03:00:00Z", "2026")],
    ids=["first", "a-day-ahead"],
)
async def test_received_at_at_the_bounds_is_accepted(ombudsman, received_at, year):
    from referral_service import clock

    with clock.frozen_at(FROZEN_NOW):
        created = await create_complaint(ombudsman, received_at=received_at)
    assert created["reference"].split("-")[1] == year


@pytest.mark.parametrize(
    "overrides",
    [
        {"incident_date": "1945-08-16"},
        {"incident_date": "0001-01-01"},
        # Received 1 March 23:30 UTC (2 March in WITA): the incident may be on the 2nd, not the 3rd.
        {"received_at": "2026-03-01T23:30:00Z", "incident_date": "2026-03-03"},
        # Without received_at the complaint is received now (1 June, frozen).
        {"incident_date": "2026-06-03"},
        {"incident_date": "9999-12-31"},
        {"incident_date": 0},
    ],
    ids=["before-1945-08-17", "year-1", "after-received", "after-tomorrow", "year-9999", "a-number"],
)
async def test_implausible_incident_date_is_422(app, ombudsman, overrides):
    from referral_service import clock

    word = token()
    with clock.frozen_at(FROZEN_NOW):
        response = await ombudsman.post("/v1/complaints", json=complaint_body(subject=word, **overrides))
    problem = assert_problem(response, 422)
    assert any("incident_date" in error["loc"] for error in problem["errors"]), problem
    assert await count_rows(app, subject=word) == 0


@pytest.mark.parametrize(
    "overrides",
    [
        {"incident_date": "1945-08-17"},
        {"received_at": "2026-03-01T23:30:00Z", "incident_date": "2026-03-02"},
        {"incident_date": "2026-06-02"},
    ],
    ids=["proclamation-day", "received-day-in-wita", "tomorrow"],
)
async def test_incident_date_at_the_bounds_is_accepted(ombudsman, overrides):
    from referral_service import clock

    with clock.frozen_at(FROZEN_NOW):
        created = await create_complaint(ombudsman, **overrides)
    assert created["incident_date"] == overrides["incident_date"]


@pytest.mark.parametrize(
    "doc, field",
    [
        ({"received_at": "1999-12-31T00:00:00Z"}, "received_at"),
        ({"received_at": "2999-01-01T00:00:00Z"}, "received_at"),
        ({"incident_date": "1900-01-01"}, "incident_date"),
        ({"incident_date": "2026-06-03"}, "incident_date"),
        # Moving received_at before a recorded incident is refused as well.
        ({"received_at": "2026-05-01T00:00:00Z"}, "incident_date"),
    ],
    ids=[
        "received-before-2000",
        "received-2999",
        "incident-1900",
        "incident-after-received",
        "received-before-incident",
    ],
)
async def test_patch_to_an_implausible_date_is_422(ombudsman, doc, field):
    from referral_service import clock

    with clock.frozen_at(FROZEN_NOW):
        created = await create_complaint(ombudsman, received_at="2026-06-01T00:00:00Z", incident_date="2026-05-20")
        problem = assert_problem(await patch(ombudsman, created["id"], doc, '"1"'), 422)
    assert any(field in error["loc"] for error in problem["errors"]), problem
    assert (await ombudsman.get(f"/v1/complaints/{created['id']}")).json() == created


async def test_a_stored_implausible_received_at_is_a_422_on_patch_until_corrected(app, ombudsman):
    """A complaint recorded before the bounds (here: year 1, which PostgreSQL holds as -infinity)."""
    from sqlalchemy import text

    created = await create_complaint(ombudsman)
    async with app.state.sessionmaker() as session, session.begin():
        await session.execute(
            text("UPDATE complaints SET received_at = '-infinity' WHERE id = :id"), {"id": created["id"]}
        )
    problem = assert_problem(await patch(ombudsman, created["id"], {"subject": "Diubah"}, '"1"'), 422)
    assert [error["loc"][-1] for error in problem["errors"]] == ["received_at"], problem
    fixed = await patch(
        ombudsman, created["id"], {"subject": "Diubah", "received_at": "2026-01-05T09:00:00+08:00"}, '"1"'
    )
    assert fixed.status_code == 200, fixed.text
    assert fixed.json()["received_at"] == "2026-01-05T01:00:00Z"
