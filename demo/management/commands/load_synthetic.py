"""manage.py load_synthetic: the benchmark data set of fictional captives (issue 9)."""

import json
import sys
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from cases.models import Captive
from demo.synthetic import synthetic_load, synthetic_seed_present

SIZE_SQL = """
SELECT c.relname, pg_total_relation_size(c.oid), pg_relation_size(c.oid),
       pg_indexes_size(c.oid)
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind = 'r' AND n.nspname = 'public' AND c.relname = ANY(%s)
 ORDER BY pg_total_relation_size(c.oid) DESC
"""


class Command(BaseCommand):
    help = (
        "Fill the database with N fictional captives for benchmarks: timelines, wishes, "
        "involvements, obligations and history, as the services would have written them. "
        "Deterministic for a given --seed and --captives. Runs once per database: a second run "
        "with the same seed and count does nothing; any other is refused."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--captives", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even into a database that holds real (non-fictional) captives.",
        )
        parser.add_argument(
            "--credentials",
            default=str(Path(settings.BASE_DIR) / "var" / "synthetic_partners.json"),
            help="Where to write the benchmark partners' client ids and secrets.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        count, seed = options["captives"], options["seed"]
        if count < 1:
            raise CommandError("--captives must be at least 1.")
        if not options["force"] and Captive.objects.filter(fictional=False).exists():
            raise CommandError(
                "This database holds real (non-fictional) captives; refusing to mix synthetic "
                "records in. Use a database of your own, or pass --force."
            )
        present = synthetic_seed_present()
        if present is not None:
            if present == (seed, count):
                self.stdout.write(
                    f"Synthetic data with seed {seed} and {count} captives is already loaded; "
                    "nothing to do."
                )
                return
            raise CommandError(
                f"This database already holds {present[1]} synthetic captives of seed "
                f"{present[0]}; a second set would not be the data set of any one seed. "
                "Load into a fresh database."
            )
        started = time.monotonic()
        result = self._load(count, seed)
        elapsed = time.monotonic() - started
        path = Path(options["credentials"])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(result["partners"], indent=2))
        path.chmod(0o600)
        self.stdout.write(f"Loaded {count} synthetic captives (seed {seed}) in {elapsed:.1f} s:")
        for label, value in result["counts"].items():
            self.stdout.write(f"  {label:<28} {value:>10,}")
        self.stdout.write(f"Partners' client ids and secrets: {path}")
        for partner in result["partners"]:
            self.stdout.write(f"  {partner['name']:<40} {partner['client_id']}")
        if connection.vendor == "postgresql" and options["verbosity"] >= 1:
            self._sizes()

    def _load(self, count: int, seed: int) -> dict[str, Any]:
        if not sys.stdout.isatty():
            return synthetic_load(count=count, seed=seed)
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
        ) as progress:
            task = progress.add_task("Synthetic captives", total=count)
            return synthetic_load(
                count=count,
                seed=seed,
                progress=lambda done: progress.update(task, completed=done),
            )

    def _sizes(self) -> None:
        from demo.synthetic import MODELS

        tables = [m._meta.db_table for m in MODELS]
        tables += [m.history.model._meta.db_table for m in MODELS]  # type: ignore[attr-defined]
        with connection.cursor() as cursor:
            cursor.execute(SIZE_SQL, [tables])
            rows = cursor.fetchall()
        mb = 1024 * 1024
        self.stdout.write(f"{'table':<36} {'total MB':>9} {'heap MB':>9} {'index MB':>9}")
        for name, total, heap, index in rows:
            self.stdout.write(f"{name:<36} {total / mb:>9.1f} {heap / mb:>9.1f} {index / mb:>9.1f}")
        total = sum(r[1] for r in rows)
        self.stdout.write(f"{'all':<36} {total / mb:>9.1f}")
