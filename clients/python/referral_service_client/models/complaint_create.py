from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.category import Category
from ..models.channel import Channel
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.complainant import Complainant
    from ..models.external_ref import ExternalRef
    from ..models.reported_party import ReportedParty


T = TypeVar("T", bound="ComplaintCreate")


@_attrs_define
class ComplaintCreate:
    """A new complaint, as the Ombudsman records it. Also the shape a merge patch must leave behind.

    Attributes:
        channel (Channel): How the complaint reached the Ombudsman.
        complainant (Complainant): The person who complains. Only `name` is required.
        subject (str):
        description (str):
        category (Category): Classes of maladministration (Peraturan Ombudsman 26/2017), plus `other`.
        region_code (str): Kemendagri code of the province or regency/city concerned, from `GET /v1/regions`.
        received_at (datetime.datetime | None | Unset): When the Ombudsman received it; defaults to now. From
            2000-01-01T00:00:00Z to one day ahead of the service's clock.
        identity_confidential (bool | Unset): UU 37/2008 art. 24(2): when true the complainant's identity never reaches
            an agency. Default: False.
        reported_party (None | ReportedParty | Unset):
        incident_date (datetime.date | None | Unset): When the matter complained about happened: from 1945-08-17 to the
            day after `received_at` (its date in UTC, plus one day for Indonesian time zones).
        external_refs (list[ExternalRef] | Unset):
    """

    channel: Channel
    complainant: Complainant
    subject: str
    description: str
    category: Category
    region_code: str
    received_at: datetime.datetime | None | Unset = UNSET
    identity_confidential: bool | Unset = False
    reported_party: None | ReportedParty | Unset = UNSET
    incident_date: datetime.date | None | Unset = UNSET
    external_refs: list[ExternalRef] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.reported_party import ReportedParty  # noqa: PLC0415

        channel = self.channel.value

        complainant = self.complainant.to_dict()

        subject = self.subject

        description = self.description

        category = self.category.value

        region_code = self.region_code

        received_at: None | str | Unset
        if isinstance(self.received_at, Unset):
            received_at = UNSET
        elif isinstance(self.received_at, datetime.datetime):
            received_at = self.received_at.isoformat()
        else:
            received_at = self.received_at

        identity_confidential = self.identity_confidential

        reported_party: dict[str, Any] | None | Unset
        if isinstance(self.reported_party, Unset):
            reported_party = UNSET
        elif isinstance(self.reported_party, ReportedParty):
            reported_party = self.reported_party.to_dict()
        else:
            reported_party = self.reported_party

        incident_date: None | str | Unset
        if isinstance(self.incident_date, Unset):
            incident_date = UNSET
        elif isinstance(self.incident_date, datetime.date):
            incident_date = self.incident_date.isoformat()
        else:
            incident_date = self.incident_date

        external_refs: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.external_refs, Unset):
            external_refs = []
            for external_refs_item_data in self.external_refs:
                external_refs_item = external_refs_item_data.to_dict()
                external_refs.append(external_refs_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "channel": channel,
                "complainant": complainant,
                "subject": subject,
                "description": description,
                "category": category,
                "region_code": region_code,
            }
        )
        if received_at is not UNSET:
            field_dict["received_at"] = received_at
        if identity_confidential is not UNSET:
            field_dict["identity_confidential"] = identity_confidential
        if reported_party is not UNSET:
            field_dict["reported_party"] = reported_party
        if incident_date is not UNSET:
            field_dict["incident_date"] = incident_date
        if external_refs is not UNSET:
            field_dict["external_refs"] = external_refs

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.complainant import Complainant  # noqa: PLC0415
        from ..models.external_ref import ExternalRef  # noqa: PLC0415
        from ..models.reported_party import ReportedParty  # noqa: PLC0415

        d = dict(src_dict)
        channel = Channel(d.pop("channel"))

        complainant = Complainant.from_dict(d.pop("complainant"))

        subject = d.pop("subject")

        description = d.pop("description")

        category = Category(d.pop("category"))

        region_code = d.pop("region_code")

        def _parse_received_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                received_at_type_0 = datetime.datetime.fromisoformat(data)

                return received_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        received_at = _parse_received_at(d.pop("received_at", UNSET))

        identity_confidential = d.pop("identity_confidential", UNSET)

        def _parse_reported_party(data: object) -> None | ReportedParty | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                reported_party_type_0 = ReportedParty.from_dict(data)

                return reported_party_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ReportedParty | Unset, data)

        reported_party = _parse_reported_party(d.pop("reported_party", UNSET))

        def _parse_incident_date(data: object) -> datetime.date | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                incident_date_type_0 = datetime.date.fromisoformat(data)

                return incident_date_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None | Unset, data)

        incident_date = _parse_incident_date(d.pop("incident_date", UNSET))

        _external_refs = d.pop("external_refs", UNSET)
        external_refs: list[ExternalRef] | Unset = UNSET
        if _external_refs is not UNSET:
            external_refs = []
            for external_refs_item_data in _external_refs:
                external_refs_item = ExternalRef.from_dict(external_refs_item_data)

                external_refs.append(external_refs_item)

        complaint_create = cls(
            channel=channel,
            complainant=complainant,
            subject=subject,
            description=description,
            category=category,
            region_code=region_code,
            received_at=received_at,
            identity_confidential=identity_confidential,
            reported_party=reported_party,
            incident_date=incident_date,
            external_refs=external_refs,
        )

        return complaint_create
