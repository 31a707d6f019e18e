"""A job: work that leaves the request, run by `manage.py db_worker` (django-tasks' database
backend), with what that backend does not keep: attempts, the next attempt's time and a lease.

django-tasks-db claims a task by marking its row RUNNING, with nothing that says whether the
worker holding it is still alive. Here each attempt holds a lease (`lease_until`), renewed by the
job's heartbeat as it makes progress; a claim whose lease ran out is handed back
(`jobs.services.jobs_reap`) and taken up again by any worker. Each attempt is numbered (`claim`):
only the attempt that still holds the job may finish it, so a job never completes twice, even if
a worker thought dead wakes up.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from powtracker.permanence import PermanentModel


class JobState(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    SUCCEEDED = "succeeded", _("succeeded")
    FAILED = "failed", _("failed")


class Job(PermanentModel):
    """One piece of background work and the history of its attempts (kept forever)."""

    handler = models.CharField(
        _("handler"), max_length=200, help_text=_("The function that does the work.")
    )
    label = models.CharField(_("description"), max_length=200, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=JobState.choices, default=JobState.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    max_attempts = models.PositiveSmallIntegerField(_("maximum attempts"), default=3)
    claim = models.PositiveSmallIntegerField(
        _("attempt holding it"),
        null=True,
        blank=True,
        help_text=_("The attempt that holds the job while it runs; only it may finish it."),
    )
    task_id = models.UUIDField(
        _("task"), null=True, blank=True, help_text=_("The django-tasks result of the attempt.")
    )
    worker_id = models.CharField(_("worker"), max_length=64, blank=True)
    lease_until = models.DateTimeField(_("lease until"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    progress = models.PositiveBigIntegerField(_("done"), default=0)
    total = models.PositiveBigIntegerField(_("total"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    error_code = models.CharField(_("error code"), max_length=64, blank=True)
    error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["lease_until"],
                name="jobs_running_lease_idx",
                condition=models.Q(state="running"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label or self.handler} #{self.pk}"
