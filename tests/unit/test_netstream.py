"""The delivery clients' network backend (webhooks/netstream.py) and their cookie-less client, against
real loopback servers: one write per request, reuse and expiry of idle connections, large and slow
answers, TLS with SNI and certificate checks, and the errors httpx callers expect."""

from __future__ import annotations

import asyncio
import shutil
import socket
import ssl
import subprocess

import httpcore
import httpx
import pytest

from referral_service.webhooks import ssrf
from referral_service.webhooks.delivery_client import make_delivery_client
from referral_service.webhooks.netstream import AsyncioBackend, AsyncioStream, _Protocol
from referral_service.webhooks.ssrf import EgressPolicy

LOOPBACK_OK = EgressPolicy.from_strings(True, "127.0.0.0/8")


class Server:
    """A loopback HTTP/1.1 server that records the heads of the requests it answered."""

    def __init__(self, answer=None, ssl_context: ssl.SSLContext | None = None) -> None:
        self.connections = 0
        self.requests: list[bytes] = []
        self.answer = answer or (lambda n, head: b"HTTP/1.1 204 No Content\r\n\r\n")
        self.ssl_context = ssl_context
        self.writers: list[asyncio.StreamWriter] = []
        self.handlers: list[asyncio.Task] = []

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.writers.append(writer)
        self.handlers.append(asyncio.current_task())
        buffer = b""
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    return
                buffer += data
                while b"\r\n\r\n" in buffer:
                    head, _, rest = buffer.partition(b"\r\n\r\n")
                    length = 0
                    for line in head.split(b"\r\n")[1:]:
                        name, _, value = line.partition(b":")
                        if name.strip().lower() == b"content-length":
                            length = int(value)
                    if len(rest) < length:
                        break
                    buffer = rest[length:]
                    self.requests.append(head)
                    answer = self.answer(len(self.requests), head)
                    if isinstance(answer, bytes):
                        writer.write(answer)
                    else:
                        await answer(writer)
                    await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    async def __aenter__(self) -> Server:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0, ssl=self.ssl_context)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc) -> None:
        self.server.close()
        for writer in self.writers:
            writer.close()
        for handler in self.handlers:
            handler.cancel()
        await asyncio.gather(*self.handlers, return_exceptions=True)
        await self.server.wait_closed()


async def _post(client: httpx.AsyncClient, url: str, body: bytes = b'{"a": 1}') -> httpx.Response:
    response = await client.post(url, content=body, headers={"content-type": "application/json"})
    return response


async def test_a_request_is_written_at_once_and_connections_are_reused(monkeypatch):
    writes: list[bytes] = []
    made = _Protocol.connection_made

    def counting(self, transport):
        made(self, transport)
        write = transport.write
        transport.write = lambda data: (writes.append(bytes(data)), write(data))[1]

    monkeypatch.setattr(_Protocol, "connection_made", counting)
    body = b'{"type": "webhook.test", "data": "' + b"x" * 3000 + b'"}'
    async with Server() as srv, make_delivery_client(LOOPBACK_OK, timeout_seconds=5, max_connections=1) as client:
        for _ in range(3):
            response = await _post(client, f"http://127.0.0.1:{srv.port}/hook", body)
            assert response.status_code == 204
    assert srv.connections == 1  # kept alive and reused
    # Each request, head and body, went out in one write (one send(), one wake-up of the receiver).
    assert len(writes) == 3
    assert all(w.startswith(b"POST /hook HTTP/1.1\r\n") and w.endswith(body) for w in writes)


async def test_an_idle_connection_the_server_closed_is_not_reused():
    async def answer_and_close(writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        await writer.drain()
        writer.close()  # without saying Connection: close

    async with Server(answer=lambda n, head: answer_and_close) as srv:  # noqa: SIM117 - the server outlives the client on purpose
        async with make_delivery_client(LOOPBACK_OK, timeout_seconds=5, max_connections=1) as client:
            first = await _post(client, f"http://127.0.0.1:{srv.port}/hook")
            await asyncio.sleep(0.1)  # the close reaches the client
            second = await _post(client, f"http://127.0.0.1:{srv.port}/hook")
    assert (first.status_code, second.status_code) == (200, 200)
    assert srv.connections == 2


async def test_a_large_answer_is_read_whole_and_a_slow_one_times_out():
    big = b"y" * (3 * 1024 * 1024)  # more than the read buffer: reading is paused and resumed

    async def slow(writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(2)

    def answer(n, head):
        if b"/slow" in head:
            return slow
        return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(big) + big

    async with Server(answer=answer) as srv, make_delivery_client(LOOPBACK_OK, timeout_seconds=0.3) as client:
        response = await _post(client, f"http://127.0.0.1:{srv.port}/big")
        assert response.content == big
        with pytest.raises(httpx.ReadTimeout):
            await _post(client, f"http://127.0.0.1:{srv.port}/slow")


async def test_a_refused_connection_is_a_connect_error():
    async with Server() as srv:
        port = srv.port
    async with make_delivery_client(LOOPBACK_OK, timeout_seconds=2) as client:
        with pytest.raises(httpx.ConnectError):
            await _post(client, f"http://127.0.0.1:{port}/hook")


async def test_cookies_are_neither_kept_nor_sent_back():
    def answer(n, head):
        return b"HTTP/1.1 200 OK\r\nSet-Cookie: session=abc; Path=/\r\nContent-Length: 0\r\n\r\n"

    async with Server(answer=answer) as srv, make_delivery_client(LOOPBACK_OK, timeout_seconds=5) as client:
        await _post(client, f"http://127.0.0.1:{srv.port}/a")
        await _post(client, f"http://127.0.0.1:{srv.port}/b")
        assert not client.cookies
    assert all(b"cookie:" not in head.lower() for head in srv.requests)


async def test_an_answer_sent_before_the_server_stopped_reading_is_still_read():
    # What httpcore does for a failed write, with the write now deferred to the read: the answer
    # already received wins over the write error.
    protocol = _Protocol()

    class Closed(asyncio.Transport):
        def is_closing(self) -> bool:
            return True

        def close(self) -> None:
            pass

    protocol.connection_made(Closed())
    protocol.data_received(b"HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\n\r\n")
    stream = AsyncioStream(Closed(), protocol)
    await stream.write(b"POST / HTTP/1.1\r\n\r\n")
    assert (await stream.read(65536)).startswith(b"HTTP/1.1 413")
    assert stream.get_extra_info("is_readable") is False
    protocol.eof_received()
    assert stream.get_extra_info("is_readable") is True
    assert await stream.read(65536) == b""


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    directory = tmp_path_factory.mktemp("tls")
    key, cert = directory / "key.pem", directory / "cert.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


async def test_tls_with_sni_and_certificate_checks(certificate):
    cert, key = certificate
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    names: list[str | None] = []
    server_context.sni_callback = lambda sock, name, ctx: names.append(name)
    trusting = ssl.create_default_context(cafile=str(cert))
    policy = EgressPolicy.from_strings(False, "127.0.0.0/8,::1/128")
    async with Server(ssl_context=server_context) as srv:
        async with make_delivery_client(policy, timeout_seconds=5, verify=trusting, max_connections=1) as client:
            for _ in range(2):
                response = await _post(client, f"https://localhost:{srv.port}/hook")
                assert response.status_code == 204
        assert srv.connections == 1
        assert names == ["localhost"]
        # Not trusted by default, and the certificate names localhost, not 127.0.0.1.
        async with make_delivery_client(policy, timeout_seconds=5) as client:
            with pytest.raises(httpx.ConnectError):
                await _post(client, f"https://localhost:{srv.port}/hook")
        async with make_delivery_client(policy, timeout_seconds=5, verify=trusting) as client:
            with pytest.raises(httpx.ConnectError):
                await _post(client, f"https://127.0.0.1:{srv.port}/hook")


async def test_the_backend_raises_httpcore_errors():
    backend = AsyncioBackend()
    async with Server() as srv:
        port = srv.port
    with pytest.raises(httpcore.ConnectError):
        await backend.connect_tcp("127.0.0.1", port, timeout=2)
    with pytest.raises(httpcore.ConnectError):
        await backend.connect_unix_socket("/tmp/nothing")


async def test_the_address_checked_is_the_address_dialled(monkeypatch):
    # The guard resolves the name once, checks the answer and hands this backend an IP literal:
    # asyncio must not look the name up again (DNS rebinding would have a window).
    resolved: list[str] = []

    async def answer(host, port):
        resolved.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

    loop = asyncio.get_running_loop()
    lookup = loop.getaddrinfo

    async def no_second_lookup(host, *args, **kwargs):
        assert host != "partner.test", "the name was looked up again when connecting"
        return await lookup(host, *args, **kwargs)

    monkeypatch.setattr(ssrf, "_getaddrinfo", answer)
    monkeypatch.setattr(loop, "getaddrinfo", no_second_lookup)
    async with Server() as srv, make_delivery_client(LOOPBACK_OK, timeout_seconds=5) as client:
        response = await _post(client, f"http://partner.test:{srv.port}/hook")
    assert response.status_code == 204
    assert resolved == ["partner.test"]
    assert f"host: partner.test:{srv.port}".encode() in srv.requests[0].lower()
