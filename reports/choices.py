from django.db import models
from django.utils.translation import gettext_lazy as _

# The documents the register prints: the cases app names them (an obligation says which
# fulfils it), reports prints them.
from cases.choices import DocumentKind as DocumentKind
from powtracker.steps import Step


class ExportFormat(models.TextChoices):
    CSV = "csv", _("CSV (UTF-8)")
    XLSX = "xlsx", _("Excel (XLSX)")
    JSONL = "jsonl", _("JSON Lines")


class DocumentFormat(models.TextChoices):
    PDF = "pdf", _("PDF")
    XLSX = "xlsx", _("Excel (XLSX)")


# --- the steps (powtracker.steps) ---------------------------------------------------------------

DOCUMENT_PRINT = Step("print", "reports.generate", _("print documents"))
DOCUMENT_READ = Step("read-printed", "reports.view_generateddocument", _("read printed documents"))
