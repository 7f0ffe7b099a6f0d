import uuid
from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from pydantic import ConfigDict, Field, ValidationInfo, field_validator

from referral_service import openapi_examples as ex
from referral_service.schemas import (
    AgencyCode,
    IncidentDate,
    InputModel,
    OutputModel,
    ReceivedAt,
    RegionCode,
    ShortText,
    Text,
    TextLimits,
    UtcInstant,
    latest_incident_date,
)


class Channel(StrEnum):
    """How the complaint reached the Ombudsman."""

    WALK_IN = "walk_in"
    LETTER = "letter"
    EMAIL = "email"
    PHONE = "phone"
    WEB = "web"
    SOCIAL_MEDIA = "social_media"
    SP4N_LAPOR = "sp4n_lapor"
    OTHER = "other"


class Category(StrEnum):
    """Classes of maladministration (Peraturan Ombudsman 26/2017), plus `other`."""

    PENUNDAAN_BERLARUT = "penundaan_berlarut"
    TIDAK_MEMBERIKAN_PELAYANAN = "tidak_memberikan_pelayanan"
    TIDAK_KOMPETEN = "tidak_kompeten"
    PENYALAHGUNAAN_WEWENANG = "penyalahgunaan_wewenang"
    PENYIMPANGAN_PROSEDUR = "penyimpangan_prosedur"
    PERMINTAAN_IMBALAN = "permintaan_imbalan"
    TIDAK_PATUT = "tidak_patut"
    BERPIHAK = "berpihak"
    DISKRIMINASI = "diskriminasi"
    KONFLIK_KEPENTINGAN = "konflik_kepentingan"
    OTHER = "other"


# `Text`: the pattern alone lets U+0000 and lone surrogates through, which jsonb then refuses (a 500).
Email = Annotated[Text, Field(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]


class Complainant(InputModel):
    """The person who complains. Only `name` is required."""

    model_config = ConfigDict(json_schema_extra={"examples": [ex.COMPLAINANT]})

    name: ShortText = Field(examples=["Siti Rahmawati"])
    email: Email | None = Field(None, examples=["siti@example.org"])
    phone: Annotated[str, TextLimits(40)] | None = Field(None, examples=["+62 812 5555 0101"])
    address: Annotated[str, TextLimits(500)] | None = Field(None, examples=["Jl. Gajah Mada No. 1, Samarinda"])
    identity_number: Annotated[str, TextLimits(40)] | None = Field(
        None, description="E.g. the NIK on the KTP.", examples=["6472010101800001"]
    )


class ReportedParty(InputModel):
    """The office or official complained about: an agency in the directory, a name, or both."""

    agency_code: AgencyCode | None = Field(None, examples=["opd-64.72-dpmptsp"])
    name: Annotated[str, TextLimits(200)] | None = Field(
        None, examples=["Dinas Penanaman Modal dan PTSP Kota Samarinda"]
    )


class ExternalRef(InputModel):
    """The complaint's id in another system, e.g. SP4N-LAPOR!."""

    system: Annotated[str, TextLimits(50, 1)] = Field(examples=["sp4n_lapor"])
    id: Annotated[str, TextLimits(100, 1)] = Field(examples=["LAP-2026-77812"])


class ComplaintCreate(InputModel):
    """A new complaint, as the Ombudsman records it. Also the shape a merge patch must leave behind."""

    model_config = ConfigDict(json_schema_extra={"examples": [ex.COMPLAINT_CREATE]})

    channel: Channel
    received_at: ReceivedAt | None = Field(
        None,
        description="When the Ombudsman received it; defaults to now. From 2000-01-01T00:00:00Z to one day ahead of "
        "the service's clock.",
    )
    complainant: Complainant
    identity_confidential: bool = Field(
        False, description="UU 37/2008 art. 24(2): when true the complainant's identity never reaches an agency."
    )
    subject: Annotated[str, TextLimits(300, 1)] = Field(examples=["Izin usaha tidak diproses lebih dari tiga bulan"])
    description: Annotated[str, TextLimits(20000, 1)]
    category: Category
    reported_party: ReportedParty | None = None
    region_code: RegionCode = Field(
        examples=["64.72"],
        description="Kemendagri code of the province or regency/city concerned, from `GET /v1/regions`.",
    )
    incident_date: IncidentDate | None = Field(
        None,
        description="When the matter complained about happened: from 1945-08-17 to the day after `received_at` "
        "(its date in UTC, plus one day for Indonesian time zones).",
    )
    external_refs: list[ExternalRef] = Field(default_factory=list, max_length=20)

    @field_validator("incident_date")
    @classmethod
    def _incident_not_after_receipt(cls, value: date | None, info: ValidationInfo) -> date | None:
        # `received_at` is validated first (field order); when it is invalid it is missing here and
        # has its own error already.
        if value is None or "received_at" not in info.data:
            return value
        if value > latest_incident_date(info.data["received_at"]):
            raise ValueError("must not be after the day the complaint was received (plus one day for time zones)")
        return value


# A merge patch is validated by applying it and validating the result as a whole complaint.
ComplaintWritable = ComplaintCreate


class ComplainantOut(OutputModel):
    """The complainant as recorded."""

    model_config = ConfigDict(json_schema_extra={"examples": [ex.COMPLAINT_OUT["complainant"]]})

    name: str
    email: str | None = None
    phone: str | None = None
    address: str | None = None
    identity_number: str | None = None


class ComplaintOut(OutputModel):
    """The canonical complaint record. The `ETag` header of a read carries its version."""

    model_config = ConfigDict(json_schema_extra={"examples": [ex.COMPLAINT_OUT]})

    id: uuid.UUID
    reference: str = Field(examples=["64-2026-000123"], description="Human-readable, unique, never reused.")
    channel: Channel
    received_at: UtcInstant
    complainant: ComplainantOut | None = Field(
        description="Null when the identity is confidential and the caller is an agency, or after erasure (`complaint.erased`)."
    )
    identity_confidential: bool
    subject: str
    description: str
    category: Category
    reported_party: dict[str, Any] | None
    region_code: str
    incident_date: date | None
    external_refs: list[dict[str, Any]]
    created_at: UtcInstant
    updated_at: UtcInstant


class EraseRequest(InputModel):
    """Why the complainant's personal data is erased now."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"reason": "Permintaan pelapor, surat 12/2026", "force": False}]}
    )

    reason: Annotated[str, TextLimits(500, 1)] = Field(
        description="Recorded on the timeline (`complaint.erased`, `details.reason`)."
    )
    force: bool = Field(False, strict=True, description="Erase although a referral is still open (otherwise 409).")
