"""The complaint reference number is formatted in SQL (inside the intake INSERT); it must read
like Python's f"{n:06d}" for every positive n, including past 999,999 where lpad would truncate."""

import asyncpg
import pytest

from referral_service.complaints.repository import padded_number_sql
from referral_service.db.driver import driver_dsn


@pytest.mark.parametrize("number", [1, 42, 999_999, 1_000_000, 1_234_567, 12_345_678_901])
async def test_padded_like_python(database_url: str, number: int) -> None:
    connection = await asyncpg.connect(driver_dsn(database_url))
    try:
        assert await connection.fetchval(f"SELECT {padded_number_sql('$1::bigint::text')}", number) == f"{number:06d}"
    finally:
        await connection.close()
