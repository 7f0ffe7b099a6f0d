from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="IdentityReadOut")


@_attrs_define
class IdentityReadOut:
    """One response that showed a confidential complainant's identity.

    Attributes:
        id (int):
        read_at (datetime.datetime):
        key_id (None | UUID): The API key that read it.
        role (str): `admin` or `ombudsman`.
        complaint_id (UUID):
        route (str): The route template, e.g. `/v1/complaints/{complaint_id}`.
        method (str):
        access_reason (None | str): The `X-Access-Reason` header the reader sent, if any.
        request_id (None | str):
    """

    id: int
    read_at: datetime.datetime
    key_id: None | UUID
    role: str
    complaint_id: UUID
    route: str
    method: str
    access_reason: None | str
    request_id: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        read_at = self.read_at.isoformat()

        key_id: None | str
        if isinstance(self.key_id, UUID):
            key_id = str(self.key_id)
        else:
            key_id = self.key_id

        role = self.role

        complaint_id = str(self.complaint_id)

        route = self.route

        method = self.method

        access_reason: None | str
        access_reason = self.access_reason

        request_id: None | str
        request_id = self.request_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "read_at": read_at,
                "key_id": key_id,
                "role": role,
                "complaint_id": complaint_id,
                "route": route,
                "method": method,
                "access_reason": access_reason,
                "request_id": request_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        read_at = datetime.datetime.fromisoformat(d.pop("read_at"))

        def _parse_key_id(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                key_id_type_0 = UUID(data)

                return key_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        key_id = _parse_key_id(d.pop("key_id"))

        role = d.pop("role")

        complaint_id = UUID(d.pop("complaint_id"))

        route = d.pop("route")

        method = d.pop("method")

        def _parse_access_reason(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        access_reason = _parse_access_reason(d.pop("access_reason"))

        def _parse_request_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        request_id = _parse_request_id(d.pop("request_id"))

        identity_read_out = cls(
            id=id,
            read_at=read_at,
            key_id=key_id,
            role=role,
            complaint_id=complaint_id,
            route=route,
            method=method,
            access_reason=access_reason,
            request_id=request_id,
        )

        identity_read_out.additional_properties = d
        return identity_read_out

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
