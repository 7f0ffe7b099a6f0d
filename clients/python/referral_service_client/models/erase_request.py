from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="EraseRequest")


@_attrs_define
class EraseRequest:
    """Why the complainant's personal data is erased now.

    Attributes:
        reason (str): Recorded on the timeline (`complaint.erased`, `details.reason`).
        force (bool | Unset): Erase although a referral is still open (otherwise 409). Default: False.
    """

    reason: str
    force: bool | Unset = False

    def to_dict(self) -> dict[str, Any]:
        reason = self.reason

        force = self.force

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "reason": reason,
            }
        )
        if force is not UNSET:
            field_dict["force"] = force

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        reason = d.pop("reason")

        force = d.pop("force", UNSET)

        erase_request = cls(
            reason=reason,
            force=force,
        )

        return erase_request
