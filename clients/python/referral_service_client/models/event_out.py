from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.actor_out import ActorOut
    from ..models.event_out_data import EventOutData


T = TypeVar("T", bound="EventOut")


@_attrs_define
class EventOut:
    """One entry of the append-only timeline.

    Attributes:
        id (int): Global, increasing event id.
        complaint_id (UUID):
        referral_id (None | UUID):
        sequence (int): Gapless position in this referral's timeline (or the complaint's own), from 1.
        type_ (str):
        occurred_at (datetime.datetime):
        actor (ActorOut): Who caused a timeline event.
        via (str): Through which channel the change came: `api` (the REST API), `web` (the web pages under /ui/),
            `inbound_webhook` (an agency's signed push) or `system` (the service itself: reminders, retention).
        from_state (None | str):
        to_state (None | str):
        data (EventOutData):
    """

    id: int
    complaint_id: UUID
    referral_id: None | UUID
    sequence: int
    type_: str
    occurred_at: datetime.datetime
    actor: ActorOut
    via: str
    from_state: None | str
    to_state: None | str
    data: EventOutData
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        complaint_id = str(self.complaint_id)

        referral_id: None | str
        if isinstance(self.referral_id, UUID):
            referral_id = str(self.referral_id)
        else:
            referral_id = self.referral_id

        sequence = self.sequence

        type_ = self.type_

        occurred_at = self.occurred_at.isoformat()

        actor = self.actor.to_dict()

        via = self.via

        from_state: None | str
        from_state = self.from_state

        to_state: None | str
        to_state = self.to_state

        data = self.data.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "complaint_id": complaint_id,
                "referral_id": referral_id,
                "sequence": sequence,
                "type": type_,
                "occurred_at": occurred_at,
                "actor": actor,
                "via": via,
                "from_state": from_state,
                "to_state": to_state,
                "data": data,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.actor_out import ActorOut  # noqa: PLC0415
        from ..models.event_out_data import EventOutData  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

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

        sequence = d.pop("sequence")

        type_ = d.pop("type")

        occurred_at = datetime.datetime.fromisoformat(d.pop("occurred_at"))

        actor = ActorOut.from_dict(d.pop("actor"))

        via = d.pop("via")

        def _parse_from_state(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        from_state = _parse_from_state(d.pop("from_state"))

        def _parse_to_state(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        to_state = _parse_to_state(d.pop("to_state"))

        data = EventOutData.from_dict(d.pop("data"))

        event_out = cls(
            id=id,
            complaint_id=complaint_id,
            referral_id=referral_id,
            sequence=sequence,
            type_=type_,
            occurred_at=occurred_at,
            actor=actor,
            via=via,
            from_state=from_state,
            to_state=to_state,
            data=data,
        )

        event_out.additional_properties = d
        return event_out

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
