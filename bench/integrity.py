"""Benchmark of `manage.py integrity_check` (issue 18): how long proving a register whole takes.

It reads the database at DATABASE_URL as it is: fill it first with
`manage.py load_synthetic --captives 100000` (PostgreSQL). The synthetic set has no reads in
its ledger, so this adds `--ledger` of them (default 1,000,000: ten per captive, by the KOR
partner, path `/bench/integrity`) unless the ledger holds that many already. Then it runs the
whole check REPEATS times in this process (each in its own read-only snapshot, as from the
shell) and prints the median of the whole and of each group of checks answered together; then
once more without parallel workers, for the CPU time the database's backend spent (read from
/proc, when PostgreSQL runs on this machine): the time on an idle core, however busy the
machine is with other work while it is measured.

Usage:
    DATABASE_URL=postgres://…/yours python bench/integrity.py [--repeats 3] [--ledger 1000000]
Not a test: the figures depend on the machine. The issue asks for well under a minute at
100,000 captives.
"""

import argparse
import contextlib
import json
import os
import statistics
import sys
from io import StringIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "powtracker.settings")

import django

django.setup()

from django.core.management import CommandError, call_command  # noqa: E402
from django.db import connection  # noqa: E402

from bench.common import Row, report  # noqa: E402
from cases.models import Captive  # noqa: E402
from partners.models import DisclosureRecord, Partner  # noqa: E402

GOAL_SECONDS = 60


def ledger_fill(wanted: int) -> None:
    have = DisclosureRecord.objects.count()
    captives = Captive.objects.count()
    if have >= wanted or not captives:
        return
    partner = Partner.objects.filter(state__code="KOR").order_by("pk").first()
    if partner is None:
        sys.exit("No KOR partner: run manage.py load_synthetic first.")
    rounds = -(-(wanted - have) // captives)
    print(f"adding {wanted - have:,} ledger rows…", flush=True)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO partners_disclosurerecord (partner_id, captive_id, level, read_at,
                                                   method, path)
            SELECT %s, c.id, 'identity', now() - make_interval(secs => n), 'GET',
                   '/bench/integrity'
              FROM cases_captive c CROSS JOIN generate_series(1, %s) AS n
             ORDER BY n, c.id
             LIMIT %s
            """,
            [partner.pk, rounds, wanted - have],
        )
        cursor.execute("ANALYZE partners_disclosurerecord")


def run_once() -> dict:
    out = StringIO()
    with contextlib.suppress(CommandError):  # the report says what failed
        call_command("integrity_check", "--json", stdout=out)
    return json.loads(out.getvalue())


def backend_cpu_seconds() -> float | None:
    """The CPU time the database's backend process of this connection has used (user and
    system), read from /proc when PostgreSQL runs on this machine; None otherwise."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_once() -> float | None:
    """One run with no parallel workers: the CPU the whole check costs one core, which is its
    time on an idle machine (the tables being in memory), whatever else the machine runs."""
    with connection.cursor() as cursor:
        cursor.execute("SET max_parallel_workers_per_gather = 0")
    before = backend_cpu_seconds()
    run_once()
    after = backend_cpu_seconds()
    with connection.cursor() as cursor:
        cursor.execute("RESET max_parallel_workers_per_gather")
    return None if before is None or after is None else after - before


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--ledger", type=int, default=1_000_000)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("This benchmark measures PostgreSQL: set DATABASE_URL to a database of yours.")
    ledger_fill(args.ledger)
    sizes = {
        "captives": Captive.objects.count(),
        "ledger rows": DisclosureRecord.objects.count(),
    }
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT SUM(n_live_tup) FROM pg_stat_user_tables WHERE relname LIKE '%%historical%%'"
        )
        sizes["history rows"] = int(cursor.fetchone()[0] or 0)
    print(", ".join(f"{v:,} {k}" for k, v in sizes.items()), flush=True)
    run_once()  # warm the cache, as a second run after a restore would find it
    runs = [run_once() for _ in range(args.repeats)]
    whole = statistics.median(r["seconds"] for r in runs)
    groups: dict[str, list[float]] = {}
    for r in runs:
        for timing in r["timings"]:
            groups.setdefault(", ".join(timing["checks"]), []).append(timing["ms"])
    failed = [c["name"] for c in runs[-1]["checks"] if c["status"] == "failed"]
    rows = [
        Row(
            target=f"integrity_check, {sizes['captives']:,} captives",
            value=whole,
            unit="s",
            goal=f"< {GOAL_SECONDS} s",
            passed=whole < GOAL_SECONDS and not failed,
            note=f"failed: {', '.join(failed)}" if failed else "",
            extra={**sizes, "repeats": args.repeats},
        )
    ]
    cpu = cpu_once()
    if cpu is not None:
        rows.append(
            Row(
                target="  its CPU on one core (the database's, no parallel workers)",
                value=cpu,
                unit="s",
                goal=f"< {GOAL_SECONDS} s",
                passed=cpu < GOAL_SECONDS,
            )
        )
    rows += [
        Row(target=f"  {names[:60]}", value=statistics.median(ms), unit="ms")
        for names, ms in groups.items()
    ]
    report(rows, "integrity_check (median of the runs; each group's statements)")


if __name__ == "__main__":
    main()
