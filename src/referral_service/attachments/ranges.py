"""The `Range` header of a download, parsed as RFC 9110 (14.1.2, 14.2) has it.

Only a single byte range is served. Anything else is ignored and answered with the whole file, as
RFC 9110 lets a server do: another unit, several ranges, and every `Range` that is not valid syntax
(`bytes=1_0-2_0`, `bytes=+5-9`, `bytes=--5`, `bytes=5-2`, non-ASCII digits). Only a valid range that
the file cannot satisfy (starting at or past its end, or the last 0 bytes) is a 416.
"""

from __future__ import annotations

import re

from referral_service.errors import RangeNotSatisfiable

# range-unit "=" (int-range / suffix-range); the unit is case-insensitive, digits are ASCII only.
_SINGLE_BYTE_RANGE = re.compile(r"bytes=(?:([0-9]+)-([0-9]*)|-([0-9]+))", re.IGNORECASE | re.ASCII)
# Larger than any file: positions past it all mean the same. (And int() refuses very long digit strings.)
_HUGE = 10**18


def _position(digits: str) -> int:
    digits = digits.lstrip("0") or "0"
    return int(digits) if len(digits) < 18 else _HUGE


def byte_range(header: str, size: int) -> tuple[int, int] | None:
    """The (first, last) byte positions to send, or None to send the whole file. 416 when the range
    is valid but unsatisfiable."""
    match = _SINGLE_BYTE_RANGE.fullmatch(header.strip())
    if match is None:
        return None
    first_text, last_text, suffix_text = match.groups()
    unsatisfiable = RangeNotSatisfiable(
        f"The attachment has {size} bytes.", headers={"Content-Range": f"bytes */{size}"}
    )
    if suffix_text is not None:
        suffix = _position(suffix_text)
        if suffix == 0:
            raise unsatisfiable
        return max(0, size - suffix), size - 1
    first = _position(first_text)
    last = _position(last_text) if last_text else None
    if last is not None and last < first:
        return None  # an invalid int-range makes the whole header invalid: ignored
    if first >= size:
        raise unsatisfiable
    return first, size - 1 if last is None else min(last, size - 1)
