from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.response_outcome import ResponseOutcome
from ..types import UNSET, Unset

T = TypeVar("T", bound="ResponseOut")


@_attrs_define
class ResponseOut:
    """The agency's latest answer.

    Attributes:
        outcome (ResponseOutcome): What the agency reports back when it responds.
        summary (str):
        responded_at (datetime.datetime):
        actions_taken (None | str | Unset):
    """

    outcome: ResponseOutcome
    summary: str
    responded_at: datetime.datetime
    actions_taken: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        outcome = self.outcome.value

        summary = self.summary

        responded_at = self.responded_at.isoformat()

        actions_taken: None | str | Unset
        if isinstance(self.actions_taken, Unset):
            actions_taken = UNSET
        else:
            actions_taken = self.actions_taken

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "outcome": outcome,
                "summary": summary,
                "responded_at": responded_at,
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

        responded_at = datetime.datetime.fromisoformat(d.pop("responded_at"))

        def _parse_actions_taken(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        actions_taken = _parse_actions_taken(d.pop("actions_taken", UNSET))

        response_out = cls(
            outcome=outcome,
            summary=summary,
            responded_at=responded_at,
            actions_taken=actions_taken,
        )

        response_out.additional_properties = d
        return response_out

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
