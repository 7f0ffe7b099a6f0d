from datetime import date

from pydantic import ConfigDict, Field

from referral_service import openapi_examples as ex
from referral_service.referrals.calendar import DaySource
from referral_service.schemas import InputModel, OutputModel, ShortText


class NonWorkingDayIn(InputModel):
    """Declare a date a non-working day (e.g. an added cuti bersama)."""

    name: ShortText = Field(examples=["Cuti Bersama Hari Raya Idul Fitri (tambahan)"])


class CalendarDayOut(OutputModel):
    """A listed non-working day."""

    model_config = ConfigDict(json_schema_extra={"examples": [ex.CALENDAR_DAY]})

    date: date
    name: str
    source: DaySource = Field(
        description="`public` (national holiday), `cuti_bersama` (collective leave, from the holidays package) or "
        "`override` (added by an administrator)."
    )
    declared_working: bool = Field(
        description="A package holiday an administrator declared a working day: listed, but deadlines count it."
    )


class CalendarOut(OutputModel):
    """The non-working days of one year, as deadlines count them."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"year": 2026, "days": [ex.CALENDAR_DAY]}]})

    year: int
    days: list[CalendarDayOut] = Field(description="Non-working days of the year by date; weekends are not listed.")


class CalendarChangeOut(OutputModel):
    """The result of changing the calendar, with the deadlines it moved."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "date": "2026-03-23",
                    "working_day": False,
                    "entry": {
                        "date": "2026-03-23",
                        "name": "Cuti Bersama Hari Raya Idul Fitri (tambahan)",
                        "source": "override",
                        "declared_working": False,
                    },
                    "referrals_rescheduled": 12,
                }
            ]
        }
    )

    date: date
    working_day: bool = Field(description="Whether deadlines now count this date as a working day.")
    entry: CalendarDayOut | None = Field(description="The date's calendar entry after the change, if it is listed.")
    referrals_rescheduled: int = Field(
        description="Forwarded referrals whose `due_at` moved (each got a `referral.due_date_changed` event)."
    )
