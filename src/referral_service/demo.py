"""Seeding for `serve --demo` and `load-directory`: the Kalimantan Timur directory and one key per role."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from referral_service.agencies.service import load_directory
from referral_service.auth.keys import display_prefix, generate_api_key, hash_api_key
from referral_service.auth.models import ApiKey
from referral_service.db.engine import make_engine, make_sessionmaker


@dataclass(frozen=True)
class DemoKey:
    label: str
    role: str
    key: str
    agency_code: str | None = None
    region_code: str | None = None


DEMO_KEYS = (
    ("ADMIN_KEY", "admin", None, None, "demo admin"),
    ("OMBUDSMAN_KEY", "ombudsman", None, "64", "demo Ombudsman RI Perwakilan Kalimantan Timur"),
    ("SAMARINDA_KEY", "agency", "inspektorat-64.72", None, "demo Inspektorat Kota Samarinda"),
    ("BONTANG_KEY", "agency", "inspektorat-64.74", None, "demo Inspektorat Kota Bontang"),
)


async def _issue(session: AsyncSession, role: str, name: str, agency: str | None, region: str | None) -> str:
    key = generate_api_key()
    session.add(
        ApiKey(
            name=name,
            role=role,
            agency_code=agency,
            region_code=region,
            key_prefix=display_prefix(key),
            key_hash=hash_api_key(key),
        )
    )
    return key


async def seed_demo(database_url: str) -> list[DemoKey]:
    engine = make_engine(database_url, pool_size=1)
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            await load_directory(session)
            keys = []
            for label, role, agency, region, name in DEMO_KEYS:
                keys.append(DemoKey(label, role, await _issue(session, role, name, agency, region), agency, region))
        return keys
    finally:
        await engine.dispose()


async def seed_directory(database_url: str) -> int:
    engine = make_engine(database_url, pool_size=1)
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            return await load_directory(session)
    finally:
        await engine.dispose()
