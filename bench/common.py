"""What every benchmark shares: timing (interleaved with its baseline, medians over repeats), one
row per target, and the hand-over of rows to `bench/run.py`, which prints them as one table and
writes bench/results/<date>.json.

A benchmark script measures, then calls `report(rows)`: it prints its own table and, when run by
bench/run.py (BENCH_RESULTS names a file), appends its rows there as JSON lines.
"""

import json
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Row:
    """One target: the figure, its baseline in the same run (if any), the goal and the verdict."""

    target: str
    value: float
    unit: str = "ms"
    baseline: float | None = None
    goal: str = ""
    passed: bool | None = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.baseline in (None, 0):
            return None
        return self.value / self.baseline  # type: ignore[operator]


def clock_ms(action: Callable[[], Any]) -> float:
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1000


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def interleaved(
    measured: Callable[[], Any],
    baseline: Callable[[], Any] | None,
    *,
    repeats: int = 15,
    warmup: int = 2,
) -> tuple[list[float], list[float]]:
    """Times of `measured` and `baseline`, taken in alternating pairs (so a slow moment of the
    machine weighs on both), after a warm-up of each."""
    for _ in range(warmup):
        measured()
        if baseline is not None:
            baseline()
    ours: list[float] = []
    theirs: list[float] = []
    for _ in range(repeats):
        ours.append(clock_ms(measured))
        if baseline is not None:
            theirs.append(clock_ms(baseline))
    return ours, theirs


def median(values: list[float]) -> float:
    return statistics.median(values)


def report(rows: list[Row], title: str) -> None:
    """Print the rows as a table; hand them to bench/run.py when it is the caller."""
    print(f"\n{title}")
    print(table(rows))
    destination = os.environ.get("BENCH_RESULTS")
    if destination:
        with open(destination, "a", encoding="utf-8") as out:
            for row in rows:
                out.write(json.dumps({**asdict(row), "ratio": row.ratio, "group": title}) + "\n")


def _figure(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "ms":
        return f"{value:,.1f} ms" if value < 100 else f"{value:,.0f} ms"
    if unit == "s":
        return f"{value:,.2f} s"
    return f"{value:,.2f} {unit}"


def table(rows: list[Row]) -> str:
    """A plain-text table: target, figure, baseline, ratio, goal, verdict."""
    header = ("target", "figure", "baseline", "ratio", "goal", "result")
    lines = [
        (
            row.target,
            _figure(row.value, row.unit),
            _figure(row.baseline, row.unit),
            f"{row.ratio:.1f}×" if row.ratio is not None else "—",
            row.goal,
            {True: "PASS", False: "FAIL", None: ""}[row.passed]
            + (f" {row.note}" if row.note else ""),
        )
        for row in rows
    ]
    widths = [max(len(str(line[i])) for line in [header, *lines]) for i in range(len(header))]

    def render(line: tuple[str, ...]) -> str:
        return "  ".join(
            str(cell).ljust(width) if index in (0, 4, 5) else str(cell).rjust(width)
            for index, (cell, width) in enumerate(zip(line, widths, strict=True))
        ).rstrip()

    return "\n".join([render(header), render(tuple("-" * w for w in widths)), *map(render, lines)])
