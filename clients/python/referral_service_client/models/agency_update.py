from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.agency_kind import AgencyKind
from ..types import UNSET, Unset

T = TypeVar("T", bound="AgencyUpdate")


@_attrs_define
class AgencyUpdate:
    """Fields present are changed; fields absent stay as they are.

    Attributes:
        name (None | str | Unset):
        kind (AgencyKind | None | Unset):
        region_code (None | str | Unset):
        parent_code (None | str | Unset):
        timezone (None | str | Unset):
        active (bool | None | Unset):
        default_due_working_days (int | None | Unset):
    """

    name: None | str | Unset = UNSET
    kind: AgencyKind | None | Unset = UNSET
    region_code: None | str | Unset = UNSET
    parent_code: None | str | Unset = UNSET
    timezone: None | str | Unset = UNSET
    active: bool | None | Unset = UNSET
    default_due_working_days: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        kind: None | str | Unset
        if isinstance(self.kind, Unset):
            kind = UNSET
        elif isinstance(self.kind, AgencyKind):
            kind = self.kind.value
        else:
            kind = self.kind

        region_code: None | str | Unset
        if isinstance(self.region_code, Unset):
            region_code = UNSET
        else:
            region_code = self.region_code

        parent_code: None | str | Unset
        if isinstance(self.parent_code, Unset):
            parent_code = UNSET
        else:
            parent_code = self.parent_code

        timezone: None | str | Unset
        if isinstance(self.timezone, Unset):
            timezone = UNSET
        else:
            timezone = self.timezone

        active: bool | None | Unset
        if isinstance(self.active, Unset):
            active = UNSET
        else:
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

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        def _parse_kind(data: object) -> AgencyKind | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                kind_type_0 = AgencyKind(data)

                return kind_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(AgencyKind | None | Unset, data)

        kind = _parse_kind(d.pop("kind", UNSET))

        def _parse_region_code(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        region_code = _parse_region_code(d.pop("region_code", UNSET))

        def _parse_parent_code(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        parent_code = _parse_parent_code(d.pop("parent_code", UNSET))

        def _parse_timezone(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        timezone = _parse_timezone(d.pop("timezone", UNSET))

        def _parse_active(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        active = _parse_active(d.pop("active", UNSET))

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
