"""manage.py integrity_check: prove that a (restored) database is whole."""

import argparse
import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.utils.translation import gettext as _

from powtracker.integrity import CheckGroup, Failures, check_groups

OK, FAILED, SKIPPED = "ok", "failed", "skipped"
# The memory each sort or hash of the checks may take on PostgreSQL (work_mem, for their
# transaction only).
WORK_MEM = "64MB"


def _epilog() -> str:
    lines = [_("Checks, in the order they run (their names are stable):"), ""]
    for group in check_groups():
        for check in group.checks:
            only = ""
            if group.vendors is not None:
                only = " " + _("(%(vendors)s only)") % {"vendors": ", ".join(sorted(group.vendors))}
            lines.append(f"  {check.name}{only}")
            lines.append(f"      {check.title}")
    lines += [
        "",
        _(
            "Exit status: 0 when every check passes (or does not apply to this database), 1 "
            "when any fails. Every check reads whole tables in SQL, in one read-only snapshot."
        ),
    ]
    return "\n".join(lines)


class Command(BaseCommand):
    help = (
        "Prove that a database — typically one just restored from a backup — is whole: every "
        "history chain, every case-number counter, the disclosure ledger, and the invariants "
        "the services keep. One line per check (OK, or FAILED with a count and a few example "
        "ids); --json for machines."
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.epilog = _epilog()
        parser.formatter_class = argparse.RawDescriptionHelpFormatter
        return parser

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--database",
            default=DEFAULT_DB_ALIAS,
            help="The database to check (an alias of DATABASES; default: the primary).",
        )
        parser.add_argument("--json", action="store_true", help="Write the report as JSON.")
        parser.add_argument(
            "--examples",
            type=int,
            default=5,
            help="How many examples to give of each failure (default 5).",
        )
        parser.add_argument(
            "--only",
            action="append",
            default=[],
            metavar="PREFIX",
            help="Run only the checks whose name starts with PREFIX (repeatable), e.g. history.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["examples"] < 1:
            raise CommandError(_("--examples must be at least 1."))
        self.verbosity = options["verbosity"]
        if options["database"] not in connections:
            raise CommandError(
                _("No database is named %(alias)s in DATABASES.") % {"alias": options["database"]}
            )
        connection = connections[options["database"]]
        groups = [
            group
            for group in check_groups()
            if not options["only"]
            or any(c.name.startswith(tuple(options["only"])) for c in group.checks)
        ]
        if not groups:
            raise CommandError(
                _("No check's name starts with %(only)s.") % {"only": options["only"]}
            )
        started = time.perf_counter()
        results = self._run(connection, groups, options["examples"], options["only"])
        seconds = time.perf_counter() - started
        failed = [r for r in results if r["status"] == FAILED]
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "whole": not failed,
                        "database": options["database"],
                        "vendor": connection.vendor,
                        "seconds": round(seconds, 3),
                        "checks": results,
                        # How long each group of checks answered together took.
                        "timings": self.timings,
                    },
                    ensure_ascii=False,
                    indent=2,
                )
            )
        else:
            self._report(results, seconds)
        if failed:
            raise CommandError(
                _("The database is not whole: %(failed)d of %(total)d checks failed.")
                % {"failed": len(failed), "total": len(results)},
                returncode=1,
            )

    def _run(
        self, connection: Any, groups: list[CheckGroup], limit: int, only: list[str]
    ) -> list[dict[str, Any]]:
        results = []
        self.timings: list[dict[str, Any]] = []
        outer = connection.in_atomic_block
        with transaction.atomic(using=connection.alias):
            if connection.vendor == "postgresql" and not outer:
                # One snapshot for every check: a write committed while they run cannot make
                # two tables disagree in what they read.
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            if connection.vendor == "postgresql":
                # The checks sort and hash whole tables: room in memory for this transaction
                # (never less than the server gives), rather than spilling to disk.
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT set_config('work_mem', %s, true)"
                        " WHERE pg_size_bytes(current_setting('work_mem')) < pg_size_bytes(%s)",
                        [WORK_MEM, WORK_MEM],
                    )
            for group in groups:
                checks = [c for c in group.checks if not only or c.name.startswith(tuple(only))]
                if group.vendors is not None and connection.vendor not in group.vendors:
                    results += [
                        self._result(c, SKIPPED, note=group.skipped_because) for c in checks
                    ]
                    continue
                started = time.perf_counter()
                try:
                    with transaction.atomic(using=connection.alias):
                        found = group.run(connection, limit)
                except DatabaseError as error:
                    # A table that cannot be read (missing, damaged) fails its checks, and the
                    # others still run.
                    note = str(error).strip().splitlines()[0] if str(error).strip() else ""
                    results += [
                        self._result(c, FAILED, Failures(), note=_("could not run: %s") % note)
                        for c in checks
                    ]
                    continue
                milliseconds = round((time.perf_counter() - started) * 1000)
                self.timings.append({"checks": [c.name for c in checks], "ms": milliseconds})
                if self.verbosity >= 2:
                    self.stderr.write(f"{', '.join(c.name for c in checks)}: {milliseconds} ms")
                for check in checks:
                    failures = found.get(check.name)
                    status = FAILED if failures and failures.count else OK
                    results.append(self._result(check, status, failures, ms=milliseconds))
        return results

    @staticmethod
    def _result(
        check: Any,
        status: str,
        failures: Failures | None = None,
        note: Any = "",
        ms: int | None = None,
    ) -> dict[str, Any]:
        """One check's line of the report. `ms`: how long the statements that answered it took
        (shared by the checks answered together: see "timings"); None when it did not run."""
        failures = failures or Failures()
        return {
            "name": check.name,
            "title": str(check.title),
            "status": status,
            "count": failures.count,
            "examples": failures.examples,
            "note": str(note),
            "ms": ms,
        }

    def _report(self, results: list[dict[str, Any]], seconds: float) -> None:
        width = max(len(r["name"]) for r in results)
        for result in results:
            name = result["name"].ljust(width)
            if result["status"] == OK:
                self.stdout.write(f"{name}  {self.style.SUCCESS('OK')}")
            elif result["status"] == SKIPPED:
                self.stdout.write(f"{name}  {self.style.WARNING(_('SKIPPED'))}  {result['note']}")
            else:
                detail = result["note"] or _("%(count)d found, e.g. %(examples)s") % {
                    "count": result["count"],
                    "examples": ", ".join(result["examples"]),
                }
                self.stdout.write(f"{name}  {self.style.ERROR(_('FAILED'))}  {detail}")
        failed = sum(r["status"] == FAILED for r in results)
        if failed:
            summary = _("NOT WHOLE: %(failed)d of %(total)d checks failed (%(seconds).1f s).")
        else:
            summary = _("Whole: all %(total)d checks passed (%(seconds).1f s).")
        self.stdout.write(summary % {"failed": failed, "total": len(results), "seconds": seconds})
