"""Every write is a service: the mark a service carries, and the guard that refuses any other write.

A service is one atomic function that checks the acting user's role and the rule, writes, and
leaves history (`@service`). While a request is served (WriteGuardMiddleware), a save, an m2m
change or a delete of one of our records that does not happen inside a service is refused with
`WriteOutsideService`: Django's `ModelAdmin.save_model`, a formset's `save()` or a form's
`save_m2m()` reached by mistake raises instead of writing past the rules. Bulk writes
(`QuerySet.update`, `bulk_create`) send no signal; only services use them.
"""

import functools
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, ParamSpec, TypeVar

from django.db import transaction
from django.db.models.signals import m2m_changed, pre_delete, pre_save
from django.http import HttpRequest, HttpResponse

from powtracker.outbox import gathering
from powtracker.replicas import ReadOnly, current_route, disclosure_lsn_record, replica_aliases

# The apps whose records only services write.
GUARDED_APPS = frozenset(
    {"jobs", "states", "cases", "diplomacy", "partners", "imports", "reports", "webhooks"}
)
# Not a record of the register but the API's memory of an answer, written by its idempotency
# wrapper in the same transaction as the service it wraps (partners.api.idempotency).
UNGUARDED_MODELS = frozenset({"partners.idempotencyrecord"})

_service_depth: ContextVar[int] = ContextVar("service_depth", default=0)
_guard_armed: ContextVar[bool] = ContextVar("write_guard_armed", default=False)

P = ParamSpec("P")
R = TypeVar("R")


class WriteOutsideService(RuntimeError):
    """A record was about to be written by something that is not a service."""


def service(func: Callable[P, R]) -> Callable[P, R]:
    """Mark a function as a service: one transaction, inside which writes are allowed."""

    def inside(*args: P.args, **kwargs: P.kwargs) -> R:
        if _service_depth.get() == 1 and replica_aliases():
            # When it commits, its writer reads its own writes, and no replica serves a read
            # before it has replayed this change (it may narrow what a partner sees).
            transaction.on_commit(_written)
        # What it wrote becomes notifications at its end, in its transaction (the outbox).
        with gathering():
            return func(*args, **kwargs)

    atomic = transaction.atomic(inside)

    @functools.wraps(func)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        route = current_route.get()
        if route is not None and route.read_only:
            raise ReadOnly("The primary database does not answer; nothing can be written.")
        token = _service_depth.set(_service_depth.get() + 1)
        try:
            return atomic(*args, **kwargs)
        finally:
            _service_depth.reset(token)

    return run


def _written() -> None:
    route = current_route.get()
    if route is not None:
        route.wrote = True
    disclosure_lsn_record()


def in_service() -> bool:
    return _service_depth.get() > 0


@contextmanager
def writes_guarded() -> Iterator[None]:
    """Refuse, while it lasts, every write of a guarded record outside a service."""
    token = _guard_armed.set(True)
    try:
        yield
    finally:
        _guard_armed.reset(token)


def is_guarded(model: type) -> bool:
    """Our records, not their history rows (simple-history writes those beside each save)."""
    meta = model._meta  # type: ignore[attr-defined]
    return (
        meta.app_label in GUARDED_APPS
        and not meta.model_name.startswith("historical")
        and meta.label_lower not in UNGUARDED_MODELS
    )


def _refuse_outside_service(sender: Any, **kwargs: Any) -> None:
    if not _guard_armed.get() or in_service():
        return
    model = sender
    if kwargs.get("signal") is m2m_changed:
        if kwargs.get("action", "").startswith("post_"):
            return
        model = type(kwargs["instance"])
    if is_guarded(model):
        raise WriteOutsideService(
            f"{model._meta.label} was about to be written outside a service."  # type: ignore[attr-defined]
        )


def write_guard_connect() -> None:
    for signal, uid in (
        (pre_save, "write_guard_save"),
        (pre_delete, "write_guard_delete"),
        (m2m_changed, "write_guard_m2m"),
    ):
        signal.connect(_refuse_outside_service, dispatch_uid=uid, weak=False)


class WriteGuardMiddleware:
    """Arms the guard for the whole of every request (the admin, the API, the sign-in pages)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with writes_guarded():
            return self.get_response(request)


def keywords_check(function: str, given: Iterable[str], allowed: Collection[str]) -> None:
    """Refuse, as Python would, a keyword a service does not take (its fields are listed)."""
    unknown = set(given) - set(allowed)
    if unknown:
        raise TypeError(f"{function}() got unexpected keywords {sorted(unknown)}")


def changes_check(changes: Iterable[str], allowed: Collection[str], refusal: Any) -> None:
    """Refuse a change to what a record is rather than what it says: `refusal` names the
    fields (`%(fields)s`), with the code `invalid`."""
    from powtracker.errors import ErrorCode, RuleError

    fixed = set(changes) - set(allowed)
    if fixed:
        raise RuleError(ErrorCode.INVALID, refusal, {"fields": ", ".join(sorted(fixed))})
