"""manage.py import_captives FILE --source …: import a list of names as the admin does."""

import sys
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from imports import services
from imports.choices import TARGETS_BY_NAME, BatchStatus, RowStatus
from imports.columns import header_fold
from imports.models import ImportBatch
from imports.reading import ENCODINGS
from powtracker.errors import RuleError
from states.models import State

SHOWN = 30


def printable(text: str) -> str:
    """Text for a terminal: control characters (escape sequences) shown as \\x.., not obeyed."""
    return "".join(
        char if char.isprintable() or char == " " else char.encode("unicode_escape").decode()
        for char in text
    )


class Command(BaseCommand):
    help = (
        "Import a CSV or XLSX list of names: read it, map its columns (guessed from the headers, "
        "or --map), analyse every row (errors, repeats, rows imported before, possible "
        "duplicates), show the preview, and after confirmation register the ready rows through "
        "the services, as the acting --user. Rows with possible duplicates are held for a "
        "caseworker's decision in the admin unless --decide-best takes the best candidate. The "
        "same file twice adds nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--source", required=True, help="Who sent the list.")
        parser.add_argument("--user", required=True, help="Username of the acting caseworker.")
        parser.add_argument(
            "--detaining-power",
            required=True,
            help="State code, for the rows that do not name a detaining power.",
        )
        parser.add_argument("--encoding", default="utf-8", choices=sorted(ENCODINGS))
        parser.add_argument("--sheet", default="", help="Sheet of an XLSX workbook.")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="HEADER=FIELD",
            help="Map a column by its header to a field (FIELD empty: not imported). Repeatable.",
        )
        parser.add_argument(
            "--decide-best",
            type=int,
            metavar="SCORE",
            help="Same person as the best candidate when it scores SCORE (90–100) or more.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Preview only: write nothing.")
        parser.add_argument("--yes", action="store_true", help="Write without asking.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {options['user']!r}.")
        power = State.objects.filter(code=options["detaining_power"].upper()).first()
        if power is None:
            raise CommandError(f"No state {options['detaining_power']!r}.")
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No file {path}.")
        best = options["decide_best"]
        if best is not None and not 90 <= best <= 100:
            raise CommandError("--decide-best takes a score from 90 to 100.")
        for pair in options["map"]:
            field = pair.partition("=")[2].strip()
            if "=" not in pair or (field and field not in TARGETS_BY_NAME):
                raise CommandError(
                    f"--map {pair!r}: write HEADER=FIELD, FIELD one of: "
                    f"{', '.join(TARGETS_BY_NAME)} (or nothing: not imported)."
                )
        batch = None
        try:
            batch = services.import_upload(
                acting_user=user,
                data=path.read_bytes(),
                file_name=path.name,
                source=options["source"],
                detaining_power=power,
                encoding=options["encoding"],
                sheet=options["sheet"],
            )
            mapping = self._mapping(batch, options["map"])
            batch = services.import_map(acting_user=user, batch=batch, mapping=mapping)
            self._show_mapping(batch)
            batch = self._run(batch, user, services.import_analyse, "Analysing")
            if options["decide_best"] is not None:
                decided = services.import_decide_best(
                    acting_user=user, batch=batch, min_score=options["decide_best"]
                )
                self.stdout.write(f"Same person as the best candidate: {decided} rows.")
            self._show_preview(batch)
            if options["dry_run"]:
                services.import_cancel(acting_user=user, batch=batch)
                self.stdout.write(f"Dry run: {batch.reference} cancelled, nothing written.")
                return
            if not options["yes"] and not self._confirmed():
                self.stdout.write(
                    f"Not written: {batch.reference} waits for confirmation in the admin."
                )
                return
            batch = services.import_confirm(acting_user=user, batch=batch)
            batch = self._run(batch, user, services.import_write, "Writing")
        except (RuleError, CommandError) as refusal:
            # Nothing written yet: the batch is not left waiting (one being written is, for
            # the admin's Continue).
            if batch is not None:
                batch.refresh_from_db()
                if batch.status in {
                    BatchStatus.UPLOADED,
                    BatchStatus.ANALYSING,
                    BatchStatus.PREVIEW,
                }:
                    services.import_cancel(acting_user=user, batch=batch)
            if isinstance(refusal, CommandError):
                raise
            raise CommandError(" ".join(refusal.messages)) from refusal
        counts = services.import_counts(batch)
        self.stdout.write(
            self.style.SUCCESS(
                f"{batch.reference}: {counts[RowStatus.WRITTEN]} written, "
                f"{counts[RowStatus.HELD]} held for a decision, "
                f"{counts[RowStatus.INVALID]} with errors, "
                f"{counts[RowStatus.REPEATED] + counts[RowStatus.IMPORTED_BEFORE]} already there."
            )
        )

    def _confirmed(self) -> bool:
        """Asked on a terminal; anywhere else (a pipe, a cron job) only --yes confirms."""
        if not sys.stdin.isatty():
            return False
        return input("Write the ready rows? [y/N] ").strip().lower() in {"y", "yes"}

    def _mapping(self, batch: ImportBatch, pairs: list[str]) -> dict[str, str]:
        mapping = dict(batch.mapping)
        by_header = {header_fold(header): str(i) for i, header in enumerate(batch.headers)}
        for pair in pairs:
            header, sep, field = pair.partition("=")
            column = by_header.get(header_fold(header))
            if not sep or column is None:
                raise CommandError(f"--map {pair!r}: no column {header!r} in the file.")
            field = field.strip()
            if field and field not in TARGETS_BY_NAME:
                raise CommandError(
                    f"--map {pair!r}: no field {field!r}; fields: {', '.join(TARGETS_BY_NAME)}."
                )
            mapping = {c: f for c, f in mapping.items() if f != field or not field}
            mapping[column] = field
        return mapping

    def _show_mapping(self, batch: ImportBatch) -> None:
        self.stdout.write(f"{batch.reference}: {batch.row_count} rows. Columns:")
        for index, header in enumerate(batch.headers):
            field = batch.mapping.get(str(index), "")
            self.stdout.write(printable(f"  {header} → {field or '(not imported)'}"))

    def _run(self, batch: ImportBatch, user: Any, step: Any, label: str) -> ImportBatch:
        status = batch.status
        with Progress(
            TextColumn(label),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            disable=not self.stdout.isatty(),
        ) as progress:
            task = progress.add_task(label, total=batch.row_count)
            while batch.status == status:
                batch = step(acting_user=user, batch=batch)
                done, total = services.import_progress(batch, status)
                progress.update(task, completed=done, total=total)
        return batch

    def _show_preview(self, batch: ImportBatch) -> None:
        counts = services.import_counts(batch)
        self.stdout.write(
            f"Ready: {counts[RowStatus.READY]} (with possible duplicates: "
            f"{counts['with_candidates']}, undecided: {counts['undecided']}); "
            f"errors: {counts[RowStatus.INVALID]}; repeated in the file: "
            f"{counts[RowStatus.REPEATED]}; imported before: {counts[RowStatus.IMPORTED_BEFORE]}."
        )
        for row in batch.rows.filter(status=RowStatus.INVALID).order_by("number")[:SHOWN]:
            for error in row.errors:
                where = error["column"] or error["field"]
                self.stdout.write(printable(f"  row {row.number}: {where}: {error['message']}"))
        for row in batch.rows.filter(status=RowStatus.READY).exclude(candidates=[])[:SHOWN]:
            best = row.candidates[0]
            self.stdout.write(
                printable(
                    f"  row {row.number}: may be {best['case_number']} {best['name']} "
                    f"({best['score']}; {'; '.join(best['reasons'])})"
                )
            )
