"""The service's one way to the database: asyncpg, one pool per process, `Db` over a connection.

SQLAlchemy's async layer costs 0.2 ms (Core) to 0.8 ms (ORM) of Python per statement on top of the
driver's own; every route, page, job and the worker run their SQL on asyncpg instead, written once
as named-parameter statements (`db/sql.py`) in each feature's `repository.py` and prepared once per
connection by asyncpg's statement cache. SQLAlchemy stays for the schema (Alembic).

`Db` is the handle the repositories take. It wraps an asyncpg connection and carries per-transaction
memos (the calendar in force).

JSON columns use the convention SQLAlchemy's asyncpg dialect sets on its connections (so tests that
inspect the database through a SQLAlchemy session read the same): jsonb parameters are JSON *text*
(`json_param`), jsonb results come back decoded.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Annotated, Any, Concatenate, ParamSpec, TypeAlias, TypeVar

import asyncpg
import orjson
from fastapi import Depends, Request

from referral_service.config import to_async_url
from referral_service.db.sql import Sql, compile_text
from referral_service.json_encoding import dumps

# A stored row as the representation code reads it (by column name): an asyncpg Record, or a mapping
# of the columns (a SQLAlchemy row's `._mapping`, a dict built from a model).
Row: TypeAlias = Mapping[str, Any] | asyncpg.Record


# A connection, or the pool's proxy for one (it behaves as the connection it wraps).
AnyConnection = asyncpg.Connection | asyncpg.pool.PoolConnectionProxy


P = ParamSpec("P")
T = TypeVar("T")


class Db:
    """One connection in one transaction, as the repositories see it."""

    __slots__ = ("conn", "memo")

    def __init__(self, conn: AnyConnection) -> None:
        self.conn = conn
        # Per-transaction memos (e.g. the working calendar in force, and whether its lock is held).
        self.memo: dict[str, Any] = {}

    async def fetch(self, query: Sql) -> list[asyncpg.Record]:
        text, args = query.positional()
        return await self.conn.fetch(text, *args)

    async def fetchrow(self, query: Sql) -> asyncpg.Record | None:
        text, args = query.positional()
        return await self.conn.fetchrow(text, *args)

    async def fetchval(self, query: Sql) -> Any:
        text, args = query.positional()
        return await self.conn.fetchval(text, *args)

    async def execute(self, query: Sql) -> str:
        text, args = query.positional()
        return await self.conn.execute(text, *args)

    async def executemany(self, text: str, rows: Sequence[Mapping[str, Any]]) -> None:
        """One statement (named parameters) run for each of `rows`, in one round trip."""
        if not rows:
            return
        positional, names = compile_text(text)
        await self.conn.executemany(positional, [[row[name] for name in names] for row in rows])

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Db]:
        """The unit of work: everything inside commits together or not at all.

        Inside an open transaction this joins it (a service that writes can be called on its own or
        from a larger unit of work). The commit runs when the block ends, so a route that returns
        after the block has answered only about committed work. Per-transaction memos are cleared
        when the outermost block ends.
        """
        if self.conn.is_in_transaction():
            yield self
            return
        transaction = self.conn.transaction()
        await transaction.start()
        try:
            yield self
        except BaseException:
            self.memo.clear()
            await transaction.rollback()
            raise
        self.memo.clear()
        await transaction.commit()

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[Db]:
        """A part of the unit of work that may fail alone (a unique violation answered as a conflict)."""
        async with self.conn.transaction():
            yield self


def json_param(value: Any) -> str:
    """A jsonb parameter: JSON text (see the module docstring), instants written as the API writes them."""
    return dumps(value).decode()


def _jsonb_encode(value: str) -> bytes:
    return b"\x01" + value.encode()  # jsonb's binary format: version 1, then the text


def _jsonb_decode(data: bytes) -> Any:
    return orjson.loads(data[1:])


def _same(value: str) -> str:
    return value


async def _init_connection(conn: asyncpg.Connection) -> None:
    await conn.set_type_codec(
        "jsonb", encoder=_jsonb_encode, decoder=_jsonb_decode, schema="pg_catalog", format="binary"
    )
    await conn.set_type_codec("json", encoder=str.encode, decoder=orjson.loads, schema="pg_catalog", format="binary")
    for name in ("inet", "cidr"):  # as text, like SQLAlchemy's connections
        await conn.set_type_codec(name, encoder=_same, decoder=_same, schema="pg_catalog", format="text")


# Errors that say "the database could not be reached, or the connection to it was lost": nothing
# is wrong with the work itself, and the same work can be tried again once the database answers.
# Class 08 (connection exceptions), 57P01-57P03 (administrator command, crash, shutting down or
# starting up), 53300 (too many connections); OSError covers refused, reset and timed-out sockets.
_UNREACHABLE = (
    OSError,
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.CrashShutdownError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.TooManyConnectionsError,
)


def unreachable(exc: BaseException) -> bool:
    """Whether `exc` (or what it wraps: SQLAlchemy's `orig`, a `__cause__`) means the database could
    not be reached or the connection was lost, as opposed to a fault in the statement or the code."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, _UNREACHABLE):
            return True
        # asyncpg has no class of its own for "used after the connection closed". A pooled connection
        # lost while it is lent out is taken back by its pool at once (asyncpg's Connection._cleanup),
        # so the borrower's next statement reports "released back to the pool". And a connection the
        # server ended in the middle of a statement can leave asyncpg's protocol state behind, which
        # the next statement on it reports as "cannot switch to state ...".
        if isinstance(current, asyncpg.InterfaceError) and any(
            sign in str(current) for sign in ("connection is closed", "released back to the pool")
        ):
            return True
        if isinstance(current, asyncpg.InternalClientError) and "cannot switch to state" in str(current):
            return True
        current = getattr(current, "orig", None) or current.__cause__
    return False


def describe(exc: BaseException) -> str:
    """A failure for a log line: its kind, with the message only when it is about reaching the
    database (a statement's error can quote the values it was given: complainant identity)."""
    if unreachable(exc):
        text = str(exc).strip()
        return f"{type(exc).__name__}: {text[:200]}" if text else type(exc).__name__
    return type(exc).__name__


def driver_dsn(database_url: str) -> str:
    """The asyncpg DSN for a database URL in any of the accepted spellings."""
    return to_async_url(database_url).replace("postgresql+asyncpg://", "postgresql://", 1)


async def _reset_on_release(conn: asyncpg.Connection) -> None:
    # asyncpg's default reset runs `SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL`
    # on every release: a round trip per request for state these connections never hold (only
    # transaction-scoped locks, no cursors, LISTEN or SET). Only an unfinished transaction can be
    # left behind, by a request cancelled mid-flight.
    if conn.is_in_transaction():
        await conn.execute("ROLLBACK")


async def create_pool(database_url: str, *, size: int) -> asyncpg.Pool:
    return await asyncpg.create_pool(
        driver_dsn(database_url),
        min_size=1,
        max_size=size,
        init=_init_connection,
        reset=_reset_on_release,
        # A connection that sat idle this long is closed; the pool opens a new one on demand.
        max_inactive_connection_lifetime=300,
    )


def unit_of_work(
    operation: Callable[Concatenate[Db, P], Awaitable[T]],
) -> Callable[Concatenate[Db, P], Awaitable[T]]:
    """`operation` as one unit of work: run inside `db.transaction()` (joining the caller's if open)."""

    @functools.wraps(operation)
    async def in_a_transaction(db: Db, /, *args: P.args, **kwargs: P.kwargs) -> T:
        async with db.transaction():
            return await operation(db, *args, **kwargs)

    return in_a_transaction


@asynccontextmanager
async def pooled(pool: asyncpg.Pool) -> AsyncIterator[Db]:
    """A `Db` on a connection borrowed from `pool` for the block (jobs, the worker, the CLI)."""
    async with pool.acquire() as conn:
        yield Db(conn)


async def _autocommit_db(request: Request) -> AsyncIterator[Db]:
    async with request.app.state.pool.acquire() as conn:
        yield Db(conn)


# The request's handle on the database: one pooled connection, no transaction opened for it. Reads
# run as they are (no BEGIN/COMMIT round trips); writes are one unit of work,
# `async with db.transaction():`, committed before the handler returns, so before the response is sent.
DbDep = Annotated[Db, Depends(_autocommit_db, scope="function")]
