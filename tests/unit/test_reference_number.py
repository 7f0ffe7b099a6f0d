"""The complaint reference: province, year received and the sequence's number, zero-padded to six
digits, longer numbers kept whole (never truncated), so references stay unique past 999,999."""

from datetime import UTC, datetime

import pytest

from referral_service.complaints.repository import reference

RECEIVED = datetime(2026, 11, 27, 23, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        (1, "64-2026-000001"),
        (42, "64-2026-000042"),
        (999_999, "64-2026-999999"),
        (1_000_000, "64-2026-1000000"),
        (12_345_678_901, "64-2026-12345678901"),
    ],
)
def test_reference_of_a_regency_uses_its_province(number: int, expected: str) -> None:
    assert reference("64.72", RECEIVED, number) == expected
