from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.role import Role
from ..types import UNSET, Unset

T = TypeVar("T", bound="ApiKeyCreate")


@_attrs_define
class ApiKeyCreate:
    """A new API key: its role and, for agency keys, the agency it acts for.

    Attributes:
        role (Role): `admin` operates the platform; `ombudsman` is Ombudsman staff (optionally region-limited); `agency`
            acts for one agency.
        name (str): Who uses this key, for humans.
        agency_code (None | str | Unset): Required for, and only for, `agency` keys.
        region_code (None | str | Unset): Only for `ombudsman` keys: limits the key to a region from `GET /v1/regions`
            and everything below it, e.g. `64`.
    """

    role: Role
    name: str
    agency_code: None | str | Unset = UNSET
    region_code: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        role = self.role.value

        name = self.name

        agency_code: None | str | Unset
        if isinstance(self.agency_code, Unset):
            agency_code = UNSET
        else:
            agency_code = self.agency_code

        region_code: None | str | Unset
        if isinstance(self.region_code, Unset):
            region_code = UNSET
        else:
            region_code = self.region_code

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "role": role,
                "name": name,
            }
        )
        if agency_code is not UNSET:
            field_dict["agency_code"] = agency_code
        if region_code is not UNSET:
            field_dict["region_code"] = region_code

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        role = Role(d.pop("role"))

        name = d.pop("name")

        def _parse_agency_code(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        agency_code = _parse_agency_code(d.pop("agency_code", UNSET))

        def _parse_region_code(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        region_code = _parse_region_code(d.pop("region_code", UNSET))

        api_key_create = cls(
            role=role,
            name=name,
            agency_code=agency_code,
            region_code=region_code,
        )

        return api_key_create
