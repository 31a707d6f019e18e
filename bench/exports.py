"""Benchmark of the CSV export against PostgreSQL's own COPY, and of its memory.

Fills the database named by DATABASE_URL with N synthetic captives (bulk insert, marked
fictional) unless it already holds them, then:
- streams the staff CSV export of all of them (reports.exports, the admin's columns) to
  /dev/null, measuring time and the process's peak memory growth (tracemalloc and RSS);
- runs `COPY (SELECT <the same columns>) TO STDOUT WITH CSV` through psycopg.

Usage (PostgreSQL, a database of your own):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pt_yours python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pt_yours python bench/exports.py 100000
Not a test: numbers depend on the machine. The issue asks for < 50 MB growth at 100,000
captives and a CSV export at most 2x COPY.
"""

import os
import resource
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

from cases.models import Captive  # noqa: E402
from diplomacy.models import State  # noqa: E402
from reports.columns import CAPTIVE_COLUMNS, captive_export_queryset  # noqa: E402
from reports.exports import export_chunks, queryset_rows  # noqa: E402

COPY_SQL = """
COPY (
  SELECT c.case_number, c.family_name, c.given_names, c.name_original, c.original_script,
         (SELECT string_agg(n.full_name || ' (' || n.system || ')', '; ' ORDER BY n.system, n.id)
            FROM cases_captivename n WHERE n.captive_id = c.id),
         c.rank, c.service_number, c.birth_date, c.birth_year, c.sex, nat.code, pdo.code,
         dp.code, c.captured_on, c.capture_place, c.legal_status, c.health, c.identity_status,
         c.custody_status, c.custody_place, cust.code, c.custody_since, c.effective_wish,
         ewd.code, c.updated_at
    FROM cases_captive c
    LEFT JOIN diplomacy_state nat ON nat.id = c.nationality_id
    LEFT JOIN diplomacy_state pdo ON pdo.id = c.power_depended_on_id
    JOIN diplomacy_state dp ON dp.id = c.detaining_power_id
    LEFT JOIN diplomacy_state cust ON cust.id = c.custodian_id
    LEFT JOIN diplomacy_state ewd ON ewd.id = c.effective_wish_destination_id
   ORDER BY c.case_number
) TO STDOUT WITH CSV HEADER
"""


def fill(count: int) -> None:
    have = Captive.objects.count()
    if have >= count:
        return
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


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def export_csv(*, traced: bool) -> tuple[float, float, float, int]:
    """Time it untraced (tracemalloc slows Python several times); trace it for memory."""
    queryset = captive_export_queryset(Captive.objects.order_by("case_number"))
    rss_before = rss_mb()
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    size = 0
    for chunk in export_chunks(
        "csv",
        [c.header for c in CAPTIVE_COLUMNS],
        queryset_rows(queryset, CAPTIVE_COLUMNS),
        on_end=lambda outcome: None,
    ):
        size += len(chunk)
    elapsed = time.perf_counter() - started
    peak = 0
    if traced:
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return elapsed, peak / 1024 / 1024, rss_mb() - rss_before, size


def copy_csv() -> tuple[float, int]:
    started = time.perf_counter()
    size = 0
    with connection.cursor() as cursor, cursor.connection.cursor().copy(COPY_SQL) as copy:
        for data in copy:
            size += len(data)
    return time.perf_counter() - started, size


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    if connection.vendor != "postgresql":
        raise SystemExit("COPY needs PostgreSQL: set DATABASE_URL to a database of your own.")
    fill(count)
    total = Captive.objects.count()
    copy_seconds, copy_bytes = copy_csv()
    seconds, _peak, rss_growth_mb, size = export_csv(traced=False)
    _seconds, peak_mb, _rss, _size = export_csv(traced=True)
    print(f"captives: {total}")
    print(f"COPY ... TO STDOUT: {copy_seconds:.2f} s, {copy_bytes / 1e6:.1f} MB")
    print(f"CSV export:         {seconds:.2f} s, {size / 1e6:.1f} MB")
    print(f"ratio export/COPY:  {seconds / copy_seconds:.2f} (issue: at most 2)")
    print(f"peak Python memory during the export: {peak_mb:.1f} MB (tracemalloc)")
    print(f"peak RSS growth during the export:    {rss_growth_mb:.1f} MB (issue: under 50)")


if __name__ == "__main__":
    main()
