"""Seeding for `serve --demo` and `load-directory`: the Kalimantan Timur directory, one key per role,
and (`serve --demo` on a database without complaints) the demo quarter of demo_quarter.py."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from referral_service.agencies.service import load_directory
from referral_service.auth.keys import display_prefix, generate_api_key, hash_api_key
from referral_service.auth.models import ApiKey
from referral_service.config import Settings, get_settings
from referral_service.db.engine import make_engine, make_sessionmaker
from referral_service.demo_quarter import seed_quarter


@dataclass(frozen=True)
class DemoKey:
    label: str
    role: str
    key: str
    agency_code: str | None = None
    region_code: str | None = None


@dataclass(frozen=True)
class DemoSeed:
    keys: list[DemoKey]
    complaints_recorded: int = 0  # by the demo quarter; 0 when the database already held complaints


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


async def seed_demo(database_url: str, settings: Settings | None = None) -> DemoSeed:
    """The directory and four fresh keys; then the demo quarter, unless the database holds complaints."""
    engine = make_engine(database_url, pool_size=1)
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            await load_directory(session)
            keys = []
            for label, role, agency, region, name in DEMO_KEYS:
                keys.append(DemoKey(label, role, await _issue(session, role, name, agency, region), agency, region))
    finally:
        await engine.dispose()
    admin_key = next(key.key for key in keys if key.role == "admin")
    recorded = await seed_quarter(settings or get_settings(), database_url, admin_key)
    return DemoSeed(keys, recorded)


async def seed_directory(database_url: str) -> int:
    engine = make_engine(database_url, pool_size=1)
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            return await load_directory(session)
    finally:
        await engine.dispose()
