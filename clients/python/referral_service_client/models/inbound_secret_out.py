from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="InboundSecretOut")


@_attrs_define
class InboundSecretOut:
    """The agency's new inbound signing secret (shown only here).

    Attributes:
        agency_code (str):
        secret (str): The new signing secret (`whsec_` + base64). Shown only in this response.
        rotated_at (datetime.datetime):
        previous_valid_until (datetime.datetime | None): Until when the secret this one replaced is still accepted; null
            when there was none.
    """

    agency_code: str
    secret: str
    rotated_at: datetime.datetime
    previous_valid_until: datetime.datetime | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        agency_code = self.agency_code

        secret = self.secret

        rotated_at = self.rotated_at.isoformat()

        previous_valid_until: None | str
        if isinstance(self.previous_valid_until, datetime.datetime):
            previous_valid_until = self.previous_valid_until.isoformat()
        else:
            previous_valid_until = self.previous_valid_until

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "agency_code": agency_code,
                "secret": secret,
                "rotated_at": rotated_at,
                "previous_valid_until": previous_valid_until,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        agency_code = d.pop("agency_code")

        secret = d.pop("secret")

        rotated_at = datetime.datetime.fromisoformat(d.pop("rotated_at"))

        def _parse_previous_valid_until(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                previous_valid_until_type_0 = datetime.datetime.fromisoformat(data)

                return previous_valid_until_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        previous_valid_until = _parse_previous_valid_until(d.pop("previous_valid_until"))

        inbound_secret_out = cls(
            agency_code=agency_code,
            secret=secret,
            rotated_at=rotated_at,
            previous_valid_until=previous_valid_until,
        )

        inbound_secret_out.additional_properties = d
        return inbound_secret_out

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
