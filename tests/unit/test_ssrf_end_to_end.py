"""The delivery client end to end on a loopback HTTP server: allowed with an allow-list, blocked
without one before any connection, redirects not followed, and its configuration."""

import asyncio

import httpx
import pytest

from referral_service.webhooks import delivery_client
from referral_service.webhooks.delivery_client import make_delivery_client
from referral_service.webhooks.ssrf import BlockedDestination, EgressPolicy, UnsafeUrl
from tests.unit.ssrf_support import DEFAULT, HTTP_ONLY, LOOPBACK_OK

# ---------------------------------------------------------------- end to end on loopback


class LoopbackServer:
    """Minimal HTTP/1.1 responder that records every TCP connection."""

    def __init__(self):
        self.connections = 0
        self.requests: list[bytes] = []
        self.server = None
        self.port = None

    async def _handle(self, reader, writer):
        self.connections += 1
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            if length:
                await reader.readexactly(length)
            self.requests.append(head)
            path = head.split(b" ", 2)[1]
            if path == b"/redirect":
                target = f"http://127.0.0.1:{self.port}/final".encode()
                writer.write(
                    b"HTTP/1.1 302 Found\r\nLocation: " + target + b"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                )
            else:
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def __aenter__(self):
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc):
        self.server.close()
        await self.server.wait_closed()


async def test_end_to_end_allowed_with_allow_list():
    async with LoopbackServer() as srv:
        async with make_delivery_client(LOOPBACK_OK, timeout_seconds=5) as client:
            resp = await client.post(f"http://127.0.0.1:{srv.port}/hook", content=b'{"a":1}')
        assert resp.status_code == 200
        assert resp.text == "ok"
        assert srv.connections == 1
        assert srv.requests[0].startswith(b"POST /hook HTTP/1.1")
        assert f"host: 127.0.0.1:{srv.port}".encode() in srv.requests[0].lower()


async def test_end_to_end_hostname_keeps_host_header():
    # Some hosts also map localhost to ::1; allow both so the test is portable.
    policy = EgressPolicy.from_strings(True, "127.0.0.0/8,::1/128")
    async with LoopbackServer() as srv:
        async with make_delivery_client(policy, timeout_seconds=5) as client:
            resp = await client.get(f"http://localhost:{srv.port}/hook")
        assert resp.status_code == 200
        assert f"host: localhost:{srv.port}".encode() in srv.requests[0].lower()


async def test_end_to_end_blocked_without_allow_list():
    async with LoopbackServer() as srv:
        async with make_delivery_client(HTTP_ONLY, timeout_seconds=5) as client:
            for url in (
                f"http://127.0.0.1:{srv.port}/hook",
                f"http://localhost:{srv.port}/hook",
                f"http://[::ffff:127.0.0.1]:{srv.port}/hook",
            ):
                with pytest.raises(BlockedDestination) as exc:
                    await client.post(url, content=b"{}")
                # Callers record delivery failures by catching httpx errors.
                assert isinstance(exc.value, httpx.HTTPError)
                assert isinstance(exc.value, UnsafeUrl)
        await asyncio.sleep(0.05)
        assert srv.connections == 0


async def test_redirect_not_followed():
    async with LoopbackServer() as srv:
        async with make_delivery_client(LOOPBACK_OK, timeout_seconds=5) as client:
            resp = await client.post(f"http://127.0.0.1:{srv.port}/redirect", content=b"{}")
        assert resp.status_code == 302
        assert resp.headers["location"].endswith("/final")
        assert srv.connections == 1
        assert len(srv.requests) == 1


def test_delivery_client_configuration():
    client = make_delivery_client(DEFAULT, timeout_seconds=7)
    assert client.follow_redirects is False
    assert client.trust_env is False
    assert client.timeout.connect == 7 and client.timeout.read == 7
    assert isinstance(client._transport, delivery_client.GuardedTransport)
    # Environment proxies must not be mounted.
    assert not client._mounts
