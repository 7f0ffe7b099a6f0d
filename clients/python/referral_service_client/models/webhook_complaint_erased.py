from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.complaint_event_data import ComplaintEventData


T = TypeVar("T", bound="WebhookComplaintErased")


@_attrs_define
class WebhookComplaintErased:
    """The complainant's personal data was erased (on request or by retention); `details.reason` says why.

    Attributes:
        type_ (Literal['complaint.erased']):
        timestamp (datetime.datetime): When the event happened (RFC 3339).
        data (ComplaintEventData): `data` of complaint events: the event and the complaint after it.
    """

    type_: Literal["complaint.erased"]
    timestamp: datetime.datetime
    data: ComplaintEventData
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
        from ..models.complaint_event_data import ComplaintEventData  # noqa: PLC0415

        d = dict(src_dict)
        type_ = cast(Literal["complaint.erased"], d.pop("type"))
        if type_ != "complaint.erased":
            raise ValueError(f"type must match const 'complaint.erased', got '{type_}'")

        timestamp = datetime.datetime.fromisoformat(d.pop("timestamp"))

        data = ComplaintEventData.from_dict(d.pop("data"))

        webhook_complaint_erased = cls(
            type_=type_,
            timestamp=timestamp,
            data=data,
        )

        webhook_complaint_erased.additional_properties = d
        return webhook_complaint_erased

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
