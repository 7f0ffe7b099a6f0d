"""Reading an upload: its request headers, then its bytes, spooled and checked before anything is stored.

An upload never sits in memory: `spool` reads the request stream chunk by chunk into a temporary
file (only its first 64 KiB are kept in memory), counting (413 the moment the limit is passed, the
rest unread), hashing (SHA-256) and checking plain text as it goes. The type check and the
`Content-Digest` check (`verify`) run on the spooled file, so a refused upload never reaches the blob
store.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
import unicodedata
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from typing import IO

from referral_service.attachments import sniff
from referral_service.errors import BadRequest, PayloadTooLarge, UnprocessableEntity, UnsupportedMediaType
from referral_service.headers import byte_sequence, ext_value, text_of

# Spooled uploads stay in memory up to this size, then move to a temporary file: an upload in progress
# (a stalled one too, until its time runs out) holds no more than this of the process's memory.
_SPOOL_IN_MEMORY = 64 * 1024


# --- request headers -----------------------------------------------------------------------------

_FILENAME_STAR = re.compile(r"""filename\*\s*=\s*([^;]+)""", re.IGNORECASE)
_FILENAME = re.compile(r"""(?:^|;)\s*filename\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)""", re.IGNORECASE)


def filename_from(content_disposition: str | None) -> str:
    """The file name of a `Content-Disposition` header (`filename*=UTF-8''...` preferred), reduced to a
    safe base name. 400 when none is given, or when `filename*` does not decode."""
    if not content_disposition:
        raise BadRequest('Send the file name in `Content-Disposition: attachment; filename="..."`.')
    name: str | None = None
    star = _FILENAME_STAR.search(content_disposition)
    if star:
        name = ext_value(star.group(1), header="Content-Disposition")
    if name is None:
        plain = _FILENAME.search(content_disposition)
        if plain:
            value = plain.group(1).strip()
            if value.startswith('"') and value.endswith('"') and len(value) >= 2:
                value = re.sub(r"\\(.)", r"\1", value[1:-1])
            name = text_of(value)
    if not name:
        raise BadRequest("`Content-Disposition` has no `filename`.")
    return safe_filename(name)


def safe_filename(name: str) -> str:
    name = unicodedata.normalize("NFC", name)
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().strip(".")
    if not name:
        raise BadRequest("The file name is empty once path and control characters are removed.")
    return name[:255]


# What follows a name's last dot counts as an extension when it is this short and plain: "12.5 persen"
# has none, "laporan.v2" has "v2".
_EXTENSION = re.compile(r"\.([A-Za-z0-9]{1,10})$")


def name_for_type(filename: str, media_type: str) -> str:
    """The name to store: the sender's base name with the extension of the type the bytes were found
    to be, so no stored name claims another type (a PNG sent as `t.html` is kept as `t.png`, one named
    `Laporan.exe` as `Laporan.png`). An extension that already fits is kept as written (`LHP.PDF`)."""
    extensions = sniff.EXTENSIONS[media_type]
    match = _EXTENSION.search(filename)
    if match and match.group(1).lower() in extensions:
        return filename
    base = (filename[: match.start()] if match else filename).rstrip(". ") or "lampiran"
    suffix = "." + extensions[0]
    return base[: 255 - len(suffix)] + suffix


def sha256_from_content_digest(header: str | None) -> bytes | None:
    """The `sha-256` digest of an RFC 9530 `Content-Digest` header (`sha-256=:<base64>:`), or None when
    the header is absent or names only other algorithms (which a recipient may ignore)."""
    if header is None:
        return None
    for member in header.split(","):
        algorithm, sep, value = member.strip().partition("=")
        if not sep:
            raise BadRequest("`Content-Digest` must be a structured field dictionary, e.g. `sha-256=:<base64>:`.")
        if algorithm.strip().lower() != "sha-256":
            continue
        digest = byte_sequence(value.split(";", 1)[0], header="Content-Digest")
        if len(digest) != 32:
            raise BadRequest("`Content-Digest` sha-256 must be 32 bytes.")
        return digest
    return None


def check_declared_type(content_type: str | None) -> str:
    declared = sniff.declared_type(content_type)
    if declared is None:
        raise UnsupportedMediaType("Send the file's media type in `Content-Type`.")
    if declared == sniff.OCTET_STREAM:
        return declared
    if declared not in sniff.ALLOWED_TYPES:
        raise UnsupportedMediaType(
            f"{declared} is not an allowed attachment type; allowed: {', '.join(sniff.ALLOWED_TYPES)}.",
        )
    if declared == sniff.TEXT and not sniff.charset_ok(content_type or ""):
        raise UnsupportedMediaType("Plain text attachments must be UTF-8.")
    return declared


@dataclass(frozen=True, slots=True)
class UploadHeaders:
    declared_type: str
    filename: str
    content_digest: bytes | None


def check_headers(headers: Mapping[str, str], limit: int) -> UploadHeaders:
    """What the request headers say about an upload, checked before a byte of the body is read: the
    media type (415), the file name (400), `Content-Digest` (400) and a `Content-Length` over `limit` (413)."""
    declared = check_declared_type(headers.get("content-type"))
    filename = filename_from(headers.get("content-disposition"))
    digest = sha256_from_content_digest(headers.get("content-digest"))
    length = headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > limit:
        raise PayloadTooLarge(f"An attachment must not exceed {limit} bytes.")
    return UploadHeaders(declared, filename, digest)


# --- spooling ------------------------------------------------------------------------------------


@dataclass
class Spooled:
    file: IO[bytes]
    size: int
    sha256: bytes
    head: bytes
    text: sniff.TextCheck

    @property
    def sha256_hex(self) -> str:
        return self.sha256.hex()

    def close(self) -> None:
        self.file.close()


async def spool(chunks: AsyncIterator[bytes], limit: int, on_chunk: Callable[[bytes], None] | None = None) -> Spooled:
    """Read the upload into a temporary file, hashing as it goes; 413 as soon as it passes `limit`
    (the rest of the stream is never read)."""
    file = tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY)  # noqa: SIM115 - handed to the caller, closed there
    digest = hashlib.sha256()
    text = sniff.TextCheck()
    head = bytearray()
    size = 0
    try:
        async for chunk in chunks:
            if not chunk:
                continue
            size += len(chunk)
            if size > limit:
                raise PayloadTooLarge(f"An attachment must not exceed {limit} bytes.")
            digest.update(chunk)
            text.feed(chunk)
            if on_chunk is not None:
                on_chunk(chunk)
            if len(head) < sniff.HEAD_BYTES:
                head += chunk[: sniff.HEAD_BYTES - len(head)]
            file.write(chunk)
    except BaseException:
        file.close()
        raise
    file.seek(0)
    return Spooled(file, size, digest.digest(), bytes(head), text)


def verify(spooled: Spooled, declared: str, content_digest: bytes | None) -> str:
    """The sender's digest (422 on mismatch), then the file's own signature against its declared type.
    Returns the media type to record: the declared one, or for `application/octet-stream` the one
    recognised from the bytes (415 when they are none of the allowed types)."""
    if spooled.size == 0:
        raise UnprocessableEntity("The attachment is empty.")
    if content_digest is not None and content_digest != spooled.sha256:
        raise UnprocessableEntity(
            "`Content-Digest` does not match the bytes received.",
            received_sha256=spooled.sha256_hex,
        )
    if declared == sniff.OCTET_STREAM:
        detected = sniff.detect(spooled.head, spooled.file, spooled.text)
        spooled.file.seek(0)
        if detected is None:
            raise UnsupportedMediaType(
                "The file is none of the allowed types: " + ", ".join(sniff.ALLOWED_TYPES) + ".",
            )
        return detected
    if not sniff.matches(declared, spooled.head, spooled.file, spooled.text):
        raise UnprocessableEntity(f"The file's content is not {declared}, the declared `Content-Type`.")
    spooled.file.seek(0)
    return declared
