from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.inbound_push_event_status_changed_event_status_changed_data import (
        InboundPushEventStatusChangedEventStatusChangedData,
    )


T = TypeVar("T", bound="InboundPushEventStatusChangedEvent")


@_attrs_define
class InboundPushEventStatusChangedEvent:
    """
    Attributes:
        timestamp (datetime.datetime): When the change happened in your system (RFC 3339).
        type_ (Literal['referral.status_changed']):
        data (InboundPushEventStatusChangedEventStatusChangedData): Your system's own status word; the agency's status
            mapping decides what it does.
    """

    timestamp: datetime.datetime
    type_: Literal["referral.status_changed"]
    data: InboundPushEventStatusChangedEventStatusChangedData

    def to_dict(self) -> dict[str, Any]:
        timestamp = self.timestamp.isoformat()

        type_ = self.type_

        data = self.data.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "timestamp": timestamp,
                "type": type_,
                "data": data,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.inbound_push_event_status_changed_event_status_changed_data import (
            InboundPushEventStatusChangedEventStatusChangedData,  # noqa: PLC0415
        )

        d = dict(src_dict)
        timestamp = datetime.datetime.fromisoformat(d.pop("timestamp"))

        type_ = cast(Literal["referral.status_changed"], d.pop("type"))
        if type_ != "referral.status_changed":
            raise ValueError(f"type must match const 'referral.status_changed', got '{type_}'")

        data = InboundPushEventStatusChangedEventStatusChangedData.from_dict(d.pop("data"))

        inbound_push_event_status_changed_event = cls(
            timestamp=timestamp,
            type_=type_,
            data=data,
        )

        return inbound_push_event_status_changed_event
