"""The outbox's door in the core: what a service wrote, announced in its own transaction.

Every record a service writes goes through `history_save`, `history_bulk_create` or
`history_bulk_update` (powtracker.history), and each of them announces it here: the explicit
step by which a write becomes a notification, which no service can forget and no domain app
needs to import the partners' apps for. The announcements of one service are gathered while it
runs; at its end, still inside its transaction, `announcements_flush` hands them to the writers
the apps above registered (webhooks.outbox writes a notification for each endpoint whose partner
may see the change). So a notification commits with the change that caused it, or rolls back with
it, and one service that touches a captive five times announces him once.

The core knows nothing of partners, endpoints or event types: an announcement is a record's
model label, its id, whether the service created it, and when the service began — a version a
partner reads moved in this service exactly when it is not older than that (a record announced
whose version a partner reads did not move tells that partner nothing).
"""

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone


@dataclass(frozen=True)
class Announcement:
    """A record written by a service: `label` is its model's ("cases.captive")."""

    label: str
    pk: Any
    created: bool
    since: datetime


Writer = Callable[[list[Announcement]], None]

_writers: list[Writer] = []
# The announcements of the outermost service running, by (label, pk); None outside any service.
_gathered: ContextVar[dict[tuple[str, Any], Announcement] | None] = ContextVar(
    "outbox_gathered", default=None
)
_since: ContextVar[datetime | None] = ContextVar("outbox_since", default=None)


def writer_register(writer: Writer) -> None:
    """An app above the core turns announcements into notifications (in its AppConfig.ready)."""
    if writer not in _writers:
        _writers.append(writer)


def announce(record: Any, *, created: bool = False) -> None:
    """Say that a service wrote `record` (created it, when `created`). Inside a service it is
    written when the service ends, in its transaction; outside one (a migration, a test's
    fixture), at once."""
    announce_many([record], created=created)


def announce_many(records: Iterable[Any], *, created: bool = False) -> None:
    if not _writers:
        return
    # Outside a service the record was written before it was announced: nothing it moved is
    # newer than now, so nothing is told (fails closed).
    since = _since.get() or timezone.now()
    announcements = [
        Announcement(record._meta.label_lower, record.pk, created, since)
        for record in records
        if record.pk is not None
    ]
    gathered = _gathered.get()
    if gathered is None:
        _write(announcements)
        return
    for announcement in announcements:
        key = (announcement.label, announcement.pk)
        earlier = gathered.get(key)
        # Created and then changed in one service is one creation.
        if earlier is None or (announcement.created and not earlier.created):
            gathered[key] = announcement


@contextmanager
def gathering() -> Iterator[None]:
    """While the outermost service runs (powtracker.writes.service): gather, then write what was
    gathered before its transaction commits. Nothing is written when it raises."""
    if _gathered.get() is not None:
        yield
        return
    gathered: dict[tuple[str, Any], Announcement] = {}
    token = _gathered.set(gathered)
    since = _since.set(timezone.now())
    try:
        yield
        # Writers may write records that are announced in turn (they must not loop).
        while gathered:
            batch = list(gathered.values())
            gathered.clear()
            _write(batch)
    finally:
        _gathered.reset(token)
        _since.reset(since)


def _write(announcements: list[Announcement]) -> None:
    if not announcements:
        return
    for writer in _writers:
        writer(announcements)
