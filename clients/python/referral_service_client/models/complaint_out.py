from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.category import Category
from ..models.channel import Channel

if TYPE_CHECKING:
    from ..models.complainant_out import ComplainantOut
    from ..models.complaint_out_external_refs_item import ComplaintOutExternalRefsItem
    from ..models.complaint_out_reported_party_type_0 import ComplaintOutReportedPartyType0


T = TypeVar("T", bound="ComplaintOut")


@_attrs_define
class ComplaintOut:
    """The canonical complaint record. The `ETag` header of a read carries its version.

    Attributes:
        id (UUID):
        reference (str): Human-readable, unique, never reused.
        channel (Channel): How the complaint reached the Ombudsman.
        received_at (datetime.datetime):
        complainant (ComplainantOut | None): Null when the identity is confidential and the caller is an agency, or
            after erasure (`complaint.erased`).
        identity_confidential (bool):
        subject (str):
        description (str):
        category (Category): Classes of maladministration (Peraturan Ombudsman 26/2017), plus `other`.
        reported_party (ComplaintOutReportedPartyType0 | None):
        region_code (str):
        incident_date (datetime.date | None):
        external_refs (list[ComplaintOutExternalRefsItem]):
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
    """

    id: UUID
    reference: str
    channel: Channel
    received_at: datetime.datetime
    complainant: ComplainantOut | None
    identity_confidential: bool
    subject: str
    description: str
    category: Category
    reported_party: ComplaintOutReportedPartyType0 | None
    region_code: str
    incident_date: datetime.date | None
    external_refs: list[ComplaintOutExternalRefsItem]
    created_at: datetime.datetime
    updated_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.complainant_out import ComplainantOut  # noqa: PLC0415
        from ..models.complaint_out_reported_party_type_0 import ComplaintOutReportedPartyType0  # noqa: PLC0415

        id = str(self.id)

        reference = self.reference

        channel = self.channel.value

        received_at = self.received_at.isoformat()

        complainant: dict[str, Any] | None
        if isinstance(self.complainant, ComplainantOut):
            complainant = self.complainant.to_dict()
        else:
            complainant = self.complainant

        identity_confidential = self.identity_confidential

        subject = self.subject

        description = self.description

        category = self.category.value

        reported_party: dict[str, Any] | None
        if isinstance(self.reported_party, ComplaintOutReportedPartyType0):
            reported_party = self.reported_party.to_dict()
        else:
            reported_party = self.reported_party

        region_code = self.region_code

        incident_date: None | str
        if isinstance(self.incident_date, datetime.date):
            incident_date = self.incident_date.isoformat()
        else:
            incident_date = self.incident_date

        external_refs = []
        for external_refs_item_data in self.external_refs:
            external_refs_item = external_refs_item_data.to_dict()
            external_refs.append(external_refs_item)

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "reference": reference,
                "channel": channel,
                "received_at": received_at,
                "complainant": complainant,
                "identity_confidential": identity_confidential,
                "subject": subject,
                "description": description,
                "category": category,
                "reported_party": reported_party,
                "region_code": region_code,
                "incident_date": incident_date,
                "external_refs": external_refs,
                "created_at": created_at,
                "updated_at": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.complainant_out import ComplainantOut  # noqa: PLC0415
        from ..models.complaint_out_external_refs_item import ComplaintOutExternalRefsItem  # noqa: PLC0415
        from ..models.complaint_out_reported_party_type_0 import ComplaintOutReportedPartyType0  # noqa: PLC0415

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        reference = d.pop("reference")

        channel = Channel(d.pop("channel"))

        received_at = datetime.datetime.fromisoformat(d.pop("received_at"))

        def _parse_complainant(data: object) -> ComplainantOut | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                complainant_type_0 = ComplainantOut.from_dict(data)

                return complainant_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ComplainantOut | None, data)

        complainant = _parse_complainant(d.pop("complainant"))

        identity_confidential = d.pop("identity_confidential")

        subject = d.pop("subject")

        description = d.pop("description")

        category = Category(d.pop("category"))

        def _parse_reported_party(data: object) -> ComplaintOutReportedPartyType0 | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                reported_party_type_0 = ComplaintOutReportedPartyType0.from_dict(data)

                return reported_party_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ComplaintOutReportedPartyType0 | None, data)

        reported_party = _parse_reported_party(d.pop("reported_party"))

        region_code = d.pop("region_code")

        def _parse_incident_date(data: object) -> datetime.date | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                incident_date_type_0 = datetime.date.fromisoformat(data)

                return incident_date_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None, data)

        incident_date = _parse_incident_date(d.pop("incident_date"))

        external_refs = []
        _external_refs = d.pop("external_refs")
        for external_refs_item_data in _external_refs:
            external_refs_item = ComplaintOutExternalRefsItem.from_dict(external_refs_item_data)

            external_refs.append(external_refs_item)

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        complaint_out = cls(
            id=id,
            reference=reference,
            channel=channel,
            received_at=received_at,
            complainant=complainant,
            identity_confidential=identity_confidential,
            subject=subject,
            description=description,
            category=category,
            reported_party=reported_party,
            region_code=region_code,
            incident_date=incident_date,
            external_refs=external_refs,
            created_at=created_at,
            updated_at=updated_at,
        )

        complaint_out.additional_properties = d
        return complaint_out

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
