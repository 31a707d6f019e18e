"""Each request's route to the databases (powtracker.replicas): read-only while the primary does
not answer, a pin after a write, and the refusals of read-only mode."""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.middleware import get_user
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from powtracker.api.errors import envelope
from powtracker.replicas import (
    ReadOnly,
    Route,
    current_route,
    in_read_only_mode,
    pin,
    primary_available,
    replica_aliases,
)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
JSON_PREFIXES = ("/api/", "/o/")


def read_only_message() -> str:
    return _(
        "powtracker is read-only for now: the primary database does not answer. You can read; "
        "changes are possible again once it is back."
    )


def read_only_response(request: HttpRequest) -> HttpResponse:
    """503 `read_only`, with Retry-After: JSON for the API and OAuth, a plain page otherwise."""
    retry = str(settings.RETRY_AFTER_SECONDS)
    if request.path.startswith(JSON_PREFIXES):
        response: HttpResponse = JsonResponse(
            envelope("read_only", read_only_message()), status=503
        )
    else:
        response = HttpResponse(
            render_to_string(
                "powtracker/unavailable.html",
                {"title": _("Read-only for now"), "message": read_only_message()},
            ),
            status=503,
        )
    response["Retry-After"] = retry
    return response


def _viewing_only(user: Any) -> Any:
    """The user, allowed in read-only mode only what reads (the admin hides every button that
    would write)."""
    if not getattr(user, "is_authenticated", False):
        return user
    allows = user.has_perm

    def has_perm(permission: str, obj: Any = None) -> bool:
        codename = permission.rpartition(".")[2]
        return codename.startswith("view_") and allows(permission, obj)

    user.has_perm = has_perm
    return user


def read_only(request: HttpRequest) -> dict[str, Any]:
    """Template context: whether the admin shows the read-only banner."""
    return {"read_only": in_read_only_mode()}


class DatabaseRouteMiddleware:
    """Sets the request's route (right inside the outage middleware, so that the sessions'
    reads and writes follow it too); in read-only mode refuses every write at once; after a
    write, pins the writer to the primary."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not replica_aliases():
            return self.get_response(request)
        route = Route(request=request, read_only=not primary_available())
        token = current_route.set(route)
        try:
            if route.read_only and request.method not in SAFE_METHODS:
                return read_only_response(request)
            response = self.get_response(request)
            if not route.read_only and (
                route.wrote or (request.method not in SAFE_METHODS and response.status_code < 400)
            ):
                pin(request)
            return response
        finally:
            current_route.reset(token)

    def process_exception(self, request: HttpRequest, exception: Exception) -> Any:
        if isinstance(exception, ReadOnly):
            return read_only_response(request)
        return None


class ReadOnlyUserMiddleware:
    """In read-only mode the signed-in user is allowed only what reads, so the admin shows no
    button that would write (after AuthenticationMiddleware)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if in_read_only_mode():
            request.user = SimpleLazyObject(lambda: _viewing_only(get_user(request)))
        return self.get_response(request)
