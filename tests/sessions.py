"""SQLAlchemy sessions for tests that set up or inspect the database around the app: the service
itself has none (one asyncpg pool per process), so a test's app gets a session factory of its own."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from referral_service.config import to_async_url
from referral_service.db.driver import Db
from referral_service.json_encoding import dumps


def _json_dumps(value: object) -> str:
    return dumps(value).decode()


def make_engine(database_url: str) -> AsyncEngine:
    # jsonb as the service writes it, so a repository function run through `db_of` reads the same.
    return create_async_engine(
        to_async_url(database_url), pool_size=5, json_serializer=_json_dumps, json_deserializer=orjson.loads
    )


def attach_sessions(app: Any, database_url: str) -> AsyncEngine:
    """`app.state.sessionmaker` for the tests; dispose of the returned engine when the app stops."""
    engine = make_engine(database_url)
    app.state.sessionmaker = async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
    return engine


async def db_of(session: AsyncSession) -> Db:
    """The session's own connection as a `Db`, inside the session's transaction."""
    raw = await (await session.connection()).get_raw_connection()
    # SQLAlchemy's asyncpg adapter sends BEGIN lazily, with its first statement: make sure it has,
    # or the Db's statements would run outside the session's transaction.
    if getattr(raw.dbapi_connection, "_transaction", None) is None:
        await session.execute(text("SELECT 1"))
    driver = raw.driver_connection
    assert driver is not None
    db = session.info.get("db")
    if db is None or db.conn is not driver:
        db = Db(driver)
        session.info["db"] = db
    return db
