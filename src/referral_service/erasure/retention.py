"""The retention job: with `REFERRAL_RETENTION_DAYS` set, erase the personal data of complaints
whose referrals have all been closed for longer than that by the service's clock, exactly as an
erasure on request does (erasure/service.py), a batch per run, one transaction per complaint
(claimed with SKIP LOCKED: any number of workers may run it)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from referral_service.db.driver import pooled
from referral_service.erasure import service
from referral_service.events.draft import SYSTEM

if TYPE_CHECKING:
    from referral_service.worker import WorkerContext

logger = logging.getLogger("referral_service.retention")

REASON = "retention: every referral closed for more than {days} days (REFERRAL_RETENTION_DAYS)"


async def run_retention(ctx: WorkerContext) -> int:
    """Erase up to one batch; returns how many complaints were erased (the worker runs it again at once if any)."""
    days = ctx.settings.retention_days
    if days is None:
        return 0
    erased = 0
    for _ in range(service.RETENTION_BATCH):
        async with pooled(ctx.pool) as db, db.transaction():
            due = await service.due_for_retention(db, days, limit=1)
            if not due:
                break
            await service.erase(db, due[0], SYSTEM, reason=REASON.format(days=days), force=False)
            erased += 1
    if erased:
        logger.info("Retention erased the personal data of %d complaint(s)", erased)
    return erased
