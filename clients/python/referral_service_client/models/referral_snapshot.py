from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.complaint_out import ComplaintOut


T = TypeVar("T", bound="ReferralSnapshot")


@_attrs_define
class ReferralSnapshot:
    """The referral as the subscriber may see it, with its complaint embedded.

    Attributes:
        id (UUID):
        complaint_id (UUID):
        agency_code (str):
        state (str):
        complaint (ComplaintOut): The canonical complaint record. The `ETag` header of a read carries its version.
        due_at (datetime.datetime | None | Unset):
    """

    id: UUID
    complaint_id: UUID
    agency_code: str
    state: str
    complaint: ComplaintOut
    due_at: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        complaint_id = str(self.complaint_id)

        agency_code = self.agency_code

        state = self.state

        complaint = self.complaint.to_dict()

        due_at: None | str | Unset
        if isinstance(self.due_at, Unset):
            due_at = UNSET
        elif isinstance(self.due_at, datetime.datetime):
            due_at = self.due_at.isoformat()
        else:
            due_at = self.due_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "complaint_id": complaint_id,
                "agency_code": agency_code,
                "state": state,
                "complaint": complaint,
            }
        )
        if due_at is not UNSET:
            field_dict["due_at"] = due_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.complaint_out import ComplaintOut  # noqa: PLC0415

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        complaint_id = UUID(d.pop("complaint_id"))

        agency_code = d.pop("agency_code")

        state = d.pop("state")

        complaint = ComplaintOut.from_dict(d.pop("complaint"))

        def _parse_due_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                due_at_type_0 = datetime.datetime.fromisoformat(data)

                return due_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        due_at = _parse_due_at(d.pop("due_at", UNSET))

        referral_snapshot = cls(
            id=id,
            complaint_id=complaint_id,
            agency_code=agency_code,
            state=state,
            complaint=complaint,
            due_at=due_at,
        )

        referral_snapshot.additional_properties = d
        return referral_snapshot

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
