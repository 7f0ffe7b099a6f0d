from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.calendar_day_out import CalendarDayOut


T = TypeVar("T", bound="CalendarChangeOut")


@_attrs_define
class CalendarChangeOut:
    """The result of changing the calendar, with the deadlines it moved.

    Attributes:
        date (datetime.date):
        working_day (bool): Whether deadlines now count this date as a working day.
        entry (CalendarDayOut | None): The date's calendar entry after the change, if it is listed.
        referrals_rescheduled (int): Forwarded referrals whose `due_at` moved (each got a `referral.due_date_changed`
            event).
    """

    date: datetime.date
    working_day: bool
    entry: CalendarDayOut | None
    referrals_rescheduled: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.calendar_day_out import CalendarDayOut  # noqa: PLC0415

        date = self.date.isoformat()

        working_day = self.working_day

        entry: dict[str, Any] | None
        if isinstance(self.entry, CalendarDayOut):
            entry = self.entry.to_dict()
        else:
            entry = self.entry

        referrals_rescheduled = self.referrals_rescheduled

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "date": date,
                "working_day": working_day,
                "entry": entry,
                "referrals_rescheduled": referrals_rescheduled,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.calendar_day_out import CalendarDayOut  # noqa: PLC0415

        d = dict(src_dict)
        date = datetime.date.fromisoformat(d.pop("date"))

        working_day = d.pop("working_day")

        def _parse_entry(data: object) -> CalendarDayOut | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                entry_type_0 = CalendarDayOut.from_dict(data)

                return entry_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CalendarDayOut | None, data)

        entry = _parse_entry(d.pop("entry"))

        referrals_rescheduled = d.pop("referrals_rescheduled")

        calendar_change_out = cls(
            date=date,
            working_day=working_day,
            entry=entry,
            referrals_rescheduled=referrals_rescheduled,
        )

        calendar_change_out.additional_properties = d
        return calendar_change_out

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
