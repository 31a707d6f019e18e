"""manage.py export captives: the captive register as CSV, XLSX or JSON Lines, with a progress
bar on a terminal and nothing but errors otherwise (for cron)."""

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q
from rich.progress import Progress

from cases.choices import CustodyEventKind
from cases.models import Captive
from powtracker.errors import RuleError
from reports.choices import ExportFormat
from reports.columns import CAPTIVE_COLUMNS, captive_export_queryset
from reports.exports import Outcome, export_password_check, queryset_export_chunks
from reports.services import ExportAudit

LISTS = ["captives"]


def _password_read(path: str | None) -> str:
    if not path:
        return ""
    with open(path, encoding="utf-8") as file:
        return file.readline().rstrip("\r\n")


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"Not a date (YYYY-MM-DD): {value}") from error


class Command(BaseCommand):
    help = "Export a list (captives) to a file, with the admin export's columns."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("list", choices=LISTS)
        parser.add_argument("--format", required=True, choices=ExportFormat.values)
        parser.add_argument("--out", required=True, help="The file to write.")
        parser.add_argument("--detaining-power", help="ISO alpha-3 code, e.g. UKR")
        parser.add_argument("--nationality", help="ISO alpha-3 code, e.g. PRK")
        parser.add_argument("--custody-status", choices=CustodyEventKind.values)
        parser.add_argument("--captured-after", type=_day, help="YYYY-MM-DD (inclusive)")
        parser.add_argument("--captured-before", type=_day, help="YYYY-MM-DD (inclusive)")
        parser.add_argument(
            "--password-file",
            help="Protect the file: an AES-256 ZIP with the password on this file's first line",
        )
        parser.add_argument("--search", help="Case number, name in any script, service number")

    def handle(self, *args: Any, **options: Any) -> None:
        queryset, filters = captives_filtered(options)
        password = _password_read(options.get("password_file"))
        try:
            export_password_check(password, full_level=True)
        except RuleError as refusal:
            raise CommandError(" ".join(refusal.messages)) from refusal
        columns = CAPTIVE_COLUMNS
        outcomes: list[Outcome] = []
        # Recorded before the first byte is written, completed once the file is whole.
        audit = ExportAudit(
            acting_user=None,
            list_name=f"command.{options['list']}",
            filters=filters,
            export_format=options["format"],
        )
        show = self.stdout.isatty()
        try:
            with open(options["out"], "wb") as out, Progress(disable=not show) as progress:
                task = progress.add_task("Exporting", total=queryset.count())
                chunks = queryset_export_chunks(
                    options["format"],
                    captive_export_queryset(queryset),
                    columns,
                    on_start=audit.start,
                    on_end=outcomes.append,
                    on_rows=lambda rows: progress.advance(task, rows),
                    password=password,
                    inner_name=f"{options['list']}.{options['format']}",
                )
                try:
                    for chunk in chunks:
                        out.write(chunk)
                finally:
                    chunks.close()  # a stream cut short says so in its outcome
        except BaseException:
            if outcomes:  # the file did not land whole, however far its stream went
                outcomes[0].completed = False
            raise
        finally:
            if outcomes:
                audit.end(outcomes[0])
        if show:
            self.stdout.write(f"{outcomes[0].rows} rows, SHA-256 {outcomes[0].sha256}")


def captives_filtered(options: dict[str, Any]) -> tuple[Any, str]:
    """The captives the options name, and the options as the audit records them."""
    lookups = {
        "detaining_power": Q(detaining_power__code=options.get("detaining_power")),
        "nationality": Q(nationality__code=options.get("nationality")),
        "custody_status": Q(custody_status=options.get("custody_status")),
        "captured_after": Q(captured_on__gte=options.get("captured_after")),
        "captured_before": Q(captured_on__lte=options.get("captured_before")),
        "search": Q(case_number__icontains=options.get("search"))
        | Q(family_name__icontains=options.get("search"))
        | Q(given_names__icontains=options.get("search"))
        | Q(name_original__icontains=options.get("search"))
        | Q(service_number__icontains=options.get("search"))
        | Q(names__full_name__icontains=options.get("search")),
    }
    queryset = Captive.objects.all()
    used = []
    for name, condition in lookups.items():
        if options.get(name):
            used.append(f"--{name.replace('_', '-')}={options[name]}")
            queryset = queryset.filter(condition)
    # A search across his names may match a captive more than once: one row each.
    queryset = Captive.objects.filter(pk__in=queryset.values("pk")).order_by("case_number")
    return queryset, " ".join(used)
