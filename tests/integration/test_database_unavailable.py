"""While the database cannot be reached the API answers 503 `service-unavailable` with Retry-After,
never a 500, and says so in one log line rather than one per request."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid

import httpx

from referral_service.db.driver import driver_dsn
from referral_service.main import create_app
from tests.conftest import BOOTSTRAP_ADMIN_KEY, complaint_body
from tests.integration.flaky_proxy import FlakyProxy

ADMIN = {"Authorization": f"Bearer {BOOTSTRAP_ADMIN_KEY}"}


async def test_without_its_database_the_api_answers_503_with_retry_after_and_logs_once(database_url, settings, caplog):
    proxy = FlakyProxy(driver_dsn(database_url))
    await proxy.start()
    app = create_app(settings, database_url=proxy.dsn)
    try:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client,
        ):
            issued = await client.post("/v1/api-keys", json={"role": "ombudsman", "name": "outage"}, headers=ADMIN)
            assert issued.status_code == 201, issued.text
            key = {"Authorization": f"Bearer {issued.json()['key']}"}

            # The database goes away: every connection dropped, new ones refused.
            proxy.set("refuse")
            await proxy.sever()
            with caplog.at_level(logging.WARNING, logger="referral_service.errors"):
                for headers in [ADMIN, key] * 10:  # the bootstrap key needs no lookup; an issued key does
                    response = await client.post(
                        "/v1/complaints",
                        json=complaint_body(),
                        headers={**headers, "Idempotency-Key": str(uuid.uuid4())},
                    )
                    assert response.status_code == 503, response.text
                    assert response.headers["retry-after"] == "1"
                    assert response.headers["content-type"] == "application/problem+json"
                    problem = response.json()
                    assert problem["type"].endswith("/service-unavailable") and problem["request_id"]
            lines = [record.getMessage() for record in caplog.records if record.name == "referral_service.errors"]
            assert len(lines) == 1, lines
            assert lines[0].startswith("requests failed (") and "answered 503" in lines[0]
            assert (await client.get("/readyz")).status_code == 503

            # It is back: so is the service, with nothing restarted.
            proxy.set("relay")
            deadline = time.monotonic() + 10
            while (await client.get("/readyz")).status_code != 200:
                assert time.monotonic() < deadline, "not ready again within 10 s"
                await asyncio.sleep(0.05)
            retried_key = str(uuid.uuid4())
            while (
                response := await client.post(
                    "/v1/complaints", json=complaint_body(), headers={**key, "Idempotency-Key": retried_key}
                )
            ).status_code == 503:
                assert time.monotonic() < deadline, "still 503 within 10 s of the database's return"
                await asyncio.sleep(0.05)
            assert response.status_code == 201, response.text
    finally:
        await proxy.stop()
