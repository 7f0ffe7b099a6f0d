from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.agency_performance_row import AgencyPerformanceRow


T = TypeVar("T", bound="AgencyPerformanceReport")


@_attrs_define
class AgencyPerformanceReport:
    """Per-agency figures for a date window (forward dates).

    Attributes:
        from_ (datetime.date):
        to (datetime.date):
        region_code (None | str):
        generated_at (datetime.datetime):
        rows (list[AgencyPerformanceRow]):
    """

    from_: datetime.date
    to: datetime.date
    region_code: None | str
    generated_at: datetime.datetime
    rows: list[AgencyPerformanceRow]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from_ = self.from_.isoformat()

        to = self.to.isoformat()

        region_code: None | str
        region_code = self.region_code

        generated_at = self.generated_at.isoformat()

        rows = []
        for rows_item_data in self.rows:
            rows_item = rows_item_data.to_dict()
            rows.append(rows_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "from": from_,
                "to": to,
                "region_code": region_code,
                "generated_at": generated_at,
                "rows": rows,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.agency_performance_row import AgencyPerformanceRow  # noqa: PLC0415

        d = dict(src_dict)
        from_ = datetime.date.fromisoformat(d.pop("from"))

        to = datetime.date.fromisoformat(d.pop("to"))

        def _parse_region_code(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        region_code = _parse_region_code(d.pop("region_code"))

        generated_at = datetime.datetime.fromisoformat(d.pop("generated_at"))

        rows = []
        _rows = d.pop("rows")
        for rows_item_data in _rows:
            rows_item = AgencyPerformanceRow.from_dict(rows_item_data)

            rows.append(rows_item)

        agency_performance_report = cls(
            from_=from_,
            to=to,
            region_code=region_code,
            generated_at=generated_at,
            rows=rows,
        )

        agency_performance_report.additional_properties = d
        return agency_performance_report

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
