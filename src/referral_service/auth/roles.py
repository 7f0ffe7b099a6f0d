"""Roles an API key can carry. Kept free of imports so pure domain code can use it."""

from enum import StrEnum


class Role(StrEnum):
    """`admin` operates the platform; `ombudsman` is Ombudsman staff (optionally region-limited); `agency` acts for one agency."""

    ADMIN = "admin"  # operates the platform
    OMBUDSMAN = "ombudsman"  # Ombudsman staff systems, optionally limited to a region
    AGENCY = "agency"  # a regional system bound to exactly one agency
