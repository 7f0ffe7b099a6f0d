from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.feed_item_data import FeedItemData


T = TypeVar("T", bound="FeedItem")


@_attrs_define
class FeedItem:
    """One event, exactly as its webhook delivery to your key's subscription carries it, plus its position.

    Attributes:
        id (int): The event id: the feed's order.
        cursor (str): Pass as `after` to continue after this event.
        type_ (str):
        timestamp (datetime.datetime):
        data (FeedItemData): The webhook body's `data` (see the `webhooks` section).
    """

    id: int
    cursor: str
    type_: str
    timestamp: datetime.datetime
    data: FeedItemData
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        cursor = self.cursor

        type_ = self.type_

        timestamp = self.timestamp.isoformat()

        data = self.data.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "cursor": cursor,
                "type": type_,
                "timestamp": timestamp,
                "data": data,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.feed_item_data import FeedItemData  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        cursor = d.pop("cursor")

        type_ = d.pop("type")

        timestamp = datetime.datetime.fromisoformat(d.pop("timestamp"))

        data = FeedItemData.from_dict(d.pop("data"))

        feed_item = cls(
            id=id,
            cursor=cursor,
            type_=type_,
            timestamp=timestamp,
            data=data,
        )

        feed_item.additional_properties = d
        return feed_item

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
