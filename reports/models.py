"""The export audit and the register of documents: one record per file that left, kept forever."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from powtracker.permanence import PermanentModel
from reports.choices import DocumentFormat, DocumentKind, ExportFormat


class ExportRecord(PermanentModel):
    """Who exported which list, filtered how, how many rows, and the SHA-256 of the file."""

    exported_at = models.DateTimeField(_("when"), auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
        help_text=_("Empty for a partner's export or the command line."),
    )
    partner = models.ForeignKey(
        "partners.Partner",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("partner"),
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
        verbose_name = _("export record")
        verbose_name_plural = _("export records")
        ordering = ["-exported_at", "-id"]
        permissions = [("export", _("Can export lists"))]
        indexes = [models.Index(fields=["exported_at"], name="reports_export_at_idx")]

    def __str__(self) -> str:
        return f"{self.list_name} {self.export_format} {self.exported_at:%Y-%m-%d %H:%M}"


class GeneratedDocument(PermanentModel):
    """A GC III document the register printed: its kind, whom and what it covers, who made it
    and when, and the SHA-256 of the file.

    The file itself is not kept: everything in it comes from the database, and
    `reports.services.document_rebuild` prints it again from the same records, as they are now
    (the hash tells whether anything changed since)."""

    kind = models.CharField(_("kind"), max_length=24, choices=DocumentKind.choices)
    file_format = models.CharField(
        _("format"), max_length=8, choices=DocumentFormat.choices, default=DocumentFormat.PDF
    )
    generated_at = models.DateTimeField(_("when"), default=timezone.now, editable=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    captives = models.ManyToManyField(
        "cases.Captive", related_name="documents", verbose_name=_("captives")
    )
    events = models.ManyToManyField(
        "cases.CustodyEvent",
        blank=True,
        related_name="documents",
        verbose_name=_("custody events"),
        help_text=_("The events a notification reports, when it reports events."),
    )
    proposal = models.ForeignKey(
        "diplomacy.ExchangeProposal",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("exchange proposal"),
    )
    proposal_version = models.CharField(
        _("proposal version"),
        max_length=40,
        blank=True,
        help_text=_("The proposal's ETag when its roster was printed."),
    )
    languages = models.CharField(
        _("languages"), max_length=40, blank=True, help_text=_("Of the labels, in order.")
    )
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("bytes"))

    class Meta:
        verbose_name = _("generated document")
        verbose_name_plural = _("generated documents")
        ordering = ["-generated_at", "-id"]
        permissions = [("generate", _("Can print GC III documents"))]
        indexes = [models.Index(fields=["generated_at"], name="reports_document_at_idx")]

    def __str__(self) -> str:
        return f"{self.reference} {self.get_kind_display()}"

    @property
    def reference(self) -> str:
        """How a fulfilled obligation or a letter cites it."""
        return f"DOC-{self.pk:06d}"


class DocumentReprint(PermanentModel):
    """A copy of a recorded document that left again ("Print again"): who and when."""

    document = models.ForeignKey(
        GeneratedDocument,
        on_delete=models.PROTECT,
        related_name="reprints",
        verbose_name=_("document"),
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("document reprint")
        verbose_name_plural = _("document reprints")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.document.reference} {self.at:%Y-%m-%d %H:%M}"


class ExportJob(PermanentModel):
    """An export made in the background (a partner's `POST /api/v1/captives/exports/`): what
    was asked, by whom, and the file once written — kept in the database so that every app
    server can serve it, for EXPORT_FILE_HOURS. The record stays; the file's bytes are removed
    when it expires (`file_purged_at`). Each download is an `ExportRecord` of its own, and the
    first writes the disclosure ledger (`disclosed_at`)."""

    job = models.OneToOneField(
        "jobs.Job", on_delete=models.PROTECT, related_name="export", verbose_name=_("job")
    )
    partner = models.ForeignKey(
        "partners.Partner",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("partner"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
        help_text=_("Empty for a partner's export."),
    )
    scopes = models.CharField(
        _("scopes"), max_length=500, blank=True, help_text=_("Of the token that asked.")
    )
    list_name = models.CharField(_("list"), max_length=100)
    filters = models.TextField(_("filters"), blank=True, help_text=_("The query string."))
    export_format = models.CharField(_("format"), max_length=8, choices=ExportFormat.choices)
    protected = models.BooleanField(_("password-protected"), default=False)
    # The password, sealed with a key derived from SECRET_KEY while the job may still need it;
    # emptied when the job ends.
    password_sealed = models.BinaryField(_("sealed password"), blank=True, default=b"")
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    # The attempt whose file was published, and the file.
    attempt = models.PositiveSmallIntegerField(_("attempt"), null=True, blank=True)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    size = models.PositiveBigIntegerField(_("bytes"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    ready_at = models.DateTimeField(_("ready"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    disclosed_at = models.DateTimeField(
        _("first downloaded"),
        null=True,
        blank=True,
        help_text=_("When the ledger recorded every captive in the file."),
    )
    file_purged_at = models.DateTimeField(_("file removed"), null=True, blank=True)

    class Meta:
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["expires_at"],
                name="reports_exportjob_expiry_idx",
                condition=models.Q(file_purged_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.list_name} {self.export_format} #{self.pk}"


class ExportChunk(models.Model):
    """A piece of an export job's file, written by one attempt (only the published attempt's
    pieces are ever served; a failed attempt's are removed). Not a record: the file's bytes."""

    export = models.ForeignKey(ExportJob, on_delete=models.CASCADE, related_name="chunks")
    attempt = models.PositiveSmallIntegerField()
    seq = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["export", "attempt", "seq"], name="reports_exportchunk_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.export_id}.{self.attempt}.{self.seq}"


class ExportSubject(models.Model):
    """A captive in an export job's file and how the partner saw him when it was written: the
    ledger's rows-to-be, written when the file is first downloaded, and what the download checks
    the partner may still see."""

    export = models.ForeignKey(ExportJob, on_delete=models.CASCADE, related_name="subjects")
    attempt = models.PositiveSmallIntegerField()
    captive_id = models.BigIntegerField()
    level = models.CharField(max_length=16)
    hostile = models.BooleanField()

    class Meta:
        indexes = [
            models.Index(fields=["export", "attempt", "captive_id"], name="reports_subject_idx")
        ]

    def __str__(self) -> str:
        return f"{self.export_id}.{self.attempt}: {self.captive_id} {self.level}"
