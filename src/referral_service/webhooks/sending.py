"""Sending a claimed delivery: the signed POST, through a small HTTP client of its endpoint's own.

httpx's cost per request grows with the connections one client holds (its pool walks all of them
on every request and every release): a worker keeps one client per endpoint instead, holding at
most the number of sends it allows that endpoint at once (`REFERRAL_WEBHOOK_ENDPOINT_CONCURRENCY`),
with the endpoint's URL parsed and its secrets decoded once. Clients share one TLS context, and are
closed once their endpoint has been idle for a while or its URL changed.

Every client is a guarded one (delivery_client.make_delivery_client): the address checked at connect time is
the address dialled, redirects are not followed, the environment's proxies are ignored.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import time
import uuid

import httpx

from referral_service import __version__, clock, signing
from referral_service.webhooks.delivery import RESPONSE_BODY_LIMIT, AttemptOutcome, ClaimedDelivery
from referral_service.webhooks.delivery_client import delivery_ssl_context, make_delivery_client
from referral_service.webhooks.retry import parse_retry_after
from referral_service.webhooks.ssrf import BlockedDestination, EgressPolicy

logger = logging.getLogger("referral_service.webhooks.sending")

USER_AGENT = f"referral-service-webhooks/{__version__}"
# A client whose endpoint sent nothing for this long is closed (its connections expired long before).
IDLE_CLIENT_SECONDS = 60.0


class EndpointClient:
    """What a worker keeps for one endpoint: its client, its parsed URL and its signer."""

    __slots__ = (
        "active",
        "client",
        "extensions",
        "headers",
        "request_url",
        "secrets",
        "signer",
        "url",
        "url_error",
        "used_at",
    )

    def __init__(self, url: str, secrets: tuple[str, ...], client: httpx.AsyncClient, timeout_seconds: float) -> None:
        self.url = url
        self.client = client
        self.request_url: httpx.URL | None = None
        self.url_error: str | None = None
        try:
            self.request_url = httpx.URL(url)
        except Exception:
            # Saved URLs are checked; one changed behind the API's back fails its attempts instead.
            self.url_error = "the endpoint's URL cannot be parsed"
        self.secrets: tuple[str, ...] = ()
        self.signer: signing.Signer | None = None
        self.set_secrets(secrets)
        # What the client adds to every request it builds (accept, accept-encoding, connection), ours
        # after; the signature headers are added per request.
        self.headers = [(k, v) for k, v in client.headers.multi_items() if k != "user-agent"]
        self.headers += [("user-agent", USER_AGENT), ("content-type", "application/json")]
        self.extensions = {"timeout": httpx.Timeout(timeout_seconds).as_dict()}
        self.active = 0  # requests under way on this client
        self.used_at = time.monotonic()

    def set_secrets(self, secrets: tuple[str, ...]) -> None:
        self.secrets = secrets
        try:
            self.signer = signing.Signer(secrets)
        except (signing.InvalidSecret, TypeError):
            self.signer = None


class EndpointClients:
    """The worker's clients, one per endpoint, created on first use."""

    def __init__(self, policy: EgressPolicy, timeout_seconds: float, connections: int) -> None:
        self._policy = policy
        self._timeout = timeout_seconds
        self._connections = connections
        self._ssl: ssl.SSLContext | None = None
        self._by_endpoint: dict[uuid.UUID, EndpointClient] = {}
        self._retired: list[EndpointClient] = []
        self._swept_at = time.monotonic()

    def __len__(self) -> int:
        return len(self._by_endpoint)

    def get(self, delivery: ClaimedDelivery) -> EndpointClient:
        endpoint = self._by_endpoint.get(delivery.endpoint_id)
        if endpoint is None or endpoint.url != delivery.url:
            if endpoint is not None:
                self._retired.append(endpoint)  # closed once its requests are done
            if self._ssl is None:
                self._ssl = delivery_ssl_context()
            client = make_delivery_client(self._policy, self._timeout, self._connections, verify=self._ssl)
            endpoint = EndpointClient(delivery.url, delivery.secrets, client, self._timeout)
            self._by_endpoint[delivery.endpoint_id] = endpoint
        elif endpoint.secrets != delivery.secrets:
            endpoint.set_secrets(delivery.secrets)
        return endpoint

    async def sweep(self, every_seconds: float = 10.0) -> None:
        """Close the clients of endpoints idle for IDLE_CLIENT_SECONDS, and replaced ones once idle."""
        now = time.monotonic()
        if now - self._swept_at < every_seconds:
            return
        self._swept_at = now
        idle = [key for key, c in self._by_endpoint.items() if c.active == 0 and now - c.used_at > IDLE_CLIENT_SECONDS]
        closing = [self._by_endpoint.pop(key) for key in idle] + [c for c in self._retired if c.active == 0]
        self._retired = [c for c in self._retired if c.active > 0]
        for endpoint in closing:
            await _close(endpoint)

    async def aclose(self) -> None:
        clients = [*self._by_endpoint.values(), *self._retired]
        self._by_endpoint.clear()
        self._retired.clear()
        for endpoint in clients:
            await _close(endpoint)


async def _close(endpoint: EndpointClient) -> None:
    try:
        await endpoint.client.aclose()
    except Exception:
        logger.debug("closing a delivery client failed", exc_info=True)


async def _read_prefix(response: httpx.Response, limit: int) -> bytes:
    collected = bytearray()
    async for chunk in response.aiter_bytes():
        collected.extend(chunk)
        if len(collected) >= limit:
            break  # the rest is not stored; closing the stream discards it
    return bytes(collected[:limit])


def _as_text(raw: bytes) -> str:
    # PostgreSQL text cannot hold NUL; the log is for humans, so lenient decoding is fine.
    return raw.decode("utf-8", "replace").replace("\x00", "\ufffd")


async def send(endpoint: EndpointClient, delivery: ClaimedDelivery, timeout_seconds: float) -> AttemptOutcome:
    """One attempt: never raises (but for cancellation); every failure is an outcome for the log."""
    attempted_at = clock.wall_now()
    started = time.monotonic()
    endpoint.used_at = started

    def elapsed_ms() -> int:
        return int((time.monotonic() - started) * 1000)

    if endpoint.request_url is None:
        return AttemptOutcome(attempted_at, 0, error=endpoint.url_error)
    if endpoint.signer is None:
        return AttemptOutcome(attempted_at, 0, error="the endpoint's secret is not usable")
    msg_id = delivery.webhook_id
    # The timestamp is taken per attempt: each retry carries a fresh one, with the same webhook-id.
    timestamp = clock.wall_timestamp()
    request = httpx.Request(
        "POST",
        endpoint.request_url,
        headers=[
            *endpoint.headers,
            (signing.HEADER_ID, msg_id),
            (signing.HEADER_TIMESTAMP, str(timestamp)),
            (signing.HEADER_SIGNATURE, endpoint.signer.signature(msg_id, timestamp, delivery.body)),
        ],
        content=delivery.body,
        extensions=endpoint.extensions,
    )
    endpoint.active += 1
    try:
        # One deadline for the whole exchange: httpx's timeouts are per read, so a receiver that
        # trickles bytes could otherwise hold a worker slot indefinitely.
        async with asyncio.timeout(timeout_seconds):
            response = await endpoint.client.send(request, stream=True)
            try:
                raw = await _read_prefix(response, RESPONSE_BODY_LIMIT)
            finally:
                await response.aclose()
    except (TimeoutError, httpx.TimeoutException):
        return AttemptOutcome(attempted_at, elapsed_ms(), error=f"timed out after {timeout_seconds:g} s")
    except BlockedDestination as exc:
        return AttemptOutcome(attempted_at, elapsed_ms(), error=f"refused by the egress policy: {exc.reason}"[:500])
    except httpx.HTTPError as exc:
        return AttemptOutcome(attempted_at, elapsed_ms(), error=f"{type(exc).__name__}: {exc}"[:500])
    except Exception as exc:
        # Not the message: it may quote the URL, whose query string may carry a credential.
        logger.warning("delivery %s: unexpected %s while sending", delivery.delivery_id, type(exc).__name__)
        return AttemptOutcome(attempted_at, elapsed_ms(), error=f"{type(exc).__name__} while sending")
    finally:
        endpoint.active -= 1
    status = response.status_code
    retry_after = parse_retry_after(response.headers.get("retry-after")) if status in (429, 503) else None
    error = None
    if 300 <= status < 400:
        error = "redirects are not followed; configure the final URL"
    elif not 200 <= status < 300:
        error = f"HTTP {status}"
    return AttemptOutcome(attempted_at, elapsed_ms(), status, _as_text(raw), error=error, retry_after=retry_after)
