"""Abstract bases that keep records forever: never deleted, mistakes are voided with a reason."""

from collections.abc import Iterator
from datetime import date
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Max, Min, Q
from django.utils.translation import gettext_lazy as _

from powtracker.constraints import OneQueryConstraintsModel
from powtracker.errors import ErrorCode, RuleError


class HardDeleteForbidden(RuleError):
    def __init__(self, label: str):
        super().__init__(
            ErrorCode.HARD_DELETE_FORBIDDEN,
            _("%(label)s records are never deleted; void them with a reason instead."),
            {"label": label},
        )


class UserDeletionForbidden(RuleError):
    def __init__(self) -> None:
        super().__init__(
            ErrorCode.HARD_DELETE_FORBIDDEN,
            _(
                "Users are never deleted: every history names who made each change. "
                "Deactivate the account instead."
            ),
        )


def protect_authorship(collector: Any, field: Any, sub_objs: Any, using: str) -> None:
    """on_delete of every history row's user: refuse, like PROTECT, with our own code.

    Unlike PROTECT's ProtectedError (which Django gathers and raises after collecting), this
    refusal stops the deletion at once, so a user's deletion always answers the same way.
    """
    raise UserDeletionForbidden()


def user_delete_refuse(sender: Any, instance: Any, **kwargs: Any) -> None:
    """pre_delete of the user model: users are deactivated, never deleted — singly or in bulk,
    whether or not they wrote anything yet."""
    raise UserDeletionForbidden()


def _periods(first: date, last: date, kind: str) -> Iterator[tuple[date, date | None]]:
    """The years or months from `first` to `last`: each one's first day and the next one's."""
    if kind == "year":
        for year in range(first.year, last.year + 1):
            yield date(year, 1, 1), (date(year + 1, 1, 1) if year < 9999 else None)
        return
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        following = (year + 1, 1) if month == 12 else (year, month + 1)
        yield date(year, month, 1), (date(*following, 1) if following[0] <= 9999 else None)
        year, month = following


class PermanentQuerySet(models.QuerySet):
    def dates(self, field_name: str, kind: str, order: str = "ASC") -> Any:  # type: ignore[override]
        """The years or months that hold a row (the admin's date drill-down), found by probing
        each period between the first and the last date through the field's index, instead of
        truncating the date of every row (57 ms at 100,000 captives, for three years)."""
        if kind not in ("year", "month"):
            return super().dates(field_name, kind, order)
        span = self.aggregate(first=Min(field_name), last=Max(field_name))
        if span["first"] is None:
            return []
        periods = []
        for begins, ends in _periods(span["first"], span["last"], kind):
            within = {f"{field_name}__gte": begins}
            if ends is not None:
                within[f"{field_name}__lt"] = ends
            if self.filter(**within).exists():
                periods.append(begins)
        return periods if order == "ASC" else periods[::-1]

    def delete(self):  # type: ignore[override]
        raise HardDeleteForbidden(self.model._meta.verbose_name.capitalize())


class PermanentModel(OneQueryConstraintsModel):
    """A record that can never be hard-deleted, neither one by one nor in bulk (and whose
    CHECK constraints are validated in one query)."""

    objects = PermanentQuerySet.as_manager()

    class Meta:
        abstract = True

    def delete(self, *args, **kwargs):  # type: ignore[override]
        raise HardDeleteForbidden(self._meta.verbose_name.capitalize())


class VoidableQuerySet(PermanentQuerySet):
    def active(self) -> "VoidableQuerySet":
        return self.filter(voided_at__isnull=True)


class VoidableModel(PermanentModel):
    """A record corrected by voiding: it stays, with who voided it, when and why."""

    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True, editable=False)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("voided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    void_reason = models.TextField(_("void reason"), blank=True, editable=False)

    objects = VoidableQuerySet.as_manager()

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(voided_at__isnull=True) | ~Q(void_reason=""),
                name="%(app_label)s_%(class)s_void_has_reason",
                violation_error_code="void_reason_required",
                violation_error_message=_("Give the reason for voiding."),
            ),
        ]

    @property
    def is_voided(self) -> bool:
        return self.voided_at is not None
