"""The HTTP client of webhook deliveries, which dials only addresses the egress policy allows.

The client resolves the host *inside the connection step*, checks every address (`ssrf.resolve_allowed`)
and connects to a checked IP literal: there is no second lookup between check and connect, so DNS
rebinding has no window. TLS still sends SNI for, and verifies the certificate against, the original
hostname (httpcore passes the URL host to ``start_tls`` independently of the address dialled), and the
Host header is built from the URL as usual. A refused destination raises
:class:`~referral_service.webhooks.ssrf.BlockedDestination`, an ``httpx.ConnectError``.
"""

from __future__ import annotations

import asyncio
import ssl
import time
import typing
from collections.abc import Iterable

import httpcore
import httpx

from referral_service.webhooks.log_redaction import redact_urls_in_http_client_logs
from referral_service.webhooks.netstream import AsyncioBackend
from referral_service.webhooks.ssrf import BlockedDestination, EgressPolicy, UnsafeUrl, resolve_allowed


class GuardedNetworkBackend(httpcore.AsyncNetworkBackend):
    """Resolves and checks in ``connect_tcp``, then dials a checked IP.

    httpcore passes the URL host here and, separately, to ``start_tls`` as
    ``server_hostname``; swapping the dialled address therefore leaves SNI,
    certificate verification and the Host header untouched.
    """

    def __init__(self, policy: EgressPolicy, inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self._policy = policy
        self._inner = inner if inner is not None else httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            if timeout is None:
                addresses = await resolve_allowed(host, port, self._policy)
            else:
                addresses = await asyncio.wait_for(resolve_allowed(host, port, self._policy), timeout)
        except UnsafeUrl as exc:
            raise BlockedDestination(exc.reason) from None
        except TimeoutError:
            raise httpcore.ConnectTimeout("timed out resolving the host name") from None

        last_error: Exception | None = None
        for address in addresses:
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                break
            try:
                return await self._inner.connect_tcp(
                    address,
                    port,
                    timeout=remaining,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                # Every address in the list passed the policy, so falling
                # back to the next one is safe (and what a resolver-aware
                # client would do for dual-stack hosts).
                last_error = exc
        if last_error is not None:
            # Same kind of error (a timeout stays a timeout), but not the inner backend's text: it
            # may name the address dialled, which is what the host resolved to (see the module
            # docstring). The original stays attached as the cause.
            raise type(last_error)("could not connect to the host") from last_error
        raise httpcore.ConnectTimeout("timed out connecting to the host")

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise BlockedDestination("unix sockets are not allowed")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """``httpx.AsyncHTTPTransport`` whose pool dials through the guard.

    httpx 0.28 has no ``network_backend`` parameter, so the pool the base
    class builds is replaced by an identical one carrying our backend. Proxies
    and unix sockets are not offered: either would bypass the address check.
    """

    def __init__(
        self,
        policy: EgressPolicy,
        *,
        verify: ssl.SSLContext | str | bool = True,
        cert: typing.Any = None,
        trust_env: bool = False,
        limits: httpx.Limits = httpx.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=5.0),
        local_address: str | None = None,
        retries: int = 0,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
        network_backend: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        super().__init__(
            verify=verify,
            cert=cert,
            trust_env=trust_env,
            http1=True,
            http2=False,
            limits=limits,
            local_address=local_address,
            retries=retries,
            socket_options=socket_options,
        )
        self.policy = policy
        # Same ssl context the base class built from verify/cert/trust_env.
        ssl_context = httpx.create_ssl_context(verify=verify, cert=cert, trust_env=trust_env)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            http1=True,
            http2=False,
            uds=None,
            local_address=local_address,
            retries=retries,
            socket_options=socket_options,
            network_backend=GuardedNetworkBackend(policy, inner=network_backend),
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await super().handle_async_request(request)
        except BlockedDestination as exc:
            # httpx only attaches the request to exceptions it maps itself;
            # ours passes through unmapped, so attach it for callers that log
            # exc.request.
            exc.request = request
            raise


def make_guarded_transport(policy: EgressPolicy, **transport_kwargs: typing.Any) -> GuardedTransport:
    for forbidden in ("proxy", "uds", "http2"):
        if forbidden in transport_kwargs:
            raise TypeError(f"{forbidden!r} is not supported by the guarded transport")
    return GuardedTransport(policy, **transport_kwargs)


def delivery_ssl_context() -> ssl.SSLContext:
    """The TLS settings of delivery clients (the system's CA bundle as httpx loads it, no
    environment overrides). Building one reads the CA bundle, a few milliseconds: a worker that
    keeps a client per endpoint builds it once and passes it to each (`verify=`)."""
    return httpx.create_ssl_context(verify=True, trust_env=False)


class _NoCookies(httpx.Cookies):
    """A cookie jar that keeps nothing and sends nothing."""

    def extract_cookies(self, response: httpx.Response) -> None:
        return None

    def set_cookie_header(self, request: httpx.Request) -> None:
        return None


_NO_COOKIES = _NoCookies()


class DeliveryClient(httpx.AsyncClient):
    """An ``httpx.AsyncClient`` that keeps no cookies: a delivery carries nothing from one request to
    the next, so a receiver's ``Set-Cookie`` is neither stored nor sent back (to it, or to another
    subscriber on the same host). It also spares the cookie jar's work on every response."""

    @property
    def cookies(self) -> httpx.Cookies:
        return _NO_COOKIES

    @cookies.setter
    def cookies(self, cookies: typing.Any) -> None:
        if cookies:
            raise TypeError("delivery clients keep no cookies")


def make_delivery_client(
    policy: EgressPolicy,
    timeout_seconds: float = 15.0,
    max_connections: int = 100,
    *,
    verify: ssl.SSLContext | bool = True,
) -> httpx.AsyncClient:
    """Client for webhook deliveries.

    Redirects are not followed (a 3xx is recorded as a failed attempt, and a
    redirect is also the classic way to bounce a checked URL to an internal
    one); ``trust_env=False`` keeps HTTP(S)_PROXY/NETRC from the environment
    out of the request path. Disallowed destinations raise
    :class:`BlockedDestination` (an ``httpx.ConnectError``). No cookies are
    kept (:class:`DeliveryClient`).

    Every connection the pool may open is also kept alive (``max_connections``; the dispatcher keeps
    one small client per endpoint, sized to the sends it allows that endpoint at once): with fewer
    keep-alive slots than concurrent sends, a busy receiver's connections would be closed and
    reopened (a new TCP handshake, and the address check) per request. ``verify`` may be a shared
    ``ssl.SSLContext`` (see :func:`delivery_ssl_context`). Connections are asyncio transports
    (netstream.AsyncioBackend) dialled through :class:`GuardedNetworkBackend`.
    """
    limits = httpx.Limits(
        max_connections=max_connections, max_keepalive_connections=max_connections, keepalive_expiry=5.0
    )
    # This client's URLs may carry subscriber credentials; keep them out of httpx's request lines
    # whatever the logging configuration.
    redact_urls_in_http_client_logs()
    return DeliveryClient(
        transport=make_guarded_transport(policy, limits=limits, verify=verify, network_backend=AsyncioBackend()),
        follow_redirects=False,
        trust_env=False,
        timeout=httpx.Timeout(timeout_seconds),
    )
