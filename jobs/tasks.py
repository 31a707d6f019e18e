"""The one django-tasks task: run an attempt of a job (jobs.services). Every job goes through it,
on the default queue, so a plain `manage.py db_worker` runs them all."""

from django_tasks import TaskContext, task

from jobs.services import job_execute


@task(takes_context=True)
def job_run(context: TaskContext, job_id: int) -> None:
    result = context.task_result
    worker_ids = list(getattr(result, "worker_ids", []) or [])
    job_execute(job_id, task_id=str(result.id), worker_id=worker_ids[-1] if worker_ids else "")
