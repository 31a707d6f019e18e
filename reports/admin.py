"""The export audit in the admin: supervisors read it; nobody adds, changes or deletes it."""

from django.contrib import admin

from powtracker.admin import RecordsAdmin
from reports.models import ExportRecord


@admin.register(ExportRecord)
class ExportRecordAdmin(RecordsAdmin):
    list_display = [
        "exported_at",
        "user",
        "partner",
        "list_name",
        "export_format",
        "row_count",
        "completed",
        "sha256",
    ]
    list_filter = ["export_format", "list_name", "completed"]
    search_fields = ["sha256", "user__username", "filters"]
    date_hierarchy = "exported_at"
    list_select_related = ["user", "partner"]
    readonly_fields = [
        "exported_at",
        "user",
        "partner",
        "list_name",
        "filters",
        "export_format",
        "row_count",
        "sha256",
        "completed",
    ]
