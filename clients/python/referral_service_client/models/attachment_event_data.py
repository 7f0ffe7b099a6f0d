from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.attachment_announced import AttachmentAnnounced
    from ..models.attachment_event_data_details import AttachmentEventDataDetails


T = TypeVar("T", bound="AttachmentEventData")


@_attrs_define
class AttachmentEventData:
    """`data` of `attachment.added`: the event and the attachment's metadata (never its bytes: `GET` its
    `download_path` with your API key).

        Attributes:
            event_id (int): The timeline event id.
            complaint_id (UUID):
            referral_id (None | UUID):
            agency_code (None | str):
            state (None | str): The referral's state after the event.
            from_state (None | str):
            sequence (int): Position in the referral's timeline (the complaint's for complaint events), from 1, gapless.
            details (AttachmentEventDataDetails): What the event itself records, e.g. `changed_fields`.
            attachment (AttachmentAnnounced): An attachment as `attachment.added` announces it: its metadata, without the
                file name of an
                identity document (`contains_identity`), since the timeline is kept for good.
    """

    event_id: int
    complaint_id: UUID
    referral_id: None | UUID
    agency_code: None | str
    state: None | str
    from_state: None | str
    sequence: int
    details: AttachmentEventDataDetails
    attachment: AttachmentAnnounced
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        event_id = self.event_id

        complaint_id = str(self.complaint_id)

        referral_id: None | str
        if isinstance(self.referral_id, UUID):
            referral_id = str(self.referral_id)
        else:
            referral_id = self.referral_id

        agency_code: None | str
        agency_code = self.agency_code

        state: None | str
        state = self.state

        from_state: None | str
        from_state = self.from_state

        sequence = self.sequence

        details = self.details.to_dict()

        attachment = self.attachment.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "event_id": event_id,
                "complaint_id": complaint_id,
                "referral_id": referral_id,
                "agency_code": agency_code,
                "state": state,
                "from_state": from_state,
                "sequence": sequence,
                "details": details,
                "attachment": attachment,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.attachment_announced import AttachmentAnnounced  # noqa: PLC0415
        from ..models.attachment_event_data_details import AttachmentEventDataDetails  # noqa: PLC0415

        d = dict(src_dict)
        event_id = d.pop("event_id")

        complaint_id = UUID(d.pop("complaint_id"))

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

        def _parse_agency_code(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        agency_code = _parse_agency_code(d.pop("agency_code"))

        def _parse_state(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        state = _parse_state(d.pop("state"))

        def _parse_from_state(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        from_state = _parse_from_state(d.pop("from_state"))

        sequence = d.pop("sequence")

        details = AttachmentEventDataDetails.from_dict(d.pop("details"))

        attachment = AttachmentAnnounced.from_dict(d.pop("attachment"))

        attachment_event_data = cls(
            event_id=event_id,
            complaint_id=complaint_id,
            referral_id=referral_id,
            agency_code=agency_code,
            state=state,
            from_state=from_state,
            sequence=sequence,
            details=details,
            attachment=attachment,
        )

        attachment_event_data.additional_properties = d
        return attachment_event_data

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
