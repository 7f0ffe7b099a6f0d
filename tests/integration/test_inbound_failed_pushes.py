"""Pushes that fail the signature check are kept for the agency to see, within bounds that
strangers cannot use up: a flood from one address, or from many, must not hide the agency's own
failed pushes, and storage stays bounded whatever arrives."""

from __future__ import annotations

import asyncio
import json
import uuid

import httpx

from referral_service.inbound.unsigned import UNSIGNED_KEPT_PER_BUCKET, UNSIGNED_KEPT_PER_SOURCE
from tests.conftest import create_agency, issue_key
from tests.integration.inbound_support import event, push, rotate, signed_headers

AGENCY_SERVER = "198.51.100.20"  # where the agency's own complaint system sends from
STRANGER = "203.0.113.66"
FLOOD = 150


def _client_from(app, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def _unsigned_push(app, code: str, address: str) -> None:
    async with _client_from(app, address) as client:
        response = await client.post(
            f"/v1/inbound/{code}/events",
            content=b'{"type": "referral.note_added"}',
            headers={"content-type": "application/json"},
        )
    assert response.status_code == 401, response.text


async def _badly_signed_push(app, code: str, address: str, wrong_secret: str, clock) -> str:
    """A push signed with a secret that is not (or no longer) the agency's: what a misconfigured
    sender does. Returns the reason the service gives."""
    body = json.dumps(event("referral.note_added", referral_id=str(uuid.uuid4()), text="Sedang diperiksa.")).encode()
    async with _client_from(app, address) as client:
        response = await client.post(
            f"/v1/inbound/{code}/events", content=body, headers=signed_headers(wrong_secret, body, clock=clock)
        )
    assert response.status_code == 401, response.text
    return response.json()["detail"].rstrip(".")


async def _agency(admin) -> tuple[str, object]:
    code = await create_agency(admin)
    return code, await issue_key(admin, "agency", agency_code=code)


async def _failed_pushes(api, code: str) -> list[dict]:
    """Every failed-signature push the agency's log lists, newest first, following the pages."""
    rows: list[dict] = []
    params = {"status": "rejected", "limit": 100}
    while True:
        response = await api.get(f"/v1/agencies/{code}/inbound-events", params=params)
        assert response.status_code == 200, response.text
        page = response.json()
        rows += page["items"]
        if page["next_cursor"] is None:
            return [row for row in rows if row["status_code"] == 401]
        params["cursor"] = page["next_cursor"]


async def test_a_flood_from_one_address_does_not_hide_the_agencys_own_failed_pushes(app, admin, clock):
    code, agency = await _agency(admin)
    old_secret = await rotate(agency, code)
    await rotate(agency, code, overlap_hours=0)  # the agency's sender still signs with the old one
    before = await _badly_signed_push(app, code, AGENCY_SERVER, old_secret, clock)

    for _ in range(FLOOD):
        await _unsigned_push(app, code, STRANGER)
    after = await _badly_signed_push(app, code, AGENCY_SERVER, old_secret, clock)

    failed = await _failed_pushes(agency, code)
    own = [row for row in failed if row["source_address"] == AGENCY_SERVER]
    assert [row["reason"] for row in own] == [after, before], "both of the agency's own failures, newest first"
    assert failed[0] == own[0], "the latest failure is on top"
    strangers = [row for row in failed if row["source_address"] == STRANGER]
    assert len(strangers) == UNSIGNED_KEPT_PER_SOURCE, "one address keeps only its latest few"


async def test_a_flood_from_rotating_addresses_does_not_hide_a_known_sender_and_stays_bounded(app, admin, clock):
    code, agency = await _agency(admin)
    secret = await rotate(agency, code)
    # A push that verifies (its referral is unknown, so 404) makes the address a known sender.
    async with _client_from(app, AGENCY_SERVER) as client:
        verified = await push(
            client, code, event("referral.note_added", referral_id=str(uuid.uuid4()), text="x"), secret, clock=clock
        )
    assert verified.status_code == 404, verified.text
    await rotate(agency, code, overlap_hours=0)
    reason = await _badly_signed_push(app, code, AGENCY_SERVER, secret, clock)

    for n in range(FLOOD):
        await _unsigned_push(app, code, f"192.0.2.{n + 1}")

    failed = await _failed_pushes(agency, code)
    assert [row["reason"] for row in failed if row["source_address"] == AGENCY_SERVER] == [reason]
    kept = await app.state.pool.fetchval(
        "SELECT count(*) FROM inbound_events WHERE agency_code = $1 AND webhook_id IS NULL", code
    )
    assert kept == UNSIGNED_KEPT_PER_BUCKET + 1, "the strangers' latest pushes, and the known sender's one"


async def test_ipv6_senders_are_bounded_per_slash_64(app, admin):
    """One IPv6 subscriber usually holds a whole /64: rotating within it is still one source."""
    code, agency = await _agency(admin)
    for n in range(UNSIGNED_KEPT_PER_SOURCE + 10):
        await _unsigned_push(app, code, f"2001:db8:aa:bb::{n + 1:x}")
    await _unsigned_push(app, code, "2001:db8:aa:cc::1")
    failed = await _failed_pushes(agency, code)
    assert len(failed) == UNSIGNED_KEPT_PER_SOURCE + 1
    assert failed[0]["source_address"] == "2001:db8:aa:cc::1"


async def _kept_from(app, code: str, network: str) -> int:
    return await app.state.pool.fetchval(
        "SELECT count(*) FROM inbound_events WHERE agency_code = $1 AND webhook_id IS NULL AND source_network = $2",
        code,
        network,
    )


async def test_a_concurrent_flood_is_trimmed_without_errors_and_never_below_the_limit(app, admin):
    code, _agency_key = await _agency(admin)
    await asyncio.gather(*(_unsigned_push(app, code, STRANGER) for _ in range(80)))  # each asserts its 401
    # Pushes that overlapped a trim may leave a few rows over (at most those in flight)...
    assert UNSIGNED_KEPT_PER_SOURCE <= await _kept_from(app, code, STRANGER) < 80
    # ...which the next one removes.
    await _unsigned_push(app, code, STRANGER)
    assert await _kept_from(app, code, STRANGER) == UNSIGNED_KEPT_PER_SOURCE
