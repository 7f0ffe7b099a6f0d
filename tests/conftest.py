"""Test fixtures: a throwaway database per test run, on real PostgreSQL.

TEST_DATABASE_URL (a server URL; its database part is ignored) when set, otherwise the embedded
server under .referral-data/test-pg. Each run creates `referral_test_<random>` and drops it at exit.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import pytest

from referral_service.config import Settings

# Fixtures shared by several test modules (receiver, subscribe, worker; clock; the access tests'
# scene; blob_store), registered once here rather than imported into each module that uses them.
pytest_plugins = [
    "tests.integration.webhook_support",
    "tests.integration.inbound_support",
    "tests.integration.access_support",
    "tests.attachment_support",
    "tests.live_server",
]

ROOT = Path(__file__).resolve().parent.parent
BOOTSTRAP_ADMIN_KEY = "test-bootstrap-admin-" + secrets.token_urlsafe(16)


def _server_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    from referral_service.db.embedded import start_embedded

    return start_embedded(ROOT / ".referral-data" / "test-pg", "postgres")


def _with_database(url: str, database: str) -> str:
    parts = urlsplit(url.replace("postgresql+asyncpg://", "postgresql://"))
    return urlunsplit((parts.scheme, parts.netloc, "/" + database, parts.query, parts.fragment))


def _asyncpg_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


@pytest.fixture(scope="session")
def database_url() -> str:
    server = _server_url()
    name = f"referral_test_{secrets.token_hex(6)}"
    admin_dsn = _asyncpg_dsn(_with_database(server, "postgres"))

    async def _create() -> None:
        conn = await asyncpg.connect(admin_dsn)
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    async def _drop() -> None:
        conn = await asyncpg.connect(admin_dsn)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()

    asyncio.run(_create())
    url = _with_database(server, name)
    from referral_service.db.migrate import upgrade_to_head

    upgrade_to_head(url)
    yield url
    asyncio.run(_drop())


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings(
        DATABASE_URL=None,
        REFERRAL_ADMIN_KEY=BOOTSTRAP_ADMIN_KEY,
        REFERRAL_WEBHOOK_ALLOW_HTTP=True,
        REFERRAL_WEBHOOK_ALLOWED_NETWORKS="127.0.0.0/8",
        # The web pages are tested over plain HTTP (http://127.0.0.1): cookies without `Secure`.
        REFERRAL_PUBLIC_BASE_URL="http://127.0.0.1",
        # The suite sends many requests with one key and from one address, failed authentications
        # included: limits it cannot reach. tests/integration/test_rate_limits.py uses small ones.
        REFERRAL_RATE_LIMIT_ADMIN_PER_MINUTE=10_000_000,
        REFERRAL_RATE_LIMIT_OMBUDSMAN_PER_MINUTE=10_000_000,
        REFERRAL_RATE_LIMIT_AGENCY_PER_MINUTE=10_000_000,
        REFERRAL_RATE_LIMIT_ADDRESS_PER_MINUTE=10_000_000,
        REFERRAL_RATE_LIMIT_INBOUND_PER_MINUTE=10_000_000,
        REFERRAL_RATE_LIMIT_AUTH_FAILURES_PER_MINUTE=10_000_000,
        REFERRAL_RATE_LIMIT_WEBHOOK_MANUAL_PER_MINUTE=10_000_000,
        _env_file=None,
    )


@pytest.fixture(scope="session")
async def app(database_url: str, settings: Settings):
    from referral_service.main import create_app
    from tests.sessions import attach_sessions

    application = create_app(settings, database_url=database_url)
    async with application.router.lifespan_context(application):
        engine = attach_sessions(application, database_url)
        try:
            yield application
        finally:
            await engine.dispose()


@pytest.fixture(scope="session")
async def raw_client(app) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        yield client


@dataclass
class Api:
    """A client bound to one API key."""

    client: httpx.AsyncClient
    key: str
    role: str
    agency_code: str | None = None
    region_code: str | None = None
    key_id: str | None = None

    def _headers(self, headers: dict[str, str] | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}", **(headers or {})}

    async def get(self, url: str, **kw) -> httpx.Response:
        return await self.client.get(url, headers=self._headers(kw.pop("headers", None)), **kw)

    async def post(self, url: str, json=None, **kw) -> httpx.Response:
        return await self.client.post(url, json=json, headers=self._headers(kw.pop("headers", None)), **kw)

    async def patch(self, url: str, json=None, **kw) -> httpx.Response:
        return await self.client.patch(url, json=json, headers=self._headers(kw.pop("headers", None)), **kw)

    async def put(self, url: str, json=None, **kw) -> httpx.Response:
        return await self.client.put(url, json=json, headers=self._headers(kw.pop("headers", None)), **kw)

    async def delete(self, url: str, **kw) -> httpx.Response:
        return await self.client.delete(url, headers=self._headers(kw.pop("headers", None)), **kw)


@pytest.fixture(scope="session")
def admin(raw_client) -> Api:
    return Api(raw_client, BOOTSTRAP_ADMIN_KEY, "admin")


@pytest.fixture(scope="session")
async def kaltim(admin: Api) -> None:
    """The shipped Kalimantan Timur directory, loaded once per run."""
    from referral_service.agencies.service import load_directory
    from referral_service.db.driver import pooled

    app = admin.client._transport.app  # type: ignore[attr-defined]
    async with pooled(app.state.pool) as db, db.transaction():
        await load_directory(db)


async def issue_key(admin: Api, role: str, *, agency_code: str | None = None, region_code: str | None = None) -> Api:
    body = {
        "role": role,
        "name": f"test {role} {uuid.uuid4().hex[:6]}",
        "agency_code": agency_code,
        "region_code": region_code,
    }
    response = await admin.post("/v1/api-keys", json={k: v for k, v in body.items() if v is not None})
    assert response.status_code == 201, response.text
    data = response.json()
    return Api(admin.client, data["key"], role, agency_code, region_code, data["id"])


async def create_agency(
    admin: Api, *, region_code: str = "64.72", kind: str = "opd", timezone: str = "Asia/Makassar"
) -> str:
    code = f"test-{uuid.uuid4().hex[:10]}"
    response = await admin.post(
        "/v1/agencies",
        json={"code": code, "name": f"Agency {code}", "kind": kind, "region_code": region_code, "timezone": timezone},
    )
    assert response.status_code == 201, response.text
    return code


@pytest.fixture(scope="session")
async def ombudsman(admin: Api, kaltim) -> Api:
    return await issue_key(admin, "ombudsman")


@pytest.fixture(scope="session")
async def ombudsman_kaltim(admin: Api, kaltim) -> Api:
    return await issue_key(admin, "ombudsman", region_code="64")


@pytest.fixture(scope="session")
async def samarinda(admin: Api, kaltim) -> Api:
    return await issue_key(admin, "agency", agency_code="inspektorat-64.72")


@pytest.fixture(scope="session")
async def bontang(admin: Api, kaltim) -> Api:
    return await issue_key(admin, "agency", agency_code="inspektorat-64.74")


CONFIDENTIAL_NAME = "Rahasia Wulandari Pratiwi"


def complaint_body(**overrides) -> dict:
    body = {
        "channel": "walk_in",
        "complainant": {"name": "Budi Santoso", "email": "budi@example.org", "phone": "+62 812 0000 1111"},
        "identity_confidential": False,
        "subject": "Izin usaha tidak diproses",
        "description": "Permohonan izin usaha diajukan tiga bulan lalu dan belum ada kabar.",
        "category": "penundaan_berlarut",
        "region_code": "64.72",
    }
    body.update(overrides)
    return body


async def create_complaint(api: Api, **overrides) -> dict:
    response = await api.post("/v1/complaints", json=complaint_body(**overrides))
    assert response.status_code == 201, response.text
    return response.json()
