"""Custody events: the captive's custody timeline."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.choices import (
    CustodyEventKind,
)
from cases.models.captives import STATE, Captive
from powtracker.history import HistoricalRecords
from powtracker.permanence import VoidableModel


class CustodyEvent(VoidableModel):
    """One step of the custody timeline. The captive's custody status is the latest one."""

    captive = models.ForeignKey(
        Captive, on_delete=models.PROTECT, related_name="custody_events", verbose_name=_("captive")
    )
    kind = models.CharField(max_length=16, choices=CustodyEventKind.choices, verbose_name=_("kind"))
    occurred_at = models.DateTimeField(_("when"))
    place = models.CharField(_("where"), max_length=200, blank=True)
    custodian = models.ForeignKey(
        STATE,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("custodian state"),
    )
    notes = models.TextField(blank=True, verbose_name=_("notes"))
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
        verbose_name = _("custody event")
        verbose_name_plural = _("custody events")
        ordering = ["captive", "occurred_at", "id"]
        indexes = [
            models.Index(fields=["captive", "occurred_at"], name="cases_custodyevent_time_idx"),
        ]

    def __str__(self) -> str:
        return _("%(kind)s on %(day)s") % {
            "kind": self.get_kind_display(),
            "day": f"{self.occurred_at:%Y-%m-%d}",
        }
