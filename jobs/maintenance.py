"""The worker's own upkeep, beside its jobs: stale claims handed back (jobs_reap) and what the
apps registered (expired export files purged), each at its own interval."""

import logging
import threading
import time
from typing import Any

from django.db import close_old_connections, connection

from jobs.services import maintenance_all

logger = logging.getLogger("jobs")


def maintain_once(last_runs: dict[Any, float] | None = None) -> dict[str, Any]:
    """Run each upkeep whose interval has passed since `last_runs` (all, when None)."""
    done: dict[str, Any] = {}
    now = time.monotonic()
    for function, every in maintenance_all():
        if last_runs is not None and now - last_runs.get(function, -every) < every:
            continue
        try:
            done[function.__name__] = function()
        except Exception:  # the next round tries again; the worker keeps running jobs
            logger.exception("Upkeep %s failed", function.__name__)
        if last_runs is not None:
            last_runs[function] = now
    return done


def maintenance_thread(*, tick: float = 1.0) -> threading.Thread:
    """A daemon thread doing the upkeep while the worker runs (it dies with the worker)."""

    def loop() -> None:
        last_runs: dict[Any, float] = {}
        while True:
            close_old_connections()
            maintain_once(last_runs)
            connection.close()
            time.sleep(tick)

    thread = threading.Thread(target=loop, name="jobs-maintenance", daemon=True)
    thread.start()
    return thread
