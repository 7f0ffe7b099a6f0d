"""Helpers that document problem+json error responses in the OpenAPI document."""

from typing import Any

from referral_service.errors import PROBLEM_MEDIA_TYPE

_DESCRIPTIONS = {
    400: "Malformed request (bad cursor, unparseable JSON, bad header).",
    401: "Missing, unknown or revoked API key.",
    403: "The API key's role may not perform this operation.",
    404: "Not found, or outside the caller's scope.",
    409: "Conflicts with the current state of the resource.",
    412: "`If-Match` does not match the current ETag.",
    413: "Request body larger than the configured limit.",
    415: "Request body is not JSON.",
    422: "Request body or parameters failed validation.",
    428: "This operation requires `If-Match`.",
}

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "Problem",
    "description": "RFC 9457 problem details.",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string", "format": "uri-reference"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
    },
    "additionalProperties": True,
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {
        code: {
            "description": _DESCRIPTIONS.get(code, "Error."),
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for code in statuses
    }
