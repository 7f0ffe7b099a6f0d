"""Standard Webhooks v1 (HMAC-SHA256) signing and verification.

One implementation serves both directions: outbound deliveries are signed with
:func:`build_headers`, inbound pushes are checked with :func:`verify`.

The scheme is implemented here rather than through the ``standardwebhooks``
package because that package leaks ``ValueError``/``UnicodeDecodeError`` on
hostile input, decodes secrets leniently and fixes the tolerance at five
minutes. The unit tests cross-check this module against the package so the
two stay wire-compatible.

Everything works in integer Unix seconds: the wire format is integer seconds,
and going through ``datetime`` is where timezone bugs come from.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets as _secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from referral_service import clock

__all__ = [
    "DEFAULT_TOLERANCE_SECONDS",
    "SECRET_PREFIX",
    "InvalidSecret",
    "SignatureError",
    "Signer",
    "VerifiedMessage",
    "build_headers",
    "generate_secret",
    "parse_secret",
    "sign",
    "signature_header",
    "verify",
]

SECRET_PREFIX = "whsec_"
DEFAULT_TOLERANCE_SECONDS = 300

HEADER_ID = "webhook-id"
HEADER_TIMESTAMP = "webhook-timestamp"
HEADER_SIGNATURE = "webhook-signature"

_SECRET_BYTES = 32
_MIN_SECRET_BYTES = 24
# Keys longer than the SHA-256 block are hashed by HMAC anyway; the cap only
# stops a misconfigured multi-kilobyte value from being accepted silently.
_MAX_SECRET_CHARS = 512

_MAX_ID_CHARS = 256
# Twelve digits reach the year 33658; anything longer is garbage, and the cap
# keeps int() away from attacker-sized numbers.
_MAX_TIMESTAMP_CHARS = 12
_MAX_SIGNATURE_HEADER_CHARS = 4096
_SIGNATURE_VERSION = "v1"
_DIGEST_SIZE = hashlib.sha256().digest_size


class InvalidSecret(ValueError):
    """A configured secret is not ``whsec_`` + strict base64 of >= 24 bytes.

    This is a configuration error, never caused by request input.
    """


class SignatureError(Exception):
    """Verification failed. ``reason`` is short and safe to log or return."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class VerifiedMessage:
    msg_id: str
    timestamp: int


def generate_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(_secrets.token_bytes(_SECRET_BYTES)).decode("ascii")


def parse_secret(secret: str) -> bytes:
    if not isinstance(secret, str):
        raise InvalidSecret("secret must be a string")
    if not secret.startswith(SECRET_PREFIX):
        raise InvalidSecret(f"secret must start with {SECRET_PREFIX!r}")
    encoded = secret[len(SECRET_PREFIX) :]
    if len(encoded) > _MAX_SECRET_CHARS:
        raise InvalidSecret("secret is too long")
    if not encoded.isascii():
        raise InvalidSecret("secret is not valid base64")
    try:
        # validate=True: the lenient default silently drops stray characters,
        # which would turn a typo into a different (weaker) key.
        key = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidSecret("secret is not valid base64") from None
    if len(key) < _MIN_SECRET_BYTES:
        raise InvalidSecret(f"secret must decode to at least {_MIN_SECRET_BYTES} bytes")
    return key


def _check_outbound_id(msg_id: str) -> None:
    # We only emit ids that our own verify() accepts. Dots are additionally
    # refused on the way out: "." separates the fields of the signed content,
    # so an id without one keeps that content unambiguous for any receiver.
    if not isinstance(msg_id, str) or not _is_valid_id(msg_id) or "." in msg_id:
        raise ValueError("msg_id must be 1-256 printable ASCII characters without spaces or dots")


def _check_outbound_timestamp(timestamp: int) -> None:
    # bool is an int subclass; True would sign as "True", not as 1.
    if isinstance(timestamp, bool) or not isinstance(timestamp, int) or timestamp < 0:
        raise ValueError("timestamp must be a non-negative integer of Unix seconds")


def _signed_content(msg_id: str, timestamp: int, body: bytes) -> bytes:
    # The body is concatenated as raw bytes; decoding it would reject (or
    # alter) payloads that are not UTF-8 and break the signature.
    return f"{msg_id}.{timestamp}.".encode("ascii") + body


def _digest(key: bytes, msg_id: str, timestamp: int, body: bytes) -> bytes:
    return hmac.new(key, _signed_content(msg_id, timestamp, body), hashlib.sha256).digest()


def _as_body(body: Any) -> bytes:
    if isinstance(body, bytes):
        return body
    if isinstance(body, (bytearray, memoryview)):
        return bytes(body)
    raise TypeError("body must be bytes (the raw request/response body)")


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    _check_outbound_id(msg_id)
    _check_outbound_timestamp(timestamp)
    key = parse_secret(secret)
    digest = _digest(key, msg_id, timestamp, _as_body(body))
    return f"{_SIGNATURE_VERSION},{base64.b64encode(digest).decode('ascii')}"


def signature_header(secrets: Sequence[str], msg_id: str, timestamp: int, body: bytes) -> str:
    if isinstance(secrets, str):
        # A bare string is a Sequence too; iterating it would sign per character.
        raise TypeError("secrets must be a sequence of secret strings, not a single string")
    if not secrets:
        raise InvalidSecret("at least one secret is required")
    return " ".join(sign(s, msg_id, timestamp, body) for s in secrets)


def build_headers(
    secrets: Sequence[str],
    msg_id: str,
    body: bytes,
    now: int | None = None,
) -> dict[str, str]:
    # The timestamp is taken per call on purpose: each retry of a message
    # must carry a fresh timestamp (receivers enforce a tolerance) while
    # keeping the same webhook-id (receivers de-duplicate on it).
    timestamp = clock.wall_timestamp() if now is None else now
    return {
        HEADER_ID: msg_id,
        HEADER_TIMESTAMP: str(timestamp),
        HEADER_SIGNATURE: signature_header(secrets, msg_id, timestamp, body),
    }


class Signer:
    """Signs outbound messages with one endpoint's secrets, decoded once: what a delivery worker
    keeps per endpoint instead of parsing the secrets for every message. Gives the same header as
    :func:`signature_header`."""

    __slots__ = ("_keys",)

    def __init__(self, secrets: Sequence[str]) -> None:
        if isinstance(secrets, str):
            raise TypeError("secrets must be a sequence of secret strings, not a single string")
        if not secrets:
            raise InvalidSecret("at least one secret is required")
        self._keys = tuple(parse_secret(s) for s in secrets)

    def signature(self, msg_id: str, timestamp: int, body: bytes) -> str:
        _check_outbound_id(msg_id)
        _check_outbound_timestamp(timestamp)
        content = _signed_content(msg_id, timestamp, _as_body(body))
        return " ".join(
            f"{_SIGNATURE_VERSION},{base64.b64encode(hmac.digest(key, content, 'sha256')).decode('ascii')}"
            for key in self._keys
        )


# --------------------------------------------------------------------------
# verification: every failure on request input must become SignatureError.


def _is_valid_id(value: str) -> bool:
    # Printable ASCII only: ids are echoed into logs and dedupe keys, and a
    # non-ASCII id would be signed over a different byte encoding depending on
    # how the server framework decoded the header (latin-1 vs UTF-8).
    return 0 < len(value) <= _MAX_ID_CHARS and value.isascii() and value.isprintable() and " " not in value


def _header_text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray)):
        try:
            return bytes(value).decode("ascii")
        except UnicodeDecodeError:
            return None
    return None


def _lookup(headers: Mapping[Any, Any], name: str) -> Any:
    # Case-insensitive mappings (Starlette Headers, httpx.Headers) answer
    # .get() directly; a plain dict may carry any capitalisation.
    try:
        value = headers.get(name)
    except Exception:
        value = None
    if value is not None:
        return value
    try:
        for key, item in headers.items():
            if isinstance(key, bytes):
                key = key.decode("latin-1")
            if isinstance(key, str) and key.lower() == name:
                return item
    except Exception:
        return None
    return None


def _required_header(headers: Mapping[str, str], name: str, max_chars: int) -> str:
    raw = _lookup(headers, name)
    if raw is None:
        raise SignatureError(f"missing {name} header")
    text = _header_text(raw)
    if text is None:
        raise SignatureError(f"invalid {name} header")
    text = text.strip()
    if not text:
        raise SignatureError(f"missing {name} header")
    if len(text) > max_chars:
        raise SignatureError(f"{name} header too long")
    return text


def _parse_timestamp(text: str) -> int:
    # int() alone would also accept "+5", "1_000", " 7" and non-ASCII digits.
    if not (text.isascii() and text.isdigit()):
        raise SignatureError("invalid webhook-timestamp header")
    return int(text)


def _candidate_signatures(header: str) -> list[bytes]:
    found: list[bytes] = []
    for entry in header.split(" "):
        version, sep, encoded = entry.partition(",")
        # Unknown versions (e.g. v1a) and malformed entries are skipped rather
        # than fatal so that a sender can add schemes without breaking us.
        if not sep or version != _SIGNATURE_VERSION or not encoded.isascii():
            continue
        try:
            raw = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            continue
        if len(raw) == _DIGEST_SIZE:
            found.append(raw)
    return found


def _verified_headers(
    headers: Mapping[str, str], *, tolerance_seconds: int, now: int | None
) -> tuple[str, int, list[bytes]]:
    msg_id = _required_header(headers, HEADER_ID, _MAX_ID_CHARS)
    if not _is_valid_id(msg_id):
        raise SignatureError("invalid webhook-id header")
    timestamp = _parse_timestamp(_required_header(headers, HEADER_TIMESTAMP, _MAX_TIMESTAMP_CHARS))
    signatures = _candidate_signatures(_required_header(headers, HEADER_SIGNATURE, _MAX_SIGNATURE_HEADER_CHARS))

    current = clock.wall_timestamp() if now is None else now
    if timestamp < current - tolerance_seconds:
        raise SignatureError("timestamp outside tolerance (too old)")
    if timestamp > current + tolerance_seconds:
        raise SignatureError("timestamp outside tolerance (in the future)")

    if not signatures:
        raise SignatureError("no valid v1 signature in webhook-signature header")
    return msg_id, timestamp, signatures


def _parsed_keys(secrets: Sequence[str]) -> list[bytes]:
    if isinstance(secrets, str):
        raise TypeError("secrets must be a sequence of secret strings, not a single string")
    # Parse the configuration first so a bad secret surfaces as a server-side
    # error regardless of what the request looks like.
    keys = [parse_secret(s) for s in secrets]
    if not keys:
        raise InvalidSecret("at least one secret is required")
    return keys


def _any_matches(expected: Sequence[bytes], signatures: Sequence[bytes]) -> bool:
    matched = False
    for digest in expected:
        for candidate in signatures:
            # No early exit: the work done does not depend on which (if any)
            # secret/entry pair matches.
            matched |= hmac.compare_digest(digest, candidate)
    return matched


def verify(
    secrets: Sequence[str],
    headers: Mapping[str, str],
    body: bytes,
    *,
    tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
    now: int | None = None,
) -> VerifiedMessage:
    """Check a Standard Webhooks v1 message against any of ``secrets``.

    Raises ``SignatureError`` for every problem with the request (headers,
    timestamp, signature); ``InvalidSecret`` only when ``secrets`` itself is
    misconfigured, and ``TypeError`` if ``body`` is not bytes.
    """
    keys = _parsed_keys(secrets)
    payload = _as_body(body)
    msg_id, timestamp, signatures = _verified_headers(headers, tolerance_seconds=tolerance_seconds, now=now)
    if not _any_matches([_digest(key, msg_id, timestamp, payload) for key in keys], signatures):
        raise SignatureError("no matching signature")
    return VerifiedMessage(msg_id=msg_id, timestamp=timestamp)


class StreamingVerifier:
    """`verify` for a body read in pieces (an upload that is never held whole in memory).

    The headers and the timestamp are checked on construction, so a request that can never verify
    is refused before its body is read; feed every piece to `update`, then call `verify`."""

    def __init__(
        self,
        secrets: Sequence[str],
        headers: Mapping[str, str],
        *,
        tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
        now: int | None = None,
    ) -> None:
        keys = _parsed_keys(secrets)
        self.msg_id, self.timestamp, self._signatures = _verified_headers(
            headers, tolerance_seconds=tolerance_seconds, now=now
        )
        prefix = f"{self.msg_id}.{self.timestamp}.".encode("ascii")
        self._macs = [hmac.new(key, prefix, hashlib.sha256) for key in keys]

    def update(self, data: bytes) -> None:
        for mac in self._macs:
            mac.update(data)

    def verify(self) -> VerifiedMessage:
        if not _any_matches([mac.digest() for mac in self._macs], self._signatures):
            raise SignatureError("no matching signature")
        return VerifiedMessage(msg_id=self.msg_id, timestamp=self.timestamp)
