"""`/readyz` and the schema: ready at this version's migrations and at a later release's (the
migration of a rolling upgrade runs first, and each migration keeps the release before it working),
not ready while migrations are pending or the database has no schema."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from urllib.parse import urlsplit

import httpx
import pytest

from referral_service.db.migrate import head_revisions, known_revisions, schema_serves
from tests.conftest import _with_database
from tests.integration.test_key_revocation_processes import _sql


def test_schema_serves() -> None:
    heads, known = head_revisions(), known_revisions()
    older = sorted(known - heads)[0]
    assert schema_serves(heads, heads, known)
    assert schema_serves({"f00dcafe1234"}, heads, known)  # a later release's revision
    assert not schema_serves({older}, heads, known)  # behind: migrations pending
    assert not schema_serves(set(), heads, known)
    assert not schema_serves(None, heads, known)


@pytest.fixture(scope="module")
def ready_database(database_url: str) -> Iterator[str]:
    from referral_service.db.migrate import upgrade_to_head

    name = urlsplit(database_url).path.lstrip("/") + "_ready"
    server = _with_database(database_url, "postgres")
    _sql(server, f'CREATE DATABASE "{name}"')
    try:
        url = _with_database(database_url, name)
        upgrade_to_head(url)
        yield url
    finally:
        _sql(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
async def readiness(ready_database: str, settings) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    from referral_service.main import create_app

    app = create_app(settings, database_url=ready_database)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client, ready_database


async def _set_revision(url: str, revision: str | None) -> None:
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        await connection.execute("DELETE FROM alembic_version")
        if revision is not None:
            await connection.execute("INSERT INTO alembic_version (version_num) VALUES ($1)", revision)
    finally:
        await connection.close()


async def test_readyz_follows_the_schema_revision(readiness) -> None:
    client, url = readiness
    [head] = head_revisions()
    older = sorted(known_revisions() - {head})[0]
    try:
        assert (await client.get("/readyz")).status_code == 200
        await _set_revision(url, "f00dcafe1234")  # migrated by the next release
        assert (await client.get("/readyz")).status_code == 200
        await _set_revision(url, older)
        response = await client.get("/readyz")
        assert response.status_code == 503 and response.json()["type"].endswith("/not-ready")
        await _set_revision(url, None)
        assert (await client.get("/readyz")).status_code == 503
    finally:
        await _set_revision(url, head)
    assert (await client.get("/readyz")).status_code == 200
