"""A worker killed mid-job (SIGKILL: no goodbye, its claim left running) leaves the job to be
taken up again by another worker once the lease runs out; the job finishes once, by the second
attempt. Real `manage.py db_worker` processes on a database of their own (a copy of the test
database on PostgreSQL, a migrated file on SQLite)."""

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.served import ROOT, database_copy, manage

# Marked so that pytest-django sets the test database up (the copy is made from it).
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def worker_env(
    django_db_setup: object, django_db_blocker: object, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, str]]:
    """The environment of workers on a database of their own, migrated."""
    with database_copy(django_db_blocker, tmp_path_factory.mktemp("workers")) as env:
        yield env


def worker(env: dict[str, str], name: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            *(sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay"),
            *("--interval", "0.2", "--worker-id", name),
        ],
        cwd=ROOT,
        env={**env, "JOB_LEASE_SECONDS": "3", "JOB_REAP_SECONDS": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_for(log: Path, text: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if log.exists() and text in log.read_text():
            return
        time.sleep(0.2)
    raise AssertionError(f"{text!r} never appeared in {log.read_text() if log.exists() else ''}")


def test_a_job_whose_worker_is_killed_is_finished_once_by_another(
    worker_env: dict[str, str], tmp_path: Path
) -> None:
    log = tmp_path / "steps.log"
    job_id = manage(
        worker_env,
        "shell",
        "--no-imports",
        "-c",
        "from jobs.services import job_enqueue;"
        f"print(job_enqueue(handler='tests.jobs.handlers.slow_steps', label='{log}').pk)",
    ).strip()
    first = worker(worker_env, "first")
    try:
        wait_for(log, "attempt 1 step 2")
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    second = worker(worker_env, "second")
    try:
        wait_for(log, "finished by attempt")
    finally:
        second.terminate()
        second.wait(timeout=20)

    lines = log.read_text().splitlines()
    assert lines[-1] == "finished by attempt 2"
    assert sum(line.startswith("finished") for line in lines) == 1
    assert "attempt 2 step 9" in lines
    state = manage(
        worker_env,
        "shell",
        "--no-imports",
        "-c",
        "from jobs.models import Job;"
        f"j = Job.objects.get(pk={job_id}); print(j.state, j.attempts, j.worker_id)",
    ).split()
    assert state == ["succeeded", "2", "second"]
