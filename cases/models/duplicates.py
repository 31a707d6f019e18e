"""Decisions about pairs of captives proposed as duplicates."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.choices import (
    DuplicateVerdict,
)
from cases.models.captives import Captive
from powtracker.history import HistoricalRecords
from powtracker.permanence import PermanentModel


class DuplicateDecision(PermanentModel):
    """A caseworker's decision about a pair of captives proposed as duplicates: the same person
    (the `duplicate` became a linked duplicate of the other) or not the same (never proposed
    again). The pair is stored in a canonical order (lower id first); one decision a pair."""

    first = models.ForeignKey(
        Captive, on_delete=models.PROTECT, related_name="+", verbose_name=_("first")
    )
    second = models.ForeignKey(
        Captive, on_delete=models.PROTECT, related_name="+", verbose_name=_("second")
    )
    decision = models.CharField(
        max_length=16, choices=DuplicateVerdict.choices, verbose_name=_("decision")
    )
    duplicate = models.ForeignKey(
        Captive,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("For the same person: the record that became a linked duplicate."),
        verbose_name=_("duplicate"),
    )
    note = models.TextField(blank=True, verbose_name=_("note"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(
        default=timezone.now, editable=False, verbose_name=_("decided at")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("duplicate decision")
        verbose_name_plural = _("duplicate decisions")
        ordering = ["-decided_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["first", "second"], name="cases_duplicatedecision_unique_pair"
            ),
            models.CheckConstraint(
                condition=Q(first__lt=models.F("second")),
                name="cases_duplicatedecision_pair_ordered",
            ),
            models.CheckConstraint(
                condition=Q(decision=DuplicateVerdict.NOT_SAME, duplicate__isnull=True)
                | Q(decision=DuplicateVerdict.SAME_PERSON, duplicate__isnull=False),
                name="cases_duplicatedecision_same_names_duplicate",
            ),
        ]
        indexes = [models.Index(fields=["second"], name="cases_dupdecision_second_idx")]

    def __str__(self) -> str:
        return f"{self.get_decision_display()}: {self.first_id} / {self.second_id}"
