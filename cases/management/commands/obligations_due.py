"""manage.py obligations_due: GC III duties overdue and due soon, for a caseworker or a cron job."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cases.choices import ObligationState
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
        duties = list(obligations_open(within_days=options["days"]))
        overdue = [d for d in duties if d.state == ObligationState.OVERDUE]
        for duty in duties:
            state = "OVERDUE" if duty.state == ObligationState.OVERDUE else "due"
            self.stdout.write(
                f"{duty.due_on:%Y-%m-%d}  {state:<8} {duty.captive.case_number:<16} "
                f"{duty.get_kind_display()}"
            )
        due_soon = len(duties) - len(overdue)
        self.stdout.write(f"{len(overdue)} overdue, {due_soon} due within {options['days']} days.")
        if overdue and options["fail_if_overdue"]:
            raise SystemExit(1)
