import uuid
from datetime import datetime

from pydantic import Field, model_validator

from referral_service.auth.roles import Role
from referral_service.schemas import AgencyCode, InputModel, OutputModel, RegionCode, ShortText


class ApiKeyCreate(InputModel):
    role: Role
    name: ShortText = Field(examples=["SIMPEL Ombudsman Kaltim"], description="Who uses this key, for humans.")
    agency_code: AgencyCode | None = Field(None, description="Required for, and only for, `agency` keys.")
    region_code: RegionCode | None = Field(
        None, description="Only for `ombudsman` keys: limits the key to a region and everything below it, e.g. `64`."
    )

    @model_validator(mode="after")
    def _binding_matches_role(self) -> "ApiKeyCreate":
        if (self.role is Role.AGENCY) != (self.agency_code is not None):
            raise ValueError("agency_code is required for agency keys and not allowed for other roles")
        if self.region_code is not None and self.role is not Role.OMBUDSMAN:
            raise ValueError("region_code is only allowed for ombudsman keys")
        return self


class ApiKeyOut(OutputModel):
    id: uuid.UUID
    role: Role
    name: str
    agency_code: str | None
    region_code: str | None
    key_prefix: str = Field(description="The first characters of the key, to recognise it.")
    created_at: datetime
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyOut):
    key: str = Field(description="The API key. Shown only in this response; store it now.")
