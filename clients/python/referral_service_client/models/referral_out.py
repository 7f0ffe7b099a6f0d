from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.referral_action import ReferralAction
from ..models.referral_state import ReferralState
from ..models.resolution import Resolution

if TYPE_CHECKING:
    from ..models.complaint_out import ComplaintOut
    from ..models.response_out import ResponseOut


T = TypeVar("T", bound="ReferralOut")


@_attrs_define
class ReferralOut:
    """A complaint referred to one agency, with the complaint embedded. The `ETag` header carries its version.

    Attributes:
        id (UUID):
        complaint_id (UUID):
        agency_code (str):
        state (ReferralState): received -> forwarded -> responded -> closed (a follow-up sends `responded` back to
            `forwarded`).
        instructions (None | str):
        forwarded_at (datetime.datetime | None):
        due_at (datetime.datetime | None): End of the last working day to respond, in the agency's time zone.
        acknowledged_at (datetime.datetime | None):
        external_ref (None | str):
        response (None | ResponseOut):
        resolution (None | Resolution):
        closed_at (datetime.datetime | None):
        follow_up_count (int):
        overdue (bool): True once `due_at` has passed while the referral is still `forwarded`.
        working_days_remaining (int | None): Working days left until `due_at` (0 on the due day, negative when overdue);
            null when no deadline runs.
        allowed_actions (list[ReferralAction]): What the calling key may do next, from the transition table.
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
        complaint (ComplaintOut): The canonical complaint record. The `ETag` header of a read carries its version.
    """

    id: UUID
    complaint_id: UUID
    agency_code: str
    state: ReferralState
    instructions: None | str
    forwarded_at: datetime.datetime | None
    due_at: datetime.datetime | None
    acknowledged_at: datetime.datetime | None
    external_ref: None | str
    response: None | ResponseOut
    resolution: None | Resolution
    closed_at: datetime.datetime | None
    follow_up_count: int
    overdue: bool
    working_days_remaining: int | None
    allowed_actions: list[ReferralAction]
    created_at: datetime.datetime
    updated_at: datetime.datetime
    complaint: ComplaintOut
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.response_out import ResponseOut  # noqa: PLC0415

        id = str(self.id)

        complaint_id = str(self.complaint_id)

        agency_code = self.agency_code

        state = self.state.value

        instructions: None | str
        instructions = self.instructions

        forwarded_at: None | str
        if isinstance(self.forwarded_at, datetime.datetime):
            forwarded_at = self.forwarded_at.isoformat()
        else:
            forwarded_at = self.forwarded_at

        due_at: None | str
        if isinstance(self.due_at, datetime.datetime):
            due_at = self.due_at.isoformat()
        else:
            due_at = self.due_at

        acknowledged_at: None | str
        if isinstance(self.acknowledged_at, datetime.datetime):
            acknowledged_at = self.acknowledged_at.isoformat()
        else:
            acknowledged_at = self.acknowledged_at

        external_ref: None | str
        external_ref = self.external_ref

        response: dict[str, Any] | None
        if isinstance(self.response, ResponseOut):
            response = self.response.to_dict()
        else:
            response = self.response

        resolution: None | str
        if isinstance(self.resolution, Resolution):
            resolution = self.resolution.value
        else:
            resolution = self.resolution

        closed_at: None | str
        if isinstance(self.closed_at, datetime.datetime):
            closed_at = self.closed_at.isoformat()
        else:
            closed_at = self.closed_at

        follow_up_count = self.follow_up_count

        overdue = self.overdue

        working_days_remaining: int | None
        working_days_remaining = self.working_days_remaining

        allowed_actions = []
        for allowed_actions_item_data in self.allowed_actions:
            allowed_actions_item = allowed_actions_item_data.value
            allowed_actions.append(allowed_actions_item)

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        complaint = self.complaint.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "complaint_id": complaint_id,
                "agency_code": agency_code,
                "state": state,
                "instructions": instructions,
                "forwarded_at": forwarded_at,
                "due_at": due_at,
                "acknowledged_at": acknowledged_at,
                "external_ref": external_ref,
                "response": response,
                "resolution": resolution,
                "closed_at": closed_at,
                "follow_up_count": follow_up_count,
                "overdue": overdue,
                "working_days_remaining": working_days_remaining,
                "allowed_actions": allowed_actions,
                "created_at": created_at,
                "updated_at": updated_at,
                "complaint": complaint,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.complaint_out import ComplaintOut  # noqa: PLC0415
        from ..models.response_out import ResponseOut  # noqa: PLC0415

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        complaint_id = UUID(d.pop("complaint_id"))

        agency_code = d.pop("agency_code")

        state = ReferralState(d.pop("state"))

        def _parse_instructions(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        instructions = _parse_instructions(d.pop("instructions"))

        def _parse_forwarded_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                forwarded_at_type_0 = datetime.datetime.fromisoformat(data)

                return forwarded_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        forwarded_at = _parse_forwarded_at(d.pop("forwarded_at"))

        def _parse_due_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                due_at_type_0 = datetime.datetime.fromisoformat(data)

                return due_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        due_at = _parse_due_at(d.pop("due_at"))

        def _parse_acknowledged_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                acknowledged_at_type_0 = datetime.datetime.fromisoformat(data)

                return acknowledged_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        acknowledged_at = _parse_acknowledged_at(d.pop("acknowledged_at"))

        def _parse_external_ref(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        external_ref = _parse_external_ref(d.pop("external_ref"))

        def _parse_response(data: object) -> None | ResponseOut:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                response_type_0 = ResponseOut.from_dict(data)

                return response_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ResponseOut, data)

        response = _parse_response(d.pop("response"))

        def _parse_resolution(data: object) -> None | Resolution:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                resolution_type_0 = Resolution(data)

                return resolution_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Resolution, data)

        resolution = _parse_resolution(d.pop("resolution"))

        def _parse_closed_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                closed_at_type_0 = datetime.datetime.fromisoformat(data)

                return closed_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        closed_at = _parse_closed_at(d.pop("closed_at"))

        follow_up_count = d.pop("follow_up_count")

        overdue = d.pop("overdue")

        def _parse_working_days_remaining(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        working_days_remaining = _parse_working_days_remaining(d.pop("working_days_remaining"))

        allowed_actions = []
        _allowed_actions = d.pop("allowed_actions")
        for allowed_actions_item_data in _allowed_actions:
            allowed_actions_item = ReferralAction(allowed_actions_item_data)

            allowed_actions.append(allowed_actions_item)

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        complaint = ComplaintOut.from_dict(d.pop("complaint"))

        referral_out = cls(
            id=id,
            complaint_id=complaint_id,
            agency_code=agency_code,
            state=state,
            instructions=instructions,
            forwarded_at=forwarded_at,
            due_at=due_at,
            acknowledged_at=acknowledged_at,
            external_ref=external_ref,
            response=response,
            resolution=resolution,
            closed_at=closed_at,
            follow_up_count=follow_up_count,
            overdue=overdue,
            working_days_remaining=working_days_remaining,
            allowed_actions=allowed_actions,
            created_at=created_at,
            updated_at=updated_at,
            complaint=complaint,
        )

        referral_out.additional_properties = d
        return referral_out

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
