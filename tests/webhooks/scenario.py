"""What the worker tests and the benchmark do inside a database of their own, through
`manage.py shell -c` (the workers are real processes): a partner with endpoints, captives it
sees, and changes to them. Each function prints JSON for the caller."""

import json
from datetime import date

from cases.models import Captive
from cases.services import captive_register, captive_update
from partners.choices import DisclosureLevel
from partners.services import partner_create
from states.models import State
from webhooks.services import webhook_subscribe


def setup(urls: list[str], captives: int = 3) -> None:
    """A state agency (UKR) seeing every captive in full, one endpoint per URL, and captives
    its state holds. Prints the endpoints' ids and secrets and the captives' ids."""
    ukr, _ = State.objects.get_or_create(code="UKR", defaults={"name": "Ukraine"})
    partner, _secret = partner_create(
        acting_user=None,
        name="UKR agency",
        kind="state_agency",
        state=ukr,
        scopes=["cases:read", "wishes:read", "webhooks:manage"],
        default_level=DisclosureLevel.FULL,
    )
    endpoints = []
    for url in urls:
        endpoint, secret = webhook_subscribe(acting_user=None, partner=partner, url=url)
        endpoints.append({"id": endpoint.pk, "url": url, "secret": secret})
    ids = [
        captive_register(
            acting_user=None,
            detaining_power=ukr,
            captured_on=date(2025, 1, 5),
            family_name=f"Soldier {n}",
        ).pk
        for n in range(captives)
    ]
    print(json.dumps({"endpoints": endpoints, "captives": ids}))


def change(count: int) -> None:
    """`count` changes partners see, spread over the captives (one service each)."""
    captives = list(Captive.objects.order_by("pk"))
    for n in range(count):
        captive = captives[n % len(captives)]
        captive_update(acting_user=None, captive=captive, rank=f"Rank {n}")
    print(json.dumps({"changes": count}))
