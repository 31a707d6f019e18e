"""When a record last changed in a way partners can see: the version a partner reads.

A record's `updated_at` moves with every save, including changes no partner may see (internal
notes, the reasons behind an exclusion, a captive's wishes). A partner's `updated_at`, ETag and
ordering by change follow `disclosed_changed_at` instead, so they never tell it that something
hidden from it has changed (non-interference, rule 4).
"""

from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DisclosedChangeModel(models.Model):
    """A record that keeps `disclosed_changed_at`. A save moves it unless the only fields it
    changes are in UNDISCLOSED_FIELDS; a service that knows better may set it itself."""

    # Fields no partner ever reads (and `updated_at`, which every save moves).
    UNDISCLOSED_FIELDS: frozenset[str] = frozenset({"updated_at", "notes"})

    disclosed_changed_at = models.DateTimeField(
        _("disclosed changed at"), default=timezone.now, editable=False
    )

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "disclosed_changed_at" in update_fields:
            super().save(*args, **kwargs)  # the service decided
            return
        if self._disclosed_change(update_fields):
            self.disclosed_changed_at = timezone.now()
            if update_fields is not None:
                kwargs["update_fields"] = [*update_fields, "disclosed_changed_at"]
        super().save(*args, **kwargs)

    def _disclosed_attnames(self) -> list[str]:
        skipped = {*self.UNDISCLOSED_FIELDS, "disclosed_changed_at", "created_at"}
        return [f.attname for f in self._meta.concrete_fields if f.name not in skipped]

    def _disclosed_change(self, update_fields: Any) -> bool:
        if self._state.adding or self.pk is None:
            return True
        if update_fields is not None:
            return not set(update_fields) <= self.UNDISCLOSED_FIELDS
        # A whole-row save (a form): compare with what is stored.
        names = self._disclosed_attnames()
        stored = type(self)._base_manager.filter(pk=self.pk).values(*names).first()
        return stored is None or any(stored[name] != getattr(self, name) for name in names)
