"""The service's notion of "now", in one place so tests can move it.

Deadlines are decided by the wall clock (a referral forwarded on the Friday before Idul Fitri
owes its answer on a date a person can check), so tests need to forward "on" a given day.
Production code calls `now()`; tests wrap a block in `frozen_at(moment)`. Database defaults
(`created_at`, `occurred_at`) keep using the server's clock: they record when a row was
written, not the business moment.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

_frozen: datetime | None = None


def now() -> datetime:
    """The current instant, timezone-aware UTC."""
    return _frozen if _frozen is not None else datetime.now(UTC)


def timestamp() -> float:
    """`now()` as Unix seconds (signature tolerance and secret overlaps compare these)."""
    return now().timestamp()


def wall_now() -> datetime:
    """The real current instant, never frozen: for what the outside world checks against its own clock
    (signature timestamps, the time a delivery was attempted, presigned storage requests)."""
    return datetime.now(UTC)


def wall_timestamp() -> int:
    """`wall_now()` as whole Unix seconds (the `t=` of a signature)."""
    return int(wall_now().timestamp())


class FrozenClock:
    """Handle returned by `frozen_at`: lets a test move the frozen instant forward."""

    def advance(self, seconds: float) -> None:
        global _frozen
        assert _frozen is not None, "the clock is not frozen"
        _frozen = _frozen + timedelta(seconds=seconds)

    @property
    def now(self) -> float:
        return timestamp()


@contextmanager
def frozen_at(moment: datetime) -> Iterator[FrozenClock]:
    """Make `now()` return `moment` inside the block (tests only; process-wide, not per task)."""
    global _frozen
    if moment.tzinfo is None:
        raise ValueError("frozen_at needs an aware datetime")
    previous, _frozen = _frozen, moment.astimezone(UTC)
    try:
        yield FrozenClock()
    finally:
        _frozen = previous
