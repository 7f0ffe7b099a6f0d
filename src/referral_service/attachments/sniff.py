"""Which file types an attachment may be, and whether the bytes are what the sender declared.

PDF, JPEG, PNG and WebP are recognised by their magic numbers (`filetype`). ODT, DOCX and XLSX are
ZIP containers, which magic numbers alone do not tell apart reliably: the spooled file is opened
as a ZIP and the member that defines each format is looked for (`mimetype` for OpenDocument, the
main part for Office Open XML). Plain text is valid UTF-8 without NUL, checked while streaming.
"""

from __future__ import annotations

import codecs
import zipfile
from typing import IO

import filetype  # type: ignore[import-untyped]  # the package ships no type information

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
WEBP = "image/webp"
ODT = "application/vnd.oasis.opendocument.text"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEXT = "text/plain"

ALLOWED_TYPES: tuple[str, ...] = (PDF, JPEG, PNG, WEBP, ODT, DOCX, XLSX, TEXT)
# The file name extensions of each type, the first the one a stored name gets when it has none of them.
EXTENSIONS: dict[str, tuple[str, ...]] = {
    PDF: ("pdf",),
    JPEG: ("jpg", "jpeg", "jpe"),
    PNG: ("png",),
    WEBP: ("webp",),
    ODT: ("odt",),
    DOCX: ("docx",),
    XLSX: ("xlsx",),
    TEXT: ("txt", "text"),
}
# Declared by a client that does not know the type (a generic HTTP client, a generated one): the type
# is then recognised from the bytes, among the allowed ones.
OCTET_STREAM = "application/octet-stream"
_MAGIC = {PDF, JPEG, PNG, WEBP}
_OFFICE = {ODT, DOCX, XLSX}
# How many leading bytes the magic-number check looks at (filetype reads at most 8 KiB).
HEAD_BYTES = 8192


def declared_type(content_type: str | None) -> str | None:
    """The media type without parameters, lower-cased (`text/plain; charset=utf-8` -> `text/plain`)."""
    if not content_type:
        return None
    return content_type.split(";", 1)[0].strip().lower() or None


def charset_ok(content_type: str) -> bool:
    """Plain text must be UTF-8 (or US-ASCII, a subset)."""
    for parameter in content_type.split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in ("utf-8", "utf8", "us-ascii"):
            return False
    return True


class TextCheck:
    """Feeds the stream through an incremental UTF-8 decoder; `ok` after `finish()`."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")("strict")
        self.ok = True

    def feed(self, data: bytes) -> None:
        if not self.ok:
            return
        if b"\x00" in data:
            self.ok = False
            return
        try:
            self._decoder.decode(data)
        except UnicodeDecodeError:
            self.ok = False

    def finish(self) -> bool:
        if self.ok:
            try:
                self._decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                self.ok = False
        return self.ok


def _office_type(file: IO[bytes]) -> str | None:
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                mimetype = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
                return mimetype if mimetype == ODT else None
            if "[Content_Types].xml" in names:
                if "word/document.xml" in names:
                    return DOCX
                if "xl/workbook.xml" in names:
                    return XLSX
    except (zipfile.BadZipFile, OSError, ValueError, KeyError):
        return None
    finally:
        file.seek(0)
    return None


def matches(declared: str, head: bytes, file: IO[bytes], text: TextCheck) -> bool:
    """Whether the spooled file (its first bytes `head`, its text check done) is of the declared type."""
    if declared in _MAGIC:
        kind = filetype.guess(head)
        return kind is not None and kind.mime == declared
    if declared in _OFFICE:
        return head.startswith(b"PK\x03\x04") and _office_type(file) == declared
    if declared == TEXT:
        return text.finish()
    return False


def detect(head: bytes, file: IO[bytes], text: TextCheck) -> str | None:
    """The allowed type the bytes are, or None (for `application/octet-stream` uploads)."""
    kind = filetype.guess(head)
    if kind is not None and kind.mime in _MAGIC:
        return str(kind.mime)
    if head.startswith(b"PK\x03\x04"):
        return _office_type(file)
    if kind is None and text.finish():
        return TEXT
    return None
