"""manage.py obligations_due: GC III duties overdue and due soon, for a caseworker or a cron job."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cases.choices import ObligationKind, ObligationState
from cases.selectors import obligations_open


class Command(BaseCommand):
    help = "List unfulfilled obligations: every overdue one, and those due within --days."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=7, help="Look ahead this many days.")
        parser.add_argument(
            "--fail-if-overdue",
            action="store_true",
            help="Exit with status 1 when anything is overdue (for monitoring).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # Tuples, not model instances: a register of 100,000 captives has tens of thousands of
        # open lines, and this runs from cron.
        lines = obligations_open(within_days=options["days"]).values_list(
            "due_on", "state", "captive__case_number", "kind"
        )
        labels = dict(ObligationKind.choices)
        overdue = total = 0
        out = []
        for due_on, state, case_number, kind in lines.iterator(chunk_size=5000):
            total += 1
            late = state == ObligationState.OVERDUE
            overdue += late
            shown = "OVERDUE" if late else "due"
            out.append(f"{due_on:%Y-%m-%d}  {shown:<8} {case_number:<16} {labels[kind]}")
        if out:
            self.stdout.write("\n".join(out))
        due_soon = total - overdue
        self.stdout.write(f"{overdue} overdue, {due_soon} due within {options['days']} days.")
        if overdue and options["fail_if_overdue"]:
            raise SystemExit(1)
