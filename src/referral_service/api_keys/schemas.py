import uuid

from pydantic import ConfigDict, Field, model_validator

from referral_service import openapi_examples as ex
from referral_service.auth.roles import Role
from referral_service.schemas import AgencyCode, InputModel, OutputModel, RegionCode, ShortText, UtcInstant


class ApiKeyCreate(InputModel):
    """A new API key: its role and, for agency keys, the agency it acts for."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"role": "agency", "name": "SIMWAS Inspektorat Kota Samarinda", "agency_code": "inspektorat-64.72"},
                {"role": "ombudsman", "name": "SIMPEL Ombudsman Kaltim", "region_code": "64"},
            ]
        }
    )

    role: Role
    name: ShortText = Field(examples=["SIMPEL Ombudsman Kaltim"], description="Who uses this key, for humans.")
    agency_code: AgencyCode | None = Field(None, description="Required for, and only for, `agency` keys.")
    region_code: RegionCode | None = Field(
        None,
        description="Only for `ombudsman` keys: limits the key to a region from `GET /v1/regions` and everything "
        "below it, e.g. `64`.",
    )

    @model_validator(mode="after")
    def _binding_matches_role(self) -> "ApiKeyCreate":
        if (self.role is Role.AGENCY) != (self.agency_code is not None):
            raise ValueError("agency_code is required for agency keys and not allowed for other roles")
        if self.region_code is not None and self.role is not Role.OMBUDSMAN:
            raise ValueError("region_code is only allowed for ombudsman keys")
        return self


class ApiKeyOut(OutputModel):
    """An issued API key (never the key itself)."""

    model_config = ConfigDict(json_schema_extra={"examples": [ex.API_KEY_OUT]})

    id: uuid.UUID
    role: Role
    name: str
    agency_code: str | None
    region_code: str | None
    key_prefix: str = Field(description="The first characters of the key, to recognise it.")
    created_at: UtcInstant
    revoked_at: UtcInstant | None


class ApiKeyCreated(ApiKeyOut):
    """A new API key, with the key itself (shown only once)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{**ex.API_KEY_OUT, "key": "rsk_sJmFnYnD_r0vMxema9eTRisUZOzvpiplR9xQMdlM0-I"}]}
    )

    key: str = Field(description="The API key. Shown only in this response; store it now.")
