"""The export audit: one record per file that left, kept forever."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from powtracker.permanence import PermanentModel
from reports.choices import ExportFormat


class ExportRecord(PermanentModel):
    """Who exported which list, filtered how, how many rows, and the SHA-256 of the file."""

    exported_at = models.DateTimeField(_("when"), auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty for a partner's export or the command line."),
    )
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    list_name = models.CharField(_("list"), max_length=100)
    filters = models.TextField(_("filters"), blank=True, help_text=_("The query string."))
    export_format = models.CharField(_("format"), max_length=8, choices=ExportFormat.choices)
    row_count = models.PositiveIntegerField(_("rows"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    completed = models.BooleanField(
        _("completed"),
        default=True,
        help_text=_(
            "False when the download was abandoned: the rows and the hash are of what was sent."
        ),
    )

    class Meta:
        ordering = ["-exported_at", "-id"]
        permissions = [("export", _("Can export lists"))]
        indexes = [models.Index(fields=["exported_at"], name="reports_export_at_idx")]

    def __str__(self) -> str:
        return f"{self.list_name} {self.export_format} {self.exported_at:%Y-%m-%d %H:%M}"
