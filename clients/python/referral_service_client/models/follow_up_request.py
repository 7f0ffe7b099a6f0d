from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="FollowUpRequest")


@_attrs_define
class FollowUpRequest:
    """Send an answered referral back to the agency, with a reason and a new deadline.

    Attributes:
        reason (str):
        due_working_days (int | None | Unset): Working days the agency has to respond; defaults to the agency's setting,
            then the service default (14).
    """

    reason: str
    due_working_days: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        reason = self.reason

        due_working_days: int | None | Unset
        if isinstance(self.due_working_days, Unset):
            due_working_days = UNSET
        else:
            due_working_days = self.due_working_days

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "reason": reason,
            }
        )
        if due_working_days is not UNSET:
            field_dict["due_working_days"] = due_working_days

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        reason = d.pop("reason")

        def _parse_due_working_days(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        due_working_days = _parse_due_working_days(d.pop("due_working_days", UNSET))

        follow_up_request = cls(
            reason=reason,
            due_working_days=due_working_days,
        )

        return follow_up_request
