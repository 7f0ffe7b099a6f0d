"""Transactional outbox: turns a recorded event into webhook delivery rows in the same transaction.

The subscription side (issue: outbound webhooks) fills this in; until then events are recorded
on the timeline only.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

if TYPE_CHECKING:
    from referral_service.events.service import EventDraft


async def enqueue(
    session: AsyncSession, *, event_id: int, occurred_at: datetime, draft: "EventDraft", snapshot: dict[str, Any] | None
) -> None:
    return None
