"""The connect-time guard: only the checked addresses are dialled (DNS rebinding blocked), failures
do not name them, TLS keeps the original host name, and the transport refuses bypass options."""

import httpcore
import httpx
import pytest

from referral_service.webhooks.delivery_client import GuardedNetworkBackend, make_guarded_transport
from referral_service.webhooks.ssrf import BlockedDestination, EgressPolicy, check_url
from tests.unit.ssrf_support import DEFAULT, LOOPBACK_OK, RecordingBackend, _fake_dns

# ---------------------------------------------------------------- connect-time guard


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
