"""Helpers that document problem+json error responses in the OpenAPI document."""

from typing import Any

from referral_service.errors import PROBLEM_MEDIA_TYPE
from referral_service.request_context import REQUEST_ID_HEADER, REQUEST_ID_PATTERN

_DESCRIPTIONS = {
    400: "Malformed request (bad cursor, unparseable JSON, bad header).",
    401: "Missing, unknown or revoked API key.",
    403: "The API key's role may not perform this operation.",
    404: "Not found, or outside the caller's scope.",
    408: "The request body did not arrive in time (`REFERRAL_BODY_*`); the connection is closed.",
    409: "Conflicts with the current state of the resource.",
    412: "`If-Match` does not match the current ETag.",
    413: "Request body larger than the configured limit.",
    415: "Request body is not JSON.",
    422: "Request body or parameters failed validation.",
    428: "This operation requires `If-Match`.",
    429: "Over a rate limit (per API key, per source address for failed authentications and unauthenticated "
    "routes, per webhook endpoint for test sends, retries and recoveries). Wait `Retry-After` seconds.",
    503: "Database unreachable or schema not at the latest migration.",
}

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "Problem",
    "description": (
        "RFC 9457 problem details: the body of every error (`application/problem+json`). Branch on `status` "
        "and `type`; show `detail` to humans; quote `request_id` when asking about it. Validation errors (422) add "
        "`errors`."
    ),
    "required": ["type", "title", "status"],
    "properties": {
        "type": {
            "type": "string",
            "format": "uri-reference",
            "description": "Identifies the kind of problem.",
            "examples": ["https://referral-service.dev/problems/precondition-required"],
        },
        "title": {
            "type": "string",
            "description": "Short summary of the kind of problem.",
            "examples": ["This request requires If-Match"],
        },
        "status": {"type": "integer", "description": "The HTTP status code.", "examples": [428]},
        "detail": {
            "type": "string",
            "description": "What went wrong in this occurrence, for humans.",
            "examples": ["Send `If-Match` with the ETag from your last read of this resource."],
        },
        "instance": {
            "type": "string",
            "description": "The request path.",
            "examples": ["/v1/complaints/65881197-a37a-427e-b9b3-d5998f47d9fd"],
        },
        "request_id": {
            "type": "string",
            "pattern": f"^{REQUEST_ID_PATTERN}$",
            "description": (
                "The request's id, as in its `X-Request-ID` response header and in the service's logs. A replayed "
                "answer (`Idempotent-Replayed: true`) carries the id of the request first answered."
            ),
            "examples": ["5f0c6f6fb0f94cf0a4b1f8e8d1f4f1a7"],
        },
        "errors": {
            "type": "array",
            "description": "Only on 422 validation errors: one entry per invalid field.",
            "items": {
                "type": "object",
                "required": ["loc", "message", "type"],
                "properties": {
                    "loc": {
                        "type": "array",
                        "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
                        "description": "Where: `body`, `query`, `path` or `header`, then the field path.",
                    },
                    "message": {"type": "string", "description": "What is wrong, in words."},
                    "type": {"type": "string", "description": "A machine-readable error kind."},
                },
            },
            "examples": [
                [
                    {
                        "loc": ["body", "region_code"],
                        "message": "String should match pattern",
                        "type": "string_pattern_mismatch",
                    }
                ]
            ],
        },
    },
    "additionalProperties": True,
    "examples": [
        {
            "type": "https://referral-service.dev/problems/precondition-required",
            "title": "This request requires If-Match",
            "status": 428,
            "detail": "Send `If-Match` with the ETag from your last read of this resource.",
            "instance": "/v1/complaints/65881197-a37a-427e-b9b3-d5998f47d9fd",
            "request_id": "5f0c6f6fb0f94cf0a4b1f8e8d1f4f1a7",
        }
    ],
}

# Every response carries it (observability.py); documented once and referenced from each response.
REQUEST_ID_RESPONSE_HEADER: dict[str, Any] = {
    "description": (
        "The request's id: the client's own `X-Request-ID` when it sent a valid one (1-128 characters of "
        "`A-Z a-z 0-9 . _ : -`), otherwise a new one. Also in error bodies (`request_id`) and the service's logs."
    ),
    "required": True,
    "schema": {"type": "string", "pattern": f"^{REQUEST_ID_PATTERN}$"},
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {
        code: {
            "description": _DESCRIPTIONS.get(code, "Error."),
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for code in statuses
    }


_HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
_FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")


def _problem(code: int) -> dict[str, Any]:
    return problem_responses(code)[code]


def _idempotency_key_schema(parameter: dict[str, Any]) -> None:
    schema = parameter.get("schema", {})
    variants = schema.get("anyOf", [schema])
    for variant in variants:
        if variant.get("type") == "string":
            variant["pattern"] = r"^[\x21-\x7e]([\x20-\x7e]{0,253}[\x21-\x7e])?$"  # no edge spaces: HTTP strips them
    parameter.setdefault("example", "3f1c2a9e-complaint-intake-0001")


def _name_merge_patch_body(schema: dict[str, Any]) -> None:
    """`PATCH /v1/complaints/{id}` reads its body itself (a merge patch); document it as a named schema.

    Its fields are those of `ComplaintCreate`, all optional and without defaults (absent means
    "unchanged"); the patched complaint as a whole is validated like a new one.
    """
    schemas = schema.get("components", {}).get("schemas", {})
    create = schemas.get("ComplaintCreate")
    operation = schema.get("paths", {}).get("/v1/complaints/{complaint_id}", {}).get("patch")
    if create is None or operation is None or "requestBody" not in operation:
        return
    properties = {
        name: {k: v for k, v in prop.items() if k != "default"} for name, prop in create["properties"].items()
    }
    schemas["ComplaintPatch"] = {
        "type": "object",
        "title": "ComplaintPatch",
        "description": (
            "A JSON merge patch (RFC 7396) of a complaint: fields present replace the recorded value, `null` "
            "removes an optional field, absent fields stay as they are. The result must be a valid complaint."
        ),
        "properties": properties,
        "additionalProperties": False,
        "examples": [{"subject": "Izin usaha (SIUP) tidak diproses"}, {"reported_party": None}],
    }
    # One media type: `application/json` is accepted too, but two identical bodies only confuse generated clients.
    operation["requestBody"]["content"] = {
        "application/merge-patch+json": {"schema": {"$ref": "#/components/schemas/ComplaintPatch"}}
    }


# ratelimit.py: the IETF rate-limit headers (draft-ietf-httpapi-ratelimit-headers) and Retry-After.
RATE_LIMIT_HEADERS: dict[str, dict[str, Any]] = {
    "RateLimit-Policy": {
        "description": 'The limits that apply, e.g. `"key";q=600;w=60`: at most `q` requests per `w` seconds '
        "(a token bucket: bursts up to `q`). Several comma-separated when more than one applies.",
        "schema": {"type": "string"},
    },
    "RateLimit": {
        "description": 'Where this client stands in each policy, e.g. `"key";r=583;t=2`: `r` requests left '
        "(an estimate across the service's processes), `t` seconds until the full quota is back.",
        "schema": {"type": "string"},
    },
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "required": True,
        "schema": {"type": "integer", "minimum": 1},
    },
}
# problem_texts.py / middleware.ProblemLanguage: every problem answer says its language.
CONTENT_LANGUAGE_HEADER: dict[str, Any] = {
    "description": "The language of the problem's `title` and `detail`: `id` (Bahasa Indonesia) when "
    "`Accept-Language` prefers it, otherwise `en`.",
    "required": True,
    "schema": {"type": "string", "enum": ["en", "id"]},
}
# Limited although they take no API key (a key's routes are limited per key).
_LIMITED_WITHOUT_KEY = frozenset(("health_readyz", "meta_index", "inbound_push_event", "inbound_upload_attachment"))


def finalize_openapi(schema: dict[str, Any]) -> dict[str, Any]:
    """Make the document say what the service does for every operation, whatever the route declared.

    - 422 is `application/problem+json` (FastAPI documents its own `HTTPValidationError` shape, which
      the service never sends: errors.py renders validation errors as problem details).
    - Operations with a request body may get 400 (malformed JSON), 408 (the body too slow), 413 (too
      large) and 415 (not JSON): the request guards (middleware.py) answer those.
    - Operations that need an API key may get 401.
    - Rate-limited operations (every keyed one, and a few others) may get 429, and carry the RateLimit
      headers (ratelimit.py).
    - Every problem answer carries `Content-Language` (middleware.ProblemLanguage).
    """
    components = schema.setdefault("components", {})
    components.setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    components.setdefault("headers", {})[REQUEST_ID_HEADER] = REQUEST_ID_RESPONSE_HEADER
    request_id_ref = {"$ref": f"#/components/headers/{REQUEST_ID_HEADER}"}
    components["headers"].update(RATE_LIMIT_HEADERS)
    components["headers"]["Content-Language"] = CONTENT_LANGUAGE_HEADER
    content_language_ref = {"$ref": "#/components/headers/Content-Language"}
    rate_limit_refs = {name: {"$ref": f"#/components/headers/{name}"} for name in ("RateLimit-Policy", "RateLimit")}
    retry_after_ref = {"$ref": "#/components/headers/Retry-After"}
    for path_item in schema.get("paths", {}).values():
        for method in _HTTP_METHODS:
            operation = path_item.get(method)
            if operation is None:
                continue
            if operation.get("operationId") in SUMMARIES:
                operation["summary"] = SUMMARIES[operation["operationId"]]
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "header" and parameter.get("name") == "Idempotency-Key":
                    # What idempotency.validate_key enforces (a 400 otherwise): 1-255 printable ASCII characters.
                    _idempotency_key_schema(parameter)
            responses = operation.setdefault("responses", {})
            has_body = "requestBody" in operation
            has_params = bool(operation.get("parameters")) or has_body
            secured = operation.get("security", schema.get("security")) not in (None, [])
            wanted = []
            if has_params:
                wanted.append(422)
            if has_body:
                wanted += [400, 408, 413, 415]
            if secured:
                wanted.append(401)
            limited = secured or operation.get("operationId") in _LIMITED_WITHOUT_KEY
            if limited:
                wanted.append(429)
            for code in wanted:
                key = str(code)
                existing = responses.get(key)
                if existing is None or PROBLEM_MEDIA_TYPE not in existing.get("content", {}):
                    responses[key] = _problem(code)
            operation["responses"] = dict(sorted(responses.items()))
            for code, response in operation["responses"].items():
                # Copies: the problem responses above are shared between operations.
                headers = {**response.get("headers", {}), REQUEST_ID_HEADER: request_id_ref}
                if limited and (code.startswith("2") or code == "429"):
                    headers.update(rate_limit_refs)
                if code == "429":
                    headers["Retry-After"] = retry_after_ref
                if PROBLEM_MEDIA_TYPE in response.get("content", {}):
                    headers["Content-Language"] = content_language_ref
                operation["responses"][code] = {**response, "headers": headers}
    _name_merge_patch_body(schema)
    for path_item in schema.get("webhooks", {}).values():
        # These describe the subscriber's endpoint: FastAPI's validation response does not apply there.
        for method in _HTTP_METHODS:
            if method in path_item:
                path_item[method].get("responses", {}).pop("422", None)
    for name in _FASTAPI_VALIDATION_SCHEMAS:
        components["schemas"].pop(name, None)
    components["schemas"] = dict(sorted(components["schemas"].items()))
    return schema


# Summaries (the one-line titles generated clients and documentation show), by operation id. Kept here,
# rather than on each route, so they read as one list; tests/contract checks every operation has one.
SUMMARIES: dict[str, str] = {
    "attachments_upload_to_complaint": "Attach a document to a complaint",
    "attachments_upload_to_referral": "Attach a document to a referral",
    "attachments_list_for_complaint": "List a complaint's attachments",
    "attachments_list_for_referral": "List a referral's attachments",
    "attachments_download": "Download an attachment",
    "inbound_upload_attachment": "Upload a document, signed with the agency's inbound secret",
    "health_healthz": "Liveness probe",
    "health_readyz": "Readiness probe",
    "meta_index": "The service's index: name, version, links",
    "meta_metrics": "Prometheus metrics",
    "complaints_create": "Record a complaint",
    "complaints_list": "List complaints",
    "complaints_get": "Read a complaint",
    "complaints_patch": "Change a complaint (JSON merge patch)",
    "complaints_events": "A complaint's whole timeline",
    "complaints_erase": "Erase a complainant's personal data (admin)",
    "events_feed": "The event feed (reconcile with the webhooks)",
    "audit_identity_reads": "Who read confidential identities (admin)",
    "referrals_create": "Refer a complaint to an agency",
    "referrals_list": "List referrals (an agency's work queue)",
    "referrals_get": "Read a referral",
    "referrals_events": "A referral's timeline",
    "referrals_forward": "Forward a referral to its agency",
    "referrals_acknowledge": "Acknowledge a referral (agency)",
    "referrals_respond": "Answer a referral (agency)",
    "referrals_request_follow_up": "Request a follow-up",
    "referrals_close": "Close a referral",
    "referrals_add_note": "Add a note to a referral",
    "agencies_create": "Add an agency",
    "agencies_list": "List the agency directory",
    "agencies_get": "Read an agency",
    "agencies_update": "Change an agency",
    "regions_list": "List provinces and regencies/cities",
    "inbound_rotate_secret": "Issue or rotate an agency's inbound secret",
    "inbound_get_status_mapping": "Read an agency's status mapping",
    "inbound_put_status_mapping": "Replace an agency's status mapping",
    "inbound_list_inbound_events": "List an agency's inbound pushes",
    "inbound_push_event": "Push a status change (signed, from a regional system)",
    "webhooks_list": "List webhook endpoints",
    "webhooks_create": "Subscribe a webhook endpoint",
    "webhooks_get": "Read a webhook endpoint",
    "webhooks_patch": "Change or pause a webhook endpoint",
    "webhooks_delete": "Unsubscribe a webhook endpoint",
    "webhooks_rotate_secret": "Rotate a webhook endpoint's secret",
    "webhooks_send_test": "Send a test event",
    "webhooks_deliveries": "List an endpoint's deliveries and attempts",
    "webhooks_recover": "Re-queue failed deliveries",
    "webhooks_retry": "Retry one delivery now",
    "calendar_get_year": "Non-working days of a year",
    "calendar_set_non_working_day": "Declare a non-working day",
    "calendar_remove_non_working_day": "Remove a non-working day",
    "reports_agency_performance": "Agency performance report",
    "api_keys_list": "List API keys",
    "api_keys_create": "Issue an API key",
    "api_keys_revoke": "Revoke an API key",
}
