from datetime import date

from pydantic import ConfigDict, Field

from referral_service import openapi_examples as ex
from referral_service.schemas import OutputModel, UtcInstant


class AgencyPerformanceRow(OutputModel):
    """One agency's figures for the referrals forwarded to it in the window."""

    model_config = ConfigDict(json_schema_extra={"examples": [ex.REPORT_ROW]})

    agency_code: str
    agency_name: str
    region_code: str
    forwarded: int = Field(description="Referrals forwarded to the agency in the window (the cohort).")
    responded: int = Field(description="Of those, answered at least once.")
    closed: int = Field(description="Of those, closed by the Ombudsman.")
    open: int = Field(description="Of those, not closed yet (`forwarded` or `responded`).")
    open_overdue: int = Field(description="Of those, still `forwarded` with `due_at` passed.")
    responded_on_time: int = Field(description="First answers given on or before the due date then in force.")
    share_on_time: float | None = Field(description="responded_on_time / answered (0-1); null when none answered.")
    median_working_days_to_respond: float | None = Field(
        description="Median working days from the forward to the first answer (agency's calendar); null when none answered."
    )
    follow_ups_requested: int = Field(description="Follow-up requests sent for these referrals.")


class AgencyPerformanceReport(OutputModel):
    """Per-agency figures for a date window (forward dates)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "from": "2026-01-01",
                    "to": "2026-06-30",
                    "region_code": "64",
                    "generated_at": "2026-07-01T01:00:00Z",
                    "rows": [ex.REPORT_ROW],
                }
            ]
        }
    )

    date_from: date = Field(serialization_alias="from")
    date_to: date = Field(serialization_alias="to")
    region_code: str | None
    generated_at: UtcInstant
    rows: list[AgencyPerformanceRow]
