from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define

from ..models.inbound_push_event_status_changed_event_status_changed_data_response_outcome import (
    InboundPushEventStatusChangedEventStatusChangedDataResponseOutcome,
)
from ..types import UNSET, Unset

T = TypeVar("T", bound="InboundPushEventStatusChangedEventStatusChangedData")


@_attrs_define
class InboundPushEventStatusChangedEventStatusChangedData:
    """Your system's own status word; the agency's status mapping decides what it does.

    Attributes:
        status (str):
        referral_id (None | Unset | UUID): The referral's id in this service.
        external_ref (None | str | Unset): Your own id for the referral, once recorded.
        attachment_ids (list[UUID] | Unset): Documents uploaded first through `POST
            /v1/inbound/{agency_code}/attachments`, attached to the referral with this push (each once; 422 for an id that
            is not such an upload of your agency).
        summary (None | str | Unset): Required when the word maps to `respond`.
        outcome (InboundPushEventStatusChangedEventStatusChangedDataResponseOutcome | None | Unset): Overrides the
            mapping's outcome for `respond`.
        actions_taken (None | str | Unset):
        text (None | str | Unset): Required when the word maps to `add_note`.
        new_external_ref (None | str | Unset): For `acknowledge`: record your id for the referral.
    """

    status: str
    referral_id: None | Unset | UUID = UNSET
    external_ref: None | str | Unset = UNSET
    attachment_ids: list[UUID] | Unset = UNSET
    summary: None | str | Unset = UNSET
    outcome: InboundPushEventStatusChangedEventStatusChangedDataResponseOutcome | None | Unset = UNSET
    actions_taken: None | str | Unset = UNSET
    text: None | str | Unset = UNSET
    new_external_ref: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        status = self.status

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

        summary: None | str | Unset
        if isinstance(self.summary, Unset):
            summary = UNSET
        else:
            summary = self.summary

        outcome: None | str | Unset
        if isinstance(self.outcome, Unset):
            outcome = UNSET
        elif isinstance(self.outcome, InboundPushEventStatusChangedEventStatusChangedDataResponseOutcome):
            outcome = self.outcome.value
        else:
            outcome = self.outcome

        actions_taken: None | str | Unset
        if isinstance(self.actions_taken, Unset):
            actions_taken = UNSET
        else:
            actions_taken = self.actions_taken

        text: None | str | Unset
        if isinstance(self.text, Unset):
            text = UNSET
        else:
            text = self.text

        new_external_ref: None | str | Unset
        if isinstance(self.new_external_ref, Unset):
            new_external_ref = UNSET
        else:
            new_external_ref = self.new_external_ref

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "status": status,
            }
        )
        if referral_id is not UNSET:
            field_dict["referral_id"] = referral_id
        if external_ref is not UNSET:
            field_dict["external_ref"] = external_ref
        if attachment_ids is not UNSET:
            field_dict["attachment_ids"] = attachment_ids
        if summary is not UNSET:
            field_dict["summary"] = summary
        if outcome is not UNSET:
            field_dict["outcome"] = outcome
        if actions_taken is not UNSET:
            field_dict["actions_taken"] = actions_taken
        if text is not UNSET:
            field_dict["text"] = text
        if new_external_ref is not UNSET:
            field_dict["new_external_ref"] = new_external_ref

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        status = d.pop("status")

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

        def _parse_summary(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        summary = _parse_summary(d.pop("summary", UNSET))

        def _parse_outcome(
            data: object,
        ) -> InboundPushEventStatusChangedEventStatusChangedDataResponseOutcome | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                outcome_response_outcome = InboundPushEventStatusChangedEventStatusChangedDataResponseOutcome(data)

                return outcome_response_outcome
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(InboundPushEventStatusChangedEventStatusChangedDataResponseOutcome | None | Unset, data)

        outcome = _parse_outcome(d.pop("outcome", UNSET))

        def _parse_actions_taken(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        actions_taken = _parse_actions_taken(d.pop("actions_taken", UNSET))

        def _parse_text(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        text = _parse_text(d.pop("text", UNSET))

        def _parse_new_external_ref(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        new_external_ref = _parse_new_external_ref(d.pop("new_external_ref", UNSET))

        inbound_push_event_status_changed_event_status_changed_data = cls(
            status=status,
            referral_id=referral_id,
            external_ref=external_ref,
            attachment_ids=attachment_ids,
            summary=summary,
            outcome=outcome,
            actions_taken=actions_taken,
            text=text,
            new_external_ref=new_external_ref,
        )

        return inbound_push_event_status_changed_event_status_changed_data
