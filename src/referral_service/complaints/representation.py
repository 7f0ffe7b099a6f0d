"""The complaint as each audience may see it. The only place complainant identity is redacted."""

from __future__ import annotations

from typing import Any

from referral_service.complaints.models import Complaint

PUBLIC_FIELDS = (
    "id", "reference", "channel", "received_at", "identity_confidential", "subject", "description",
    "category", "reported_party", "region_code", "incident_date", "external_refs", "created_at", "updated_at",
)


def complaint_dict(complaint: Complaint | Any) -> dict[str, Any]:
    """Full record, as the Ombudsman sees it."""
    data = {name: getattr(complaint, name) for name in PUBLIC_FIELDS}
    data["complainant"] = complaint.complainant
    return data


def redact_for_agency(data: dict[str, Any]) -> dict[str, Any]:
    """What an agency (API response or webhook) may see: no identity of a confidential complainant."""
    if not data.get("identity_confidential"):
        return data
    return {**data, "complainant": None}


def etag(version: int) -> str:
    return f'"{version}"'
