"""Background jobs in the admin: read, never changed here (supervisors)."""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_tasks_db import admin as tasks_admin

from jobs.models import Job
from powtracker.admin import RecordsAdmin


def progress_bar(job: Job) -> str:
    """The rows done of the total, as a bar (and in words, for a screen reader or a print)."""
    if not job.total:
        return format_html("{}", job.progress or "")
    return format_html(
        '<progress value="{}" max="{}"></progress> {} / {}',
        job.progress,
        job.total,
        job.progress,
        job.total,
    )


# The backend's own rows are how a job's attempts travel to a worker; the jobs list is what
# people read (one truth for a job's state), so the backend's list is not shown.
admin.site.unregister(tasks_admin.DBTaskResult)


@admin.register(Job)
class JobAdmin(RecordsAdmin):
    list_display = [
        "id",
        "label",
        "state",
        "progress_column",
        "attempts",
        "created_at",
        "finished_at",
        "worker_id",
        "error_code",
    ]
    list_filter = ["state", "error_code"]
    search_fields = ["label", "handler", "worker_id"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "label",
        "handler",
        "state",
        "progress_column",
        "attempts",
        "max_attempts",
        "claim",
        "task_id",
        "worker_id",
        "lease_until",
        "next_attempt_at",
        "created_at",
        "started_at",
        "finished_at",
        "error_code",
        "error",
    ]
    exclude = ["progress", "total"]

    @admin.display(description=_("done"))
    def progress_column(self, job: Job) -> str:
        return progress_bar(job)
