"""The complaint as each audience may see it; `identity_hidden_from_agency` (auth/scope.py) decides redaction."""

from __future__ import annotations

from typing import Any

from referral_service.auth.scope import identity_hidden_from_agency
from referral_service.db.driver import Row

# The columns a response body is built from (`ComplaintOut`'s fields, in its order).
OUT_FIELDS = (
    "id",
    "reference",
    "channel",
    "received_at",
    "complainant",
    "identity_confidential",
    "subject",
    "description",
    "category",
    "reported_party",
    "region_code",
    "incident_date",
    "external_refs",
    "created_at",
    "updated_at",
)
_COMPLAINANT_KEYS = ("name", "email", "phone", "address", "identity_number")


def complaint_dict(complaint: object) -> dict[str, Any]:
    """Full record, as the Ombudsman sees it."""
    return {name: getattr(complaint, name) for name in OUT_FIELDS}


def complaint_out(m: Row, *, redact: bool = False, prefix: str = "") -> dict[str, Any]:
    """The `ComplaintOut` response body, built directly from the stored columns (a row mapping, or a
    `complaint_dict`); `prefix` names the columns when the complaint is joined under a label prefix.
    `redact`: the caller is an agency (a confidential complainant becomes null).

    The one representation of a complaint in responses (list, GET, PATCH, create, and embedded in a
    referral); tests check it against `ComplaintOut.model_validate(body).model_dump(mode="json")`.
    Values stay Python objects (UUID, datetime, date): serialize with `json_encoding.dumps`.
    """
    if prefix:
        m = {name: m[prefix + name] for name in OUT_FIELDS}
    complainant = m["complainant"]
    if complainant is not None and not (redact and identity_hidden_from_agency(m)):
        complainant = {key: complainant.get(key) for key in _COMPLAINANT_KEYS}
    else:
        complainant = None
    return {
        "id": m["id"],
        "reference": m["reference"],
        "channel": m["channel"],
        "received_at": m["received_at"],
        "complainant": complainant,
        "identity_confidential": m["identity_confidential"],
        "subject": m["subject"],
        "description": m["description"],
        "category": m["category"],
        "reported_party": m["reported_party"],
        "region_code": m["region_code"],
        "incident_date": m["incident_date"],
        "external_refs": m["external_refs"],
        "created_at": m["created_at"],
        "updated_at": m["updated_at"],
    }


def etag(version: int) -> str:
    return f'"{version}"'
