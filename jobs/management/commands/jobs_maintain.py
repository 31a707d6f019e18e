"""`manage.py jobs_maintain`: the workers' upkeep once, for a timer (systemd, cron) beside them:
stale claims handed back, expired export files purged."""

from typing import Any

from django.core.management.base import BaseCommand

from jobs.maintenance import maintain_once


class Command(BaseCommand):
    help = "Hand back jobs whose worker died, and purge expired export files, once."

    def handle(self, *args: Any, **options: Any) -> None:
        for name, outcome in maintain_once().items():
            self.stdout.write(f"{name}: {outcome}")
