"""Egress guard for subscriber-supplied webhook URLs (SSRF).

Subscriber URLs are attacker-controlled, so two checks apply:

* when an endpoint is saved, :func:`check_url` validates the syntax and that
  every address the host resolves to is allowed;
* at delivery time the client from
  :func:`referral_service.webhooks.delivery_client.make_delivery_client` resolves the
  host again *inside the connection step*, checks every address and connects
  to a checked IP literal. There is no second lookup between check and
  connect, so DNS rebinding has no window. TLS still sends SNI for, and
  verifies the certificate against, the original hostname (httpcore passes the
  URL host to ``start_tls`` independently of the address we dial), and the
  Host header is built from the URL as usual.

Errors: :class:`UnsafeUrl` for syntax/resolution/policy refusals. Its reason
names the rule that refused, never an address: what a name resolves to, and
which addresses are refused, describe the inside of the network to whoever
chose the URL (the reason reaches them as a 422 detail or in the attempt log).
Addresses the subscriber typed are not named either, so every refusal reads
the same way. When the
refusal happens inside the delivery client the raised exception is
:class:`BlockedDestination`, which subclasses both ``UnsafeUrl`` and
``httpx.ConnectError``, so a delivery worker that records
``httpx.HTTPError`` (or ``httpx.TransportError``) as a failed attempt
catches it without special-casing, and code that cares can still tell it
apart with ``isinstance(exc, UnsafeUrl)``.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import typing
from dataclasses import dataclass

import httpx

MAX_URL_LENGTH = 2048
_MAX_HOST_LENGTH = 253

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class UnsafeUrl(ValueError):
    """A URL or destination address is refused by the egress policy."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class BlockedDestination(UnsafeUrl, httpx.ConnectError):
    """Raised by the guarded client instead of opening a connection.

    It is an ``httpx.ConnectError`` so that it flows through the same
    ``except httpx.HTTPError`` path as any other delivery failure; no socket
    to the refused address has been opened when it is raised.
    """

    def __init__(self, reason: str) -> None:
        # The MRO puts ValueError (from UnsafeUrl) before the httpx classes and
        # ValueError.__init__ does not chain, so initialise the httpx side
        # explicitly; otherwise ``exc.request`` would be an AttributeError.
        httpx.ConnectError.__init__(self, reason)
        self.reason = reason


@dataclass(frozen=True)
class EgressPolicy:
    allow_http: bool = False
    # Exceptions to the public-only rule (e.g. 127.0.0.0/8 for tests, or a
    # partner's private network reached over a VPN). Empty in production.
    allowed_networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def from_strings(cls, allow_http: bool, networks_csv: str) -> EgressPolicy:
        networks: list[IPNetwork] = []
        for item in (networks_csv or "").split(","):
            item = item.strip()
            if not item:
                continue
            try:
                # strict=True: "10.0.0.1/8" is almost certainly a typo and
                # silently widening it to 10.0.0.0/8 would be surprising.
                networks.append(ipaddress.ip_network(item, strict=True))
            except ValueError as exc:
                raise ValueError(f"invalid network in egress allow-list: {item!r}: {exc}") from None
        return cls(allow_http=bool(allow_http), allowed_networks=tuple(networks))


# --------------------------------------------------------------------------
# URL syntax


def validate_url_syntax(url: str, policy: EgressPolicy) -> httpx.URL:
    if not isinstance(url, str):
        raise UnsafeUrl("URL must be a string")
    if len(url) > MAX_URL_LENGTH:
        raise UnsafeUrl(f"URL longer than {MAX_URL_LENGTH} characters")
    if not url.isprintable() or any(ch.isspace() for ch in url):
        raise UnsafeUrl("URL contains whitespace or control characters")
    try:
        parsed = httpx.URL(url)
        scheme = parsed.scheme
        host = parsed.host
        port = parsed.port
        userinfo = parsed.userinfo
    except Exception:
        # httpx.InvalidURL for most problems, but IDNA and port parsing can
        # surface other ValueError subclasses; all of them mean "refuse".
        raise UnsafeUrl("URL cannot be parsed") from None

    allowed_schemes = ("https", "http") if policy.allow_http else ("https",)
    if scheme not in allowed_schemes:
        raise UnsafeUrl(f"URL scheme must be {' or '.join(allowed_schemes)}")
    if not host:
        raise UnsafeUrl("URL has no host")
    if len(host) > _MAX_HOST_LENGTH:
        raise UnsafeUrl("URL host is too long")
    if userinfo:
        # Credentials in the URL would be sent as Basic auth and logged with
        # the endpoint; subscribers should use headers/secrets instead.
        raise UnsafeUrl("URL must not contain user information")
    if port is not None and not (1 <= port <= 65535):
        raise UnsafeUrl("URL port is out of range")
    return parsed


# --------------------------------------------------------------------------
# address policy

_BLOCKED_V4 = tuple(
    ipaddress.IPv4Network(n)
    for n in (
        "0.0.0.0/8",  # "this network"; 0.0.0.0 reaches localhost on Linux
        "10.0.0.0/8",
        "100.64.0.0/10",  # CGNAT
        "127.0.0.0/8",
        "169.254.0.0/16",  # link-local, cloud metadata
        "172.16.0.0/12",
        "192.0.0.0/24",  # IETF protocol assignments
        "192.0.2.0/24",  # TEST-NET-1
        "192.88.99.0/24",  # deprecated 6to4 relay anycast
        "192.168.0.0/16",
        "198.18.0.0/15",  # benchmarking
        "198.51.100.0/24",  # TEST-NET-2
        "203.0.113.0/24",  # TEST-NET-3
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, includes 255.255.255.255 broadcast
    )
)

_BLOCKED_V6 = tuple(
    ipaddress.IPv6Network(n)
    for n in (
        "::/8",  # unspecified, loopback, IPv4-compatible, reserved
        "64:ff9b:1::/48",  # local-use NAT64: the embedded v4 is not meaningful
        "100::/64",  # discard-only
        "2001::/23",  # IETF protocol assignments (Teredo, benchmarking, ORCHID)
        "2001:db8::/32",  # documentation
        "3fff::/20",  # documentation (RFC 9637)
        "5f00::/16",  # SRv6 SIDs
        "fc00::/7",  # unique local
        "fe80::/10",  # link-local
        "fec0::/10",  # deprecated site-local
        "ff00::/8",  # multicast
    )
)

# Everything currently delegated for global unicast lives in 2000::/3;
# refusing the rest is cheaper than tracking future IANA reservations.
_GLOBAL_UNICAST_V6 = ipaddress.IPv6Network("2000::/3")
_NAT64_WKP = ipaddress.IPv6Network("64:ff9b::/96")
_6TO4 = ipaddress.IPv6Network("2002::/16")


def _coerce_ip(ip: typing.Any) -> IPAddress | None:
    if isinstance(ip, (ipaddress.IPv4Address, ipaddress.IPv6Address)):
        return ip
    if isinstance(ip, str):
        text = ip.strip()
        if text.startswith("[") and text.endswith("]"):
            text = text[1:-1]
        try:
            return ipaddress.ip_address(text)
        except ValueError:
            return None
    return None


def _embedded_v4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    # These IPv6 forms are delivered to (or translated into) an IPv4 host, so
    # the IPv4 address is what actually gets reached.
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in _NAT64_WKP:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip in _6TO4:
        return ip.sixtofour
    return None


def _in_allow_list(ip: IPAddress, policy: EgressPolicy) -> bool:
    # Mixed-version membership tests are simply False, no need to filter.
    return any(ip in net for net in policy.allowed_networks)


def _public_v4(ip: ipaddress.IPv4Address) -> bool:
    return not any(ip in net for net in _BLOCKED_V4) and ip.is_global


def is_address_allowed(ip: str | IPAddress, policy: EgressPolicy) -> bool:
    addr = _coerce_ip(ip)
    if addr is None:
        return False
    if isinstance(addr, ipaddress.IPv6Address) and addr.scope_id:
        # Scoped addresses are link-local by construction; compare the bare
        # address so the allow-list is not bypassed or broken by "%eth0".
        addr = ipaddress.IPv6Address(addr.compressed.split("%", 1)[0])
    if _in_allow_list(addr, policy):
        return True

    if isinstance(addr, ipaddress.IPv4Address):
        return _public_v4(addr)

    inner = _embedded_v4(addr)
    if inner is not None:
        return _in_allow_list(inner, policy) or _public_v4(inner)
    return addr in _GLOBAL_UNICAST_V6 and not any(addr in net for net in _BLOCKED_V6) and addr.is_global


# --------------------------------------------------------------------------
# resolution


async def _getaddrinfo(host: str, port: int) -> list[tuple[typing.Any, ...]]:
    # Indirection so tests can simulate DNS answers (rebinding, mixed sets).
    loop = asyncio.get_running_loop()
    return await loop.getaddrinfo(
        host, port, family=socket.AF_UNSPEC, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
    )


async def resolve_allowed(host: str, port: int, policy: EgressPolicy) -> list[str]:
    """Return the addresses for ``host`` (deduplicated, resolver order).

    Refuses with ``UnsafeUrl`` if resolution fails, yields nothing, or *any*
    address is disallowed: a name that mixes public and internal answers is
    either misconfigured or an attack, and connecting only to the public ones
    would still let the attacker probe which ones are reachable.
    """
    if not isinstance(host, str) or not host:
        raise UnsafeUrl("no host")
    bare = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    literal = _coerce_ip(bare)
    if literal is not None:
        if not is_address_allowed(literal, policy):
            raise UnsafeUrl("the host is an IP address that is not public")
        return [str(literal)]
    if len(bare) > _MAX_HOST_LENGTH:
        raise UnsafeUrl("host name is too long")

    try:
        infos = await _getaddrinfo(bare, port)
    except (OSError, UnicodeError, ValueError) as exc:
        # socket.gaierror is an OSError; IDNA failures are UnicodeError. The resolver's own text
        # is not passed on: only whether trying again later may help.
        if isinstance(exc, socket.gaierror) and exc.errno == socket.EAI_AGAIN:
            raise UnsafeUrl("the host name could not be resolved right now") from None
        raise UnsafeUrl("the host name does not resolve") from None

    addresses: list[str] = []
    for info in infos:
        try:
            family, sockaddr = info[0], info[4]
        except (IndexError, TypeError):
            continue
        if family not in (socket.AF_INET, socket.AF_INET6):
            continue
        text = str(sockaddr[0])
        if not is_address_allowed(text, policy):
            raise UnsafeUrl("the host resolves to an address that is not public")
        if text not in addresses:
            addresses.append(text)
    if not addresses:
        raise UnsafeUrl("the host name does not resolve to any address")
    return addresses


def _default_port(url: httpx.URL) -> int:
    if url.port is not None:
        return url.port
    return 443 if url.scheme == "https" else 80


async def check_url(url: str, policy: EgressPolicy) -> httpx.URL:
    """Validate a subscriber URL when it is saved. Raises ``UnsafeUrl``.

    Passing here is not a guarantee for later deliveries (DNS changes); the
    guarded client re-checks at connect time.
    """
    parsed = validate_url_syntax(url, policy)
    await resolve_allowed(parsed.host, _default_port(parsed), policy)
    return parsed
