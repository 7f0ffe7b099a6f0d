from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.agency_kind import AgencyKind

T = TypeVar("T", bound="AgencyOut")


@_attrs_define
class AgencyOut:
    """An agency of the directory.

    Attributes:
        code (str):
        name (str):
        kind (AgencyKind): An Inspektorat (province, regency or city) or another regional office (OPD).
        region_code (str):
        parent_code (None | str):
        timezone (str):
        active (bool):
        default_due_working_days (int | None):
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
    """

    code: str
    name: str
    kind: AgencyKind
    region_code: str
    parent_code: None | str
    timezone: str
    active: bool
    default_due_working_days: int | None
    created_at: datetime.datetime
    updated_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        name = self.name

        kind = self.kind.value

        region_code = self.region_code

        parent_code: None | str
        parent_code = self.parent_code

        timezone = self.timezone

        active = self.active

        default_due_working_days: int | None
        default_due_working_days = self.default_due_working_days

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
                "name": name,
                "kind": kind,
                "region_code": region_code,
                "parent_code": parent_code,
                "timezone": timezone,
                "active": active,
                "default_due_working_days": default_due_working_days,
                "created_at": created_at,
                "updated_at": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        code = d.pop("code")

        name = d.pop("name")

        kind = AgencyKind(d.pop("kind"))

        region_code = d.pop("region_code")

        def _parse_parent_code(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        parent_code = _parse_parent_code(d.pop("parent_code"))

        timezone = d.pop("timezone")

        active = d.pop("active")

        def _parse_default_due_working_days(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        default_due_working_days = _parse_default_due_working_days(d.pop("default_due_working_days"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        agency_out = cls(
            code=code,
            name=name,
            kind=kind,
            region_code=region_code,
            parent_code=parent_code,
            timezone=timezone,
            active=active,
            default_due_working_days=default_due_working_days,
            created_at=created_at,
            updated_at=updated_at,
        )

        agency_out.additional_properties = d
        return agency_out

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
