from datetime import datetime
from enum import StrEnum
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import AfterValidator, Field

from referral_service.schemas import AgencyCode, InputModel, OutputModel, RegionCode, ShortText


class AgencyKind(StrEnum):
    INSPEKTORAT_PROVINSI = "inspektorat_provinsi"
    INSPEKTORAT_KABUPATEN = "inspektorat_kabupaten"
    INSPEKTORAT_KOTA = "inspektorat_kota"
    OPD = "opd"


def _known_zone(value: str) -> str:
    if value not in _ZONES:
        raise ValueError("must be an IANA time zone such as Asia/Makassar")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError("must be an IANA time zone such as Asia/Makassar") from exc
    return value


_ZONES = frozenset(available_timezones())
TimeZoneName = Annotated[str, Field(max_length=64, examples=["Asia/Makassar"]), AfterValidator(_known_zone)]
DueDays = Annotated[int, Field(ge=1, le=365)]


class AgencyCreate(InputModel):
    code: AgencyCode = Field(examples=["inspektorat-64.72"], description="Stable identifier, lower case.")
    name: ShortText = Field(examples=["Inspektorat Kota Samarinda"])
    kind: AgencyKind
    region_code: RegionCode = Field(examples=["64.72"], description="Kemendagri region code.")
    parent_code: AgencyCode | None = None
    timezone: TimeZoneName = "Asia/Makassar"
    active: bool = True
    default_due_working_days: DueDays | None = Field(
        None, description="Working days the agency has to respond; the service default applies when unset."
    )


class AgencyUpdate(InputModel):
    name: ShortText | None = None
    kind: AgencyKind | None = None
    region_code: RegionCode | None = None
    parent_code: AgencyCode | None = None
    timezone: TimeZoneName | None = None
    active: bool | None = None
    default_due_working_days: DueDays | None = None


class AgencyOut(OutputModel):
    code: str = Field(examples=["inspektorat-64.72"])
    name: str
    kind: AgencyKind
    region_code: str
    parent_code: str | None
    timezone: str
    active: bool
    default_due_working_days: int | None
    created_at: datetime
    updated_at: datetime
