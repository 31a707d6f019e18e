"""manage.py partner_create NAME --state KOR --scopes cases:read wishes:read ..."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from partners.choices import DisclosureLevel, PartnerKind
from partners.services import partner_create
from powtracker.errors import RuleError
from states.models import State


class Command(BaseCommand):
    help = "Register a partner as an OAuth2 client and print its client id and secret, once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")
        parser.add_argument("--state", help="ISO alpha-3 code of the state it speaks for.")
        parser.add_argument("--kind", choices=PartnerKind.values, default=PartnerKind.STATE_AGENCY)
        parser.add_argument("--scopes", nargs="+", required=True, choices=list(settings.API_SCOPES))
        parser.add_argument(
            "--level",
            choices=DisclosureLevel.values,
            default=DisclosureLevel.IDENTITY,
            help="What it sees of the cases its state is involved in.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        state = None
        if options["state"]:
            state = State.objects.filter(code=options["state"].upper()).first()
            if state is None:
                raise CommandError(f"No state with code {options['state']}.")
        try:
            partner, secret = partner_create(
                acting_user=None,
                name=options["name"],
                kind=options["kind"],
                state=state,
                scopes=options["scopes"],
                default_level=options["level"],
            )
        except RuleError as refusal:
            raise CommandError(" ".join(refusal.messages)) from refusal
        self.stdout.write(f"Partner:       {partner.name} ({partner.get_kind_display()})")
        self.stdout.write(f"Scopes:        {partner.scopes}")
        self.stdout.write(f"Client id:     {partner.application.client_id}")
        self.stdout.write(f"Client secret: {secret}")
        self.stdout.write("Keep the secret now: it is stored hashed and cannot be shown again.")
