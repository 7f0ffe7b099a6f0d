from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.role import Role

T = TypeVar("T", bound="ApiKeyOut")


@_attrs_define
class ApiKeyOut:
    """An issued API key (never the key itself).

    Attributes:
        id (UUID):
        role (Role): `admin` operates the platform; `ombudsman` is Ombudsman staff (optionally region-limited); `agency`
            acts for one agency.
        name (str):
        agency_code (None | str):
        region_code (None | str):
        key_prefix (str): The first characters of the key, to recognise it.
        created_at (datetime.datetime):
        revoked_at (datetime.datetime | None):
    """

    id: UUID
    role: Role
    name: str
    agency_code: None | str
    region_code: None | str
    key_prefix: str
    created_at: datetime.datetime
    revoked_at: datetime.datetime | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        role = self.role.value

        name = self.name

        agency_code: None | str
        agency_code = self.agency_code

        region_code: None | str
        region_code = self.region_code

        key_prefix = self.key_prefix

        created_at = self.created_at.isoformat()

        revoked_at: None | str
        if isinstance(self.revoked_at, datetime.datetime):
            revoked_at = self.revoked_at.isoformat()
        else:
            revoked_at = self.revoked_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "role": role,
                "name": name,
                "agency_code": agency_code,
                "region_code": region_code,
                "key_prefix": key_prefix,
                "created_at": created_at,
                "revoked_at": revoked_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = UUID(d.pop("id"))

        role = Role(d.pop("role"))

        name = d.pop("name")

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

        key_prefix = d.pop("key_prefix")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_revoked_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                revoked_at_type_0 = datetime.datetime.fromisoformat(data)

                return revoked_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        revoked_at = _parse_revoked_at(d.pop("revoked_at"))

        api_key_out = cls(
            id=id,
            role=role,
            name=name,
            agency_code=agency_code,
            region_code=region_code,
            key_prefix=key_prefix,
            created_at=created_at,
            revoked_at=revoked_at,
        )

        api_key_out.additional_properties = d
        return api_key_out

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
