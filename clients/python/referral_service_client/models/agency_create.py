from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.agency_kind import AgencyKind
from ..types import UNSET, Unset

T = TypeVar("T", bound="AgencyCreate")


@_attrs_define
class AgencyCreate:
    """A new agency in the directory (admin).

    Attributes:
        code (str): Stable identifier, lower case.
        name (str):
        kind (AgencyKind): An Inspektorat (province, regency or city) or another regional office (OPD).
        region_code (str): Kemendagri code of its province or regency/city, from `GET /v1/regions`.
        parent_code (None | str | Unset):
        timezone (str | Unset):  Default: 'Asia/Makassar'.
        active (bool | Unset):  Default: True.
        default_due_working_days (int | None | Unset): Working days the agency has to respond; the service default
            applies when unset.
    """

    code: str
    name: str
    kind: AgencyKind
    region_code: str
    parent_code: None | str | Unset = UNSET
    timezone: str | Unset = "Asia/Makassar"
    active: bool | Unset = True
    default_due_working_days: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        name = self.name

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

        field_dict.update(
            {
                "code": code,
                "name": name,
                "kind": kind,
                "region_code": region_code,
            }
        )
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
        code = d.pop("code")

        name = d.pop("name")

        kind = AgencyKind(d.pop("kind"))

        region_code = d.pop("region_code")

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

        agency_create = cls(
            code=code,
            name=name,
            kind=kind,
            region_code=region_code,
            parent_code=parent_code,
            timezone=timezone,
            active=active,
            default_due_working_days=default_due_working_days,
        )

        return agency_create
