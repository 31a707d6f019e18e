"""Refuse oversize API bodies with 413 before anything reads them."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from powtracker.api.errors import api_not_found, envelope


class ApiBodyLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > settings.API_MAX_BODY_BYTES:
                return JsonResponse(
                    envelope(
                        "body_too_large",
                        _("The body is larger than %(limit)d bytes.")
                        % {"limit": settings.API_MAX_BODY_BYTES},
                    ),
                    status=413,
                )
        return self.get_response(request)


class ApiNotFoundMiddleware:
    """Answer every 404 under /api/ with the JSON envelope.

    Django calls `handler404` only with DEBUG off; with DEBUG on an unrouted path gets the
    technical page, which lists the URL patterns. This holds either way.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code == 404
            and request.path.startswith("/api/")
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            return api_not_found()
        return response
