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


T = TypeVar("T", bound="ComplaintPatch")


@_attrs_define
class ComplaintPatch:
    """A JSON merge patch (RFC 7396) of a complaint: fields present replace the recorded value, `null` removes an optional
    field, absent fields stay as they are. The result must be a valid complaint.

        Attributes:
            channel (Channel | Unset): How the complaint reached the Ombudsman.
            received_at (datetime.datetime | None | Unset): When the Ombudsman received it; defaults to now. From
                2000-01-01T00:00:00Z to one day ahead of the service's clock.
            complainant (Complainant | Unset): The person who complains. Only `name` is required.
            identity_confidential (bool | Unset): UU 37/2008 art. 24(2): when true the complainant's identity never reaches
                an agency.
            subject (str | Unset):
            description (str | Unset):
            category (Category | Unset): Classes of maladministration (Peraturan Ombudsman 26/2017), plus `other`.
            reported_party (None | ReportedParty | Unset):
            region_code (str | Unset): Kemendagri code of the province or regency/city concerned, from `GET /v1/regions`.
            incident_date (datetime.date | None | Unset): When the matter complained about happened: from 1945-08-17 to the
                day after `received_at` (its date in UTC, plus one day for Indonesian time zones).
            external_refs (list[ExternalRef] | Unset):
    """

    channel: Channel | Unset = UNSET
    received_at: datetime.datetime | None | Unset = UNSET
    complainant: Complainant | Unset = UNSET
    identity_confidential: bool | Unset = UNSET
    subject: str | Unset = UNSET
    description: str | Unset = UNSET
    category: Category | Unset = UNSET
    reported_party: None | ReportedParty | Unset = UNSET
    region_code: str | Unset = UNSET
    incident_date: datetime.date | None | Unset = UNSET
    external_refs: list[ExternalRef] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.reported_party import ReportedParty  # noqa: PLC0415

        channel: str | Unset = UNSET
        if not isinstance(self.channel, Unset):
            channel = self.channel.value

        received_at: None | str | Unset
        if isinstance(self.received_at, Unset):
            received_at = UNSET
        elif isinstance(self.received_at, datetime.datetime):
            received_at = self.received_at.isoformat()
        else:
            received_at = self.received_at

        complainant: dict[str, Any] | Unset = UNSET
        if not isinstance(self.complainant, Unset):
            complainant = self.complainant.to_dict()

        identity_confidential = self.identity_confidential

        subject = self.subject

        description = self.description

        category: str | Unset = UNSET
        if not isinstance(self.category, Unset):
            category = self.category.value

        reported_party: dict[str, Any] | None | Unset
        if isinstance(self.reported_party, Unset):
            reported_party = UNSET
        elif isinstance(self.reported_party, ReportedParty):
            reported_party = self.reported_party.to_dict()
        else:
            reported_party = self.reported_party

        region_code = self.region_code

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

        field_dict.update({})
        if channel is not UNSET:
            field_dict["channel"] = channel
        if received_at is not UNSET:
            field_dict["received_at"] = received_at
        if complainant is not UNSET:
            field_dict["complainant"] = complainant
        if identity_confidential is not UNSET:
            field_dict["identity_confidential"] = identity_confidential
        if subject is not UNSET:
            field_dict["subject"] = subject
        if description is not UNSET:
            field_dict["description"] = description
        if category is not UNSET:
            field_dict["category"] = category
        if reported_party is not UNSET:
            field_dict["reported_party"] = reported_party
        if region_code is not UNSET:
            field_dict["region_code"] = region_code
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
        _channel = d.pop("channel", UNSET)
        channel: Channel | Unset
        if isinstance(_channel, Unset):
            channel = UNSET
        else:
            channel = Channel(_channel)

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

        _complainant = d.pop("complainant", UNSET)
        complainant: Complainant | Unset
        if isinstance(_complainant, Unset):
            complainant = UNSET
        else:
            complainant = Complainant.from_dict(_complainant)

        identity_confidential = d.pop("identity_confidential", UNSET)

        subject = d.pop("subject", UNSET)

        description = d.pop("description", UNSET)

        _category = d.pop("category", UNSET)
        category: Category | Unset
        if isinstance(_category, Unset):
            category = UNSET
        else:
            category = Category(_category)

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

        region_code = d.pop("region_code", UNSET)

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

        complaint_patch = cls(
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
        )

        return complaint_patch
