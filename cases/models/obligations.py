"""Obligations: the duties GC III sets the detaining power, with their deadlines."""

from datetime import date

from django.db import models
from django.db.models import Case, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.choices import (
    ObligationKind,
    ObligationState,
)
from cases.models.captives import Captive
from cases.models.custody import CustodyEvent
from powtracker.history import HistoricalRecords
from powtracker.permanence import VoidableModel, VoidableQuerySet


class ObligationQuerySet(VoidableQuerySet):
    def with_state(self, today: date | None = None) -> "ObligationQuerySet":
        """Annotate `state`: fulfilled, cancelled (voided), overdue or due."""
        today = today or timezone.localdate()
        return self.annotate(
            state=Case(
                When(voided_at__isnull=False, then=Value(ObligationState.CANCELLED)),
                When(fulfilled_on__isnull=False, then=Value(ObligationState.FULFILLED)),
                When(due_on__lt=today, then=Value(ObligationState.OVERDUE)),
                default=Value(ObligationState.DUE),
                output_field=models.CharField(),
            )
        )


class Obligation(VoidableModel):
    """A legal duty with a deadline, created by an event (GC III Arts. 70, 119, 120, 122)."""

    captive = models.ForeignKey(
        Captive, on_delete=models.PROTECT, related_name="obligations", verbose_name=_("captive")
    )
    kind = models.CharField(max_length=24, choices=ObligationKind.choices, verbose_name=_("kind"))
    due_on = models.DateField(verbose_name=_("due on"))
    fulfilled_on = models.DateField(null=True, blank=True, verbose_name=_("fulfilled on"))
    reference = models.CharField(
        max_length=200,
        blank=True,
        help_text=_("Reference of the card, notification or report."),
        verbose_name=_("reference"),
    )
    triggered_by = models.ForeignKey(
        CustodyEvent,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="obligations",
        verbose_name=_("triggered by"),
    )
    document = models.ForeignKey(
        "reports.GeneratedDocument",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="fulfilled_obligations",
        verbose_name=_("document sent"),
        help_text=_("The printed capture card or notification that fulfilled it."),
    )
    notes = models.TextField(blank=True, verbose_name=_("notes"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    objects = ObligationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta(VoidableModel.Meta):
        verbose_name = _("obligation")
        verbose_name_plural = _("obligations")
        ordering = ["due_on", "id"]
        constraints = [
            *VoidableModel.Meta.constraints,
            models.CheckConstraint(
                condition=Q(fulfilled_on__isnull=True) | ~Q(reference=""),
                name="cases_obligation_fulfilled_has_reference",
                violation_error_code="reference_required",
                violation_error_message=_(
                    "A fulfilled obligation gives the reference of what was sent."
                ),
            ),
        ]
        indexes = [
            models.Index(
                fields=["due_on"],
                condition=Q(fulfilled_on__isnull=True, voided_at__isnull=True),
                name="cases_obligation_open_idx",
            ),
        ]

    def __str__(self) -> str:
        return _("%(kind)s due %(day)s") % {"kind": self.get_kind_display(), "day": self.due_on}

    def state_on(self, today: date | None = None) -> str:
        today = today or timezone.localdate()
        if self.voided_at:
            return ObligationState.CANCELLED
        if self.fulfilled_on:
            return ObligationState.FULFILLED
        return ObligationState.OVERDUE if self.due_on < today else ObligationState.DUE
