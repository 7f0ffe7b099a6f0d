from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="AgencyPerformanceRow")


@_attrs_define
class AgencyPerformanceRow:
    """One agency's figures for the referrals forwarded to it in the window.

    Attributes:
        agency_code (str):
        agency_name (str):
        region_code (str):
        forwarded (int): Referrals forwarded to the agency in the window (the cohort).
        responded (int): Of those, answered at least once.
        closed (int): Of those, closed by the Ombudsman.
        open_ (int): Of those, not closed yet (`forwarded` or `responded`).
        open_overdue (int): Of those, still `forwarded` with `due_at` passed.
        responded_on_time (int): First answers given on or before the due date then in force.
        share_on_time (float | None): responded_on_time / answered (0-1); null when none answered.
        median_working_days_to_respond (float | None): Median working days from the forward to the first answer
            (agency's calendar); null when none answered.
        follow_ups_requested (int): Follow-up requests sent for these referrals.
    """

    agency_code: str
    agency_name: str
    region_code: str
    forwarded: int
    responded: int
    closed: int
    open_: int
    open_overdue: int
    responded_on_time: int
    share_on_time: float | None
    median_working_days_to_respond: float | None
    follow_ups_requested: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        agency_code = self.agency_code

        agency_name = self.agency_name

        region_code = self.region_code

        forwarded = self.forwarded

        responded = self.responded

        closed = self.closed

        open_ = self.open_

        open_overdue = self.open_overdue

        responded_on_time = self.responded_on_time

        share_on_time: float | None
        share_on_time = self.share_on_time

        median_working_days_to_respond: float | None
        median_working_days_to_respond = self.median_working_days_to_respond

        follow_ups_requested = self.follow_ups_requested

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "agency_code": agency_code,
                "agency_name": agency_name,
                "region_code": region_code,
                "forwarded": forwarded,
                "responded": responded,
                "closed": closed,
                "open": open_,
                "open_overdue": open_overdue,
                "responded_on_time": responded_on_time,
                "share_on_time": share_on_time,
                "median_working_days_to_respond": median_working_days_to_respond,
                "follow_ups_requested": follow_ups_requested,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        agency_code = d.pop("agency_code")

        agency_name = d.pop("agency_name")

        region_code = d.pop("region_code")

        forwarded = d.pop("forwarded")

        responded = d.pop("responded")

        closed = d.pop("closed")

        open_ = d.pop("open")

        open_overdue = d.pop("open_overdue")

        responded_on_time = d.pop("responded_on_time")

        def _parse_share_on_time(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        share_on_time = _parse_share_on_time(d.pop("share_on_time"))

        def _parse_median_working_days_to_respond(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        median_working_days_to_respond = _parse_median_working_days_to_respond(d.pop("median_working_days_to_respond"))

        follow_ups_requested = d.pop("follow_ups_requested")

        agency_performance_row = cls(
            agency_code=agency_code,
            agency_name=agency_name,
            region_code=region_code,
            forwarded=forwarded,
            responded=responded,
            closed=closed,
            open_=open_,
            open_overdue=open_overdue,
            responded_on_time=responded_on_time,
            share_on_time=share_on_time,
            median_working_days_to_respond=median_working_days_to_respond,
            follow_ups_requested=follow_ups_requested,
        )

        agency_performance_row.additional_properties = d
        return agency_performance_row

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
