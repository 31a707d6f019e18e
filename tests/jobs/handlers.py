"""Job handlers for the jobs' own tests (importable by a worker in another process too)."""

import time
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from jobs.services import JobRun
from powtracker.errors import ErrorCode, RuleError

seen: list[tuple[int, int]] = []


def flaky(run: JobRun) -> None:
    """Fails its first attempt, succeeds its second."""
    seen.append((run.job.pk, run.attempt))
    if run.attempt == 1:
        raise ConnectionError("the database went away")
    run.heartbeat(progress=7, total=7, force=True)


def always_failing(run: JobRun) -> None:
    seen.append((run.job.pk, run.attempt))
    raise ConnectionError("never works")


def refused(run: JobRun) -> None:
    seen.append((run.job.pk, run.attempt))
    raise RuleError(ErrorCode.PERMISSION_DENIED, _("Your role may not do this"))


def slow_steps(run: JobRun) -> None:
    """Ten steps of a second each, each noted in the file named by the job's label and
    heartbeated; the file's last line says which attempt finished (for the killed-worker test)."""
    log = Path(run.job.label)
    for step in range(10):
        with log.open("a") as out:
            out.write(f"attempt {run.attempt} step {step}\n")
        run.heartbeat(progress=step + 1, total=10, force=True)
        time.sleep(1)

    def published() -> None:
        with log.open("a") as out:
            out.write(f"finished by attempt {run.attempt}\n")

    run.finish(published)
