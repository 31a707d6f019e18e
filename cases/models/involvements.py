"""The states involved in a captive's case: his detaining power, his power depended on, its ally,
who offers to receive him… The one truth for hostility (partners.disclosure)."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from cases.choices import InvolvementRole
from powtracker.history import HistoricalRecords
from powtracker.permanence import PermanentModel


class Involvement(PermanentModel):
    """The role one state plays in one captive's case, and what it has said."""

    # What partners read of it (partners.api): its notes are the bureau's.
    PARTNER_FIELDS = ("state", "role", "position", "started_on", "ended_on")

    captive = models.ForeignKey(
        "cases.Captive",
        on_delete=models.PROTECT,
        related_name="involvements",
        verbose_name=_("captive"),
    )
    state = models.ForeignKey(
        "states.State",
        on_delete=models.PROTECT,
        related_name="involvements",
        verbose_name=pgettext_lazy("country", "state"),
    )
    role = models.CharField(_("role"), max_length=32, choices=InvolvementRole.choices)
    position = models.TextField(_("stated position"), blank=True)
    started_on = models.DateField(_("started on"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    # Its tables and constraints keep the names they had in the diplomacy app.
    history = HistoricalRecords(table_name="diplomacy_historicalinvolvement")

    class Meta:
        verbose_name = _("involvement")
        verbose_name_plural = _("involvements")
        db_table = "diplomacy_involvement"
        ordering = ["captive", "role", "state__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["captive", "state", "role"], name="diplomacy_involvement_unique_role"
            ),
            # His power depended on, and its ally: one state each at a time (ended ones stay).
            models.UniqueConstraint(
                fields=["captive", "role"],
                condition=Q(role__in=["power_depended_on", "allied_power"], ended_on__isnull=True),
                name="diplomacy_involvement_one_active_power",
                violation_error_code="power_already_recorded",
                violation_error_message=_(
                    "Another state holds this role in his case and has not ended: end that "
                    "involvement first."
                ),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(ended_on__gte=F("started_on")),
                name="diplomacy_involvement_ends_after_start",
                violation_error_code="invalid",
                violation_error_message=_("An involvement cannot end before it started."),
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(state)s as %(role)s") % {
            "state": self.state.code,
            "role": self.get_role_display().lower(),
        }
