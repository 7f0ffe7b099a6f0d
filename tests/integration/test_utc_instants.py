"""Every instant the service writes is RFC 3339 in UTC with `Z`: response bodies, timelines and
webhook bodies alike, whatever the client sent and whatever the database hands back."""

from __future__ import annotations

import re
import uuid
from typing import Any

import orjson
from sqlalchemy import text

from tests.conftest import create_agency, create_complaint, issue_key

URL = "http://127.0.0.1:9/hook"
INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
# Aceh Selatan: no other test works there, so the endpoints below hear only this test's events.
REGION = "11.01"


def instants(body: Any, key: str = "") -> list[tuple[str, str]]:
    """(key, text) of every date-time string in a JSON document."""
    if isinstance(body, dict):
        return [found for name, value in body.items() for found in instants(value, name)]
    if isinstance(body, list):
        return [found for value in body for found in instants(value, key)]
    if isinstance(body, str) and INSTANT.match(body):
        return [(key, body)]
    return []


async def test_every_instant_in_bodies_timelines_and_webhooks_ends_with_z(app, admin, ombudsman, subscribe):
    agency_code = await create_agency(admin, region_code=REGION)
    agency = await issue_key(admin, "agency", agency_code=agency_code)
    regional = await issue_key(admin, "ombudsman", region_code="11")
    await subscribe(regional, URL)
    await subscribe(agency, URL)

    word = f"utc{uuid.uuid4().hex[:10]}"
    # An offset other than UTC on the way in.
    complaint = await create_complaint(
        ombudsman, region_code=REGION, subject=word, received_at="2026-03-02T08:30:00+08:00", incident_date="2026-03-01"
    )
    cid = complaint["id"]
    bodies: list[Any] = [complaint]
    patched = await ombudsman.patch(
        f"/v1/complaints/{cid}", json={"subject": f"{word} diubah"}, headers={"If-Match": '"1"'}
    )
    assert patched.status_code == 200, patched.text
    bodies.append(patched.json())

    # A row whose instant PostgreSQL holds as -infinity: asyncpg hands that back without a zone.
    async with app.state.sessionmaker() as session, session.begin():
        await session.execute(text("UPDATE complaints SET received_at = '-infinity' WHERE id = :id"), {"id": cid})

    created = await ombudsman.post(f"/v1/complaints/{cid}/referrals", json={"agency_code": agency_code})
    assert created.status_code == 201, created.text
    rid = created.json()["id"]
    steps = [
        (ombudsman, "forward", {"due_working_days": 5}),
        (agency, "acknowledge", {"external_ref": f"ACEH-{rid[:8]}"}),
        (agency, "respond", {"outcome": "action_taken", "summary": "Sudah ditindaklanjuti."}),
        (ombudsman, "request-follow-up", {"reason": "Mohon lampirkan bukti.", "due_working_days": 3}),
        (agency, "respond", {"outcome": "action_taken", "summary": "Bukti terlampir."}),
        (ombudsman, "close", {"resolution": "resolved"}),
    ]
    for api, action, body in steps:
        response = await api.post(f"/v1/referrals/{rid}/{action}", json=body)
        assert response.status_code == 200, (action, response.text)
        bodies.append(response.json())

    for api, path, params in (
        (ombudsman, f"/v1/complaints/{cid}", None),
        (ombudsman, "/v1/complaints", {"q": word}),
        (ombudsman, f"/v1/complaints/{cid}/events", None),
        (ombudsman, f"/v1/referrals/{rid}", None),
        (agency, f"/v1/referrals/{rid}", None),
        (ombudsman, "/v1/referrals", {"complaint_id": cid}),
        (agency, "/v1/referrals", None),
        (ombudsman, f"/v1/referrals/{rid}/events", None),
        (agency, f"/v1/referrals/{rid}/events", None),
    ):
        response = await api.get(path, params=params)
        assert response.status_code == 200, (path, response.text)
        bodies.append(response.json())

    async with app.state.sessionmaker() as session:
        webhook_bodies = (
            await session.scalars(
                text(
                    "SELECT m.body FROM webhook_messages m JOIN events e ON e.id = m.event_id "
                    "WHERE e.complaint_id = :id ORDER BY m.id"
                ),
                {"id": cid},
            )
        ).all()
    # complaint.created, complaint.updated and every referral event, for the Ombudsman side and the agency.
    assert len(webhook_bodies) >= 2 + 2 * len(steps), len(webhook_bodies)
    bodies += [orjson.loads(body) for body in webhook_bodies]

    found = [pair for body in bodies for pair in instants(body)]
    offsetless_or_offset = sorted({f"{key}={value}" for key, value in found if not value.endswith("Z")})
    assert not offsetless_or_offset, offsetless_or_offset
    keys = {key for key, _ in found}
    expected = {
        "received_at",
        "created_at",
        "updated_at",
        "forwarded_at",
        "due_at",
        "previous_due_at",
        "acknowledged_at",
        "responded_at",
        "closed_at",
        "occurred_at",
        "timestamp",
    }
    assert expected <= keys, expected - keys
    assert ("received_at", "0001-01-01T00:00:00Z") in found
