from enum import StrEnum
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import AfterValidator, ConfigDict, Field

from referral_service import openapi_examples as ex
from referral_service.schemas import AgencyCode, InputModel, OutputModel, RegionCode, ShortText, UtcInstant


class AgencyKind(StrEnum):
    """An Inspektorat (province, regency or city) or another regional office (OPD)."""

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
DueDays = Annotated[int, Field(ge=1, le=365, strict=True)]  # strict: `true` is not 1 day


class AgencyCreate(InputModel):
    """A new agency in the directory (admin)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "code": "opd-64.72-dpmptsp",
                    "name": "DPMPTSP Kota Samarinda",
                    "kind": "opd",
                    "region_code": "64.72",
                    "parent_code": "inspektorat-64.72",
                    "timezone": "Asia/Makassar",
                    "default_due_working_days": 10,
                }
            ]
        }
    )

    code: AgencyCode = Field(examples=["inspektorat-64.72"], description="Stable identifier, lower case.")
    name: ShortText = Field(examples=["Inspektorat Kota Samarinda"])
    kind: AgencyKind
    region_code: RegionCode = Field(
        examples=["64.72"], description="Kemendagri code of its province or regency/city, from `GET /v1/regions`."
    )
    parent_code: AgencyCode | None = None
    timezone: TimeZoneName = "Asia/Makassar"
    active: bool = True
    default_due_working_days: DueDays | None = Field(
        None, description="Working days the agency has to respond; the service default applies when unset."
    )


class AgencyUpdate(InputModel):
    """Fields present are changed; fields absent stay as they are. Only `parent_code` and
    `default_due_working_days` may be set to null (no parent; the service default)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"default_due_working_days": 10}, {"active": False}]})

    # Not nullable (an explicit null is a 422); None only stands for "absent".
    name: ShortText = None  # type: ignore[assignment]
    kind: AgencyKind = None  # type: ignore[assignment]
    region_code: RegionCode = None  # type: ignore[assignment]
    parent_code: AgencyCode | None = None
    timezone: TimeZoneName = None  # type: ignore[assignment]
    active: bool = None  # type: ignore[assignment]
    default_due_working_days: DueDays | None = None


class AgencyOut(OutputModel):
    """An agency of the directory."""

    model_config = ConfigDict(json_schema_extra={"examples": [ex.AGENCY_OUT]})

    code: str = Field(examples=["inspektorat-64.72"])
    name: str
    kind: AgencyKind
    region_code: str
    parent_code: str | None
    timezone: str
    active: bool
    default_due_working_days: int | None
    created_at: UtcInstant
    updated_at: UtcInstant
