from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.inbound_push_event_responded_event_responded_data import InboundPushEventRespondedEventRespondedData


T = TypeVar("T", bound="InboundPushEventRespondedEvent")


@_attrs_define
class InboundPushEventRespondedEvent:
    """
    Attributes:
        timestamp (datetime.datetime): When the change happened in your system (RFC 3339).
        type_ (Literal['referral.responded']):
        data (InboundPushEventRespondedEventRespondedData):
    """

    timestamp: datetime.datetime
    type_: Literal["referral.responded"]
    data: InboundPushEventRespondedEventRespondedData

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
        from ..models.inbound_push_event_responded_event_responded_data import (
            InboundPushEventRespondedEventRespondedData,  # noqa: PLC0415
        )

        d = dict(src_dict)
        timestamp = datetime.datetime.fromisoformat(d.pop("timestamp"))

        type_ = cast(Literal["referral.responded"], d.pop("type"))
        if type_ != "referral.responded":
            raise ValueError(f"type must match const 'referral.responded', got '{type_}'")

        data = InboundPushEventRespondedEventRespondedData.from_dict(d.pop("data"))

        inbound_push_event_responded_event = cls(
            timestamp=timestamp,
            type_=type_,
            data=data,
        )

        return inbound_push_event_responded_event
