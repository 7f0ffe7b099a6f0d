import asyncio
import ipaddress
import socket

import httpcore
import httpx
import pytest

from referral_service.webhooks import delivery_client, ssrf
from referral_service.webhooks.delivery_client import (
    GuardedNetworkBackend,
    make_delivery_client,
    make_guarded_transport,
)
from referral_service.webhooks.ssrf import (
    BlockedDestination,
    EgressPolicy,
    UnsafeUrl,
    check_url,
    is_address_allowed,
    resolve_allowed,
    validate_url_syntax,
)

DEFAULT = EgressPolicy()
LOOPBACK_OK = EgressPolicy.from_strings(True, "127.0.0.0/8")
HTTP_ONLY = EgressPolicy(allow_http=True)


# ---------------------------------------------------------------- addresses

ALLOWED = [
    "8.8.8.8",
    "1.1.1.1",
    "93.184.215.14",
    "2606:4700:4700::1111",
    "2001:4860:4860::8888",
    "::ffff:8.8.8.8",  # mapped public v4
    "64:ff9b::808:808",  # NAT64 of 8.8.8.8
    "2002:808:808::1",  # 6to4 of 8.8.8.8
]

BLOCKED = [
    "127.0.0.1",
    "127.255.255.254",
    "10.0.0.1",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.1.1",
    "100.64.0.1",
    "100.127.255.254",
    "169.254.169.254",
    "0.0.0.0",
    "0.1.2.3",
    "198.18.0.1",
    "198.19.255.255",
    "192.0.0.1",
    "192.0.2.1",
    "198.51.100.1",
    "203.0.113.1",
    "224.0.0.1",
    "239.255.255.250",
    "240.0.0.1",
    "255.255.255.255",
    "::",
    "::1",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "::ffff:169.254.169.254",
    "::127.0.0.1",  # deprecated IPv4-compatible
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
    "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
    "64:ff9b:1::a00:1",  # local-use NAT64
    "2002:7f00:1::1",  # 6to4 of 127.0.0.1
    "2002:a00:1::1",  # 6to4 of 10.0.0.1
    "2001::1",  # Teredo
    "2001:db8::1",
    "3fff::1",
    "100::1",
    "fc00::1",
    "fd12:3456:789a::1",
    "fe80::1",
    "fe80::1%1",
    "fec0::1",
    "ff02::1",
    "not-an-ip",
    "",
    "[::1]",
]


@pytest.mark.parametrize("ip", ALLOWED)
def test_public_addresses_allowed(ip):
    assert is_address_allowed(ip, DEFAULT)
    assert is_address_allowed(ipaddress.ip_address(ip), DEFAULT)


@pytest.mark.parametrize("ip", BLOCKED)
def test_blocked_addresses_refused(ip):
    assert not is_address_allowed(ip, DEFAULT)


def test_allow_list_exceptions():
    assert is_address_allowed("127.0.0.1", LOOPBACK_OK)
    assert is_address_allowed("::ffff:127.0.0.1", LOOPBACK_OK)
    assert not is_address_allowed("10.0.0.1", LOOPBACK_OK)
    assert not is_address_allowed("::1", LOOPBACK_OK)
    policy = EgressPolicy.from_strings(False, " 10.1.0.0/16 , fd00::/8 ")
    assert policy.allowed_networks == (
        ipaddress.ip_network("10.1.0.0/16"),
        ipaddress.ip_network("fd00::/8"),
    )
    assert is_address_allowed("10.1.2.3", policy)
    assert is_address_allowed("fd00::5", policy)
    assert not is_address_allowed("10.2.0.1", policy)


@pytest.mark.parametrize("csv", ["10.0.0.1/8", "nonsense", "300.0.0.0/8"])
def test_from_strings_rejects_bad_networks(csv):
    with pytest.raises(ValueError):
        EgressPolicy.from_strings(False, csv)


def test_from_strings_empty():
    assert EgressPolicy.from_strings(False, "") == EgressPolicy()


# ---------------------------------------------------------------- syntax


@pytest.mark.parametrize(
    "url",
    ["https://example.com/hook", "https://example.com:8443/a?b=c", "https://[2606:4700::1]/x"],
)
def test_syntax_ok(url):
    assert validate_url_syntax(url, DEFAULT).host


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/hook",  # http not allowed by default
        "ftp://example.com/file",
        "file:///etc/passwd",
        "gopher://example.com/",
        "https://user:pass@example.com/",
        "https://user@example.com/",
        "https:///path-only",
        "https://",
        "/relative/path",
        "example.com/no-scheme",
        "https://example.com:0/",
        "https://example.com:99999/",
        "https://exa mple.com/",
        "https://example.com/\r\nX-Injected: 1",
        "https://example.com/" + "a" * 2100,
        "",
    ],
)
def test_syntax_refused(url):
    with pytest.raises(UnsafeUrl):
        validate_url_syntax(url, DEFAULT)


def test_http_allowed_only_by_policy():
    assert validate_url_syntax("http://example.com/", HTTP_ONLY).scheme == "http"
    with pytest.raises(UnsafeUrl):
        validate_url_syntax("ftp://example.com/", HTTP_ONLY)


# ---------------------------------------------------------------- resolution


async def test_localhost_refused_by_default():
    with pytest.raises(UnsafeUrl):
        await resolve_allowed("localhost", 443, DEFAULT)
    with pytest.raises(UnsafeUrl):
        await check_url("https://localhost/hook", DEFAULT)


async def test_literal_ips_checked_without_dns():
    assert await resolve_allowed("127.0.0.1", 80, LOOPBACK_OK) == ["127.0.0.1"]
    assert await resolve_allowed("[2606:4700::1]", 443, DEFAULT) == ["2606:4700::1"]
    with pytest.raises(UnsafeUrl) as metadata:
        await resolve_allowed("169.254.169.254", 80, DEFAULT)
    with pytest.raises(UnsafeUrl) as mapped:
        await check_url("https://[::ffff:127.0.0.1]/", DEFAULT)
    # Even an address the subscriber typed is not repeated: every refusal names only its rule.
    assert metadata.value.reason == mapped.value.reason == "the host is an IP address that is not public"


def _fake_dns(monkeypatch, answers):
    calls = []

    async def fake(host, port):
        calls.append(host)
        if host not in answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in answers[host]
        ]

    monkeypatch.setattr(ssrf, "_getaddrinfo", fake)
    return calls


async def test_mixed_resolution_refused(monkeypatch):
    _fake_dns(monkeypatch, {"mixed.test": ["8.8.8.8", "10.0.0.1"], "public.test": ["8.8.8.8", "2606:4700::1"]})
    with pytest.raises(UnsafeUrl) as exc:
        await resolve_allowed("mixed.test", 443, DEFAULT)
    assert exc.value.reason == "the host resolves to an address that is not public"
    assert await resolve_allowed("public.test", 443, DEFAULT) == ["8.8.8.8", "2606:4700::1"]
    assert str(await check_url("https://public.test/h", DEFAULT)) == "https://public.test/h"


async def test_resolution_failure_refused(monkeypatch):
    _fake_dns(monkeypatch, {"empty.test": []})
    with pytest.raises(UnsafeUrl) as nxdomain:
        await resolve_allowed("nxdomain.test", 443, DEFAULT)
    assert nxdomain.value.reason == "the host name does not resolve"  # not the resolver's own text
    with pytest.raises(UnsafeUrl) as empty:
        await resolve_allowed("empty.test", 443, DEFAULT)
    assert empty.value.reason == "the host name does not resolve to any address"


async def test_temporary_resolution_failure_says_so(monkeypatch):
    async def failing(host, port):
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    monkeypatch.setattr(ssrf, "_getaddrinfo", failing)
    with pytest.raises(UnsafeUrl) as exc:
        await resolve_allowed("flaky.test", 443, DEFAULT)
    assert exc.value.reason == "the host name could not be resolved right now"


# What a name resolves to describes the inside of the network: a refusal never repeats it.
INTERNAL_ANSWERS = [
    "127.0.0.1",
    "10.1.2.3",
    "169.254.169.254",
    "100.64.0.7",
    "::1",
    "fd12:3456:789a::1",
    "::ffff:10.0.0.1",
]


@pytest.mark.parametrize("address", INTERNAL_ANSWERS)
async def test_refusal_names_the_rule_not_the_resolved_address(monkeypatch, address):
    _fake_dns(monkeypatch, {"runsc": [address], "svc.test": ["8.8.8.8", address]})
    for url in ("https://runsc/", "https://svc.test/hook"):
        with pytest.raises(UnsafeUrl) as exc:
            await check_url(url, DEFAULT)
        assert exc.value.reason == "the host resolves to an address that is not public"
        assert str(exc.value) == exc.value.reason
    inner = RecordingBackend()
    transport = make_guarded_transport(DEFAULT, network_backend=inner)
    async with httpx.AsyncClient(transport=transport) as client:
        with pytest.raises(BlockedDestination) as blocked:
            await client.post("https://runsc/", content=b"{}")
    assert str(blocked.value) == blocked.value.reason == "the host resolves to an address that is not public"
    assert inner.hosts == []


async def test_numeric_hostname_forms_are_checked_after_resolution():
    # "2130706433" and "0x7f.1" are not IP literals to us but the C resolver
    # turns them into 127.0.0.1; the resolved address is what gets checked.
    for host in ("2130706433", "0x7f.1", "127.1"):
        with pytest.raises(UnsafeUrl):
            await resolve_allowed(host, 80, DEFAULT)


# ---------------------------------------------------------------- connect-time guard


class RecordingBackend(httpcore.AsyncNetworkBackend):
    def __init__(self):
        self.hosts = []

    async def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        self.hosts.append(host)
        raise httpcore.ConnectError("recording backend does not connect")

    async def sleep(self, seconds):
        pass


async def test_backend_dials_checked_ip_not_name(monkeypatch):
    calls = _fake_dns(monkeypatch, {"svc.test": ["127.0.0.2", "127.0.0.3"]})
    inner = RecordingBackend()
    backend = GuardedNetworkBackend(LOOPBACK_OK, inner=inner)
    with pytest.raises(httpcore.ConnectError):
        await backend.connect_tcp("svc.test", 443, timeout=5)
    # One lookup, then only the checked literals are dialled (each in turn).
    assert calls == ["svc.test"]
    assert inner.hosts == ["127.0.0.2", "127.0.0.3"]


async def test_dns_rebinding_to_internal_is_blocked_at_connect(monkeypatch):
    # Saved while the name pointed at a public address...
    answers = {"rebind.test": ["8.8.8.8"]}
    _fake_dns(monkeypatch, answers)
    await check_url("https://rebind.test/hook", DEFAULT)
    # ...then re-pointed at the metadata service before delivery.
    answers["rebind.test"] = ["169.254.169.254"]
    inner = RecordingBackend()
    transport = make_guarded_transport(DEFAULT, network_backend=inner)
    async with httpx.AsyncClient(transport=transport) as client:
        with pytest.raises(BlockedDestination) as exc:
            await client.post("https://rebind.test/hook", content=b"{}")
    assert inner.hosts == []
    assert isinstance(exc.value, httpx.ConnectError)
    assert exc.value.request.url.host == "rebind.test"
    assert "169.254" not in str(exc.value)


class AddressNamingBackend(RecordingBackend):
    """Fails the way asyncio's own connect does: naming the address it dialled."""

    def __init__(self, error=httpcore.ConnectError):
        super().__init__()
        self.error = error

    async def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        self.hosts.append(host)
        raise self.error(f"Connect call failed ('{host}', {port})")


async def test_connect_failure_does_not_name_the_resolved_address(monkeypatch):
    _fake_dns(monkeypatch, {"partner.test": ["10.20.0.5", "10.20.0.6"]})
    allowed_partner = EgressPolicy.from_strings(False, "10.20.0.0/16")
    for error in (httpcore.ConnectError, httpcore.ConnectTimeout):
        inner = AddressNamingBackend(error)
        backend = GuardedNetworkBackend(allowed_partner, inner=inner)
        with pytest.raises(error) as exc:  # a timeout stays a timeout
            await backend.connect_tcp("partner.test", 443, timeout=5)
        assert inner.hosts == ["10.20.0.5", "10.20.0.6"]
        assert str(exc.value) == "could not connect to the host"
        assert isinstance(exc.value.__cause__, error)  # the details stay available to code


class TlsRecordingStream(httpcore.AsyncNetworkStream):
    def __init__(self, log):
        self.log = log

    async def start_tls(self, ssl_context, server_hostname=None, timeout=None):
        self.log.append(("start_tls", server_hostname, ssl_context.check_hostname))
        raise httpcore.ConnectError("stop after recording TLS parameters")

    async def read(self, max_bytes, timeout=None):
        return b""

    async def write(self, buffer, timeout=None):
        pass

    async def aclose(self):
        pass


class TlsRecordingBackend(RecordingBackend):
    def __init__(self):
        super().__init__()
        self.log = []

    async def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        self.log.append(("connect_tcp", host, port))
        return TlsRecordingStream(self.log)


async def test_tls_uses_original_hostname_for_sni_and_verification(monkeypatch):
    _fake_dns(monkeypatch, {"hooks.example.test": ["8.8.8.8"]})
    inner = TlsRecordingBackend()
    transport = make_guarded_transport(DEFAULT, network_backend=inner)
    async with httpx.AsyncClient(transport=transport) as client:
        with pytest.raises(httpx.ConnectError):
            await client.post("https://hooks.example.test/h", content=b"{}")
    assert inner.log == [
        ("connect_tcp", "8.8.8.8", 443),
        ("start_tls", "hooks.example.test", True),
    ]


def test_guarded_transport_refuses_bypass_options():
    for kwargs in ({"proxy": "http://proxy:3128"}, {"uds": "/tmp/x.sock"}, {"http2": True}):
        with pytest.raises(TypeError):
            make_guarded_transport(DEFAULT, **kwargs)


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
