"""The webhook egress policy without the network: which addresses count as public, the allow-list
of private networks, and the URL syntax a subscription may use."""

import ipaddress

import pytest

from referral_service.webhooks.ssrf import EgressPolicy, UnsafeUrl, is_address_allowed, validate_url_syntax
from tests.unit.ssrf_support import DEFAULT, HTTP_ONLY, LOOPBACK_OK

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
