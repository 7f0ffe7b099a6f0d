from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.inbound_push_event_acknowledged_event_acknowledged_data import (
        InboundPushEventAcknowledgedEventAcknowledgedData,
    )


T = TypeVar("T", bound="InboundPushEventAcknowledgedEvent")


@_attrs_define
class InboundPushEventAcknowledgedEvent:
    """
    Attributes:
        timestamp (datetime.datetime): When the change happened in your system (RFC 3339).
        type_ (Literal['referral.acknowledged']):
        data (InboundPushEventAcknowledgedEventAcknowledgedData): With `referral_id`, `external_ref` is recorded as your
            id for the referral (as in the REST call).
    """

    timestamp: datetime.datetime
    type_: Literal["referral.acknowledged"]
    data: InboundPushEventAcknowledgedEventAcknowledgedData

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
        from ..models.inbound_push_event_acknowledged_event_acknowledged_data import (
            InboundPushEventAcknowledgedEventAcknowledgedData,  # noqa: PLC0415
        )

        d = dict(src_dict)
        timestamp = datetime.datetime.fromisoformat(d.pop("timestamp"))

        type_ = cast(Literal["referral.acknowledged"], d.pop("type"))
        if type_ != "referral.acknowledged":
            raise ValueError(f"type must match const 'referral.acknowledged', got '{type_}'")

        data = InboundPushEventAcknowledgedEventAcknowledgedData.from_dict(d.pop("data"))

        inbound_push_event_acknowledged_event = cls(
            timestamp=timestamp,
            type_=type_,
            data=data,
        )

        return inbound_push_event_acknowledged_event
