"""Jobs on django-tasks: retries kept in our table, a lease handed back when a worker stops
renewing it, and a job finished by one attempt only."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from jobs.models import Job, JobState
from jobs.services import JobRun, LeaseLost, job_claim, job_enqueue, jobs_reap
from tests.helpers import jobs_drain
from tests.jobs import handlers

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_waiting(settings: Any) -> None:
    settings.JOB_RETRY_SECONDS = 0
    handlers.seen.clear()


def test_a_job_that_fails_once_is_retried_and_succeeds_on_its_second_attempt() -> None:
    job = job_enqueue(handler="tests.jobs.handlers.flaky")
    jobs_drain()
    job.refresh_from_db()
    assert job.state == JobState.SUCCEEDED
    assert job.attempts == 2
    assert (job.progress, job.total) == (7, 7)
    assert handlers.seen == [(job.pk, 1), (job.pk, 2)]
    # Each attempt was a task of its own: the backend itself keeps no retries.
    assert DBTaskResult.objects.count() == 2


def test_a_job_failing_every_time_stops_after_its_last_attempt_with_the_error(
    settings: Any,
) -> None:
    settings.JOB_MAX_ATTEMPTS = 3
    job = job_enqueue(handler="tests.jobs.handlers.always_failing")
    jobs_drain()
    job.refresh_from_db()
    assert job.state == JobState.FAILED
    assert job.attempts == 3
    assert job.error_code == "error"
    assert "never works" in job.error
    assert len(handlers.seen) == 3


def test_a_refusal_by_a_rule_is_not_retried() -> None:
    job = job_enqueue(handler="tests.jobs.handlers.refused")
    jobs_drain()
    job.refresh_from_db()
    assert job.state == JobState.FAILED
    assert job.attempts == 1
    assert job.error_code == "permission_denied"


def test_a_handler_that_does_not_exist_is_refused_when_enqueued_not_in_a_worker() -> None:
    with pytest.raises(ImportError):
        job_enqueue(handler="tests.jobs.handlers.nowhere")
    assert not Job.objects.exists()
    assert not DBTaskResult.objects.exists()


def claimed(job: Job) -> JobRun:
    """An attempt that took the job, as a worker would (its task marked running)."""
    task = DBTaskResult.objects.get(id=job.task_id)
    task.claim("worker-that-dies")
    run = job_claim(job.pk, task_id=str(task.id), worker_id="worker-that-dies")
    assert run is not None
    return run


def test_a_lease_that_ran_out_is_handed_back_and_the_old_attempt_can_no_longer_finish() -> None:
    job = job_enqueue(handler="tests.jobs.handlers.flaky")
    first = claimed(job)
    # Not stale yet: nothing is handed back while the lease holds.
    assert jobs_reap() == 0
    Job.objects.filter(pk=job.pk).update(lease_until=timezone.now() - timedelta(seconds=1))

    assert jobs_reap() == 1

    job.refresh_from_db()
    assert job.state == JobState.QUEUED
    assert job.error_code == "lease_expired"
    assert DBTaskResult.objects.get(id=first.job.task_id).status == "FAILED"
    # The attempt thought dead wakes up: it may neither renew nor finish.
    with pytest.raises(LeaseLost):
        first.heartbeat(force=True)
    with pytest.raises(LeaseLost):
        first.finish()
    # Any worker takes the job up again, as its next attempt.
    jobs_drain()
    job.refresh_from_db()
    assert job.state == JobState.SUCCEEDED
    assert job.attempts == 2


def test_a_stale_task_for_a_job_already_handed_back_does_nothing() -> None:
    job = job_enqueue(handler="tests.jobs.handlers.flaky")
    old_task = job.task_id
    claimed(job)
    Job.objects.filter(pk=job.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    jobs_reap()
    job.refresh_from_db()
    assert job_claim(job.pk, task_id=str(old_task)) is None
    assert job_claim(job.pk, task_id=str(job.task_id)) is not None


def test_a_job_whose_task_a_worker_took_but_never_started_is_queued_again(settings: Any) -> None:
    job = job_enqueue(handler="tests.jobs.handlers.flaky")
    task = DBTaskResult.objects.get(id=job.task_id)
    task.claim("worker-that-died-at-once")
    DBTaskResult.objects.filter(id=task.id).update(
        started_at=timezone.now() - timedelta(seconds=settings.JOB_LEASE_SECONDS + 1)
    )
    assert jobs_reap() == 1
    job.refresh_from_db()
    assert job.state == JobState.QUEUED
    assert job.task_id != task.id
    jobs_drain()
    job.refresh_from_db()
    assert job.state == JobState.SUCCEEDED


def test_a_job_enqueued_in_a_transaction_that_rolls_back_leaves_nothing() -> None:
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        job_enqueue(handler="tests.jobs.handlers.flaky")
        raise RuntimeError("the request failed after enqueueing")
    assert not Job.objects.exists()
    assert not DBTaskResult.objects.exists()
