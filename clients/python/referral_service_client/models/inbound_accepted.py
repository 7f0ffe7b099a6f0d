from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.mapped_action import MappedAction
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.referral_out import ReferralOut


T = TypeVar("T", bound="InboundAccepted")


@_attrs_define
class InboundAccepted:
    """The push was applied.

    Attributes:
        inbound_event_id (UUID): This push in `GET /v1/agencies/{code}/inbound-events`.
        action (MappedAction): Only what an agency may do itself can be mapped: its pushes act as the agency.
        referral (ReferralOut): A complaint referred to one agency, with the complaint embedded. The `ETag` header
            carries its version.
        status (Literal['accepted'] | Unset):  Default: 'accepted'.
    """

    inbound_event_id: UUID
    action: MappedAction
    referral: ReferralOut
    status: Literal["accepted"] | Unset = "accepted"
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        inbound_event_id = str(self.inbound_event_id)

        action = self.action.value

        referral = self.referral.to_dict()

        status = self.status

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "inbound_event_id": inbound_event_id,
                "action": action,
                "referral": referral,
            }
        )
        if status is not UNSET:
            field_dict["status"] = status

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.referral_out import ReferralOut  # noqa: PLC0415

        d = dict(src_dict)
        inbound_event_id = UUID(d.pop("inbound_event_id"))

        action = MappedAction(d.pop("action"))

        referral = ReferralOut.from_dict(d.pop("referral"))

        status = cast(Literal["accepted"] | Unset, d.pop("status", UNSET))
        if status != "accepted" and not isinstance(status, Unset):
            raise ValueError(f"status must match const 'accepted', got '{status}'")

        inbound_accepted = cls(
            inbound_event_id=inbound_event_id,
            action=action,
            referral=referral,
            status=status,
        )

        inbound_accepted.additional_properties = d
        return inbound_accepted

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
