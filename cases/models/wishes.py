"""Wish statements and the non-refoulement reviews that weigh them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.choices import (
    ReviewDecision,
    Voluntariness,
    Wish,
    WishMode,
)
from cases.models.captives import STATE, Captive
from powtracker.history import HistoricalRecords
from powtracker.permanence import VoidableModel


class WishStatement(VoidableModel):
    """What a captive said about his future. Never edited: a new statement supersedes."""

    captive = models.ForeignKey(
        Captive, on_delete=models.PROTECT, related_name="wish_statements", verbose_name=_("captive")
    )
    wish = models.CharField(max_length=16, choices=Wish.choices, verbose_name=_("wish"))
    destination = models.ForeignKey(
        STATE,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The state he wishes to go to; required for a defect wish."),
        verbose_name=_("destination"),
    )
    statement = models.TextField(
        _("what he said"), blank=True, help_text=_("His words, as translated, with context.")
    )
    stated_at = models.DateTimeField(_("when"))
    mode = models.CharField(_("how expressed"), max_length=24, choices=WishMode.choices)
    language = models.CharField(max_length=80, blank=True, verbose_name=_("language"))
    interpreter = models.CharField(max_length=200, blank=True, verbose_name=_("interpreter"))
    persons_present = models.TextField(blank=True, verbose_name=_("persons present"))
    is_formal_request = models.BooleanField(_("formal request"), default=False)
    voluntariness = models.CharField(
        max_length=24,
        choices=Voluntariness.choices,
        default=Voluntariness.NOT_ASSESSED,
        verbose_name=_("voluntariness"),
    )
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("assessed by"),
    )
    assessed_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("assessed at")
    )
    assessment_notes = models.TextField(blank=True, verbose_name=_("assessment notes"))
    source_media = models.ForeignKey(
        "cases.MediaRecord",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("source media"),
    )
    supersedes = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="superseded_by",
        verbose_name=_("supersedes"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(auto_now_add=True, verbose_name=_("recorded at"))

    history = HistoricalRecords()

    class Meta(VoidableModel.Meta):
        verbose_name = _("wish statement")
        verbose_name_plural = _("wish statements")
        ordering = ["captive", "stated_at", "id"]
        permissions = [("assess_wishstatement", "Can assess the voluntariness of a wish")]
        constraints = [
            *VoidableModel.Meta.constraints,
            models.CheckConstraint(
                condition=Q(wish=Wish.DEFECT, destination__isnull=False)
                | (~Q(wish=Wish.DEFECT) & Q(destination__isnull=True)),
                name="cases_wishstatement_defect_names_destination",
                violation_error_code="defect_needs_destination",
                violation_error_message=_(
                    "A wish to defect names the state he wishes to go to; other wishes name none."
                ),
            ),
            models.CheckConstraint(
                condition=Q(voluntariness=Voluntariness.NOT_ASSESSED)
                | Q(assessed_at__isnull=False),
                name="cases_wishstatement_assessment_dated",
            ),
        ]
        indexes = [
            models.Index(fields=["captive", "stated_at"], name="cases_wish_time_idx"),
        ]

    def __str__(self) -> str:
        wish = self.get_wish_display()
        if self.wish == Wish.DEFECT and self.destination_id:
            wish = f"Defect to {self.destination.code}"
        return f"{wish} ({self.stated_at:%Y-%m-%d}, {self.get_voluntariness_display().lower()})"

    @property
    def is_verified(self) -> bool:
        """An unassessed or doubtful statement is not consent."""
        return self.voluntariness == Voluntariness.FREE


class NonRefoulementReview(VoidableModel):
    """A supervisor's decision whether a captive may be sent to a state against or without his
    free wish (GC III Art. 109(3); non-refoulement)."""

    captive = models.ForeignKey(
        Captive,
        on_delete=models.PROTECT,
        related_name="non_refoulement_reviews",
        verbose_name=_("captive"),
    )
    destination = models.ForeignKey(
        STATE, on_delete=models.PROTECT, related_name="+", verbose_name=_("destination")
    )
    decision = models.CharField(
        max_length=16, choices=ReviewDecision.choices, verbose_name=_("decision")
    )
    reasons = models.TextField(verbose_name=_("reasons"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(editable=False, verbose_name=_("reviewed at"))

    history = HistoricalRecords()

    class Meta(VoidableModel.Meta):
        ordering = ["captive", "-reviewed_at", "-id"]
        verbose_name = _("non-refoulement review")
        verbose_name_plural = _("non-refoulement reviews")
        constraints = [
            *VoidableModel.Meta.constraints,
            models.CheckConstraint(
                condition=~Q(reasons=""),
                name="cases_nonrefoulementreview_has_reasons",
                violation_error_message=_("A review gives its reasons."),
            ),
        ]

    def __str__(self) -> str:
        return _("%(decision)s for %(state)s") % {
            "decision": self.get_decision_display(),
            "state": self.destination_id and self.destination.code,
        }
