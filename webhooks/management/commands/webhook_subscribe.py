"""manage.py webhook_subscribe "PARTNER NAME" --url URL [--events TYPE ...]"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from partners.models import Partner
from powtracker.errors import RuleError
from webhooks.models import EventType
from webhooks.services import webhook_subscribe


class Command(BaseCommand):
    help = (
        "Subscribe a partner's endpoint to webhooks and print its id and secret, once. With no "
        "--events, it receives every event type."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("partner", help="The partner's name, as registered.")
        parser.add_argument("--url", required=True, help="An https URL on a public address.")
        parser.add_argument("--events", nargs="+", default=[], choices=EventType.values)
        parser.add_argument("--description", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        partner = Partner.objects.filter(name=options["partner"]).first()
        if partner is None:
            raise CommandError(f"No partner named {options['partner']!r}.")
        try:
            endpoint, secret = webhook_subscribe(
                acting_user=None,
                partner=partner,
                url=options["url"],
                event_types=options["events"],
                description=options["description"],
            )
        except RuleError as refusal:
            raise CommandError(" ".join(refusal.messages)) from refusal
        self.stdout.write(f"Partner:     {partner.name}")
        self.stdout.write(f"URL:         {endpoint.url}")
        self.stdout.write(f"Events:      {endpoint.event_types or 'every event type'}")
        self.stdout.write(f"Endpoint id: {endpoint.public_id}")
        self.stdout.write(f"Secret:      {secret}")
        self.stdout.write("Give the secret to the partner now: it cannot be shown again.")
