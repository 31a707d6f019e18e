"""Lists of names imported into the register: each file uploaded (a batch) and each of its rows.

A batch keeps what was received exactly as it was read (every row's cells), how its columns were
mapped, what the analysis found in each row (errors, the captive it was already imported as, the
possible duplicates) and what the caseworker decided. Nothing is written to the register until a
caseworker confirms; then each row says which captive it became. Batches are never deleted: a
batch that is not wanted is cancelled.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from imports.choices import BatchStatus, RowDecision, RowStatus
from powtracker.history import HistoricalRecords
from powtracker.permanence import PermanentModel


class ImportBatch(PermanentModel):
    """One uploaded file of names, from upload to the last row written."""

    source = models.CharField(
        _("source"),
        max_length=200,
        help_text=_("Who sent the list, e.g. “NIB Ukraine, list 14 of 2026-11-20” or “ICRC CTA”."),
    )
    file_name = models.CharField(_("file name"), max_length=255)
    file_sha256 = models.CharField(_("SHA-256 of the file"), max_length=64, db_index=True)
    file_size = models.PositiveIntegerField(_("bytes"))
    file_format = models.CharField(_("format"), max_length=8)
    sheet = models.CharField(_("sheet"), max_length=100, blank=True)
    headers = models.JSONField(_("columns"), default=list, blank=True)
    mapping = models.JSONField(
        _("mapping"),
        default=dict,
        blank=True,
        help_text=_("Register field of each column, by its index."),
    )
    detaining_power = models.ForeignKey(
        "states.State",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("detaining power"),
        help_text=_("For the rows that do not name one."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=BatchStatus.choices, default=BatchStatus.UPLOADED
    )
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    analysed_count = models.PositiveIntegerField(_("rows analysed"), default=0)
    written_count = models.PositiveIntegerField(_("rows written"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now, editable=False)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        permissions = [("run_import", _("Can import lists of names"))]

    def __str__(self) -> str:
        return f"{self.reference} {self.file_name}"

    @property
    def reference(self) -> str:
        return f"IMP-{self.pk:06d}" if self.pk else "IMP-new"


class ImportRow(PermanentModel):
    """One row of an uploaded file: its cells as read, and what became of it."""

    batch = models.ForeignKey(
        ImportBatch, on_delete=models.PROTECT, related_name="rows", verbose_name=_("batch")
    )
    number = models.PositiveIntegerField(_("row"), help_text=_("As a spreadsheet numbers it."))
    cells = models.JSONField(_("cells"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=RowStatus.choices, default=RowStatus.PENDING
    )
    values = models.JSONField(
        _("values"), default=dict, blank=True, help_text=_("As mapped and read.")
    )
    errors = models.JSONField(_("errors"), default=list, blank=True)
    fingerprint = models.CharField(_("fingerprint"), max_length=64, blank=True, db_index=True)
    candidates = models.JSONField(_("possible duplicates"), default=list, blank=True)
    decision = models.CharField(
        _("decision"), max_length=16, choices=RowDecision.choices, blank=True, default=""
    )
    decided_same_as = models.ForeignKey(
        "cases.Captive",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("same person as"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    earlier = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("same row as"),
    )
    captive = models.ForeignKey(
        "cases.Captive",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="import_rows",
        verbose_name=_("captive"),
    )
    written_at = models.DateTimeField(_("written"), null=True, blank=True)

    class Meta:
        ordering = ["batch", "number"]
        verbose_name = _("imported row")
        verbose_name_plural = _("imported rows")
        constraints = [
            models.UniqueConstraint(fields=["batch", "number"], name="imports_row_unique_number"),
            # A row's content is written once, whatever file brings it again: two imports of the
            # same list that run at once cannot both write it.
            models.UniqueConstraint(
                fields=["fingerprint"],
                condition=Q(captive__isnull=False),
                name="imports_row_written_once",
            ),
        ]
        indexes = [models.Index(fields=["batch", "status"], name="imports_row_status_idx")]

    def __str__(self) -> str:
        return gettext("%(reference)s row %(number)s") % {
            "reference": self.batch.reference,
            "number": self.number,
        }
