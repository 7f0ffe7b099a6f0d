from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.agency_kind import AgencyKind
from ..types import UNSET, Unset

T = TypeVar("T", bound="AgencyUpdate")


@_attrs_define
class AgencyUpdate:
    """Fields present are changed; fields absent stay as they are. Only `parent_code` and
    `default_due_working_days` may be set to null (no parent; the service default).

        Attributes:
            name (str | Unset):
            kind (AgencyKind | Unset): An Inspektorat (province, regency or city) or another regional office (OPD).
            region_code (str | Unset):
            parent_code (None | str | Unset):
            timezone (str | Unset):
            active (bool | Unset):
            default_due_working_days (int | None | Unset):
    """

    name: str | Unset = UNSET
    kind: AgencyKind | Unset = UNSET
    region_code: str | Unset = UNSET
    parent_code: None | str | Unset = UNSET
    timezone: str | Unset = UNSET
    active: bool | Unset = UNSET
    default_due_working_days: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        kind: str | Unset = UNSET
        if not isinstance(self.kind, Unset):
            kind = self.kind.value

        region_code = self.region_code

        parent_code: None | str | Unset
        if isinstance(self.parent_code, Unset):
            parent_code = UNSET
        else:
            parent_code = self.parent_code

        timezone = self.timezone

        active = self.active

        default_due_working_days: int | None | Unset
        if isinstance(self.default_due_working_days, Unset):
            default_due_working_days = UNSET
        else:
            default_due_working_days = self.default_due_working_days

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if name is not UNSET:
            field_dict["name"] = name
        if kind is not UNSET:
            field_dict["kind"] = kind
        if region_code is not UNSET:
            field_dict["region_code"] = region_code
        if parent_code is not UNSET:
            field_dict["parent_code"] = parent_code
        if timezone is not UNSET:
            field_dict["timezone"] = timezone
        if active is not UNSET:
            field_dict["active"] = active
        if default_due_working_days is not UNSET:
            field_dict["default_due_working_days"] = default_due_working_days

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        name = d.pop("name", UNSET)

        _kind = d.pop("kind", UNSET)
        kind: AgencyKind | Unset
        if isinstance(_kind, Unset):
            kind = UNSET
        else:
            kind = AgencyKind(_kind)

        region_code = d.pop("region_code", UNSET)

        def _parse_parent_code(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        parent_code = _parse_parent_code(d.pop("parent_code", UNSET))

        timezone = d.pop("timezone", UNSET)

        active = d.pop("active", UNSET)

        def _parse_default_due_working_days(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        default_due_working_days = _parse_default_due_working_days(d.pop("default_due_working_days", UNSET))

        agency_update = cls(
            name=name,
            kind=kind,
            region_code=region_code,
            parent_code=parent_code,
            timezone=timezone,
            active=active,
            default_due_working_days=default_due_working_days,
        )

        return agency_update
