"""`GET /metrics`: who may read it, what it says, and that the database figures are read at scrape time."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from referral_service import clock
from referral_service.database_figures import DatabaseFigures
from referral_service.main import create_app
from referral_service.metrics import MetricsExposition
from referral_service.reminders.jobs import run_deadline_reminders
from referral_service.worker import WorkerContext
from tests.conftest import BOOTSTRAP_ADMIN_KEY, create_agency
from tests.integration.deadline_helpers import WITA, act, new_referral
from tests.integration.inbound_support import SAMARINDA, event, forwarded_referral, push, rotate

ADMIN = {"Authorization": f"Bearer {BOOTSTRAP_ADMIN_KEY}"}

FAMILIES = {
    "referral_http_requests",
    "referral_http_request_duration_seconds",
    "referral_db_pool_connections",
    "referral_webhook_outbox_pending",
    "referral_webhook_outbox_oldest_pending_age_seconds",
    "referral_referrals_open",
    "referral_referrals_overdue",
    "referral_inbound_pushes",
    "referral_webhook_delivery_attempts",
    "referral_webhook_delivery_latency_seconds",
    "referral_deadline_reminder_runs",
    "referral_deadline_reminder_events",
    "referral_metrics_database_up",
}


def parse(text: str) -> dict[str, list]:
    """family name -> its samples."""
    return {family.name: family.samples for family in text_string_to_metric_families(text)}


def value(families: dict[str, list], sample: str, **labels: str) -> float:
    """The sample's value (0 when absent), summed over the labels not given."""
    family = families[sample.removesuffix("_total").removesuffix("_count").removesuffix("_bucket").removesuffix("_sum")]
    return sum(s.value for s in family if s.name == sample and all(s.labels.get(k) == v for k, v in labels.items()))


async def scrape(client: httpx.AsyncClient, headers=ADMIN) -> dict[str, list]:
    response = await client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return parse(response.text)


async def test_metrics_need_an_admin_key(raw_client, samarinda, ombudsman) -> None:
    assert (await raw_client.get("/metrics")).status_code == 401
    assert (await raw_client.get("/metrics", headers={"Authorization": "Bearer not-a-key"})).status_code == 401
    for api in (samarinda, ombudsman):
        refused = await api.get("/metrics")
        assert refused.status_code == 403, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
    families = await scrape(raw_client)
    assert set(families) >= FAMILIES, sorted(FAMILIES - set(families))


async def test_the_metrics_token_reads_metrics_and_nothing_else(database_url, settings, samarinda) -> None:
    token = "metrics-token-0123456789"
    app = create_app(settings.model_copy(update={"metrics_token": SecretStr(token)}), database_url=database_url)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client,
    ):
        bearer = {"Authorization": f"Bearer {token}"}
        assert (await client.get("/metrics", headers=bearer)).status_code == 200
        assert (await client.get("/metrics", headers=ADMIN)).status_code == 200
        assert (await client.get("/metrics", headers={"Authorization": f"Bearer {token}x"})).status_code == 401
        assert (await client.get("/metrics", headers={"Authorization": f"Bearer {samarinda.key}"})).status_code == 403
        assert (await client.get("/v1/agencies", headers=bearer)).status_code == 401, "not an API key"


async def test_requests_are_counted_by_route_template_and_status_class(raw_client, admin) -> None:
    before = await scrape(raw_client)
    for _ in range(3):
        assert (await raw_client.get("/healthz")).status_code == 200
    assert (await admin.get("/v1/agencies/no-such-agency")).status_code == 404
    assert (await raw_client.get("/nowhere/1")).status_code == 404
    assert (await raw_client.get("/nowhere/2")).status_code == 404
    after = await scrape(raw_client)

    def moved(sample: str, **labels: str) -> float:
        return value(after, sample, **labels) - value(before, sample, **labels)

    assert moved("referral_http_requests_total", route="/healthz", method="GET", status_class="2xx") == 3
    assert (
        moved("referral_http_request_duration_seconds_count", route="/healthz", method="GET", status_class="2xx") == 3
    )
    assert moved("referral_http_requests_total", route="/v1/agencies/{code}", method="GET", status_class="4xx") == 1
    # Paths no route serves share one label value: clients cannot mint new series.
    assert moved("referral_http_requests_total", route="<unmatched>", status_class="4xx") == 2
    routes = {s.labels["route"] for s in after["referral_http_requests"]}
    assert not any(route.startswith("/nowhere") for route in routes)


async def test_connection_pools_are_reported(raw_client) -> None:
    families = await scrape(raw_client)
    labels = {(s.labels["pool"], s.labels["state"]) for s in families["referral_db_pool_connections"]}
    assert labels == {(pool, state) for pool in ("asyncpg",) for state in ("in_use", "idle")}
    assert value(families, "referral_db_pool_connections", pool="asyncpg") >= 1


class CountingPool:
    """An asyncpg pool that counts how often a connection is asked for."""

    def __init__(self, pool) -> None:
        self.pool = pool
        self.acquired = 0

    def acquire(self, **kwargs):
        self.acquired += 1
        return self.pool.acquire(**kwargs)


async def test_database_figures_are_read_at_scrape_time_and_cached(app) -> None:
    pool = CountingPool(app.state.pool)
    figures = DatabaseFigures(outbox_ttl=60, referrals_ttl=60)
    for _ in range(5):
        await figures.refresh(pool)
    assert pool.acquired == 2, "one read per query per cache period, however many scrapes"
    figures.outbox.read_at -= 61
    await figures.refresh(pool)
    assert pool.acquired == 3, "the outbox is read again once its figures are older than their period"


@pytest.fixture
def fresh_figures(app):
    """The app's /metrics without the cache, so each scrape reads the database."""
    saved = app.state.metrics
    app.state.metrics = MetricsExposition(DatabaseFigures(outbox_ttl=0, referrals_ttl=0))
    yield
    app.state.metrics = saved


async def test_outbox_backlog_and_its_oldest_delivery(fresh_figures, app, raw_client, admin) -> None:
    created = await admin.post("/v1/webhook-endpoints", json={"url": "http://127.0.0.1:9/metrics-test"})
    assert created.status_code == 201, created.text
    endpoint_id = created.json()["id"]
    try:
        for _ in range(2):  # no worker runs in this process: they stay pending
            assert (await admin.post(f"/v1/webhook-endpoints/{endpoint_id}/test")).status_code in (200, 202)
        async with app.state.pool.acquire() as conn:
            await conn.execute(
                "UPDATE webhook_deliveries SET created_at = now() - interval '1 hour' WHERE endpoint_id = $1",
                endpoint_id,
            )
            expected = await conn.fetch(
                "SELECT e.disabled_at IS NOT NULL AS disabled, count(*) AS n FROM webhook_deliveries d "
                "JOIN webhook_endpoints e ON e.id = d.endpoint_id WHERE d.status = 'pending' GROUP BY 1"
            )
        families = await scrape(raw_client)
        counts = {("disabled" if row["disabled"] else "enabled"): row["n"] for row in expected}
        assert counts.get("enabled", 0) >= 2
        for state in ("enabled", "disabled"):
            assert value(families, "referral_webhook_outbox_pending", endpoint_state=state) == counts.get(state, 0)
        assert value(families, "referral_webhook_outbox_oldest_pending_age_seconds", endpoint_state="enabled") >= 3600
        assert value(families, "referral_metrics_database_up") == 1
    finally:
        await admin.delete(f"/v1/webhook-endpoints/{endpoint_id}")


async def test_open_and_overdue_referrals_by_agency(fresh_figures, raw_client, admin, ombudsman) -> None:
    agency = await create_agency(admin)
    await new_referral(ombudsman, agency)  # received
    late = await new_referral(ombudsman, agency)
    await act(ombudsman, late, "forward", {"due_working_days": 2}, datetime(2024, 8, 5, 10, tzinfo=WITA))  # long past
    on_time = await new_referral(ombudsman, agency)
    await act(ombudsman, on_time, "forward", {}, clock.now())
    closed = await new_referral(ombudsman, agency)
    assert (await ombudsman.post(f"/v1/referrals/{closed}/close", json={"resolution": "withdrawn"})).status_code == 200

    families = await scrape(raw_client)
    assert value(families, "referral_referrals_open", agency_code=agency, state="received") == 1
    assert value(families, "referral_referrals_open", agency_code=agency, state="forwarded") == 2
    assert value(families, "referral_referrals_open", agency_code=agency) == 3, "closed ones are not open"
    assert value(families, "referral_referrals_overdue", agency_code=agency) == 1

    # Overdue as the API says it: by the service clock.
    with clock.frozen_at(clock.now() + timedelta(days=60)):
        families = await scrape(raw_client)
    assert value(families, "referral_referrals_overdue", agency_code=agency) == 2


async def test_a_scrape_answers_when_the_database_does_not(raw_client, app) -> None:
    class BrokenPool:
        def acquire(self, **kwargs):
            raise OSError("connection refused")

    figures = DatabaseFigures(outbox_ttl=0, referrals_ttl=0)
    await figures.refresh(BrokenPool())
    families = parse(generate_latest(_Registry(figures)).decode())
    assert value(families, "referral_metrics_database_up") == 0
    assert families["referral_webhook_outbox_pending"] == [] and families["referral_referrals_open"] == []


class _Registry:
    def __init__(self, collector) -> None:
        self.collector = collector

    def collect(self):
        return self.collector.collect()


@pytest.fixture
def push_clock():
    """Server time for the signatures' tolerance, under the test's control."""
    with clock.frozen_at(datetime.now(UTC)) as frozen:
        yield frozen


async def test_inbound_pushes_are_counted_by_result(raw_client, ombudsman, samarinda, push_clock) -> None:
    before = await scrape(raw_client)
    secret = await rotate(samarinda, SAMARINDA)
    referral_id = await forwarded_referral(ombudsman)
    note = event("referral.note_added", referral_id=referral_id, text="Sedang diperiksa.")
    assert (
        await push(raw_client, SAMARINDA, note, secret, clock=push_clock, msg_id="msg_metrics_1")
    ).status_code == 200
    assert (
        await push(raw_client, SAMARINDA, note, secret, clock=push_clock, msg_id="msg_metrics_1")
    ).status_code == 200
    wrong = await push(raw_client, SAMARINDA, note, "whsec_" + "A" * 44, clock=push_clock)
    assert wrong.status_code == 401
    bad = event("referral.note_added", referral_id=referral_id)  # no text
    assert (await push(raw_client, SAMARINDA, bad, secret, clock=push_clock)).status_code == 422
    after = await scrape(raw_client)
    for result in ("accepted", "replayed", "unauthenticated", "rejected"):
        sample = "referral_inbound_pushes_total"
        assert value(after, sample, result=result) - value(before, sample, result=result) == 1, result


async def test_reminder_runs_are_counted(app, settings, raw_client) -> None:
    before = await scrape(raw_client)
    # A moment in 1999: nothing is due then, so the pass records nothing for the other tests.
    with clock.frozen_at(datetime(1999, 1, 4, tzinfo=UTC)):
        await run_deadline_reminders(WorkerContext(settings, app.state.pool))
    after = await scrape(raw_client)
    assert (
        value(after, "referral_deadline_reminder_runs_total", result="ok")
        - value(before, "referral_deadline_reminder_runs_total", result="ok")
        == 1
    )


async def test_the_scrape_itself_is_logged_without_the_token(database_url, settings, caplog) -> None:
    token = "metrics-token-abcdefghij"
    app = create_app(settings.model_copy(update={"metrics_token": SecretStr(token)}), database_url=database_url)
    caplog.set_level(logging.INFO, logger="referral_service.access")
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client,
    ):
        await client.get("/metrics", headers={"Authorization": f"Bearer {token}"})
    lines = [json.dumps(r.__dict__, default=str) for r in caplog.records if r.name == "referral_service.access"]
    assert lines and not any(token in line for line in lines)
