"""The event feed (`GET /v1/events`): every timeline event a key may see, in event id order, with
no gaps, each as the body its webhook delivery carries.

Why "no gaps" needs care
------------------------
Event ids come from a sequence, drawn inside the writing transaction (events.service), and
transactions commit in any order: transaction A draws 10, B draws 11 and commits, A commits a
moment later. A reader that served 11 and moved its cursor past it would never see 10.

The rule: serve only events with an id at or below a *horizon* such that every transaction that
could still commit an event with an id at or below it has ended. The horizon is found from two
readings, taken one after the other:

1. `drawn`: the highest id the sequence has handed out (`last_value` of `events_id_seq`, which
   caches no values per session: CACHE 1, set by migration 0010);
2. afterwards, the transaction ids running in this database (`backend_xid` in `pg_stat_activity`).

Every transaction that drew an id <= `drawn` drew it before step 1, and took its transaction id
before drawing (`reserve_event_id()` calls `pg_current_xact_id()` first, migration 0010). So by step
2 it has ended, or it is in that list. Once a later snapshot shows every transaction of the list
ended (below the snapshot's xmax and not in its in-progress list), every event with an id <=
`drawn` is committed, and visible to any statement that starts later, or will never exist (rolled
back). `drawn` is then a settled horizon. Horizons only move forward.

(A snapshot's own in-progress list is not enough for step 2: it leaves out running transactions
whose ids are at or above its xmax, which is only "latest completed + 1". And it lists other
databases' transactions, which never write our events and must not hold the feed back.)

Each API process keeps its own horizon (`FeedHorizon`): a "tick" is one statement that takes a
snapshot, then reads `drawn` and the running transactions; the running transactions of tick k+1
pair with `drawn` of tick k, and are checked against the snapshots of the ticks after it. A feed
request runs ticks until the horizon covers what was drawn when it arrived (two or three round
trips when nothing is in flight), then reads `event_id > cursor AND event_id <= horizon`. A write
transaction that stays open holds the horizon back (the feed waits for it rather than skip it):
keep write transactions in the service's database short, as the service's own are.

Why not "order by transaction id, serve only below `pg_snapshot_xmin`"? That is gapless too, but
the order is the transactions' start order, not the events': a later change to a referral would
come before an earlier one whenever the later transaction took its transaction id first.

What each key sees is what its webhook subscriptions receive (webhooks/outbox.py; the rows and the
body a key is served are auth/scope.py's `feed_clause` and `feed_body_column`): the bodies are
the ones `webhooks.payloads.event_bodies` built when the event was recorded, stored in `event_feed`
by the statement that records the event, whether or not anyone subscribes: the Ombudsman-side
body for admin and Ombudsman keys (region-limited keys: events whose complaint or, for a
cross-region referral, agency is in their region), the agency body for the referral's agency
(NULL, hence never served, for events an agency may not receive).

Long polls (`wait`) wait on one LISTEN connection per process (`FeedNotifier`), notified at commit
by every statement that records an event (`pg_notify('event_feed', '')`), and re-check at least
every second (a transaction that held the horizon back may end without recording an event).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import logging
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg

from referral_service.auth.principal import Principal
from referral_service.auth.scope import feed_body_column, feed_clause
from referral_service.db.dedicated import DedicatedConnection
from referral_service.db.driver import Db, pooled
from referral_service.db.sql import Sql
from referral_service.errors import BadRequest
from referral_service.webhooks.outbox import FEED_CHANNEL

logger = logging.getLogger("referral_service.events.feed")

MAX_PAGE = 1000
MAX_WAIT_SECONDS = 30
RECHECK_SECONDS = 1.0
# Ticks one request may run to settle a horizon covering what was drawn when it arrived; when a
# transaction stays open longer, the request serves up to the last settled horizon.
MAX_TICKS = 4

_TICK = Sql("""
    SELECT pg_current_snapshot()::text AS snapshot,
           (SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM events_id_seq) AS drawn,
           ARRAY(SELECT backend_xid::text::bigint FROM pg_stat_activity
                 WHERE datname = current_database() AND backend_xid IS NOT NULL) AS running
""")
_MAX_PENDING = 32
_WRAP = 2**32


def _parse_snapshot(snapshot: str) -> tuple[int, frozenset[int]]:
    """(xmax, in-progress ids below xmax) of a `pg_snapshot` in its text form `xmin:xmax:xip,...`."""
    _xmin, xmax, xip = snapshot.split(":")
    return int(xmax), (frozenset(int(x) for x in xip.split(",")) if xip else frozenset())


def _full_xid(xid32: int, xmax: int) -> int:
    """A 32-bit transaction id (pg_stat_activity's) as the 64-bit one, near `xmax` (a snapshot's)."""
    delta = (xid32 - xmax) % _WRAP
    if delta >= _WRAP // 2:
        delta -= _WRAP
    return xmax + delta


class FeedHorizon:
    """The settled horizon of this process (see the module docstring)."""

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self.settled = 0
        self._drawn: int | None = None  # `drawn` read by the latest tick, waiting for the next tick
        self._pending: list[tuple[int, frozenset[int]]] = []  # (horizon candidate, transactions to wait for)

    def observe(self, snapshot: str, drawn: int, running: Sequence[int]) -> None:
        """One tick's readings, in tick order: the statement's snapshot, then (read after it) the
        sequence's last value and the transaction ids running in this database."""
        xmax, in_progress = _parse_snapshot(snapshot)

        def ended(xid: int) -> bool:
            return xid < xmax and xid not in in_progress

        still: list[tuple[int, frozenset[int]]] = []
        for bound, waiting in self._pending:
            if all(ended(xid) for xid in waiting):
                self.settled = max(self.settled, bound)
            else:
                still.append((bound, waiting))
        if self._drawn is not None:
            # `running` was read after the previous tick read `self._drawn`: whoever drew an id up to
            # it had its transaction id by then, so it has ended, or it is in `running`.
            waiting = frozenset(_full_xid(xid, xmax) for xid in running)
            if not waiting:
                self.settled = max(self.settled, self._drawn)
            elif len(still) >= _MAX_PENDING:
                bound, earlier = still[-1]  # merged: waits for both sets, then settles the larger bound
                still[-1] = (max(bound, self._drawn), earlier | waiting)
            else:
                still.append((self._drawn, waiting))
        self._pending = still
        self._drawn = drawn

    async def tick(self, db: Db) -> int:
        row = await db.fetchrow(_TICK)
        assert row is not None
        self.observe(row["snapshot"], int(row["drawn"]), row["running"])
        return int(row["drawn"])

    async def advance(self, db: Db) -> int:
        """Tick until the horizon covers every id drawn before this call (or `MAX_TICKS` ran).
        `db` must not be inside a transaction that holds a transaction id."""
        async with self._lock:
            target = await self.tick(db)
            for _ in range(MAX_TICKS - 1):
                if self.settled >= target:
                    break
                await self.tick(db)
            return self.settled


class FeedNotifier:
    """One LISTEN connection per process (a `DedicatedConnection`); wakes every waiting feed request
    when an event commits. When the connection is lost, and again once it is back, every waiting
    request is woken to read afresh (it may have missed a notification); while it is away they
    re-check on their own (`wait_for_page`)."""

    def __init__(self, dsn: str) -> None:
        self._waiters: set[asyncio.Future[None]] = set()
        self.connection = DedicatedConnection(
            dsn,
            "event-feed listener",
            listen={FEED_CHANNEL: self._notified},
            on_connected=self._wake,
            on_lost=self._wake,
        )
        self.connected = self.connection.connected

    async def start(self) -> None:
        await self.connection.start()

    async def stop(self) -> None:
        await self.connection.stop()
        self._wake()

    def subscribe(self) -> asyncio.Future[None]:
        """A future resolved at the next notification: take it *before* reading, then await it."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.add(future)
        return future

    def unsubscribe(self, future: asyncio.Future[None]) -> None:
        self._waiters.discard(future)

    def _notified(self, _payload: str) -> None:
        self._wake()

    def _wake(self) -> None:
        waiters, self._waiters = self._waiters, set()
        for future in waiters:
            if not future.done():
                future.set_result(None)


# --- cursors ----------------------------------------------------------------------------------

_CURSOR_PREFIX = b"ev1:"


def encode_feed_cursor(event_id: int) -> str:
    """Opaque to clients, stable for ever: the position after event `event_id`."""
    return base64.urlsafe_b64encode(_CURSOR_PREFIX + str(event_id).encode()).decode().rstrip("=")


def decode_feed_cursor(cursor: str) -> int:
    try:
        if len(cursor) > 40:
            raise ValueError("too long")
        raw = base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode("ascii"))
        if not raw.startswith(_CURSOR_PREFIX):
            raise ValueError("not a feed cursor")
        digits = raw[len(_CURSOR_PREFIX) :]
        if not digits.isdigit() or len(digits) > 19:
            raise ValueError("not a position")
        value = int(digits)
        if value >= 2**63:
            raise ValueError("out of range")
        return value
    except (ValueError, binascii.Error, UnicodeEncodeError) as exc:
        raise BadRequest("The cursor is not valid: pass a `next_cursor` the feed returned, or none to start.") from exc


# --- reading ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FeedFilter:
    types: Sequence[str] | None = None
    referral_id: uuid.UUID | None = None
    complaint_id: uuid.UUID | None = None


# `confidential`: whether the complaint's identity is confidential now, which its stored bodies may
# predate (events/endpoints.py decides what is served and audited from it). The key's rows and the
# body it is served are auth/scope.py's rule; three shapes of statement, one per shape of key.
_FEED_COLUMNS = "SELECT f.event_id, f.complaint_id, "
_FEED_FROM = """ AS body, c.identity_confidential AS confidential
    FROM event_feed f
    JOIN complaints c ON c.id = f.complaint_id
    WHERE f.event_id > :after AND f.event_id <= :upto
      AND (:types::text[] IS NULL OR f.type = ANY (:types::text[]))
      AND (:referral_id::uuid IS NULL OR f.referral_id = :referral_id::uuid)
      AND (:complaint_id::uuid IS NULL OR f.complaint_id = :complaint_id::uuid)
      AND """
_FEED_ORDER = """
    ORDER BY f.event_id
    LIMIT :limit
"""


def _statement(principal: Principal) -> Sql:
    """The key's feed query, values of its filter and page still to bind."""
    return (
        _FEED_COLUMNS
        + feed_body_column(principal, feed="f")
        + _FEED_FROM
        + feed_clause(principal, feed="f")
        + _FEED_ORDER
    )


async def read_page(
    db: Db,
    horizon: FeedHorizon,
    principal: Principal,
    after: int,
    limit: int,
    where: FeedFilter,
    on_rows: Any = None,
) -> list[asyncpg.Record]:
    """Events after `after` up to the settled horizon, oldest first. `db` outside any transaction.
    `on_rows(db, rows)` runs in the reading transaction (the identity-read audit)."""
    upto = await horizon.advance(db)
    if upto <= after:
        return []
    query = _statement(principal).bind(
        after=after,
        upto=upto,
        types=list(where.types) if where.types else None,
        referral_id=where.referral_id,
        complaint_id=where.complaint_id,
        limit=limit,
    )
    async with db.transaction():
        rows = await db.fetch(query)
        if rows and on_rows is not None:
            await on_rows(db, rows)
    return rows


def page_body(rows: Sequence[Mapping[str, Any]], after: int) -> bytes:
    """`{"items": [...], "next_cursor": ...}`: each item `{"id", "cursor"}` + the stored webhook body,
    spliced as bytes (the body is served exactly as a delivery carries it)."""
    parts = []
    for row in rows:
        body = bytes(row["body"])
        head = b'{"id":%d,"cursor":"%s",' % (row["event_id"], encode_feed_cursor(row["event_id"]).encode())
        parts.append(head + body[1:])
    last = rows[-1]["event_id"] if rows else after
    return b'{"items":[' + b",".join(parts) + b'],"next_cursor":"' + encode_feed_cursor(last).encode() + b'"}'


async def wait_for_page(
    pool: asyncpg.Pool,
    horizon: FeedHorizon,
    notifier: FeedNotifier | None,
    principal: Principal,
    after: int,
    limit: int,
    where: FeedFilter,
    wait_seconds: float,
    on_rows: Any = None,
) -> list[asyncpg.Record]:
    """`read_page`, and when it is empty and `wait_seconds` > 0, wait for a commit and read again,
    until something is served or the time is up. No pooled connection is held while waiting.
    `on_rows`: see `read_page`."""
    deadline = time.monotonic() + wait_seconds
    while True:
        future = notifier.subscribe() if notifier is not None and wait_seconds > 0 else None
        try:
            async with pooled(pool) as db:
                rows = await read_page(db, horizon, principal, after, limit, where, on_rows)
            remaining = deadline - time.monotonic()
            if rows or remaining <= 0:
                return rows
            pause = min(remaining, RECHECK_SECONDS)
            if future is None or not notifier.connected.is_set():  # type: ignore[union-attr]
                await asyncio.sleep(min(pause, 0.5))
            else:
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(asyncio.shield(future), pause)
        finally:
            if future is not None:
                notifier.unsubscribe(future)  # type: ignore[union-attr]
