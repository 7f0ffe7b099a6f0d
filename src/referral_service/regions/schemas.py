from enum import StrEnum

from pydantic import ConfigDict, Field

from referral_service.schemas import OutputModel


class RegionKind(StrEnum):
    """A province, a regency (kabupaten) or a city (kota)."""

    PROVINCE = "province"
    REGENCY = "regency"
    CITY = "city"


class RegionOut(OutputModel):
    """A province, regency or city on the Kemendagri list: what a `region_code` may name."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"code": "64.72", "name": "Kota Samarinda", "kind": "city", "parent_code": "64"}]
        }
    )

    code: str = Field(
        examples=["64.72"], description="Kemendagri code: `64` for a province, `64.72` for a regency or city."
    )
    name: str = Field(
        examples=["Kota Samarinda"],
        description="As the decree writes it: a province by its name, a regency as `Kabupaten ...`, a city as `Kota ...`.",
    )
    kind: RegionKind
    parent_code: str | None = Field(
        examples=["64"], description="The province of a regency or city; null for a province."
    )
