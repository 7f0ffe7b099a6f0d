"""Who is calling: the authenticated principal. What it may see is auth/scope.py's to say."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from referral_service.auth.roles import Role
from referral_service.db.driver import Row

# The bootstrap admin key (REFERRAL_ADMIN_KEY) has no row; it acts under this fixed id.
BOOTSTRAP_ADMIN_ID = uuid.UUID("00000000-0000-0000-0000-000000000001")


@dataclass(frozen=True, slots=True)
class Principal:
    key_id: uuid.UUID
    role: Role
    name: str
    agency_code: str | None = None
    region_code: str | None = None
    rate_limit_per_minute: int | None = None  # the key's own limit; None: its role's

    @property
    def is_ombudsman_side(self) -> bool:
        return self.role in (Role.ADMIN, Role.OMBUDSMAN)


def principal_of_key(row: Row) -> Principal:
    """The principal a stored API key stands for (a row of `api_keys`: id, role, name, agency_code,
    region_code, rate_limit_per_minute), however it was read (a key look-up, a web session's key)."""
    return Principal(
        key_id=row["id"],
        role=Role(row["role"]),
        name=row["name"],
        agency_code=row["agency_code"],
        region_code=row["region_code"],
        # The key's own rate limit, if it has one (API requests and page views count against it).
        rate_limit_per_minute=row["rate_limit_per_minute"],
    )


def region_in_scope(region_code: str, scope: str | None) -> bool:
    """A region-limited key covers its region and every region below it (`64` covers `64.72`)."""
    if scope is None:
        return True
    return region_code == scope or region_code.startswith(scope + ".")


def region_prefix_pattern(scope: str) -> str:
    """LIKE pattern for the regions strictly below `scope` (Kemendagri codes are dot-separated)."""
    escaped = scope.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + ".%"
