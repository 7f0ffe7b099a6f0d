"""Resolving a webhook's host name: every answer must be allowed, failures are refusals, and a
refusal names the rule, never the address a name resolved to."""

import socket

import httpx
import pytest

from referral_service.webhooks import ssrf
from referral_service.webhooks.delivery_client import make_guarded_transport
from referral_service.webhooks.ssrf import BlockedDestination, UnsafeUrl, check_url, resolve_allowed
from tests.unit.ssrf_support import DEFAULT, LOOPBACK_OK, RecordingBackend, _fake_dns

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
