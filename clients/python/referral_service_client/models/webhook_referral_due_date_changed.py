from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.referral_event_data import ReferralEventData


T = TypeVar("T", bound="WebhookReferralDueDateChanged")


@_attrs_define
class WebhookReferralDueDateChanged:
    """The referral's due date moved.

    Attributes:
        type_ (Literal['referral.due_date_changed']):
        timestamp (datetime.datetime): When the event happened (RFC 3339).
        data (ReferralEventData): `data` of referral events: the event and the referral after it.
    """

    type_: Literal["referral.due_date_changed"]
    timestamp: datetime.datetime
    data: ReferralEventData
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        timestamp = self.timestamp.isoformat()

        data = self.data.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "type": type_,
                "timestamp": timestamp,
                "data": data,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.referral_event_data import ReferralEventData  # noqa: PLC0415

        d = dict(src_dict)
        type_ = cast(Literal["referral.due_date_changed"], d.pop("type"))
        if type_ != "referral.due_date_changed":
            raise ValueError(f"type must match const 'referral.due_date_changed', got '{type_}'")

        timestamp = datetime.datetime.fromisoformat(d.pop("timestamp"))

        data = ReferralEventData.from_dict(d.pop("data"))

        webhook_referral_due_date_changed = cls(
            type_=type_,
            timestamp=timestamp,
            data=data,
        )

        webhook_referral_due_date_changed.additional_properties = d
        return webhook_referral_due_date_changed

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
