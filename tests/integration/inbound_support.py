"""Helpers for the inbound-push tests: a controllable clock, signing, pushing, a forwarded referral."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import httpx
import pytest

from referral_service import signing
from referral_service.clock import FrozenClock, frozen_at
from tests.conftest import Api, create_complaint

SAMARINDA = "inspektorat-64.72"
BONTANG = "inspektorat-64.74"


Clock = FrozenClock


@pytest.fixture
def clock():
    """Server time for signature tolerance and rotation overlap, under the test's control."""
    with frozen_at(datetime.now(UTC)) as frozen:
        yield frozen


def event(type_: str, **data) -> dict:
    return {"type": type_, "timestamp": "2026-12-01T09:00:00+08:00", "data": data}


def signed_headers(
    secret: str | list[str], body: bytes, *, clock: Clock, msg_id: str | None = None, offset: int = 0
) -> dict:
    secrets = [secret] if isinstance(secret, str) else secret
    headers = signing.build_headers(secrets, msg_id or f"msg_{uuid.uuid4().hex}", body, now=int(clock.now) + offset)
    return {**headers, "content-type": "application/json"}


async def push(
    client: httpx.AsyncClient,
    code: str,
    payload: dict | bytes,
    secret: str | list[str],
    *,
    clock: Clock,
    msg_id: str | None = None,
    offset: int = 0,
) -> httpx.Response:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = signed_headers(secret, body, clock=clock, msg_id=msg_id, offset=offset)
    return await client.post(f"/v1/inbound/{code}/events", content=body, headers=headers)


async def rotate(api: Api, code: str, **body) -> str:
    response = await api.post(f"/v1/agencies/{code}/inbound-secret", json=body or None)
    assert response.status_code == 200, response.text
    return response.json()["secret"]


async def forwarded_referral(omb: Api, agency_code: str = SAMARINDA, region_code: str = "64.72") -> str:
    complaint = await create_complaint(omb, region_code=region_code)
    created = await omb.post(f"/v1/complaints/{complaint['id']}/referrals", json={"agency_code": agency_code})
    assert created.status_code == 201, created.text
    rid = created.json()["id"]
    forwarded = await omb.post(f"/v1/referrals/{rid}/forward", json={})
    assert forwarded.status_code == 200, forwarded.text
    return rid


async def inbound_log(api: Api, code: str, **params) -> list[dict]:
    response = await api.get(f"/v1/agencies/{code}/inbound-events", params=params)
    assert response.status_code == 200, response.text
    return response.json()["items"]
