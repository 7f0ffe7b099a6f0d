"""Waiting before trying again: capped exponential backoff with jitter.

Every loop that retries something that failed waits first, with one of these: 0.1 s after the first
failure, doubling up to 5 s, each wait shortened by a random part of itself (jitter), so that the
processes that lost the database at the same moment do not all knock again at the same moment.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Callable

FIRST_SECONDS = 0.1
LONGEST_SECONDS = 5.0


class Backoff:
    def __init__(
        self,
        first: float = FIRST_SECONDS,
        longest: float = LONGEST_SECONDS,
        *,
        jitter: float = 0.5,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self.first = first
        self.longest = longest
        self.jitter = jitter
        self._rng = rng
        self._next = first

    def delay(self) -> float:
        """The wait before the next attempt, between (1 - jitter) and 1 times the current step; the
        step then doubles, up to `longest`."""
        step = self._next
        self._next = min(step * 2, self.longest)
        return step * (1 - self.jitter * self._rng())

    def reset(self) -> None:
        """It worked: the next failure starts again from `first`."""
        self._next = self.first

    async def wait(self, cut_short: asyncio.Event | None = None) -> None:
        """Sleep for `delay()`, or until `cut_short` is set (e.g. the database is known to be back)."""
        seconds = self.delay()
        if cut_short is None:
            await asyncio.sleep(seconds)
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(cut_short.wait(), seconds)
