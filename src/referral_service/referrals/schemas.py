import uuid
from typing import Annotated

from pydantic import ConfigDict, Field

from referral_service import openapi_examples as ex
from referral_service.complaints.schemas import ComplaintOut
from referral_service.referrals.domain import ReferralAction, ReferralState, Resolution, ResponseOutcome
from referral_service.schemas import AgencyCode, InputModel, OutputModel, TextLimits, UtcInstant

DueWorkingDays = Field(
    None,
    ge=1,
    le=365,
    strict=True,  # JSON `true` is not 1 working day
    description="Working days the agency has to respond; defaults to the agency's setting, then the service default (14).",
)


class ReferralCreate(InputModel):
    """Refer the complaint to one agency of the directory."""

    agency_code: AgencyCode = Field(examples=["inspektorat-64.72"])
    instructions: Annotated[str, TextLimits(5000)] | None = Field(
        None, examples=["Mohon klarifikasi ke DPMPTSP Kota Samarinda."]
    )


class ForwardRequest(InputModel):
    """Send a `received` referral to its agency; the deadline starts. The body may be omitted."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"instructions": "Mohon klarifikasi ke DPMPTSP Kota Samarinda.", "due_working_days": 14}]
        }
    )

    instructions: Annotated[str, TextLimits(5000)] | None = Field(
        None, description="Replaces the instructions when given."
    )
    due_working_days: int | None = DueWorkingDays


class AcknowledgeRequest(InputModel):
    """The agency confirms receipt. The body may be omitted."""

    external_ref: Annotated[str, TextLimits(200, 1)] | None = Field(
        None, examples=["SAMARINDA-ADU-2026-0042"], description="Your own id for this referral; unique per agency."
    )


class RespondRequest(InputModel):
    """The agency's answer."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{k: ex.RESPONSE_OUT[k] for k in ("outcome", "summary", "actions_taken")}]}
    )

    outcome: ResponseOutcome
    summary: Annotated[str, TextLimits(10000, 1)] = Field(examples=["Izin telah diterbitkan pada 2 Desember 2026."])
    actions_taken: Annotated[str, TextLimits(10000)] | None = None


class FollowUpRequest(InputModel):
    """Send an answered referral back to the agency, with a reason and a new deadline."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"reason": "Mohon lampirkan salinan izin yang diterbitkan.", "due_working_days": 5}]
        }
    )

    reason: Annotated[str, TextLimits(5000, 1)] = Field(examples=["Mohon lampirkan salinan izin yang diterbitkan."])
    due_working_days: int | None = DueWorkingDays


class CloseRequest(InputModel):
    """Close the referral with a resolution."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"resolution": "resolved", "note": "Izin terbit; pelapor mengonfirmasi."}]}
    )

    resolution: Resolution
    note: Annotated[str, TextLimits(5000)] | None = None


class NoteRequest(InputModel):
    """A note on the referral's timeline."""

    text: Annotated[str, TextLimits(10000, 1)] = Field(examples=["Pemeriksaan lapangan dijadwalkan Senin."])


class ResponseOut(OutputModel):
    """The agency's latest answer."""

    model_config = ConfigDict(json_schema_extra={"examples": [ex.RESPONSE_OUT]})

    outcome: ResponseOutcome
    summary: str
    actions_taken: str | None = None
    responded_at: UtcInstant


class ReferralOut(OutputModel):
    """A complaint referred to one agency, with the complaint embedded. The `ETag` header carries its version."""

    model_config = ConfigDict(json_schema_extra={"examples": [ex.REFERRAL_OUT]})

    id: uuid.UUID
    complaint_id: uuid.UUID
    agency_code: str
    state: ReferralState
    instructions: str | None
    forwarded_at: UtcInstant | None
    due_at: UtcInstant | None = Field(description="End of the last working day to respond, in the agency's time zone.")
    acknowledged_at: UtcInstant | None
    external_ref: str | None
    response: ResponseOut | None
    resolution: Resolution | None
    closed_at: UtcInstant | None
    follow_up_count: int
    overdue: bool = Field(description="True once `due_at` has passed while the referral is still `forwarded`.")
    working_days_remaining: int | None = Field(
        description="Working days left until `due_at` (0 on the due day, negative when overdue); null when no deadline runs."
    )
    allowed_actions: list[ReferralAction] = Field(
        description="What the calling key may do next, from the transition table."
    )
    created_at: UtcInstant
    updated_at: UtcInstant
    complaint: ComplaintOut = Field(description="The complaint, as the caller may see it.")
