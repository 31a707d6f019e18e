"""One error envelope for the whole API, with stable codes:

{"error": {"code": "transition_not_allowed", "message": "...", "fields": {...}}}
"""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from powtracker.errors import ErrorCode, RuleError

# Rule refusals that are about the request's own content answer 400; refusals because of the
# case's state answer 409; a role that may not act answers 403.
BAD_REQUEST_CODES = {
    ErrorCode.INVALID,
    ErrorCode.REASON_REQUIRED,
    ErrorCode.REFERENCE_REQUIRED,
    ErrorCode.VOID_REASON_REQUIRED,
    ErrorCode.DESTINATION_REQUIRED,
    ErrorCode.EVENT_IN_FUTURE,
    ErrorCode.DATE_BEFORE_GC3,
    ErrorCode.DATE_BEFORE_CAPTURE,
    ErrorCode.EXPORT_PASSWORD_REQUIRED,
    ErrorCode.WEBHOOK_URL_REFUSED,
}


class APIError(exceptions.APIException):
    """An API refusal with its own status and stable code."""

    def __init__(self, status_code: int, code: str, message: str):
        self.status_code = status_code
        super().__init__(detail=message, code=code)
        self.error_code = code


def precondition_required() -> APIError:
    return APIError(428, "if_match_required", _("Send If-Match with the ETag you last read."))


def precondition_failed() -> APIError:
    return APIError(
        412, "version_mismatch", _("The record changed since you read it; read it again.")
    )


def flat_fields(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's error detail as `{"people.0.birth_date": ["…"]}`: nested objects and lists by
    their dotted path, so a client sees which item and which field, and never Python's repr."""
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for key, value in detail.items():
            out.update(flat_fields(value, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(detail, list) and any(isinstance(item, dict | list) for item in detail):
        out = {}
        for index, item in enumerate(detail):
            if item:
                out.update(flat_fields(item, f"{prefix}.{index}" if prefix else str(index)))
        return out
    messages = detail if isinstance(detail, list) else [detail]
    return {prefix or "non_field_errors": [str(message) for message in messages]}


def envelope(code: str, message: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    return {"error": body}


def _rule_response(error: DjangoValidationError) -> Response:
    if hasattr(error, "error_dict"):
        fields = {
            name: [str(m) for e in errors for m in e.messages]
            for name, errors in error.error_dict.items()
            if name != "__all__"
        }
        codes = [e.code for errors in error.error_dict.values() for e in errors]
        messages = [m for errors in error.error_dict.values() for e in errors for m in e.messages]
    else:
        fields = {}
        codes = [e.code for e in error.error_list]
        messages = list(error.messages)
    code = str(
        getattr(error, "error_code", None) or (codes[0] if codes else "invalid") or "invalid"
    )
    if code == ErrorCode.PERMISSION_DENIED:
        http = status.HTTP_403_FORBIDDEN
    elif isinstance(error, RuleError) and code not in BAD_REQUEST_CODES:
        http = status.HTTP_409_CONFLICT
    else:
        http = status.HTTP_400_BAD_REQUEST
    return Response(envelope(code, " ".join(messages), fields), status=http)


DRF_CODES = {
    exceptions.ParseError: "malformed_json",
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "not_authenticated",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "throttled",
}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """The envelope for every refusal (the partner API's handler wraps this one:
    partners.api.errors)."""
    if isinstance(exc, DjangoValidationError):
        return _rule_response(exc)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, APIError):
        code = exc.error_code
        message = str(exc.detail)
        fields = None
    elif isinstance(exc, exceptions.ValidationError):
        code = "invalid"
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        fields = flat_fields(detail)
        message = _("The request has invalid fields.")
        codes = exc.get_codes()
        if isinstance(codes, dict) and any("unknown_field" in str(c) for c in codes.values()):
            code = "unknown_field"
    else:
        code = next((c for kind, c in DRF_CODES.items() if isinstance(exc, kind)), "error")
        if isinstance(exc, exceptions.AuthenticationFailed) and getattr(exc, "get_codes", None):
            own = exc.get_codes()
            code = own if own in {"client_revoked", "invalid_token"} else code
        message = str(getattr(exc, "detail", exc))
        fields = None
    response.data = envelope(code, message, fields)
    return response


def api_not_found() -> Any:
    """The API's 404: the envelope, in the reader's language (handler404 and, with DEBUG on,
    ApiNotFoundMiddleware)."""
    from django.http import JsonResponse

    return JsonResponse(envelope("not_found", _("Not found.")), status=404)


def handler404(request: Any, exception: Exception | None = None) -> Any:
    """Unknown API paths answer with the envelope; the rest of the site keeps our page."""
    from django.views.defaults import page_not_found

    if request.path.startswith("/api/"):
        return api_not_found()
    return page_not_found(request, exception)


def handler500(request: Any) -> Any:
    from django.http import JsonResponse
    from django.views.defaults import server_error

    if request.path.startswith("/api/"):
        return JsonResponse(
            envelope("server_error", _("Something went wrong on our side.")), status=500
        )
    return server_error(request)
