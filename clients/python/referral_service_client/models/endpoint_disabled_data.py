from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.endpoint_notice import EndpointNotice


T = TypeVar("T", bound="EndpointDisabledData")


@_attrs_define
class EndpointDisabledData:
    """`data` of `webhook.endpoint_disabled`.

    Attributes:
        endpoint (EndpointNotice): A webhook endpoint as described in a notice (never its secret).
    """

    endpoint: EndpointNotice
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        endpoint = self.endpoint.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "endpoint": endpoint,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.endpoint_notice import EndpointNotice  # noqa: PLC0415

        d = dict(src_dict)
        endpoint = EndpointNotice.from_dict(d.pop("endpoint"))

        endpoint_disabled_data = cls(
            endpoint=endpoint,
        )

        endpoint_disabled_data.additional_properties = d
        return endpoint_disabled_data

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
