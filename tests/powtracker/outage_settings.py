"""powtracker's settings plus one middleware that reaches the database the way a middleware may:
by writing to the session (which SessionMiddleware then saves, in its own layer) or by reading
the signed-in user (which AuthenticationMiddleware loads from the session, in this layer).

Served by tests/powtracker/test_health.py to show that a database failing inside a middleware,
not only in a view, is answered 503.
"""

from powtracker.settings import *  # noqa: F403
from powtracker.settings import MIDDLEWARE

MIDDLEWARE = [*MIDDLEWARE, "tests.powtracker.outage_settings.DatabaseTouchingMiddleware"]


class DatabaseTouchingMiddleware:
    """`X-Touch: session` writes a session key; `X-Touch: user` reads request.user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        touch = request.headers.get("X-Touch")
        if touch == "session":
            request.session["touched"] = True
        elif touch == "user":
            request.user.is_authenticated  # noqa: B018 — the lazy user is loaded here
        return self.get_response(request)
