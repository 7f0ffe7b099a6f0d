from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.response_outcome import ResponseOutcome
from ..types import UNSET, Unset

T = TypeVar("T", bound="RespondRequest")


@_attrs_define
class RespondRequest:
    """The agency's answer.

    Attributes:
        outcome (ResponseOutcome): What the agency reports back when it responds.
        summary (str):
        actions_taken (None | str | Unset):
    """

    outcome: ResponseOutcome
    summary: str
    actions_taken: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        outcome = self.outcome.value

        summary = self.summary

        actions_taken: None | str | Unset
        if isinstance(self.actions_taken, Unset):
            actions_taken = UNSET
        else:
            actions_taken = self.actions_taken

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "outcome": outcome,
                "summary": summary,
            }
        )
        if actions_taken is not UNSET:
            field_dict["actions_taken"] = actions_taken

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        outcome = ResponseOutcome(d.pop("outcome"))

        summary = d.pop("summary")

        def _parse_actions_taken(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        actions_taken = _parse_actions_taken(d.pop("actions_taken", UNSET))

        respond_request = cls(
            outcome=outcome,
            summary=summary,
            actions_taken=actions_taken,
        )

        return respond_request
