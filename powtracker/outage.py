"""When no database answers, every request gets 503 with Retry-After, never 500.

The API (/api/) and the OAuth endpoints (/o/) answer the API's error envelope with the code
`database_unavailable`; the admin and everything else a plain page in the reader's language.

How Django turns an exception into a response, and why this is built as it is. Django wraps the
view and *every* middleware in `convert_exception_to_response`, so an exception never travels
from one layer to the next: the innermost layer around the code that raised it calls
`response_for_exception`, which for anything but the 4xx exceptions sends the
`got_request_exception` signal and then `handle_uncaught_exception`, which answers Django's
technical 500 page with DEBUG on and calls `handler500` with DEBUG off. So:
- `handler500` alone is not enough: with DEBUG on it is never called;
- a middleware's `process_exception` sees only exceptions from the view, not from middleware
  (sessions, authentication, axes) nor from a template rendered after the view;
- an outer middleware catching exceptions never sees one: it gets a finished 500 response, and
  outer layers may meanwhile have tried the database again (each try up to the connect timeout).

`got_request_exception` is the one hook every layer passes through, with DEBUG on or off, before
any 500 is built (Django's test client reads `sys.exc_info()` in it the same way). Its receiver
here recognises a database outage and raises `DatabaseUnavailable` from it. A receiver's
exception propagates out of `send()` and so out of that layer's conversion; each outer layer's
conversion sends the signal again and the receiver raises it again, until it reaches
`DatabaseOutageMiddleware`, which catches it and answers 503. No technical page or `handler500`
is built, no outer layer runs its response phase against the dead database, and nothing logs a
traceback. The receiver raises only while a request is inside that middleware (the request is
marked), so a failure outside it still gets Django's ordinary handling.

Before a request goes further, the middleware also makes sure a database connection is open (a
no-op while the persistent connection is), so that a page that would not otherwise have touched
the database, such as the admin's sign-in form, says the service is down at once rather than
after the user has typed a password.

The outage is logged once when it begins, once every Retry-After while it lasts, and once when
the database answers again: one line each, never a traceback per request.
"""

import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import DEFAULT_DB_ALIAS, DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

logger = logging.getLogger("powtracker.outage")


# The request attribute that says the outage middleware is on the stack for it.
GUARDED = "_database_outage_guarded"
# The request attribute set on an answer that powtracker logs itself, or deliberately not at all
# (an outage's 503s, the probes' 503s): QuietFilter drops django.request's line for it.
QUIET = "_powtracker_quiet"

# PostgreSQL's SQLSTATEs that mean the server cannot be used at all, rather than that one
# statement failed: class 08 (connection exception), the server shutting down or starting up
# (57P01-57P03) and too many connections (53300). A failure to connect or a connection lost
# mid-request has no SQLSTATE at all (libpq reports it). Statement timeouts (57014),
# serialization failures (40001) and deadlocks (40P01) are none of these: they stay errors.
UNAVAILABLE_SQLSTATES = frozenset({"57P01", "57P02", "57P03", "53300"})


class DatabaseUnavailable(Exception):
    """No database answers; raised from the database error that showed it."""

    def __init__(self, error: BaseException):
        super().__init__(str(error))
        self.error = error


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def unavailable(exc: BaseException) -> DatabaseError | None:
    """The database error in `exc` (or what caused it) saying that a database does not answer,
    or None when it is some other failure."""
    for error in _chain(exc):
        if isinstance(error, DatabaseUnavailable):
            return error.error  # type: ignore[return-value]
        if isinstance(error, InterfaceError):
            return error
        if not isinstance(error, OperationalError):
            continue
        driver = error.__cause__
        if isinstance(driver, sqlite3.OperationalError):
            # The file cannot be opened (its directory gone, no permission); "database is
            # locked" and the like are not outages.
            if getattr(driver, "sqlite_errorcode", None) == sqlite3.SQLITE_CANTOPEN:
                return error
            continue
        if driver is None or not hasattr(driver, "sqlstate"):
            continue
        sqlstate = driver.sqlstate  # psycopg
        if sqlstate is None or sqlstate.startswith("08") or sqlstate in UNAVAILABLE_SQLSTATES:
            return error
    return None


def _raise_if_unavailable(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """got_request_exception's receiver: see the module's docstring."""
    import sys

    exc = sys.exc_info()[1]
    if exc is None or request is None or not getattr(request, GUARDED, False):
        return
    if isinstance(exc, DatabaseUnavailable):
        raise exc
    from powtracker.replicas import ReadOnly

    if isinstance(exc, ReadOnly):
        # A write tried in read-only mode, in a middleware (a session saved): 503 read_only.
        raise DatabaseUnavailable(exc) from exc
    error = unavailable(exc)
    if error is not None:
        raise DatabaseUnavailable(error) from exc


# --- the log: one line when the outage begins, while it lasts, and when it ends --------------

_lock = threading.Lock()
_since: float | None = None
_refused = 0
_last_logged = 0.0


def _reason(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def outage_seen(error: BaseException) -> None:
    global _since, _refused, _last_logged
    now = time.monotonic()
    with _lock:
        _refused += 1
        if _since is None:
            _since, _last_logged = now, now
            logger.error(
                "Database unavailable (%s): answering 503 with Retry-After %s s until it answers",
                _reason(error),
                settings.RETRY_AFTER_SECONDS,
            )
        elif now - _last_logged >= settings.RETRY_AFTER_SECONDS:
            _last_logged = now
            logger.error(
                "Database still unavailable after %d s (%s); %d requests answered 503",
                now - _since,
                _reason(error),
                _refused,
            )


def outage_over() -> None:
    """Called after a request the database served, while an outage is on record."""
    global _since, _refused
    with _lock:
        if _since is None:
            return
        logger.warning(
            "Database answers again after %d s; %d requests were answered 503",
            time.monotonic() - _since,
            _refused,
        )
        _since, _refused = None, 0


class QuietFilter(logging.Filter):
    """Drops django.request's line for each 503 of an outage, and for a probe's 503 (asked every
    few seconds by the load balancer): the outage is logged by this module, once
    (settings.LOGGING)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not getattr(getattr(record, "request", None), QUIET, False)


# --- the answer -----------------------------------------------------------------------------


def unavailable_response(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After: the API's envelope under /api/ and /o/, a plain page elsewhere, in
    the language LocaleMiddleware chose (it runs before the outage middleware)."""
    from powtracker.api.errors import envelope

    response: HttpResponse
    if request.path.startswith(("/api/", "/o/")):
        response = JsonResponse(
            envelope(
                "database_unavailable",
                _("The database is unavailable. Try again after the time in Retry-After."),
            ),
            status=503,
        )
    else:
        # Rendered without the request: no context processor may reach for the session or the
        # user, which live in the database.
        response = HttpResponse(
            render_to_string("503.html"), status=503, content_type="text/html; charset=utf-8"
        )
    response["Retry-After"] = str(settings.RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    setattr(request, QUIET, True)
    return response


def _serves(connection: Any) -> bool:
    return connection.connection is not None and not connection.errors_occurred


class DatabaseOutageMiddleware:
    """Answers 503 while no database answers (see the module's docstring). It stands outside
    every middleware that may touch the database (sessions, authentication, messages, history,
    the write guard, axes) and inside those that never do (security, CSP, language, the API's
    own refusals, static files)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        got_request_exception.connect(
            _raise_if_unavailable, dispatch_uid="powtracker.outage", weak=False
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Imported here: the logging configuration imports this module before the apps load.
        from powtracker.replicas import (
            ReadOnly,
            primary_available,
            primary_mark_down,
            replica_aliases,
        )
        from powtracker.routing import read_only_response

        connection = connections[DEFAULT_DB_ALIAS]
        # With replicas, a primary known to be down is not asked again at every request (each
        # ask may cost the connect timeout): the site is read-only meanwhile.
        if primary_available():
            try:
                connection.ensure_connection()
            except DatabaseError as error:
                if unavailable(error) is None:
                    raise
                outage_seen(error)
                if not replica_aliases():
                    return unavailable_response(request)
                primary_mark_down()
        setattr(request, GUARDED, True)
        try:
            response = self.get_response(request)
        except DatabaseUnavailable as outage:
            outage_seen(outage.error)
            if replica_aliases():
                # The primary went away (or a write was tried while it is away): the next
                # requests are read-only, served by a replica; this one cannot be finished.
                if not isinstance(outage.error, ReadOnly):
                    primary_mark_down()
                return read_only_response(request)
            return unavailable_response(request)
        finally:
            setattr(request, GUARDED, False)
        if _since is not None and _serves(connection):
            outage_over()
        return response
