"""Seeding for `serve --demo` and `load-directory`: the Kalimantan Timur directory, one key per role,
and (`serve --demo` on a database without complaints) the demo quarter of demo_quarter.py."""

from __future__ import annotations

from dataclasses import dataclass

from referral_service.agencies.service import load_directory
from referral_service.auth import service as keys
from referral_service.auth.roles import Role
from referral_service.config import Settings, get_settings
from referral_service.db.driver import Db, create_pool, pooled
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


async def _issue(db: Db, role: str, name: str, agency: str | None, region: str | None) -> str:
    key, _ = await keys.issue(db, name=name, role=Role(role), agency_code=agency, region_code=region)
    return key


async def seed_demo(database_url: str, settings: Settings | None = None) -> DemoSeed:
    """The directory and four fresh keys; then the demo quarter, unless the database holds complaints."""
    pool = await create_pool(database_url, size=1)
    try:
        async with pooled(pool) as db, db.transaction():
            await load_directory(db)
            keys_issued = []
            for label, role, agency, region, name in DEMO_KEYS:
                issued = await _issue(db, role, name, agency, region)
                keys_issued.append(DemoKey(label, role, issued, agency, region))
    finally:
        await pool.close()
    admin_key = next(key.key for key in keys_issued if key.role == "admin")
    recorded = await seed_quarter(settings or get_settings(), database_url, admin_key)
    return DemoSeed(keys_issued, recorded)


async def seed_directory(database_url: str) -> int:
    pool = await create_pool(database_url, size=1)
    try:
        async with pooled(pool) as db, db.transaction():
            return await load_directory(db)
    finally:
        await pool.close()
