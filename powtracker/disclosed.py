"""When a record last changed in a way partners can see: the version a partner reads.

A record's `updated_at` moves with every save, including changes no partner may see (internal
notes, the reasons behind an exclusion, a captive's wishes). A partner's `updated_at`, ETag and
ordering by change follow `disclosed_changed_at` instead, so they never tell it that something
hidden from it has changed (non-interference, rule 4).
"""

import hashlib
from collections.abc import Iterable
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DisclosedChangeModel(models.Model):
    """A record that keeps `disclosed_changed_at`. Its save is Django's own: every service that
    changes it names the fields it saves through version_fields, which moves the version
    partners read when one of them is a field they may see (history_save refuses a save that
    forgets)."""

    # Fields no partner ever reads (and `updated_at`, which every save moves).
    UNDISCLOSED_FIELDS: frozenset[str] = frozenset({"updated_at", "notes"})

    disclosed_changed_at = models.DateTimeField(
        _("disclosed changed at"), default=timezone.now, editable=False
    )

    class Meta:
        abstract = True

    @classmethod
    def changes_disclosed(cls, fields: Iterable[str]) -> bool:
        """Whether saving `fields` changes something partners may see."""
        return not set(fields) <= {*cls.UNDISCLOSED_FIELDS, "disclosed_changed_at"}


def version_fields(instance: models.Model, fields: Iterable[str]) -> list[str]:
    """The fields a service saves, with the record's versions: `updated_at` always, and the
    version partners read (`disclosed_changed_at`, moved now) when a field saved is one they
    may see."""
    saved = list(dict.fromkeys([*fields, "updated_at"]))
    if (
        isinstance(instance, DisclosedChangeModel)
        and type(instance).changes_disclosed(saved)
        and "disclosed_changed_at" not in saved
    ):
        instance.disclosed_changed_at = timezone.now()
        saved.append("disclosed_changed_at")
    return saved


def version_check(instance: models.Model, update_fields: Iterable[str] | None) -> None:
    """Refuse to save a change partners may see without moving the version they read: a
    service that forgot version_fields would let a partner's sync miss it."""
    if not isinstance(instance, DisclosedChangeModel) or instance._state.adding:
        return
    if update_fields is None:
        raise RuntimeError(
            f"{type(instance).__name__} saved whole: name the fields (version_fields)."
        )
    fields = set(update_fields)
    if type(instance).changes_disclosed(fields) and "disclosed_changed_at" not in fields:
        raise RuntimeError(
            f"{type(instance).__name__} saved {sorted(fields)} without moving the version "
            "partners read (version_fields)."
        )


def etag_for(instance: Any) -> str:
    """A strong validator that changes with what the reader may see of the record: a captive
    read through the disclosure rules carries the `shown_updated_at` of its reader; other
    records their `disclosed_changed_at` (powtracker.disclosed)."""
    stamp = getattr(instance, "shown_updated_at", None) or instance.disclosed_changed_at
    return etag_of(type(instance).__name__, instance.pk, stamp)


def etag_of(kind: str, pk: Any, stamp: Any) -> str:
    """The ETag of record `pk` of model `kind` at version `stamp` (what etag_for reads of an
    instance; the webhooks name the same version without loading one)."""
    digest = hashlib.sha256(f"{kind}:{pk}:{stamp.isoformat()}".encode()).hexdigest()
    return f'"{digest[:32]}"'
