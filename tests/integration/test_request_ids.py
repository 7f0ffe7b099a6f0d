"""X-Request-ID on every response and in every problem body; one access-log line per request."""

from __future__ import annotations

import json
import logging
import re

import httpx
import pytest

from referral_service.config import Settings
from referral_service.logs import JsonFormatter, log_fields
from referral_service.main import create_app
from tests.conftest import BOOTSTRAP_ADMIN_KEY, create_complaint

GENERATED = re.compile(r"[0-9a-f]{32}")


def assert_request_id(response: httpx.Response) -> str:
    request_id = response.headers.get("x-request-id")
    assert request_id, (response.status_code, dict(response.headers))
    assert len(response.headers.get_list("x-request-id")) == 1
    if response.headers.get("content-type", "").startswith("application/problem+json"):
        assert response.json()["request_id"] == request_id, response.text
    return request_id


async def test_every_kind_of_response_carries_the_request_id(raw_client, admin, samarinda, settings) -> None:
    auth = {"Authorization": f"Bearer {BOOTSTRAP_ADMIN_KEY}"}
    responses = {
        200: await raw_client.get("/healthz"),
        401: await raw_client.get("/v1/complaints"),
        403: await samarinda.get("/v1/complaints"),
        404: await raw_client.get("/no/such/route"),
        405: await raw_client.delete("/healthz"),
        413: await raw_client.post(
            "/v1/complaints",
            content=b"{" + b" " * settings.max_body_bytes + b"}",
            headers={**auth, "content-type": "application/json"},
        ),
        415: await raw_client.post("/v1/complaints", content=b"x", headers={**auth, "content-type": "text/plain"}),
        422: await admin.post("/v1/complaints", json={"channel": "pigeon"}),
        400: await raw_client.post(
            "/v1/complaints", content=b"{not json", headers={**auth, "content-type": "application/json"}
        ),
    }
    ids = set()
    for status, response in responses.items():
        assert response.status_code == status, (status, response.text)
        request_id = assert_request_id(response)
        assert GENERATED.fullmatch(request_id)
        ids.add(request_id)
    assert len(ids) == len(responses), "a new id for every request"


async def test_an_unhandled_error_answers_500_with_the_request_id(settings: Settings) -> None:
    app = create_app(settings, database_url="postgresql://unused@127.0.0.1:1/none")  # no lifespan: no database

    @app.get("/boom", include_in_schema=False)
    async def boom() -> None:
        raise RuntimeError("boom")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.get("/boom", headers={"X-Request-ID": "support-ticket-42"})
    assert response.status_code == 500
    assert response.headers["x-request-id"] == "support-ticket-42"
    assert response.json()["request_id"] == "support-ticket-42"


@pytest.mark.parametrize("given", ["a", "abc-DEF_123.4:5", "x" * 128, "6f1c2a9e-5b8e-4f1c-9a3d-0e2b7c4d5f6a"])
async def test_a_valid_client_id_is_used(raw_client, given: str) -> None:
    response = await raw_client.get("/healthz", headers={"X-Request-ID": given})
    assert response.headers["x-request-id"] == given
    problem = await raw_client.get("/v1/complaints", headers={"X-Request-ID": given})
    assert problem.headers["x-request-id"] == given and problem.json()["request_id"] == given


@pytest.mark.parametrize("given", ["", "x" * 129, "has space", "back\\slash", 'quote"', "ümlaut".encode(), "a/b"])
async def test_an_invalid_client_id_is_replaced(raw_client, given: str | bytes) -> None:
    response = await raw_client.get("/healthz", headers={"X-Request-ID": given})
    assert GENERATED.fullmatch(response.headers["x-request-id"]), response.headers["x-request-id"]


@pytest.fixture
def access_log(caplog):
    caplog.set_level(logging.INFO, logger="referral_service.access")
    return lambda: [r for r in caplog.records if r.name == "referral_service.access"]


async def test_one_access_line_per_request_with_route_status_duration_and_key_id(
    access_log, ombudsman, samarinda
) -> None:
    complaint = await create_complaint(ombudsman)
    created = await ombudsman.post(
        f"/v1/complaints/{complaint['id']}/referrals", json={"agency_code": "inspektorat-64.72"}
    )
    referral_id = created.json()["id"]
    before = len(access_log())
    read = await ombudsman.get(f"/v1/referrals/{referral_id}?unused=secret-search-term")
    hidden = await samarinda.get(f"/v1/referrals/{referral_id}")  # not forwarded yet: 404 for the agency
    records = access_log()[before:]
    assert len(records) == 2

    ok, missing = (log_fields(record) for record in records)
    assert ok["request_id"] == read.headers["x-request-id"]
    assert ok["route"] == "/v1/referrals/{referral_id}"
    assert ok["path"] == f"/v1/referrals/{referral_id}"
    assert ok["method"] == "GET" and ok["status"] == 200
    assert isinstance(ok["duration_ms"], float) and ok["duration_ms"] > 0
    assert ok["key_id"] == ombudsman.key_id
    assert missing["status"] == 404 and missing["key_id"] == samarinda.key_id
    assert missing["request_id"] == hidden.headers["x-request-id"]

    line = JsonFormatter().format(records[0])
    data = json.loads(line)
    assert {"time", "level", "logger", "message", "request_id", "route", "status", "duration_ms", "key_id"} <= set(data)
    assert data["level"] == "INFO" and data["logger"] == "referral_service.access"
    for text in (line, JsonFormatter().format(records[1])):
        assert ombudsman.key not in text and samarinda.key not in text, "the key itself never reaches the log"
        assert "secret-search-term" not in text, "query strings stay out of the log"


async def test_unmatched_paths_and_refused_bodies_are_logged_without_a_route(access_log, raw_client) -> None:
    before = len(access_log())
    await raw_client.get("/nothing/here")
    await raw_client.post("/v1/complaints", content=b"x", headers={"content-type": "text/plain"})
    unmatched, refused = (log_fields(r) for r in access_log()[before:])
    assert unmatched["route"] is None and unmatched["status"] == 404 and unmatched["path"] == "/nothing/here"
    assert refused["route"] is None and refused["status"] == 415 and refused["key_id"] is None


async def test_the_access_log_follows_the_log_level(caplog, raw_client) -> None:
    caplog.set_level(logging.WARNING, logger="referral_service.access")
    before = len(caplog.records)
    response = await raw_client.get("/healthz")
    assert response.status_code == 200 and response.headers["x-request-id"]
    assert not [r for r in caplog.records[before:] if r.name == "referral_service.access"]
