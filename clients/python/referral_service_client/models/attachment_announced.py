from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="AttachmentAnnounced")


@_attrs_define
class AttachmentAnnounced:
    """An attachment as `attachment.added` announces it: its metadata, without the file name of an
    identity document (`contains_identity`), since the timeline is kept for good.

        Attributes:
            id (UUID):
            size (int): Bytes.
            media_type (str): The declared and verified media type.
            sha256 (str): SHA-256 of the bytes, lower-case hex; the download's `ETag` is this, quoted.
            contains_identity (bool): The document identifies the complainant (an ID card, say). Never shown to an agency
                while the complainant's identity is confidential.
            complaint_id (None | UUID): The complaint. Null only for an agency's signed upload not yet attached by an
                inbound push.
            referral_id (None | UUID): Set for a referral's document (a response, a note); null for the complaint's own.
            uploaded_by (None | UUID): The id of the API key that uploaded it.
            uploaded_by_role (None | str): That key's role: `admin`, `ombudsman` or `agency`.
            uploaded_at (datetime.datetime):
            download_path (str): `/v1/attachments/{id}`: where to `GET` the bytes.
            filename (None | str | Unset): Absent for an identity document; the listings (`GET
                /v1/complaints/{id}/attachments`, `GET /v1/referrals/{id}/attachments`) carry it.
    """

    id: UUID
    size: int
    media_type: str
    sha256: str
    contains_identity: bool
    complaint_id: None | UUID
    referral_id: None | UUID
    uploaded_by: None | UUID
    uploaded_by_role: None | str
    uploaded_at: datetime.datetime
    download_path: str
    filename: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        size = self.size

        media_type = self.media_type

        sha256 = self.sha256

        contains_identity = self.contains_identity

        complaint_id: None | str
        if isinstance(self.complaint_id, UUID):
            complaint_id = str(self.complaint_id)
        else:
            complaint_id = self.complaint_id

        referral_id: None | str
        if isinstance(self.referral_id, UUID):
            referral_id = str(self.referral_id)
        else:
            referral_id = self.referral_id

        uploaded_by: None | str
        if isinstance(self.uploaded_by, UUID):
            uploaded_by = str(self.uploaded_by)
        else:
            uploaded_by = self.uploaded_by

        uploaded_by_role: None | str
        uploaded_by_role = self.uploaded_by_role

        uploaded_at = self.uploaded_at.isoformat()

        download_path = self.download_path

        filename: None | str | Unset
        if isinstance(self.filename, Unset):
            filename = UNSET
        else:
            filename = self.filename

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "size": size,
                "media_type": media_type,
                "sha256": sha256,
                "contains_identity": contains_identity,
                "complaint_id": complaint_id,
                "referral_id": referral_id,
                "uploaded_by": uploaded_by,
                "uploaded_by_role": uploaded_by_role,
                "uploaded_at": uploaded_at,
                "download_path": download_path,
            }
        )
        if filename is not UNSET:
            field_dict["filename"] = filename

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = UUID(d.pop("id"))

        size = d.pop("size")

        media_type = d.pop("media_type")

        sha256 = d.pop("sha256")

        contains_identity = d.pop("contains_identity")

        def _parse_complaint_id(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                complaint_id_type_0 = UUID(data)

                return complaint_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        complaint_id = _parse_complaint_id(d.pop("complaint_id"))

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

        def _parse_uploaded_by(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                uploaded_by_type_0 = UUID(data)

                return uploaded_by_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        uploaded_by = _parse_uploaded_by(d.pop("uploaded_by"))

        def _parse_uploaded_by_role(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        uploaded_by_role = _parse_uploaded_by_role(d.pop("uploaded_by_role"))

        uploaded_at = datetime.datetime.fromisoformat(d.pop("uploaded_at"))

        download_path = d.pop("download_path")

        def _parse_filename(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        filename = _parse_filename(d.pop("filename", UNSET))

        attachment_announced = cls(
            id=id,
            size=size,
            media_type=media_type,
            sha256=sha256,
            contains_identity=contains_identity,
            complaint_id=complaint_id,
            referral_id=referral_id,
            uploaded_by=uploaded_by,
            uploaded_by_role=uploaded_by_role,
            uploaded_at=uploaded_at,
            download_path=download_path,
            filename=filename,
        )

        attachment_announced.additional_properties = d
        return attachment_announced

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
