"""Benchmark of the staff CSV export against PostgreSQL's own COPY of the same columns, and of
the exports' memory.

Fills the database named by DATABASE_URL with N synthetic captives (bulk insert, marked
fictional; every second one with a Cyrillic rendering of his name, every third with a
McCune-Reischauer one) unless it already holds them, then, in one run:
- `COPY (SELECT <the staff export's columns, as stored>) TO STDOUT WITH CSV` through psycopg,
  the SELECT compiled from the same column spec the export uses (reports.columns);
- the staff CSV export of all of them (reports.exports.queryset_export_chunks, the admin's and
  the command's path), streamed to nowhere;
interleaved, REPEATS times each, and prints the medians and their ratio. Then it measures the
export's memory: the process's peak RSS growth over the first export, and the peak of Python's
allocations (tracemalloc) over a separate, traced export.

Usage (PostgreSQL, a database of your own):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pt_yours python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pt_yours python bench/exports.py 100000
    … bench/exports.py 100000 --format xlsx   (or jsonl: one export, its time and memory)
    … bench/exports.py 100000 --api           (the partner API's CSV export, one run)
Not a test: numbers depend on the machine. The issue asks for < 50 MB growth at 100,000
captives and a CSV export at most 2x COPY.
"""

import argparse
import os
import resource
import statistics
import sys
import time
import tracemalloc
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "powtracker.settings")

import django

django.setup()

from django.db import connection  # noqa: E402

from bench.common import Row, report  # noqa: E402
from cases.choices import NameSystem  # noqa: E402
from cases.models import Captive, CaptiveName  # noqa: E402
from reports.columns import CAPTIVE_COLUMNS, captive_export_queryset  # noqa: E402
from reports.exports import database_csv_select, queryset_export_chunks  # noqa: E402
from states.models import State  # noqa: E402

REPEATS = 5


def fill(count: int) -> None:
    have = Captive.objects.count()
    ukr, _ = State.objects.get_or_create(code="UKR", defaults={"name": "Ukraine"})
    prk, _ = State.objects.get_or_create(
        code="PRK", defaults={"name": "Democratic People's Republic of Korea"}
    )
    batch = []
    for number in range(have, count):
        batch.append(
            Captive(
                case_number=f"BENCH-{number:08d}",
                fictional=True,
                family_name=f"Pak{number}",
                given_names="Chol",
                name_original=f"박철{number}",
                original_script="hangul",
                service_number=f"SN-{number}",
                nationality=prk,
                power_depended_on=prk,
                detaining_power=ukr,
                captured_on=date(2025, 1, 5),
            )
        )
        if len(batch) == 5000:
            Captive.objects.bulk_create(batch)
            batch = []
    Captive.objects.bulk_create(batch)
    if CaptiveName.objects.filter(captive__case_number__startswith="BENCH-").exists():
        return
    names = []
    for pk in Captive.objects.filter(case_number__startswith="BENCH-").values_list("pk", flat=True):
        if pk % 2 == 0:
            names.append(
                CaptiveName(captive_id=pk, system=NameSystem.CYRILLIC, full_name="Пак Чхоль")
            )
        if pk % 3 == 0:
            names.append(
                CaptiveName(
                    captive_id=pk, system=NameSystem.MCCUNE_REISCHAUER, full_name="Pak Ch'ŏl"
                )
            )
    CaptiveName.objects.bulk_create(names, batch_size=5000)


def rss_mb(field: str = "VmRSS") -> float:
    """The process's resident memory now (VmRSS) or at its peak since the last reset (VmHWM)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_growth_mb(run) -> float:
    """How far the resident memory rises above where it stood while `run` runs (Linux resets
    the peak when "5" is written to /proc/self/clear_refs)."""
    Path("/proc/self/clear_refs").write_text("5")
    before = rss_mb()
    run()
    return rss_mb("VmHWM") - before


def staff_queryset():
    return captive_export_queryset(Captive.objects.order_by("case_number"))


def export(export_format: str) -> tuple[float, int, int]:
    """The staff export streamed to nowhere: seconds, bytes, rows."""
    outcomes = []
    started = time.perf_counter()
    size = 0
    for chunk in queryset_export_chunks(
        export_format,
        staff_queryset(),
        CAPTIVE_COLUMNS,
        on_start=lambda: None,
        on_end=outcomes.append,
    ):
        size += len(chunk)
    return time.perf_counter() - started, size, outcomes[0].rows


def copy_csv() -> tuple[float, int]:
    """PostgreSQL's own COPY of the same columns (the values as stored), read through psycopg."""
    select = database_csv_select(staff_queryset(), CAPTIVE_COLUMNS, as_cells=False)
    assert select is not None
    statement = f"COPY ({connection.ops.compose_sql(*select)}) TO STDOUT WITH CSV HEADER"
    started = time.perf_counter()
    size = 0
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for data in copy:
            size += len(data)
    return time.perf_counter() - started, size


def memory(run) -> tuple[float, float]:
    """Peak RSS growth (MB) over an untraced run, then tracemalloc's peak over a traced one."""
    rss_growth = rss_growth_mb(run)
    tracemalloc.start()
    run()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return rss_growth, peak / 1024 / 1024


def bench_csv() -> None:
    rss_growth, traced_peak = memory(lambda: export("csv"))
    copies, exports = [], []
    for _ in range(REPEATS):
        copy_seconds, copy_bytes = copy_csv()
        seconds, size, rows = export("csv")
        copies.append(copy_seconds)
        exports.append(seconds)
    copy_median, export_median = statistics.median(copies), statistics.median(exports)
    print(f"rows exported: {rows}; {REPEATS} interleaved repeats, medians")
    print(f"COPY ... TO STDOUT: {copy_median:.3f} s, {copy_bytes / 1e6:.1f} MB  {fmt(copies)}")
    print(f"staff CSV export:   {export_median:.3f} s, {size / 1e6:.1f} MB  {fmt(exports)}")
    print(f"ratio export/COPY:  {export_median / copy_median:.2f} (issue: at most 2)")
    print(f"peak RSS growth during the first export: {rss_growth:.1f} MB (issue: under 50)")
    print(f"peak Python memory during an export:     {traced_peak:.1f} MB (tracemalloc)")
    report(
        [
            Row(
                f"staff CSV export, {rows:,} captives",
                export_median,
                unit="s",
                baseline=copy_median,
                goal="≤ 2× COPY of the same columns",
                passed=export_median <= 2 * copy_median,
            ),
            Row(
                "memory growth during that export",
                rss_growth,
                unit="MB",
                goal="< 50 MB",
                passed=rss_growth < 50,
                note=f"Python peak {traced_peak:.1f} MB",
            ),
        ],
        "Exports",
    )


def bench_one(export_format: str) -> None:
    measured = []
    rss_growth = rss_growth_mb(lambda: measured.append(export(export_format)))
    seconds, size, rows = measured[0]
    tracemalloc.start()
    export(export_format)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"staff {export_format} export: {rows} rows, {seconds:.2f} s, {size / 1e6:.1f} MB")
    print(f"peak RSS growth: {rss_growth:.1f} MB; peak Python memory: {peak / 2**20:.1f} MB")


def bench_api() -> None:
    """The partner API's CSV export (Python path, redacted per partner), as a detaining-power
    agency that sees every captive at full level, through the test client. One run."""
    from django.conf import settings
    from django.test import Client
    from django.test.utils import setup_test_environment

    from cases.choices import InvolvementRole
    from cases.models import Involvement
    from partners.choices import DisclosureLevel, PartnerKind
    from partners.models import Partner
    from partners.services import partner_create
    from tests.partners.api.conftest import Api, token_for

    setup_test_environment()  # the test client's host, no mail
    settings.SECURE_SSL_REDIRECT = False  # the test client speaks plain HTTP
    ukr = State.objects.get(code="UKR")
    if not Involvement.objects.filter(
        state=ukr, captive__case_number__startswith="BENCH-"
    ).exists():
        Involvement.objects.bulk_create(
            [
                Involvement(captive_id=pk, state=ukr, role=InvolvementRole.DETAINING_POWER)
                for pk in Captive.objects.values_list("pk", flat=True)
            ],
            batch_size=5000,
        )
    Partner.objects.filter(name="Bench agency").update(name=f"Bench agency {time.time()}")
    partner, secret = partner_create(
        acting_user=None,
        name="Bench agency",
        kind=PartnerKind.STATE_AGENCY,
        state=ukr,
        default_level=DisclosureLevel.FULL,
        scopes=["cases:read", "wishes:read", "reports:export"],
    )
    client = Client()
    token = token_for(client, partner.application.client_id, secret).json()["access_token"]
    api = Api(client=client, token=token)
    measured = []

    def run() -> None:
        """The export as a partner gets a large one: asked (202), written by a worker (here in
        this process, as `manage.py db_worker --batch` runs it), then downloaded."""
        from django_tasks_db.management.commands.db_worker import Worker

        started = time.perf_counter()
        asked = api.post("/api/v1/captives/exports/?as=csv")
        assert asked.status_code == 202, asked.content
        Worker(
            queue_names=["default"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="bench",
            excluded_queue_names=[],
        ).run()
        written = time.perf_counter()
        status = api.get(asked["Location"]).json()
        assert status["status"] == "ready", status
        response = api.get(f"{asked['Location']}download/")
        size = sum(len(chunk) for chunk in response.streaming_content)
        done = time.perf_counter()
        measured.append(
            (response.status_code, written - started, done - written, size, status["row_count"])
        )

    rss_growth = rss_growth_mb(run)
    status, job_seconds, download_seconds, size, rows = measured[0]
    print(
        f"partner API CSV export as a job: {rows} rows; written by the worker in "
        f"{job_seconds:.2f} s ({rows / job_seconds:.0f} rows/s), downloaded ({status}) in "
        f"{download_seconds:.2f} s (ledger included), {size / 1e6:.1f} MB"
    )
    print(f"peak RSS growth: {rss_growth:.1f} MB")


def fmt(values: list[float]) -> str:
    return "[" + ", ".join(f"{value:.3f}" for value in values) + "]"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("count", type=int, nargs="?", default=100_000)
    parser.add_argument("--format", choices=["csv", "xlsx", "jsonl"], default="csv")
    parser.add_argument("--api", action="store_true")
    options = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("COPY needs PostgreSQL: set DATABASE_URL to a database of your own.")
    fill(options.count)
    print(f"captives: {Captive.objects.count()}")
    if options.api:
        bench_api()
    elif options.format == "csv":
        bench_csv()
    else:
        bench_one(options.format)


if __name__ == "__main__":
    main()
