from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.test_data import TestData


T = TypeVar("T", bound="WebhookWebhookTest")


@_attrs_define
class WebhookWebhookTest:
    """Sent on request (`POST /v1/webhook-endpoints/{id}/test`) to that endpoint only.

    Attributes:
        type_ (Literal['webhook.test']):
        timestamp (datetime.datetime): When the event happened (RFC 3339).
        data (TestData): `data` of `webhook.test`.
    """

    type_: Literal["webhook.test"]
    timestamp: datetime.datetime
    data: TestData
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
        from ..models.test_data import TestData  # noqa: PLC0415

        d = dict(src_dict)
        type_ = cast(Literal["webhook.test"], d.pop("type"))
        if type_ != "webhook.test":
            raise ValueError(f"type must match const 'webhook.test', got '{type_}'")

        timestamp = datetime.datetime.fromisoformat(d.pop("timestamp"))

        data = TestData.from_dict(d.pop("data"))

        webhook_webhook_test = cls(
            type_=type_,
            timestamp=timestamp,
            data=data,
        )

        webhook_webhook_test.additional_properties = d
        return webhook_webhook_test

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
