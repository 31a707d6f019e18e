"""The states: detaining powers, nationalities, powers depended on, mediators. Every other app
stands on this list."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from powtracker.history import HistoricalRecords
from powtracker.permanence import PermanentModel
from states.choices import DocumentLanguage
from states.state_names import state_name


class State(PermanentModel):
    code = models.CharField(
        _("ISO 3166-1 alpha-3 code"), max_length=3, help_text=_("Three capital letters, e.g. UKR.")
    )
    name = models.CharField(_("name"), max_length=120)
    gc3_party = models.BooleanField(_("party to the Third Geneva Convention"), default=True)
    language = models.CharField(
        _("language of its documents"),
        max_length=8,
        choices=DocumentLanguage.choices,
        blank=True,
        help_text=_(
            "The language its captives' capture cards are printed in, beside the detaining "
            "power's. Blank: English."
        ),
    )
    notes = models.TextField(_("notes"), blank=True)

    # Its tables keep the names they had in the diplomacy app, where it was first recorded.
    history = HistoricalRecords(table_name="diplomacy_historicalstate")

    class Meta:
        verbose_name = pgettext_lazy("country", "state")
        verbose_name_plural = pgettext_lazy("country", "states")
        db_table = "diplomacy_state"
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["code"], name="diplomacy_state_unique_code"),
            models.CheckConstraint(
                condition=Q(code__regex=r"^[A-Z]{3}$"),
                name="diplomacy_state_code_alpha3",
                violation_error_code="invalid",
                violation_error_message=_(
                    "The code is three capital letters (ISO 3166-1), e.g. UKR."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.local_name}"

    @property
    def local_name(self) -> str:
        """Its name in the active language (states.state_names)."""
        return state_name(self.code, self.name)
