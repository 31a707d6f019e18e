"""manage.py lockout_lift --by SUPERVISOR [--username NAME] [--address IP]"""

from typing import Any

from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from partners.signin import lockout_lift
from powtracker.errors import RuleError


class Command(BaseCommand):
    help = (
        "Lift a sign-in lockout before its cool-off ends: the failures counted for a user name "
        "(or client id), an address, or the two together. Recorded as a lockout lift in the "
        "name of the supervisor given with --by."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--by", required=True, help="The supervisor lifting it (user name), for the record."
        )
        parser.add_argument("--username", help="The user name or client id locked out.")
        parser.add_argument("--address", help="The address locked out.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["username"] and not options["address"]:
            raise CommandError("Say what to lift: --username, --address or both.")
        supervisor = get_user_model().objects.filter(username=options["by"]).first()
        if supervisor is None or not supervisor.is_active:
            raise CommandError(f"No active user {options['by']}.")
        attempts = AccessAttempt.objects.all()
        if options["username"]:
            attempts = attempts.filter(username=options["username"])
        if options["address"]:
            attempts = attempts.filter(ip_address=options["address"])
        try:
            lifted = lockout_lift(acting_user=supervisor, attempts=attempts)
        except RuleError as refusal:
            raise CommandError(" ".join(refusal.messages)) from refusal
        failures = sum(record.failures for record in lifted)
        self.stdout.write(
            f"Lifted {len(lifted)} lockout count(s) ({failures} failures), recorded as lifted "
            f"by {supervisor.username}."
        )
