from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="ReportedParty")


@_attrs_define
class ReportedParty:
    """The office or official complained about: an agency in the directory, a name, or both.

    Attributes:
        agency_code (None | str | Unset):
        name (None | str | Unset):
    """

    agency_code: None | str | Unset = UNSET
    name: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        agency_code: None | str | Unset
        if isinstance(self.agency_code, Unset):
            agency_code = UNSET
        else:
            agency_code = self.agency_code

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if agency_code is not UNSET:
            field_dict["agency_code"] = agency_code
        if name is not UNSET:
            field_dict["name"] = name

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_agency_code(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        agency_code = _parse_agency_code(d.pop("agency_code", UNSET))

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        reported_party = cls(
            agency_code=agency_code,
            name=name,
        )

        return reported_party
