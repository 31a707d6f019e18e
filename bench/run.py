"""`make bench`: every benchmark on the database at DATABASE_URL, one after the other (never two
at once: they would slow each other), then one table of every target and its verdict, written
to bench/results/<date>.json as well.

Usage: DATABASE_URL=postgres://…/yours python bench/run.py [script …]
With no script named, runs them all, in the order below. Exit status 1 if a target is missed.
"""

import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Row, table

HERE = Path(__file__).resolve().parent
SCRIPTS = [
    ["reads.py"],
    ["search.py"],
    ["duplicates.py"],
    ["imports.py", os.environ.get("BENCH_IMPORT_ROWS", "10000")],
    ["load.py"],
    ["casework.py"],
    ["webhooks.py"],
    ["documents.py"],
    ["exports.py", os.environ.get("BENCH_CAPTIVES", "100000")],
    ["integrity.py"],
]


def main() -> int:
    wanted = sys.argv[1:]
    scripts = [s for s in SCRIPTS if not wanted or s[0] in wanted]
    with tempfile.NamedTemporaryFile("r", suffix=".jsonl", delete=False) as handed:
        results_file = handed.name
    failures = []
    for script in scripts:
        if not (HERE / script[0]).exists():
            print(f"(bench/{script[0]} is not there yet)")
            continue
        print(f"\n=== bench/{' '.join(script)}", flush=True)
        done = subprocess.run(  # noqa: S603 - our own scripts, with our own arguments
            [sys.executable, str(HERE / script[0]), *script[1:]],
            env={**os.environ, "BENCH_RESULTS": results_file},
            check=False,
        )
        if done.returncode not in (0, 1):
            failures.append(script[0])
    records = [json.loads(line) for line in Path(results_file).read_text().splitlines() if line]
    Path(results_file).unlink()
    rows = [
        Row(**{k: v for k, v in record.items() if k not in ("ratio", "group")})
        for record in records
    ]
    print("\n=== Every target")
    print(table(rows))
    out = HERE / "results" / f"{dt.date.today().isoformat()}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "machine": {
                    "python": platform.python_version(),
                    "cpus": os.cpu_count(),
                    "platform": platform.platform(),
                },
                "results": records,
                "scripts_failed": failures,
            },
            indent=2,
            ensure_ascii=False,
        )
        + "\n"
    )
    print(f"\nwritten to {out.relative_to(HERE.parent)}")
    missed = [row.target for row in rows if row.passed is False]
    if failures:
        print(f"scripts that failed: {', '.join(failures)}")
    return 1 if missed or failures else 0


if __name__ == "__main__":
    sys.exit(main())
