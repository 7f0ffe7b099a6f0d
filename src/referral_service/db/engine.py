"""Engine and session factory. One AsyncSession per request, one transaction per session."""

from __future__ import annotations

import orjson
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from referral_service.config import to_async_url
from referral_service.json_encoding import dumps


def _json_dumps(value: object) -> str:
    # Instants inside jsonb (event data, webhook snapshots) are written as the API writes them.
    return dumps(value).decode()


def make_engine(database_url: str, *, pool_size: int = 10, max_overflow: int = 10) -> AsyncEngine:
    return create_async_engine(
        to_async_url(database_url),
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_pre_ping=False,
        # SQL errors must never carry bound values (complainant identity) into log lines.
        hide_parameters=True,
        # orjson for jsonb: the json round-trip is a measurable share of list endpoints.
        json_serializer=_json_dumps,
        json_deserializer=orjson.loads,
    )


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
