from django.db import models
from django.utils.translation import gettext_lazy as _

# The documents the register prints: the cases app names them (an obligation says which
# fulfils it), reports prints them.
from cases.choices import DocumentKind

__all__ = ["DocumentFormat", "DocumentKind", "ExportFormat"]


class ExportFormat(models.TextChoices):
    CSV = "csv", _("CSV (UTF-8)")
    XLSX = "xlsx", _("Excel (XLSX)")
    JSONL = "jsonl", _("JSON Lines")


class DocumentFormat(models.TextChoices):
    PDF = "pdf", _("PDF")
    XLSX = "xlsx", _("Excel (XLSX)")
