from django.db import models
from django.utils.translation import gettext_lazy as _

from powtracker.steps import Step


class ExportFormat(models.TextChoices):
    CSV = "csv", _("CSV (UTF-8)")
    XLSX = "xlsx", _("Excel (XLSX)")
    JSONL = "jsonl", _("JSON Lines")


class DocumentKind(models.TextChoices):
    """The GC III documents the register prints (reports.documents)."""

    CAPTURE_CARD = "capture_card", _("Capture card (Art. 70)")
    NIB_NOTIFICATION = "nib_notification", _("Notification to the Information Bureau (Art. 122)")
    EXCHANGE_ROSTER = "exchange_roster", _("Exchange roster")
    CASE_FILE = "case_file", _("Case file (internal)")


class DocumentFormat(models.TextChoices):
    PDF = "pdf", _("PDF")
    XLSX = "xlsx", _("Excel (XLSX)")


# --- the steps (powtracker.steps) ---------------------------------------------------------------

DOCUMENT_PRINT = Step("print", "reports.generate", _("print documents"))
DOCUMENT_READ = Step("read-printed", "reports.view_generateddocument", _("read printed documents"))
