from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.role import Role

T = TypeVar("T", bound="EndpointOwner")


@_attrs_define
class EndpointOwner:
    """The key scope a subscription was created with.

    Attributes:
        role (Role): `admin` operates the platform; `ombudsman` is Ombudsman staff (optionally region-limited); `agency`
            acts for one agency.
        agency_code (None | str):
        region_code (None | str):
    """

    role: Role
    agency_code: None | str
    region_code: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        role = self.role.value

        agency_code: None | str
        agency_code = self.agency_code

        region_code: None | str
        region_code = self.region_code

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "role": role,
                "agency_code": agency_code,
                "region_code": region_code,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        role = Role(d.pop("role"))

        def _parse_agency_code(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        agency_code = _parse_agency_code(d.pop("agency_code"))

        def _parse_region_code(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        region_code = _parse_region_code(d.pop("region_code"))

        endpoint_owner = cls(
            role=role,
            agency_code=agency_code,
            region_code=region_code,
        )

        endpoint_owner.additional_properties = d
        return endpoint_owner

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
