from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="ForwardRequest")


@_attrs_define
class ForwardRequest:
    """Send a `received` referral to its agency; the deadline starts. The body may be omitted.

    Attributes:
        instructions (None | str | Unset): Replaces the instructions when given.
        due_working_days (int | None | Unset): Working days the agency has to respond; defaults to the agency's setting,
            then the service default (14).
    """

    instructions: None | str | Unset = UNSET
    due_working_days: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        instructions: None | str | Unset
        if isinstance(self.instructions, Unset):
            instructions = UNSET
        else:
            instructions = self.instructions

        due_working_days: int | None | Unset
        if isinstance(self.due_working_days, Unset):
            due_working_days = UNSET
        else:
            due_working_days = self.due_working_days

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if instructions is not UNSET:
            field_dict["instructions"] = instructions
        if due_working_days is not UNSET:
            field_dict["due_working_days"] = due_working_days

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_instructions(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        instructions = _parse_instructions(d.pop("instructions", UNSET))

        def _parse_due_working_days(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        due_working_days = _parse_due_working_days(d.pop("due_working_days", UNSET))

        forward_request = cls(
            instructions=instructions,
            due_working_days=due_working_days,
        )

        return forward_request
