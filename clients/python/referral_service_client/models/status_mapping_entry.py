from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.mapped_action import MappedAction
from ..models.response_outcome import ResponseOutcome
from ..types import UNSET, Unset

T = TypeVar("T", bound="StatusMappingEntry")


@_attrs_define
class StatusMappingEntry:
    """What one of the agency's own status words does when pushed.

    Attributes:
        action (MappedAction): Only what an agency may do itself can be mapped: its pushes act as the agency.
        outcome (None | ResponseOutcome | Unset): Only for `respond`: the outcome to report when the push does not carry
            one.
    """

    action: MappedAction
    outcome: None | ResponseOutcome | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        action = self.action.value

        outcome: None | str | Unset
        if isinstance(self.outcome, Unset):
            outcome = UNSET
        elif isinstance(self.outcome, ResponseOutcome):
            outcome = self.outcome.value
        else:
            outcome = self.outcome

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "action": action,
            }
        )
        if outcome is not UNSET:
            field_dict["outcome"] = outcome

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        action = MappedAction(d.pop("action"))

        def _parse_outcome(data: object) -> None | ResponseOutcome | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                outcome_type_0 = ResponseOutcome(data)

                return outcome_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ResponseOutcome | Unset, data)

        outcome = _parse_outcome(d.pop("outcome", UNSET))

        status_mapping_entry = cls(
            action=action,
            outcome=outcome,
        )

        return status_mapping_entry
