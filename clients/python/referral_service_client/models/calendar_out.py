from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.calendar_day_out import CalendarDayOut


T = TypeVar("T", bound="CalendarOut")


@_attrs_define
class CalendarOut:
    """The non-working days of one year, as deadlines count them.

    Attributes:
        year (int):
        days (list[CalendarDayOut]): Non-working days of the year by date; weekends are not listed.
    """

    year: int
    days: list[CalendarDayOut]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        year = self.year

        days = []
        for days_item_data in self.days:
            days_item = days_item_data.to_dict()
            days.append(days_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "year": year,
                "days": days,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.calendar_day_out import CalendarDayOut  # noqa: PLC0415

        d = dict(src_dict)
        year = d.pop("year")

        days = []
        _days = d.pop("days")
        for days_item_data in _days:
            days_item = CalendarDayOut.from_dict(days_item_data)

            days.append(days_item)

        calendar_out = cls(
            year=year,
            days=days,
        )

        calendar_out.additional_properties = d
        return calendar_out

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
