"""ETag / If-Match (RFC 9110 strong comparison) shared by every conditional write."""

from __future__ import annotations

from referral_service.errors import PreconditionFailed, PreconditionRequired


def etag(version: int) -> str:
    """The strong ETag of a resource at `version` (its row's version column)."""
    return f'"{version}"'


def check_if_match(if_match: str | None, current_etag: str, *, required: bool) -> None:
    if if_match is None or not if_match.strip():
        if required:
            raise PreconditionRequired("Send `If-Match` with the ETag from your last read of this resource.")
        return
    candidates = [tag.strip() for tag in if_match.split(",")]
    if "*" in candidates:
        return
    # Strong comparison: weak validators (W/"...") never match.
    if current_etag not in candidates:
        raise PreconditionFailed(
            "The resource changed since you read it; read it again and retry.", current_etag=current_etag
        )
