from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.attachment_event_data import AttachmentEventData


T = TypeVar("T", bound="WebhookAttachmentAdded")


@_attrs_define
class WebhookAttachmentAdded:
    """A document was attached to a complaint or a referral; `attachment` has its metadata and `download_path`. Agencies
    receive it for documents of referrals forwarded to them, never for an identity document of a confidential
    complainant; a complaint's own documents are announced to the Ombudsman side only.

        Attributes:
            type_ (Literal['attachment.added']):
            timestamp (datetime.datetime): When the event happened (RFC 3339).
            data (AttachmentEventData): `data` of `attachment.added`: the event and the attachment's metadata (never its
                bytes: `GET` its
                `download_path` with your API key).
    """

    type_: Literal["attachment.added"]
    timestamp: datetime.datetime
    data: AttachmentEventData
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
        from ..models.attachment_event_data import AttachmentEventData  # noqa: PLC0415

        d = dict(src_dict)
        type_ = cast(Literal["attachment.added"], d.pop("type"))
        if type_ != "attachment.added":
            raise ValueError(f"type must match const 'attachment.added', got '{type_}'")

        timestamp = datetime.datetime.fromisoformat(d.pop("timestamp"))

        data = AttachmentEventData.from_dict(d.pop("data"))

        webhook_attachment_added = cls(
            type_=type_,
            timestamp=timestamp,
            data=data,
        )

        webhook_attachment_added.additional_properties = d
        return webhook_attachment_added

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
