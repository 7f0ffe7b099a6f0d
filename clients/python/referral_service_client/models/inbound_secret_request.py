from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="InboundSecretRequest")


@_attrs_define
class InboundSecretRequest:
    """Issue a new inbound signing secret. The body may be omitted (24 hours of overlap).

    Attributes:
        overlap_hours (int | Unset): Hours during which the previous secret still verifies, so the sender can switch
            over. 0 ends it now. Default: 24.
    """

    overlap_hours: int | Unset = 24

    def to_dict(self) -> dict[str, Any]:
        overlap_hours = self.overlap_hours

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if overlap_hours is not UNSET:
            field_dict["overlap_hours"] = overlap_hours

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        overlap_hours = d.pop("overlap_hours", UNSET)

        inbound_secret_request = cls(
            overlap_hours=overlap_hours,
        )

        return inbound_secret_request
