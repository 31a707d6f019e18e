"""`manage.py db_worker`: django-tasks-db's worker, with the jobs' upkeep beside it (stale
claims handed back, expired export files purged). Every option is django-tasks-db's."""

import os
from typing import Any

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker

from jobs.maintenance import maintenance_thread


class Command(db_worker.Command):
    help = (
        "Run the background worker: every job on the default queue, and the jobs' upkeep "
        "(leases that ran out handed back, expired export files purged)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        # With --reload, only the child process (the one that runs jobs) keeps up.
        if not options.get("reload") or os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
            maintenance_thread()
        super().handle(*args, **options)
