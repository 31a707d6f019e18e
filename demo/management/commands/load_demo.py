"""manage.py load_demo: the January 2025 Kursk case, with fictional names, and synthetic cases."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.scenario import demo_load


class Command(BaseCommand):
    help = (
        "Load the demo scenario (idempotent): the two Korean People's Army soldiers captured in "
        "Kursk Oblast in January 2025, under fictional names, a few dozen synthetic cases and "
        "demo logins for each role."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even with DEBUG off (demo logins have a known password).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "Refusing to load demo data and demo logins with DEBUG off; pass --force."
            )
        summary = demo_load()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo loaded: {summary['captives']} captives, {summary['states']} states, "
                f"{summary['proposals']} exchange proposals."
            )
        )
        self.stdout.write("Demo logins (password: the DEMO_PASSWORD setting):")
        for username, role in summary["logins"]:
            self.stdout.write(f"  {username:<12} {role}")
