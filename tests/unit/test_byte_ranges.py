"""The download's `Range` parsing against RFC 9110: invalid syntax is ignored (the whole file), only a
valid but unsatisfiable range is 416."""

from __future__ import annotations

import pytest

from referral_service.attachments.ranges import byte_range
from referral_service.errors import RangeNotSatisfiable

SIZE = 1000


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=0-99", (0, 99)),
        ("BYTES=0-99", (0, 99)),
        ("bytes=500-", (500, 999)),
        ("bytes=-100", (900, 999)),
        ("bytes=-5000", (0, 999)),
        ("bytes=100-99999999", (100, 999)),
        ("bytes=0-" + "9" * 5000, (0, 999)),  # int() alone refuses digit strings this long
        ("bytes=-" + "9" * 5000, (0, 999)),
        ("bytes=007-008", (7, 8)),
        (" bytes=1-2 ", (1, 2)),
    ],
)
def test_a_valid_satisfiable_range(header, expected):
    assert byte_range(header, SIZE) == expected


@pytest.mark.parametrize(
    "header",
    [
        "bytes=1_0-2_0",
        "bytes=+5-9",
        "bytes=--5",
        "bytes=-+5",
        "bytes=5-2",  # last before first: an invalid int-range
        "bytes= 1-2",
        "bytes=1 -2",
        "bytes=١-٢",  # Arabic-Indic digits
        "bytes=0x1-2",
        "bytes=-",
        "bytes=",
        "bytes=1-2,5-6",  # valid, several ranges: not served as parts
        "items=0-1",
        "bytes",
        "",
    ],
)
def test_anything_else_is_ignored(header):
    assert byte_range(header, SIZE) is None


@pytest.mark.parametrize("header", ["bytes=1000-", "bytes=1000-2000", "bytes=-0", "bytes=" + "9" * 30 + "-"])
def test_a_valid_range_the_file_cannot_satisfy_is_416(header):
    with pytest.raises(RangeNotSatisfiable) as refused:
        byte_range(header, SIZE)
    assert refused.value.headers == {"Content-Range": f"bytes */{SIZE}"}
