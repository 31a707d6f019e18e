"""Benchmark of the duplicate candidates (cases.duplicates.duplicate_candidates).

1. Quality, on any database: the labelled name pairs of tests/data/name_pairs.csv (Korean names in
   Revised Romanization, McCune–Reischauer, North Korean spellings, Cyrillic and Hangul; Russian
   and Ukrainian names in several transliterations; near-misses that are different people). The
   recorded side of every pair is inserted in a transaction that is rolled back afterwards, the
   other side is looked up, and the pair counts as proposed if its captive is among the
   candidates at the threshold. Precision and recall against the aim: recall ≥ 0.95 at
   precision ≥ 0.9.
2. Speed, when the database holds 100,000 captives (bench/search.py fills it): the time of one
   lookup for a mix of spellings (Hangul, RR, MR, Cyrillic, Latin Slavic names, a service number),
   p50 and p95.

Usage: DATABASE_URL=postgres://postgres@127.0.0.1:5432/pt_yours python bench/duplicates.py
Not a test: the timings depend on the machine. Exit status 1 if a target is missed.
"""

import csv
import os
import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "powtracker.settings")

import django

django.setup()

from django.db import transaction  # noqa: E402

from bench.common import Row, clock_ms, median, percentile, report  # noqa: E402
from cases.duplicates import DUPLICATE_THRESHOLD, duplicate_candidates  # noqa: E402
from cases.models import Captive, captive_name_skeleton, name_keys_fill  # noqa: E402
from states.models import State  # noqa: E402

PAIRS = Path(__file__).resolve().parent.parent / "tests" / "data" / "name_pairs.csv"
SIZE = 100_000
TARGET_P95_MS = 30.0
LOOKUPS = [
    {"name_original": "김철수"},
    {"family_name": "Kim", "given_names": "Chol-su"},
    {"family_name": "Pak", "given_names": "Myŏng-ch'ŏl", "birth_year": 1998},
    {"name_original": "Ри Ён Хо"},
    {"family_name": "Shevchenko", "given_names": "Sergei"},
    {"name_original": "Коваленко Олег", "service_number": "UA-123456"},
    {"family_name": "Choi", "given_names": "Kwang-hyuk"},
    {"family_name": "Lee", "given_names": "Young-ho"},
]


class Rollback(Exception):
    pass


def query_for(name: str) -> dict[str, str]:
    """A name written in one string: Latin as family and given names, else as the original."""
    if all(c.isascii() or (c.isalpha() and c < "\u0250") for c in name):
        family, _, given = name.partition(" ")
        return {"family_name": family, "given_names": given}
    return {"name_original": name}


def quality() -> tuple[float, float, int, list[str], list[str]]:
    """Precision and recall over the labelled pairs, the number of pairs, misses and mistakes."""
    with PAIRS.open(encoding="utf-8") as rows:
        pairs = list(csv.DictReader(rows))
    outcomes = []
    try:
        with transaction.atomic():
            power, _ = State.objects.get_or_create(code="ZZB", defaults={"name": "Bench"})
            recorded = []
            for number, row in enumerate(pairs):
                captive = Captive(
                    case_number=f"BENCH-DUP-{number:05d}",
                    family_name=row["family_a"],
                    given_names=row["given_a"],
                    name_original=row["original_a"],
                    birth_year=int(row["birth_year_a"]) if row["birth_year_a"] else None,
                    detaining_power=power,
                    captured_on=date(2025, 1, 5),
                    fictional=True,
                )
                captive.name_skeleton = captive_name_skeleton(captive)
                recorded.append(captive)
            recorded = Captive.objects.bulk_create(recorded)
            name_keys_fill(captive_ids=[c.pk for c in recorded])
            for row, captive in zip(pairs, recorded, strict=True):
                found = duplicate_candidates(
                    **query_for(row["name_b"]),
                    birth_year=int(row["birth_year_b"]) if row["birth_year_b"] else None,
                    queryset=Captive.objects.filter(pk__in=[c.pk for c in recorded]),
                    limit=50,
                )
                proposed = any(c.captive.pk == captive.pk for c in found)
                label = f"{row['family_a']} {row['given_a']} ~ {row['name_b']}"
                outcomes.append((row["same"] == "1", proposed, label))
            raise Rollback
    except Rollback:
        pass
    hits = sum(1 for same, proposed, _ in outcomes if same and proposed)
    precision = hits / max(1, sum(1 for _, proposed, _ in outcomes if proposed))
    recall = hits / max(1, sum(1 for same, _, _ in outcomes if same))
    missed = [label for same, proposed, label in outcomes if same and not proposed]
    wrong = [label for same, proposed, label in outcomes if proposed and not same]
    return precision, recall, len(outcomes), missed, wrong


def speed(runs: int = 15) -> list[float]:
    times = []
    for lookup in LOOKUPS:  # warm-up
        duplicate_candidates(**lookup)
    for _ in range(runs):
        for lookup in LOOKUPS:
            times.append(clock_ms(lambda lookup=lookup: duplicate_candidates(**lookup)))
    return times


def main() -> int:
    precision, recall, pairs, missed, wrong = quality()
    print(f"{pairs} labelled pairs at threshold {DUPLICATE_THRESHOLD}")
    print("missed:", *missed or ["none"], sep="\n  ")
    print("wrongly proposed:", *wrong or ["none"], sep="\n  ")
    met = recall >= 0.95 and precision >= 0.9
    rows = [
        Row(
            "duplicates: recall (labelled pairs)",
            recall,
            unit="",
            goal="≥ 0.95 at precision ≥ 0.9",
            passed=met,
            note=f"{pairs} pairs",
        ),
        Row(
            "duplicates: precision (labelled pairs)",
            precision,
            unit="",
            goal="≥ 0.9",
            passed=precision >= 0.9,
        ),
    ]
    captives = Captive.objects.count()
    if captives >= SIZE:
        times = speed()
        rows.append(
            Row(
                f"duplicates: one lookup at {captives:,} captives, p50",
                median(times),
                goal="",
                note=f"{len(times)} lookups",
            )
        )
        rows.append(
            Row(
                f"duplicates: one lookup at {captives:,} captives, p95",
                percentile(times, 0.95),
                goal=f"≤ {TARGET_P95_MS:.0f} ms",
                passed=percentile(times, 0.95) <= TARGET_P95_MS,
            )
        )
    else:
        print(f"\n(speed not measured: {captives:,} captives; bench/search.py fills {SIZE:,})")
    report(rows, "Duplicates")
    return 0 if all(row.passed is not False for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
