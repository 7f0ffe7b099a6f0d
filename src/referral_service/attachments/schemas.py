import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from referral_service import openapi_examples as ex


class AttachmentOut(BaseModel):
    """An attachment's metadata. The bytes are at `download_path`."""

    model_config = ConfigDict(json_schema_extra={"examples": [ex.ATTACHMENT_OUT]})

    id: uuid.UUID
    filename: str = Field(description="The name the uploader gave, reduced to a base name.")
    size: int = Field(description="Bytes.")
    media_type: str = Field(description="The declared and verified media type.")
    sha256: str = Field(description="SHA-256 of the bytes, lower-case hex; the download's `ETag` is this, quoted.")
    contains_identity: bool = Field(
        description="The document identifies the complainant (an ID card, say). Never shown to an agency while the "
        "complainant's identity is confidential."
    )
    complaint_id: uuid.UUID | None = Field(
        description="The complaint. Null only for an agency's signed upload not yet attached by an inbound push."
    )
    referral_id: uuid.UUID | None = Field(
        description="Set for a referral's document (a response, a note); null for the complaint's own."
    )
    uploaded_by: uuid.UUID | None = Field(description="The id of the API key that uploaded it.")
    uploaded_by_role: str | None = Field(description="That key's role: `admin`, `ombudsman` or `agency`.")
    uploaded_at: datetime
    download_path: str = Field(description="`/v1/attachments/{id}`: where to `GET` the bytes.")


class AttachmentAnnounced(AttachmentOut):
    """An attachment as `attachment.added` announces it: its metadata, without the file name of an
    identity document (`contains_identity`), since the timeline is kept for good."""

    filename: str | None = Field(  # type: ignore[assignment]  # narrower in the base: announced events may omit it
        None,
        description="Absent for an identity document; the listings (`GET /v1/complaints/{id}/attachments`, "
        "`GET /v1/referrals/{id}/attachments`) carry it.",
    )
