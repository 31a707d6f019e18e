"""Jobs: enqueue, claim, heartbeat, finish, retry, give up, and hand back stale claims.

A job's work is a function (its `handler`, by dotted path) taking a `JobRun`. It reports its
progress with `run.heartbeat(...)`, which also renews the attempt's lease, and publishes its result
with `run.finish(publish)`, which runs `publish` in the same transaction that marks the job done,
only if this attempt still holds it. A handler may carry a `gave_up(job)` function, called when
the job fails for good.

Failures: a `RuleError` (the work can never succeed as asked) fails the job at once with its
code; any other exception is retried after JOB_RETRY_SECONDS × 4^(attempt − 1), up to the job's
`max_attempts`. A worker that dies (killed, its machine lost) stops renewing its lease: once the
lease has run out, `jobs_reap` hands the job back, as a failed attempt, and any worker takes it up.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from time import monotonic
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from jobs.models import Job, JobState
from powtracker.errors import RuleError
from powtracker.writes import service

logger = logging.getLogger("jobs")

# Raised into a handler whose attempt no longer holds its job (its lease ran out and the job was
# handed back): it must stop, and nothing it wrote is published.
LEASE_EXPIRED = "lease_expired"


class LeaseLost(Exception):
    """This attempt no longer holds the job."""


def lease_seconds() -> int:
    return int(settings.JOB_LEASE_SECONDS)


def retry_delay(attempt: int) -> timedelta:
    """How long to wait after the `attempt`-th attempt failed."""
    return timedelta(seconds=settings.JOB_RETRY_SECONDS * 4 ** max(attempt - 1, 0))


def _task_enqueue(job: Job, *, run_after: Any = None) -> None:
    """A django-tasks task that runs `job`, written in the caller's transaction."""
    from jobs.tasks import job_run

    task = job_run.using(run_after=run_after) if run_after is not None else job_run
    result = task.enqueue(job.pk)
    job.task_id = result.id
    job.next_attempt_at = run_after
    Job.objects.filter(pk=job.pk).update(task_id=job.task_id, next_attempt_at=run_after)


@service
def job_enqueue(*, handler: str, label: str = "", max_attempts: int | None = None) -> Job:
    """A job for `handler` (a dotted path), queued in the caller's transaction: if the caller
    rolls back, no job and no task remain."""
    import_string(handler)  # a handler that does not exist fails here, not in a worker
    job = Job.objects.create(
        handler=handler,
        label=label[:200],
        max_attempts=max_attempts or settings.JOB_MAX_ATTEMPTS,
    )
    _task_enqueue(job)
    return job


@dataclass
class JobRun:
    """One attempt at a job, as its handler sees it."""

    job: Job
    claim: int
    _beaten: float = field(default_factory=monotonic)

    @property
    def attempt(self) -> int:
        return self.claim

    def heartbeat(
        self, *, progress: int | None = None, total: int | None = None, force: bool = False
    ) -> None:
        """Renew the lease and record progress (at most every JOB_HEARTBEAT_SECONDS unless
        `force`); raises LeaseLost if the job was handed back meanwhile. Call it between pieces of
        work, outside any transaction: written inside one, nobody would see it until the end."""
        if progress is not None:
            self.job.progress = progress
        if total is not None:
            self.job.total = total
        if not force and monotonic() - self._beaten < settings.JOB_HEARTBEAT_SECONDS:
            return
        self._beaten = monotonic()
        job_heartbeat(self)

    def finish(self, publish: Callable[[], None] | None = None) -> None:
        """Publish the result and mark the job done, in one transaction, if this attempt still
        holds the job; otherwise raise LeaseLost and publish nothing."""
        job_finish(self, publish)


@service
def job_heartbeat(run: JobRun) -> None:
    updated = Job.objects.filter(pk=run.job.pk, state=JobState.RUNNING, claim=run.claim).update(
        lease_until=timezone.now() + timedelta(seconds=lease_seconds()),
        progress=run.job.progress,
        total=run.job.total,
    )
    if not updated:
        raise LeaseLost(run.job.pk)


@service
def job_claim(job_id: int, *, task_id: str, worker_id: str = "") -> JobRun | None:
    """Take the job for a new attempt, if `task_id` is the task it waits for (a task enqueued
    for an attempt since handed back finds the job taken or moved on, and does nothing)."""
    job = Job.objects.select_for_update().filter(pk=job_id).first()
    if job is None or job.state != JobState.QUEUED or str(job.task_id) != str(task_id):
        return None
    now = timezone.now()
    job.attempts += 1
    job.claim = job.attempts
    job.state = JobState.RUNNING
    job.started_at = job.started_at or now
    job.lease_until = now + timedelta(seconds=lease_seconds())
    job.worker_id = worker_id[:64]
    job.next_attempt_at = None
    job.save(
        update_fields=[
            "attempts",
            "claim",
            "state",
            "started_at",
            "lease_until",
            "worker_id",
            "next_attempt_at",
        ]
    )
    return JobRun(job=job, claim=job.claim)


@service
def job_finish(run: JobRun, publish: Callable[[], None] | None) -> None:
    job = Job.objects.select_for_update().get(pk=run.job.pk)
    if job.state != JobState.RUNNING or job.claim != run.claim:
        raise LeaseLost(job.pk)
    if publish is not None:
        publish()
    job.state = JobState.SUCCEEDED
    job.finished_at = timezone.now()
    job.lease_until = None
    job.progress = run.job.progress
    job.total = run.job.total
    job.error_code = ""
    job.error = ""
    job.save(
        update_fields=[
            "state",
            "finished_at",
            "lease_until",
            "progress",
            "total",
            "error_code",
            "error",
        ]
    )
    run.job = job


def _gave_up_hook(job: Job) -> None:
    try:
        hook = getattr(import_string(job.handler), "gave_up", None)
    except ImportError:
        return
    if hook is not None:
        hook(job)


def _attempt_ended(job: Job, *, code: str, message: str, retry: bool) -> None:
    """The attempt holding `job` (locked) has failed: queue the next or give up."""
    job.error_code = code[:64]
    job.error = message
    job.claim = None
    job.lease_until = None
    if retry and job.attempts < job.max_attempts:
        job.state = JobState.QUEUED
        job.save(update_fields=["error_code", "error", "claim", "lease_until", "state"])
        _task_enqueue(job, run_after=timezone.now() + retry_delay(job.attempts))
        logger.warning("Job %s attempt %s failed (%s); retrying", job.pk, job.attempts, code)
        return
    job.state = JobState.FAILED
    job.finished_at = timezone.now()
    job.save(update_fields=["error_code", "error", "claim", "lease_until", "state", "finished_at"])
    logger.error("Job %s failed for good after %s attempts (%s)", job.pk, job.attempts, code)
    _gave_up_hook(job)


@service
def job_attempt_failed(run: JobRun, error: BaseException) -> None:
    """The handler raised: a rule refusal fails the job for good, anything else is retried."""
    job = Job.objects.select_for_update().get(pk=run.job.pk)
    if job.state != JobState.RUNNING or job.claim != run.claim:
        return  # handed back meanwhile: the attempt that holds it now decides
    if isinstance(error, RuleError):
        _attempt_ended(
            job, code=str(error.error_code), message=" ".join(error.messages), retry=False
        )
    else:
        _attempt_ended(job, code="error", message=f"{type(error).__name__}: {error}", retry=True)


def _task_results() -> Any:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects


@service
def jobs_reap() -> int:
    """Hand back every job whose attempt's lease has run out (its worker died or hung), as a
    failed attempt: queued again, or failed for good after its last attempt. Also a job whose
    task a worker took but never started (it died in between). Several workers may reap at once:
    each takes only the jobs no other has locked. Returns how many it handed back."""
    from django_tasks_db.compat import TaskResultStatus

    now = timezone.now()
    stale = list(
        Job.objects.select_for_update(skip_locked=True).filter(
            state=JobState.RUNNING, lease_until__lt=now
        )
    )
    orphaned_tasks = _task_results().filter(
        status__in=[TaskResultStatus.RUNNING, TaskResultStatus.FAILED],
        started_at__lt=now - timedelta(seconds=lease_seconds()),
    )
    stale += list(
        Job.objects.select_for_update(skip_locked=True).filter(
            state=JobState.QUEUED, task_id__in=orphaned_tasks.values("id")
        )
    )
    for job in stale:
        _task_results().filter(id=job.task_id, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.FAILED,
            finished_at=now,
            exception_class_path="jobs.services.LeaseLost",
            traceback="The worker stopped renewing its lease; the job was handed back.",
        )
        if job.state == JobState.QUEUED:
            _task_enqueue(job)
            logger.warning("Job %s: its task was taken but never started; queued again", job.pk)
            continue
        _attempt_ended(
            job,
            code=LEASE_EXPIRED,
            message=f"The worker {job.worker_id} stopped renewing its lease.",
            retry=True,
        )
    return len(stale)


def job_execute(job_id: int, *, task_id: str, worker_id: str = "") -> None:
    """Run one attempt of a job (the django-tasks task calls this)."""
    run = job_claim(job_id, task_id=task_id, worker_id=worker_id)
    if run is None:
        return
    handler = import_string(run.job.handler)
    try:
        handler(run)
        if run.job.state == JobState.RUNNING:
            run.finish()
    except LeaseLost:
        logger.warning("Job %s attempt %s lost its lease; it stops", job_id, run.claim)
    except Exception as error:
        logger.exception("Job %s attempt %s failed", job_id, run.claim)
        job_attempt_failed(run, error)


# --- maintenance: periodic work the worker does between jobs -----------------------------------

# (function, every so many seconds): registered by the apps (reports purges expired exports).
MAINTENANCE: list[tuple[Callable[[], Any], float]] = []


def maintenance_register(function: Callable[[], Any], *, every: float) -> None:
    if all(registered is not function for registered, _every in MAINTENANCE):
        MAINTENANCE.append((function, every))


def maintenance_all() -> list[tuple[Callable[[], Any], float]]:
    return [(jobs_reap, float(settings.JOB_REAP_SECONDS)), *MAINTENANCE]
