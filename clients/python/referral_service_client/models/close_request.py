from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.resolution import Resolution
from ..types import UNSET, Unset

T = TypeVar("T", bound="CloseRequest")


@_attrs_define
class CloseRequest:
    """Close the referral with a resolution.

    Attributes:
        resolution (Resolution): Why the Ombudsman closed the referral.

            `not_resolved` exists because "closed" must not imply "fixed": comparable systems were
            asked by their users for exactly that distinction.
        note (None | str | Unset):
    """

    resolution: Resolution
    note: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        resolution = self.resolution.value

        note: None | str | Unset
        if isinstance(self.note, Unset):
            note = UNSET
        else:
            note = self.note

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "resolution": resolution,
            }
        )
        if note is not UNSET:
            field_dict["note"] = note

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        resolution = Resolution(d.pop("resolution"))

        def _parse_note(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        note = _parse_note(d.pop("note", UNSET))

        close_request = cls(
            resolution=resolution,
            note=note,
        )

        return close_request
