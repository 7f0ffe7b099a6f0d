from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define

from ..models.inbound_push_event_responded_event_responded_data_response_outcome import (
    InboundPushEventRespondedEventRespondedDataResponseOutcome,
)
from ..types import UNSET, Unset

T = TypeVar("T", bound="InboundPushEventRespondedEventRespondedData")


@_attrs_define
class InboundPushEventRespondedEventRespondedData:
    """
    Attributes:
        outcome (InboundPushEventRespondedEventRespondedDataResponseOutcome): What the agency reports back when it
            responds.
        summary (str):
        referral_id (None | Unset | UUID): The referral's id in this service.
        external_ref (None | str | Unset): Your own id for the referral, once recorded.
        attachment_ids (list[UUID] | Unset): Documents uploaded first through `POST
            /v1/inbound/{agency_code}/attachments`, attached to the referral with this push (each once; 422 for an id that
            is not such an upload of your agency).
        actions_taken (None | str | Unset):
    """

    outcome: InboundPushEventRespondedEventRespondedDataResponseOutcome
    summary: str
    referral_id: None | Unset | UUID = UNSET
    external_ref: None | str | Unset = UNSET
    attachment_ids: list[UUID] | Unset = UNSET
    actions_taken: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        outcome = self.outcome.value

        summary = self.summary

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

        actions_taken: None | str | Unset
        if isinstance(self.actions_taken, Unset):
            actions_taken = UNSET
        else:
            actions_taken = self.actions_taken

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "outcome": outcome,
                "summary": summary,
            }
        )
        if referral_id is not UNSET:
            field_dict["referral_id"] = referral_id
        if external_ref is not UNSET:
            field_dict["external_ref"] = external_ref
        if attachment_ids is not UNSET:
            field_dict["attachment_ids"] = attachment_ids
        if actions_taken is not UNSET:
            field_dict["actions_taken"] = actions_taken

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        outcome = InboundPushEventRespondedEventRespondedDataResponseOutcome(d.pop("outcome"))

        summary = d.pop("summary")

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

        def _parse_actions_taken(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        actions_taken = _parse_actions_taken(d.pop("actions_taken", UNSET))

        inbound_push_event_responded_event_responded_data = cls(
            outcome=outcome,
            summary=summary,
            referral_id=referral_id,
            external_ref=external_ref,
            attachment_ids=attachment_ids,
            actions_taken=actions_taken,
        )

        return inbound_push_event_responded_event_responded_data
