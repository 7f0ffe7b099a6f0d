"""Decoding what request headers carry inside their text: every step that can fail on what a client
sent fails here, as a 400 problem naming the header.

Starlette hands header values over as Latin-1 text, which never fails; the decoding that can fail is
the second layer some headers carry: percent-encoded text in an RFC 8187 `ext-value` (the
`filename*` of `Content-Disposition`), and base64 in an RFC 8941 byte sequence (`Content-Digest`).
Code that reads such a header goes through these functions instead of calling `unquote` or
`b64decode` itself, so no header can raise a `UnicodeDecodeError` or `binascii.Error` into a 500.
"""

from __future__ import annotations

import base64
import binascii
from urllib.parse import unquote_to_bytes

from referral_service.errors import BadRequest

# RFC 8187 3.2.1: recipients must support these two; any other may be ignored.
_EXT_VALUE_CHARSETS = {"utf-8": "utf-8", "iso-8859-1": "latin-1"}


def ext_value(value: str, *, header: str) -> str | None:
    """The text of an RFC 8187 `ext-value` (`charset'language'percent-encoded`), or None for a
    charset other than UTF-8 and ISO-8859-1 (which RFC 8187 lets a recipient ignore). 400 when the
    value is not of that shape or its bytes are not text in its charset (`%FF`, the overlong
    `%C0%AF`, the surrogate `%ED%A0%80` in UTF-8)."""
    charset, quote1, rest = value.strip().partition("'")
    _language, quote2, encoded = rest.partition("'")
    if not (quote1 and quote2):
        raise BadRequest(f"`{header}`: an extended value is `charset'language'percent-encoded text`.")
    codec = _EXT_VALUE_CHARSETS.get(charset.strip().lower())
    if codec is None:
        return None
    if not encoded.isascii():
        raise BadRequest(f"`{header}`: an extended value holds ASCII only; percent-encode other bytes.")
    try:
        return unquote_to_bytes(encoded).decode(codec)
    except UnicodeDecodeError:
        raise BadRequest(f"`{header}`: the percent-encoded bytes are not valid {charset.strip()} text.") from None


def byte_sequence(value: str, *, header: str) -> bytes:
    """The bytes of an RFC 8941 byte sequence (`:<base64>:`); 400 when it is not one."""
    value = value.strip()
    if len(value) < 2 or not value.startswith(":") or not value.endswith(":"):
        raise BadRequest(f"`{header}`: a byte sequence is written `:<base64>:`.")
    try:
        return base64.b64decode(value[1:-1], validate=True)
    except (binascii.Error, ValueError):
        raise BadRequest(f"`{header}`: the byte sequence is not valid base64.") from None


def text_of(value: str) -> str:
    """A header value's text where the sender put raw bytes beyond ASCII in it (a browser's raw UTF-8
    `filename="..."`): Starlette decodes every header as Latin-1, so UTF-8 bytes arrive as mojibake.
    UTF-8 when the bytes are valid UTF-8, otherwise the Latin-1 text as it came; never an error."""
    if value.isascii():
        return value
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value
