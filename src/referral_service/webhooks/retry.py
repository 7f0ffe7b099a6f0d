"""When to try a failed delivery again. Pure functions: no database, no clock of their own."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from referral_service import clock
from referral_service.config import Settings


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    # delays[k] is the wait before attempt k+1; delays[0] is the first attempt ("now").
    delays: tuple[float, ...]
    jitter: float = 0.2
    retry_after_max: float = 36000.0

    @classmethod
    def from_settings(cls, settings: Settings) -> RetryPolicy:
        return cls(
            delays=parse_schedule(settings.webhook_retry_schedule),
            jitter=settings.webhook_retry_jitter,
            retry_after_max=settings.webhook_retry_after_max_seconds,
        )

    @property
    def max_attempts(self) -> int:
        return len(self.delays)

    def delay_after(
        self, attempts_made: int, *, retry_after: float | None = None, rng: random.Random | None = None
    ) -> float | None:
        """Seconds to wait before the next attempt, or None when the schedule is used up.

        A receiver's Retry-After (429/503) is honoured as a lower bound, capped so that a receiver
        cannot park a delivery indefinitely; the schedule still applies when it asks for less.
        """
        if attempts_made >= self.max_attempts:
            return None
        base = self.delays[attempts_made]
        spread = base * self.jitter
        delay = base + (rng or random).uniform(-spread, spread) if spread else base
        if retry_after is not None:
            delay = max(delay, min(retry_after, self.retry_after_max))
        return max(delay, 0.0)


def parse_schedule(text: str) -> tuple[float, ...]:
    try:
        delays = tuple(float(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise ValueError(f"webhook retry schedule must be comma-separated seconds, got {text!r}") from None
    if not delays or any(d < 0 for d in delays):
        raise ValueError("webhook retry schedule needs at least one non-negative delay")
    return delays


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds from now: delta-seconds or an HTTP-date (RFC 9110 §10.2.3). None if absent or junk."""
    if value is None:
        return None
    value = value.strip()
    if not value or len(value) > 64:
        return None
    if value.isdigit():
        return float(int(value))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now = now or clock.wall_now()
    return max((when - now).total_seconds(), 0.0)
