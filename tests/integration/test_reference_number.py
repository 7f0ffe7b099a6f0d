"""The complaint reference number is formatted in SQL (inside the intake INSERT); it must read
like Python's f"{n:06d}" for every positive n, including past 999,999 where lpad would truncate."""

import pytest
from sqlalchemy import literal, select

from referral_service.complaints.service import padded_number
from referral_service.db.engine import make_engine


@pytest.mark.parametrize("number", [1, 42, 999_999, 1_000_000, 1_234_567, 12_345_678_901])
async def test_padded_like_python(database_url: str, number: int) -> None:
    engine = make_engine(database_url, pool_size=1)
    try:
        async with engine.connect() as connection:
            assert await connection.scalar(select(padded_number(literal(number)))) == f"{number:06d}"
    finally:
        await engine.dispose()
