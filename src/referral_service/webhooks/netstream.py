"""An httpcore network backend on asyncio's own transports, for the delivery worker's clients.

httpcore's default backend goes through anyio, which per request costs the worker more than the rest
of the HTTP exchange: a cancel scope around every read and write, reading paused and resumed around
every chunk (two epoll_ctl calls), a poll() system call per idle connection whenever the pool looks
for one to reuse, and the request head and body written with two send() calls (each a wake-up of the
receiver on loopback). This backend:

- keeps what httpcore writes (the head, then the body) until it reads the answer, and sends it with
  one write; a write that fails then is ignored so that an answer the server sent before closing is
  still read, as httpcore itself does for a failed write;
- reads from a buffer its protocol fills (reading is paused only when 256 KiB are waiting);
- answers httpcore's "is this idle connection readable?" (data or a close from the server) from that
  protocol's state, without a system call.

Timeouts are httpcore's (connect, read, write), enforced with asyncio.timeout; errors are httpcore's
(ConnectError, ReadTimeout...), so httpx maps them as it maps the default backend's. It dials what it
is given: the delivery clients put it under delivery_client.GuardedNetworkBackend, which hands it a checked IP
literal (asyncio does not resolve literals). TLS is asyncio's (loop.start_tls), with SNI and
certificate checks for the hostname httpcore passes.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
import typing

import httpcore

# Received bytes held before reading from the socket is paused (a receiver answering with a large
# body: only its first few KiB are kept, see delivery.RESPONSE_BODY_LIMIT).
_READ_BUFFER_LIMIT = 256 * 1024


class _Protocol(asyncio.Protocol):
    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.closed = False  # the server closed its side, or the connection was lost
        self.error: BaseException | None = None
        self.reading_paused = False
        self.writing_paused = False
        self._read_waiter: asyncio.Future[None] | None = None
        self._drain_waiter: asyncio.Future[None] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = typing.cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if len(self.buffer) > _READ_BUFFER_LIMIT and not self.reading_paused and self.transport is not None:
            self.reading_paused = True
            self.transport.pause_reading()
        self._wake_reader()

    def eof_received(self) -> bool:
        self.closed = True
        self._wake_reader()
        return False  # close the transport: HTTP/1.1 has no use for a half-open connection

    def connection_lost(self, exc: BaseException | None) -> None:
        self.closed = True
        self.error = exc
        self._wake_reader()
        self._wake_writer()

    def pause_writing(self) -> None:
        self.writing_paused = True

    def resume_writing(self) -> None:
        self.writing_paused = False
        self._wake_writer()

    async def wait_readable(self) -> None:
        self._read_waiter = asyncio.get_running_loop().create_future()
        try:
            await self._read_waiter
        finally:
            self._read_waiter = None

    async def wait_drained(self) -> None:
        self._drain_waiter = asyncio.get_running_loop().create_future()
        try:
            await self._drain_waiter
        finally:
            self._drain_waiter = None

    def _wake_reader(self) -> None:
        waiter = self._read_waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _wake_writer(self) -> None:
        waiter = self._drain_waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)


class AsyncioStream(httpcore.AsyncNetworkStream):
    """One connection: an asyncio transport and the protocol that buffers what it receives."""

    def __init__(self, transport: asyncio.Transport, protocol: _Protocol) -> None:
        self._transport = transport
        self._protocol = protocol
        self._pending: list[bytes] = []

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        if self._pending:
            # The server may have answered before closing: read what it sent.
            with contextlib.suppress(httpcore.WriteError):
                await self._flush(timeout)
        protocol = self._protocol
        if not protocol.buffer and not protocol.closed:
            try:
                async with asyncio.timeout(timeout):
                    await protocol.wait_readable()
            except TimeoutError:
                raise httpcore.ReadTimeout("timed out reading the response") from None
        if protocol.buffer:
            data = bytes(protocol.buffer[:max_bytes])
            del protocol.buffer[:max_bytes]
            if protocol.reading_paused and len(protocol.buffer) < _READ_BUFFER_LIMIT // 2:
                protocol.reading_paused = False
                self._transport.resume_reading()
            return data
        if protocol.error is not None:
            raise httpcore.ReadError(str(protocol.error) or type(protocol.error).__name__)
        return b""  # the server closed the connection

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if buffer:
            self._pending.append(buffer)

    async def _flush(self, timeout: float | None) -> None:
        data = b"".join(self._pending)
        self._pending.clear()
        if self._transport.is_closing() or self._protocol.closed:
            raise httpcore.WriteError("the connection is closed")
        try:
            self._transport.write(data)
        except (OSError, RuntimeError) as exc:
            raise httpcore.WriteError(str(exc)) from exc
        if self._protocol.writing_paused:
            try:
                async with asyncio.timeout(timeout):
                    await self._protocol.wait_drained()
            except TimeoutError:
                raise httpcore.WriteTimeout("timed out writing the request") from None
            if self._protocol.closed:
                raise httpcore.WriteError("the connection is closed")

    async def aclose(self) -> None:
        self._pending.clear()
        self._transport.close()

    async def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                transport = await loop.start_tls(
                    self._transport, self._protocol, ssl_context, server_hostname=server_hostname
                )
        except TimeoutError:
            self._transport.close()
            raise httpcore.ConnectTimeout("timed out in the TLS handshake") from None
        except (OSError, ssl.SSLError, ConnectionError) as exc:
            self._transport.close()
            raise httpcore.ConnectError(str(exc)) from exc
        if transport is None:  # the connection was lost during the handshake
            raise httpcore.ConnectError("the connection closed during the TLS handshake")
        tls = transport
        self._protocol.transport = tls  # what reading is paused and resumed on from now on
        return AsyncioStream(tls, self._protocol)

    def get_extra_info(self, info: str) -> typing.Any:
        if info == "is_readable":
            # What httpcore asks of an idle connection before reusing it: has the server sent
            # something (a close, or data it should not have), so that the connection is spent?
            return bool(self._protocol.buffer) or self._protocol.closed
        if info == "ssl_object":
            return self._transport.get_extra_info("ssl_object")
        if info == "client_addr":
            return self._transport.get_extra_info("sockname")
        if info == "server_addr":
            return self._transport.get_extra_info("peername")
        if info == "socket":
            return self._transport.get_extra_info("socket")
        return None


class AsyncioBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend on asyncio transports (see the module docstring)."""

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                transport, protocol = await loop.create_connection(
                    _Protocol, host, port, local_addr=(local_address, 0) if local_address else None
                )
        except TimeoutError:
            raise httpcore.ConnectTimeout("timed out connecting") from None
        except OSError as exc:
            raise httpcore.ConnectError(str(exc)) from exc
        sock: socket.socket | None = transport.get_extra_info("socket")
        if sock is not None:
            for option in socket_options or ():
                sock.setsockopt(*option)
        return AsyncioStream(transport, protocol)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not supported")

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
