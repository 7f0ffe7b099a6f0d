from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="InboundPushEventAcknowledgedEventAcknowledgedData")


@_attrs_define
class InboundPushEventAcknowledgedEventAcknowledgedData:
    """With `referral_id`, `external_ref` is recorded as your id for the referral (as in the REST call).

    Attributes:
        referral_id (None | Unset | UUID): The referral's id in this service.
        external_ref (None | str | Unset): Your own id for the referral, once recorded.
        attachment_ids (list[UUID] | Unset): Documents uploaded first through `POST
            /v1/inbound/{agency_code}/attachments`, attached to the referral with this push (each once; 422 for an id that
            is not such an upload of your agency).
        new_external_ref (None | str | Unset): Record (or change) your id for the referral.
    """

    referral_id: None | Unset | UUID = UNSET
    external_ref: None | str | Unset = UNSET
    attachment_ids: list[UUID] | Unset = UNSET
    new_external_ref: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        referral_id: None | str | Unset
        if isinstance(self.referral_id, Unset):
            referral_id = UNSET
        elif isinstance(self.referral_id, UUID):
            referral_id = str(self.referral_id)
        else:
            referral_id = self.referral_id

        external_ref: None | str | Unset
        if isinstance(self.external_ref, Unset):
            external_ref = UNSET
        else:
            external_ref = self.external_ref

        attachment_ids: list[str] | Unset = UNSET
        if not isinstance(self.attachment_ids, Unset):
            attachment_ids = []
            for attachment_ids_item_data in self.attachment_ids:
                attachment_ids_item = str(attachment_ids_item_data)
                attachment_ids.append(attachment_ids_item)

        new_external_ref: None | str | Unset
        if isinstance(self.new_external_ref, Unset):
            new_external_ref = UNSET
        else:
            new_external_ref = self.new_external_ref

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if referral_id is not UNSET:
            field_dict["referral_id"] = referral_id
        if external_ref is not UNSET:
            field_dict["external_ref"] = external_ref
        if attachment_ids is not UNSET:
            field_dict["attachment_ids"] = attachment_ids
        if new_external_ref is not UNSET:
            field_dict["new_external_ref"] = new_external_ref

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_referral_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                referral_id_type_0 = UUID(data)

                return referral_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        referral_id = _parse_referral_id(d.pop("referral_id", UNSET))

        def _parse_external_ref(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        external_ref = _parse_external_ref(d.pop("external_ref", UNSET))

        _attachment_ids = d.pop("attachment_ids", UNSET)
        attachment_ids: list[UUID] | Unset = UNSET
        if _attachment_ids is not UNSET:
            attachment_ids = []
            for attachment_ids_item_data in _attachment_ids:
                attachment_ids_item = UUID(attachment_ids_item_data)

                attachment_ids.append(attachment_ids_item)

        def _parse_new_external_ref(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        new_external_ref = _parse_new_external_ref(d.pop("new_external_ref", UNSET))

        inbound_push_event_acknowledged_event_acknowledged_data = cls(
            referral_id=referral_id,
            external_ref=external_ref,
            attachment_ids=attachment_ids,
            new_external_ref=new_external_ref,
        )

        return inbound_push_event_acknowledged_event_acknowledged_data
