"""Run some of `referral-service worker`'s jobs, by name, in a process of their own:

    python -m tests.integration.worker_jobs deadline-reminders

The same jobs, settings and shutdown as the real command (SIGTERM stops it), so a test can put
two jobs in two processes and know which one did what.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys

from referral_service.config import get_settings
from referral_service.db.driver import create_pool
from referral_service.jobs import default_jobs
from referral_service.process import resolve_database_url
from referral_service.worker import WorkerContext, run_jobs


async def _run(names: set[str]) -> None:
    settings = get_settings()
    url = resolve_database_url(settings)
    jobs = [job for job in default_jobs(url) if job.name in names]
    if {job.name for job in jobs} != names:
        raise SystemExit(f"unknown job among {sorted(names)}; known: {[job.name for job in default_jobs(url)]}")
    pool = await create_pool(url, size=8)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await run_jobs(WorkerContext(settings, pool), stop, jobs)
    finally:
        await pool.close()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    asyncio.run(_run(set(sys.argv[1:])))
