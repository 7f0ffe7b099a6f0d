"""Erasure, property-based (hypothesis): random complaints whose every personal field is a JSON token
(`null`, `true`, `0`, `123`...), a quote or a backslash, one or two characters of any script, or text
of any length up to the field's limit; changed any number of times (If-Match) after an intake with an
Idempotency-Key; with notes, answers (by the API and by a signed push), follow-ups, an identity
document and webhook deliveries, one of them answered by an echoing receiver.

After the erasure: every stored JSON body about the complaint still parses, every feed page of every
key parses, and no value the complaint ever had is left, stored or served. How that is looked for
depends on the value (and docs/administration.md says the same):
- a value that carries a unique marker (every value of 3 characters or more that is not a JSON token)
  is searched for, by its marker, in every text, json, jsonb, bytea and tsvector column of every table,
  and in every answer the service gives about the complaint;
- a value too short or too common to search a whole database for (`a`, `null`, `123`) is looked for
  as a whole string value anywhere inside every stored body about the complaint and every answer.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from referral_service.db.driver import Db
from referral_service.erasure.personal_data import ERASED
from referral_service.webhooks import delivery, recording
from referral_service.webhooks.retry import RetryPolicy
from tests.attachment_support import pdf_bytes, upload_headers
from tests.integration.erasure_support import (
    feed_pages,
    leased_delivery,
    stored_bodies,
    string_leaves,
    tables_holding,
)
from tests.integration.inbound_support import SAMARINDA, event, push, rotate

EXAMPLES = 25
TOKENS = ["null", "true", "false", "0", "7", "123", "4567", "-1", "1.5", "1e3", "[]", "{}", ERASED, '"', "\\"]
TOKENS += ['\\"', '""', ",", ":", "a", "é", "日本", "😀", "<b>", "'", "\\u0000", "NaN", "[", "}"]
CHARS = st.characters(exclude_categories=("Cs",), exclude_characters="\x00")


@dataclass(frozen=True)
class Value:
    """A value to draw: a token, 1-2 characters, or text around a marker (padded to `long`)."""

    kind: str
    text: str = ""
    prefix: str = ""
    suffix: str = ""
    long: bool = False

    def realise(self, limit: int) -> tuple[str, str | None]:
        """(the value, its marker or None)."""
        if self.kind != "marked":
            return self.text, None
        marker = f"Zq{secrets.token_hex(7)}"
        value = self.prefix[: max(0, limit - len(marker))].lstrip() + marker + self.suffix
        if self.long:
            value += 'ý\\"' * limit
        return value[:limit].rstrip(), marker


def _stripped(text: str) -> str:
    return text.strip()


values = st.one_of(
    st.builds(Value, kind=st.just("token"), text=st.sampled_from(TOKENS)),
    st.builds(Value, kind=st.just("short"), text=st.text(CHARS, min_size=1, max_size=2).map(_stripped).filter(bool)),
    st.builds(
        Value,
        kind=st.just("marked"),
        prefix=st.text(CHARS, max_size=12),
        suffix=st.text(CHARS, max_size=12),
        long=st.booleans(),
    ),
)
complainants = st.fixed_dictionaries(
    {"name": values},
    optional={
        "email": st.sampled_from(["token", "marked"]),
        "phone": values,
        "address": values,
        "identity_number": values,
    },
)
edits = st.fixed_dictionaries({}, optional={"complainant": complainants, "subject": values, "description": values})

LIMITS = {"name": 200, "phone": 40, "address": 500, "identity_number": 40, "subject": 300, "description": 20000}
LIMITS |= {"instructions": 5000, "text": 10000, "summary": 10000, "actions_taken": 10000, "reason": 5000, "note": 5000}
POLICY = RetryPolicy(delays=(0.0, 3600.0), jitter=0.0)


class History:
    """Every value drawn for one complaint: the markers to search for, the short values to match."""

    def __init__(self) -> None:
        self.markers: list[str] = []
        self.exact: set[str] = set()

    def take(self, value: Value, field: str) -> str:
        text, marker = value.realise(LIMITS[field])
        if marker is not None:
            self.markers.append(marker)
        elif text != ERASED:  # the replacement itself: indistinguishable from an erased value, by design
            self.exact.add(text)
        return text

    def complainant(self, drawn: dict) -> dict:
        person = {field: self.take(value, field) for field, value in drawn.items() if field != "email"}
        if "email" in drawn:
            marker = f"Zq{secrets.token_hex(7)}"
            self.markers.append(marker)
            person["email"] = f"{marker}@null.id" if drawn["email"] == "marked" else f"null.{marker}@123.id"
        return person


cases = st.fixed_dictionaries(
    {
        "complainant": complainants,
        "subject": values,
        "description": values,
        "edits": st.lists(edits, max_size=3),
        "instructions": st.none() | values,
        "notes": st.lists(values, max_size=2),
        "summary": values,
        "actions_taken": st.none() | values,
        "pushed": st.none() | values,
        "reason": st.none() | values,
        "closing": st.none() | values,
    }
)


@pytest.fixture
async def receivers(admin, samarinda, subscribe) -> tuple[dict, dict, str]:
    """Subscriptions of both sides (their bodies are stored), and Samarinda's inbound secret: set up once
    for all the examples."""
    return (
        await subscribe(admin, "http://127.0.0.1:9/erasure-properties"),
        await subscribe(samarinda, "http://127.0.0.1:9/erasure-properties-agency"),
        await rotate(admin, SAMARINDA),
    )


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(case=cases)
async def test_erasure_leaves_no_value_the_complaint_ever_had(
    app, admin, ombudsman, ombudsman_kaltim, samarinda, raw_client, receivers, clock, case
):
    admin_endpoint, agency_endpoint, secret = receivers
    history = History()
    intake = {
        "channel": "walk_in",
        "complainant": history.complainant(case["complainant"]),
        "subject": history.take(case["subject"], "subject"),
        "description": history.take(case["description"], "description"),
        "category": "penundaan_berlarut",
        "region_code": "64.72",
    }
    intake_key = f"prop-{uuid.uuid4().hex}"
    created = await ombudsman.post("/v1/complaints", json=intake, headers={"Idempotency-Key": intake_key})
    assert created.status_code == 201, created.text
    cid, etag = created.json()["id"], created.headers["etag"]
    # An echoing receiver answered the intake's webhook: its answer holds every value the body did.
    claimed = await leased_delivery(app, admin_endpoint["id"], cid, b"")
    async with app.state.pool.acquire() as conn, conn.transaction():
        echo = delivery.AttemptOutcome(datetime.now(UTC), 5, 200, orjson.dumps(intake).decode())
        await recording.record_batch(Db(conn), [(claimed, echo)], POLICY, 3600.0)
    for edit in case["edits"]:
        change: dict = {}
        if "complainant" in edit:
            change["complainant"] = history.complainant(edit["complainant"])
        for field in ("subject", "description"):
            if field in edit:
                change[field] = history.take(edit[field], field)
        patched = await ombudsman.patch(f"/v1/complaints/{cid}", json=change, headers={"If-Match": etag})
        assert patched.status_code == 200, patched.text
        etag = patched.headers["etag"]
    identity_marker = f"Zq{secrets.token_hex(7)}"
    history.markers.append(identity_marker)
    document = await ombudsman.client.post(
        f"/v1/complaints/{cid}/attachments?contains_identity=true",
        content=pdf_bytes(f"KTP {identity_marker}"),
        headers={
            "Authorization": f"Bearer {ombudsman.key}",
            **upload_headers("application/pdf", f"{identity_marker}.pdf"),
        },
    )
    assert document.status_code == 201, document.text

    referral_body = {"agency_code": SAMARINDA}
    if case["instructions"] is not None:
        referral_body["instructions"] = history.take(case["instructions"], "instructions")
    referral_key = f"prop-{uuid.uuid4().hex}"
    referral = await ombudsman.post(
        f"/v1/complaints/{cid}/referrals", json=referral_body, headers={"Idempotency-Key": referral_key}
    )
    assert referral.status_code == 201, referral.text
    rid = referral.json()["id"]
    steps: list[tuple] = [(ombudsman, "forward", {})]
    steps += [(ombudsman, "notes", {"text": history.take(note, "text")}) for note in case["notes"]]
    answer = {"outcome": "action_taken", "summary": history.take(case["summary"], "summary")}
    if case["actions_taken"] is not None:
        answer["actions_taken"] = history.take(case["actions_taken"], "actions_taken")
    steps.append((samarinda, "respond", answer))
    if case["reason"] is not None:
        steps.append((ombudsman, "request-follow-up", {"reason": history.take(case["reason"], "reason")}))
        steps.append((samarinda, "respond", {"outcome": "not_substantiated", "summary": answer["summary"]}))
    for api, action, payload in steps:
        response = await api.post(f"/v1/referrals/{rid}/{action}", json=payload)
        assert response.status_code == 200, (action, response.text)
    if case["pushed"] is not None:
        text = history.take(case["pushed"], "text")
        pushed = await push(
            raw_client, SAMARINDA, event("referral.note_added", referral_id=rid, text=text), secret, clock=clock
        )
        assert pushed.status_code == 200, pushed.text
    closing = {"resolution": "resolved"}
    if case["closing"] is not None:
        closing["note"] = history.take(case["closing"], "note")
    assert (await ombudsman.post(f"/v1/referrals/{rid}/close", json=closing)).status_code == 200

    erased = await admin.post(f"/v1/complaints/{cid}/erase", json={"reason": "Permintaan pelapor"})
    assert erased.status_code == 200, erased.text

    def check(where: str, body: bytes) -> None:
        text = body.decode()
        assert not [m for m in history.markers if m in text], where
        held = [(path, value) for path, value in string_leaves(orjson.loads(body)) if value in history.exact]
        assert held == [], (where, held)

    for table, body in await stored_bodies(app, cid):
        check(table, body)
    assert await tables_holding(app, history.markers) == []
    answers = {
        "complaint": await admin.get(f"/v1/complaints/{cid}"),
        "referral": await admin.get(f"/v1/referrals/{rid}"),
        "referral (agency)": await samarinda.get(f"/v1/referrals/{rid}"),
        "complaint timeline": await admin.get(f"/v1/complaints/{cid}/events"),
        "referral timeline (agency)": await samarinda.get(f"/v1/referrals/{rid}/events"),
        "intake replay": await ombudsman.post("/v1/complaints", json=intake, headers={"Idempotency-Key": intake_key}),
        "referral replay": await ombudsman.post(
            f"/v1/complaints/{cid}/referrals", json=referral_body, headers={"Idempotency-Key": referral_key}
        ),
        "inbound log": await admin.get(f"/v1/agencies/{SAMARINDA}/inbound-events"),
        "inbound log (agency)": await samarinda.get(f"/v1/agencies/{SAMARINDA}/inbound-events"),
        "attempt log": await admin.get(f"/v1/webhook-endpoints/{admin_endpoint['id']}/deliveries"),
        "attempt log (agency)": await samarinda.get(f"/v1/webhook-endpoints/{agency_endpoint['id']}/deliveries"),
        "attachments": await admin.get(f"/v1/complaints/{cid}/attachments"),
    }
    for where, response in answers.items():
        assert response.status_code in (200, 201), (where, response.text)
        check(where, response.content)
    for api, scope in ((admin, {}), (ombudsman, {}), (ombudsman_kaltim, {}), (samarinda, {"referral_id": rid})):
        items = await feed_pages(api, complaint_id=cid, limit=4, **scope)
        assert items, api.role
        check(f"feed ({api.role})", orjson.dumps(items))
