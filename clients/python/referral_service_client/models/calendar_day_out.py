from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.day_source import DaySource

T = TypeVar("T", bound="CalendarDayOut")


@_attrs_define
class CalendarDayOut:
    """A listed non-working day.

    Attributes:
        date (datetime.date):
        name (str):
        source (DaySource): Where a non-working day comes from: `public` holiday, `cuti_bersama` or an admin `override`.
        declared_working (bool): A package holiday an administrator declared a working day: listed, but deadlines count
            it.
    """

    date: datetime.date
    name: str
    source: DaySource
    declared_working: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        date = self.date.isoformat()

        name = self.name

        source = self.source.value

        declared_working = self.declared_working

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "date": date,
                "name": name,
                "source": source,
                "declared_working": declared_working,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        date = datetime.date.fromisoformat(d.pop("date"))

        name = d.pop("name")

        source = DaySource(d.pop("source"))

        declared_working = d.pop("declared_working")

        calendar_day_out = cls(
            date=date,
            name=name,
            source=source,
            declared_working=declared_working,
        )

        calendar_day_out.additional_properties = d
        return calendar_day_out

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
