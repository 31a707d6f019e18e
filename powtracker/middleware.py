"""Refuse, for the whole site, requests whose path, query or form carries a NUL character.

No name, code, term or identifier holds one, and PostgreSQL text cannot store or compare one:
let through, it crashes whatever query it reaches (a list filter, a search, an autocomplete, a
foreign key in a form, an OAuth client id). JSON bodies are checked by the API's parser.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _

from powtracker.api.errors import envelope

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _has_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path:
        return True
    sources = [request.GET]
    if request.method == "POST" and request.content_type in FORM_TYPES:
        sources.append(request.POST)
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for source in sources
        for key, values in source.lists()
    )


class RefuseNulMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _has_nul(request):
            return self.get_response(request)
        message = _("A NUL character is not allowed in a request.")
        if request.path.startswith("/api/"):
            return JsonResponse(envelope("invalid", message), status=400)
        if request.path.startswith("/o/"):
            # The OAuth endpoints answer in RFC 6749's own error format.
            return JsonResponse(
                {"error": "invalid_request", "error_description": message}, status=400
            )
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
