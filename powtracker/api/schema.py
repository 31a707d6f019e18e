"""OpenAPI post-processing: every operation documents the error envelope it may answer."""

from typing import Any

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {
                    "type": "string",
                    "description": "Stable code, e.g. transition_not_allowed, "
                    "repatriation_not_cleared, version_mismatch, permission_denied.",
                },
                "message": {"type": "string"},
                "fields": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                },
            },
        }
    },
}

READ_ERRORS = {
    "400": "Invalid filter or parameter",
    "401": "No valid token, or the client was revoked",
    "403": "The token lacks the scope this endpoint needs",
    "404": "Not found, or not disclosed to you (the same answer)",
    "429": "Too many requests; see Retry-After",
    "503": "No database answers (database_unavailable); try again after Retry-After seconds",
}
WRITE_ERRORS = {
    **READ_ERRORS,
    "400": "Malformed JSON, wrong types, unknown fields, or a missing reason",
    "403": "The token lacks the scope, or your role may not take this decision",
    "405": "Records are never deleted or replaced; correct them by voiding",
    "409": "A rule refuses it (e.g. transition_not_allowed, repatriation_not_cleared), "
    "or the same Idempotency-Key is still being processed",
    "412": "If-Match does not match the current version (version_mismatch)",
    "413": "The body is too large",
    "422": "The Idempotency-Key was used for a different request",
    "428": "If-Match is required",
}


def add_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict:
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"$ref": "#/components/schemas/Error"}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "post", "patch", "put", "delete"}:
                continue
            errors = READ_ERRORS if method == "get" else WRITE_ERRORS
            responses = operation.setdefault("responses", {})
            for status, description in errors.items():
                responses.setdefault(
                    status,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": reference}},
                    },
                )
    return result
