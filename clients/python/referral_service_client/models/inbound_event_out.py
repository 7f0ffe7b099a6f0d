from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.inbound_event_out_status import InboundEventOutStatus

T = TypeVar("T", bound="InboundEventOut")


@_attrs_define
class InboundEventOut:
    """One push as received, with the answer it got (the agency's inbox log).

    Attributes:
        id (UUID):
        agency_code (str):
        status (InboundEventOutStatus):
        status_code (int): The HTTP status the push was answered with.
        reason (None | str): Why it was rejected (or what was done), in words.
        webhook_id (None | str): Null when the signature did not verify: nothing in it can be trusted.
        webhook_timestamp (int | None):
        type_ (None | str):
        referral_id (None | UUID):
        deliveries (int): How many times this webhook-id arrived; redeliveries got the same answer.
        received_at (datetime.datetime):
        last_delivery_at (datetime.datetime):
        payload (Any | None): The body as sent, when it was signed and valid JSON.
        response (Any | None): The body this service answered with.
        source_address (None | str): The address the push came from, as this service's connection saw it: tells your own
            systems' failed pushes from strangers'. Null for pushes recorded before addresses were kept.
    """

    id: UUID
    agency_code: str
    status: InboundEventOutStatus
    status_code: int
    reason: None | str
    webhook_id: None | str
    webhook_timestamp: int | None
    type_: None | str
    referral_id: None | UUID
    deliveries: int
    received_at: datetime.datetime
    last_delivery_at: datetime.datetime
    payload: Any | None
    response: Any | None
    source_address: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        agency_code = self.agency_code

        status = self.status.value

        status_code = self.status_code

        reason: None | str
        reason = self.reason

        webhook_id: None | str
        webhook_id = self.webhook_id

        webhook_timestamp: int | None
        webhook_timestamp = self.webhook_timestamp

        type_: None | str
        type_ = self.type_

        referral_id: None | str
        if isinstance(self.referral_id, UUID):
            referral_id = str(self.referral_id)
        else:
            referral_id = self.referral_id

        deliveries = self.deliveries

        received_at = self.received_at.isoformat()

        last_delivery_at = self.last_delivery_at.isoformat()

        payload: Any | None
        payload = self.payload

        response: Any | None
        response = self.response

        source_address: None | str
        source_address = self.source_address

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "agency_code": agency_code,
                "status": status,
                "status_code": status_code,
                "reason": reason,
                "webhook_id": webhook_id,
                "webhook_timestamp": webhook_timestamp,
                "type": type_,
                "referral_id": referral_id,
                "deliveries": deliveries,
                "received_at": received_at,
                "last_delivery_at": last_delivery_at,
                "payload": payload,
                "response": response,
                "source_address": source_address,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = UUID(d.pop("id"))

        agency_code = d.pop("agency_code")

        status = InboundEventOutStatus(d.pop("status"))

        status_code = d.pop("status_code")

        def _parse_reason(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        reason = _parse_reason(d.pop("reason"))

        def _parse_webhook_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        webhook_id = _parse_webhook_id(d.pop("webhook_id"))

        def _parse_webhook_timestamp(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        webhook_timestamp = _parse_webhook_timestamp(d.pop("webhook_timestamp"))

        def _parse_type_(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        type_ = _parse_type_(d.pop("type"))

        def _parse_referral_id(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                referral_id_type_0 = UUID(data)

                return referral_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        referral_id = _parse_referral_id(d.pop("referral_id"))

        deliveries = d.pop("deliveries")

        received_at = datetime.datetime.fromisoformat(d.pop("received_at"))

        last_delivery_at = datetime.datetime.fromisoformat(d.pop("last_delivery_at"))

        def _parse_payload(data: object) -> Any | None:
            if data is None:
                return data
            return cast(Any | None, data)

        payload = _parse_payload(d.pop("payload"))

        def _parse_response(data: object) -> Any | None:
            if data is None:
                return data
            return cast(Any | None, data)

        response = _parse_response(d.pop("response"))

        def _parse_source_address(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        source_address = _parse_source_address(d.pop("source_address"))

        inbound_event_out = cls(
            id=id,
            agency_code=agency_code,
            status=status,
            status_code=status_code,
            reason=reason,
            webhook_id=webhook_id,
            webhook_timestamp=webhook_timestamp,
            type_=type_,
            referral_id=referral_id,
            deliveries=deliveries,
            received_at=received_at,
            last_delivery_at=last_delivery_at,
            payload=payload,
            response=response,
            source_address=source_address,
        )

        inbound_event_out.additional_properties = d
        return inbound_event_out

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
