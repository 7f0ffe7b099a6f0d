from datetime import date

from pydantic import Field

from referral_service.referrals.calendar import DaySource
from referral_service.schemas import InputModel, OutputModel, ShortText


class NonWorkingDayIn(InputModel):
    name: ShortText = Field(examples=["Cuti Bersama Hari Raya Idul Fitri (tambahan)"])


class CalendarDayOut(OutputModel):
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
    year: int
    days: list[CalendarDayOut] = Field(description="Non-working days of the year by date; weekends are not listed.")


class CalendarChangeOut(OutputModel):
    date: date
    working_day: bool = Field(description="Whether deadlines now count this date as a working day.")
    entry: CalendarDayOut | None = Field(description="The date's calendar entry after the change, if it is listed.")
    referrals_rescheduled: int = Field(
        description="Forwarded referrals whose `due_at` moved (each got a `referral.due_date_changed` event)."
    )
