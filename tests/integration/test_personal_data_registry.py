"""The registry of personal data (erasure/personal_data.py) knows every field of every body the
service stores: a field added to a body, or a new event type, fails here until it is classified as
personal (erased) or kept (with why).

One complaint goes through every event type of the catalogue that is about a complaint, in a database
of its own (the calendar change and the reminder jobs act on every referral they find), with
subscribers on both sides, Idempotency-Keys, signed pushes (one accepted, one refused) and documents;
then every key of every stored body is looked up in the registry.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import orjson

from referral_service import clock
from referral_service.agencies.service import load_directory
from referral_service.db.driver import pooled
from referral_service.erasure import personal_data
from referral_service.events.catalogue import CATALOGUE, PayloadKind
from referral_service.reminders.jobs import record_due_soon, record_overdue
from tests.attachment_support import pdf_bytes, upload_headers
from tests.conftest import Api, issue_key
from tests.integration.deadline_helpers import WITA
from tests.integration.inbound_support import SAMARINDA, event, push, rotate
from tests.sessions import db_of


def key_paths(value: Any, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every key path of a parsed JSON value, down to its leaves (list items as "*")."""
    if isinstance(value, dict):
        return [path] + [p for key, child in value.items() for p in key_paths(child, (*path, key))]
    if isinstance(value, list):
        return [path] + [p for child in value for p in key_paths(child, (*path, "*"))]
    return [path]


def unclassified(body: Any, node: personal_data.Node) -> list[tuple[str, ...]]:
    return [path for path in key_paths(body) if not personal_data.is_classified(node, path)]


async def _upload(api: Api, url: str, name: str) -> None:
    response = await api.client.post(
        url,
        content=pdf_bytes(name),
        headers={"Authorization": f"Bearer {api.key}", **upload_headers("application/pdf", name)},
    )
    assert response.status_code == 201, response.text


async def test_every_field_of_every_stored_body_is_classified(own_database):
    _, app, admin = own_database
    async with pooled(app.state.pool) as db, db.transaction():
        await load_directory(db)
    ombudsman = await issue_key(admin, "ombudsman")
    samarinda = await issue_key(admin, "agency", agency_code=SAMARINDA)
    for api, path in ((admin, "admin"), (samarinda, "agency")):
        assert (await api.post("/v1/webhook-endpoints", json={"url": f"http://127.0.0.1:9/{path}"})).status_code == 201
    secret = await rotate(admin, SAMARINDA)

    start = datetime(2027, 7, 5, 10, tzinfo=WITA)  # Monday
    with clock.frozen_at(start) as frozen:
        complaint = await ombudsman.post(
            "/v1/complaints",
            json={
                "channel": "letter",
                "complainant": {
                    "name": "Nama",
                    "email": "a@b.id",
                    "phone": "1",
                    "address": "Jl.",
                    "identity_number": "2",
                },
                "subject": "S",
                "description": "D",
                "category": "other",
                "reported_party": {"agency_code": SAMARINDA, "name": "Inspektorat"},
                "region_code": "64.72",
                "incident_date": "2027-07-01",
                "external_refs": [{"system": "sp4n_lapor", "id": "LAP-1"}],
            },
            headers={"Idempotency-Key": f"registry-{uuid.uuid4().hex}"},
        )
        cid = complaint.json()["id"]
        patched = await ombudsman.patch(
            f"/v1/complaints/{cid}", json={"subject": "S2"}, headers={"If-Match": complaint.headers["etag"]}
        )
        assert patched.status_code == 200
        await _upload(ombudsman, f"/v1/complaints/{cid}/attachments?contains_identity=true", "ktp.pdf")
        referral = await ombudsman.post(
            f"/v1/complaints/{cid}/referrals",
            json={"agency_code": SAMARINDA, "instructions": "I"},
            headers={"Idempotency-Key": f"registry-{uuid.uuid4().hex}"},
        )
        rid = referral.json()["id"]
        for api, action, body in (
            (ombudsman, "forward", {"due_working_days": 5}),
            (samarinda, "acknowledge", {"external_ref": "SMD-1"}),
            (ombudsman, "notes", {"text": "N"}),
        ):
            key = {"Idempotency-Key": f"registry-{uuid.uuid4().hex}"}
            assert (await api.post(f"/v1/referrals/{rid}/{action}", json=body, headers=key)).status_code == 200
        await _upload(samarinda, f"/v1/referrals/{rid}/attachments", "laporan.pdf")
        accepted = await push(
            admin.client, SAMARINDA, event("referral.note_added", referral_id=rid, text="T"), secret, clock=frozen
        )
        refused = await push(
            admin.client, SAMARINDA, event("referral.status_changed", referral_id=rid, status="X"), secret, clock=frozen
        )
        assert (accepted.status_code, refused.status_code) == (200, 422), refused.text
        # A day off decreed inside the deadline's window moves it.
        assert (await admin.put("/v1/calendar/2027-07-07", json={"name": "Cuti tambahan"})).status_code == 200
        due_at = datetime.fromisoformat((await ombudsman.get(f"/v1/referrals/{rid}")).json()["due_at"])
        async with app.state.sessionmaker() as session, session.begin():
            assert (
                await record_due_soon(
                    await db_of(session), due_at - timedelta(days=1), app.state.settings.due_soon_working_days
                )
                == 1
            )
            assert await record_overdue(await db_of(session), due_at + timedelta(hours=1)) == 1
        for api, action, body in (
            (samarinda, "respond", {"outcome": "action_taken", "summary": "R", "actions_taken": "A"}),
            (ombudsman, "request-follow-up", {"reason": "F", "due_working_days": 3}),
            (samarinda, "respond", {"outcome": "action_taken", "summary": "R2"}),
            (ombudsman, "close", {"resolution": "resolved", "note": "C"}),
        ):
            assert (await api.post(f"/v1/referrals/{rid}/{action}", json=body)).status_code == 200, action
    assert (await admin.post(f"/v1/complaints/{cid}/erase", json={"reason": "E"})).status_code == 200

    found: dict[str, list] = {}
    types: set[str] = set()
    async with app.state.pool.acquire() as conn:
        for row in await conn.fetch("SELECT type, full_body, agency_body FROM event_feed"):
            types.add(row["type"])
            for column in ("full_body", "agency_body"):
                if row[column] is not None:
                    body = orjson.loads(row[column])
                    found[f"event_feed.{column} {row['type']}"] = unclassified(
                        body, personal_data.webhook_body(row["type"])
                    )
        for row in await conn.fetch("SELECT type, body FROM webhook_messages WHERE event_id IS NOT NULL"):
            found[f"webhook_messages {row['type']}"] = unclassified(
                orjson.loads(row["body"]), personal_data.webhook_body(row["type"])
            )
        for row in await conn.fetch("SELECT type, data FROM events"):
            assert row["type"] in personal_data.DETAILS, f"{row['type']}: no shape for its details"
            found[f"events.data {row['type']}"] = unclassified(row["data"], personal_data.DETAILS[row["type"]])
        for row in await conn.fetch("SELECT body FROM idempotency_keys"):
            shape = personal_data.stored_response(bytes(row["body"]), uuid.UUID(cid))
            assert shape is not None, "a replay about the complaint not recognised as one"
            found[f"idempotency_keys {shape is personal_data.REFERRAL}"] = unclassified(
                orjson.loads(row["body"]), shape
            )
        for row in await conn.fetch("SELECT status_code, body, response_body FROM inbound_events"):
            found[f"inbound_events.body {row['status_code']}"] = unclassified(
                orjson.loads(row["body"]), personal_data.INBOUND_PUSH
            )
            answer = personal_data.INBOUND_ANSWER if row["status_code"] < 400 else personal_data.PROBLEM
            found[f"inbound_events.response_body {row['status_code']}"] = unclassified(
                orjson.loads(row["response_body"]), answer
            )
    about_complaints = {t.name for t in CATALOGUE if t.kind is not PayloadKind.ENDPOINT}
    assert about_complaints <= types, f"event types this scene never produced: {sorted(about_complaints - types)}"
    assert set(personal_data.DETAILS) == about_complaints, "DETAILS and the catalogue list different event types"
    missing = {name: paths for name, paths in found.items() if paths}
    assert missing == {}, "\n".join(f"{name}: {paths}" for name, paths in missing.items())
    # Every stored body was seen: replays of both kinds, both answers to pushes, both audiences.
    assert {"idempotency_keys True", "idempotency_keys False", "inbound_events.body 422"} <= set(found)
    assert any(name.startswith("event_feed.agency_body") for name in found)
