from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="ExternalRef")


@_attrs_define
class ExternalRef:
    """The complaint's id in another system, e.g. SP4N-LAPOR!.

    Attributes:
        system (str):
        id (str):
    """

    system: str
    id: str

    def to_dict(self) -> dict[str, Any]:
        system = self.system

        id = self.id

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "system": system,
                "id": id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        system = d.pop("system")

        id = d.pop("id")

        external_ref = cls(
            system=system,
            id=id,
        )

        return external_ref
