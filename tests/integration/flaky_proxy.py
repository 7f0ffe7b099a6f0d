"""A TCP proxy in front of the test database that can play a broken network: `relay` (pass bytes
both ways), `refuse` (accept, then close at once: a server that is not there) and `freeze` (pass
nothing, close nothing: a silent partition, which no FIN or RST reveals)."""

from __future__ import annotations

import asyncio
import contextlib
from urllib.parse import parse_qs, urlsplit, urlunsplit


class FlakyProxy:
    def __init__(self, dsn: str) -> None:
        self._upstream = urlsplit(dsn)
        self.mode = "relay"
        self.accepted = 0
        self._server: asyncio.Server | None = None
        self._links: set[asyncio.Task[None]] = set()
        self._thawed = asyncio.Event()
        self._thawed.set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)

    @property
    def dsn(self) -> str:
        """The upstream DSN, through this proxy."""
        assert self._server is not None
        port = self._server.sockets[0].getsockname()[1]
        user = self._upstream.username or "postgres"
        return urlunsplit(("postgresql", f"{user}@127.0.0.1:{port}", self._upstream.path, "", ""))

    def set(self, mode: str) -> None:
        assert mode in ("relay", "refuse", "freeze")
        self.mode = mode
        if mode == "freeze":
            self._thawed.clear()
        else:
            self._thawed.set()

    async def sever(self) -> None:
        """Close every connection passing through, both ways (as a restarting server does)."""
        links = list(self._links)
        for task in links:
            task.cancel()
        await asyncio.gather(*links, return_exceptions=True)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        await self.sever()

    async def _open_upstream(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        query = parse_qs(self._upstream.query)
        port = self._upstream.port or int(query.get("port", ["5432"])[0])
        if "host" in query:  # a Unix socket directory (the embedded server)
            return await asyncio.open_unix_connection(f"{query['host'][0]}/.s.PGSQL.{port}")
        return await asyncio.open_connection(self._upstream.hostname or "127.0.0.1", port)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        if self.mode == "refuse":
            writer.close()
            return
        task = asyncio.current_task()
        assert task is not None
        self._links.add(task)
        try:
            upstream_reader, upstream_writer = await self._open_upstream()
            try:
                await asyncio.gather(self._pipe(reader, upstream_writer), self._pipe(upstream_reader, writer))
            finally:
                upstream_writer.close()
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()
            self._links.discard(task)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while data := await reader.read(65536):
            await self._thawed.wait()  # frozen: hold every byte, say nothing
            writer.write(data)
            with contextlib.suppress(ConnectionError):
                await writer.drain()
        writer.close()
