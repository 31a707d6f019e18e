"""The webhooks' test world: the Kursk case, partners of three kinds with real tokens, and
deliveries allowed to loopback over http (a receiver in the test process)."""

from typing import Any

import pytest

from partners.choices import DisclosureLevel, PartnerKind
from partners.services import case_share_grant
from tests.partners.api.conftest import ALL_SCOPES, kursk_world, make_partner
from webhooks.services import webhook_subscribe

WEBHOOK_SCOPES = [*ALL_SCOPES, "webhooks:manage", "reports:export"]


@pytest.fixture
def loopback(settings: Any) -> None:
    """Deliveries to a receiver in the test process (127.0.0.1, http)."""
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = True
    settings.PUBLIC_URL = "https://powtracker.test"


@pytest.fixture
def world(db: Any, client: Any, loopback: None) -> dict[str, Any]:
    w = kursk_world()
    s = w["states"]
    full = {"default_level": DisclosureLevel.FULL, "scopes": WEBHOOK_SCOPES}
    w["apis"] = {
        "UKR": make_partner(client, "UKR agency", state=s["UKR"], **full),
        "PRK": make_partner(client, "PRK agency", state=s["PRK"], **full),
        "ICRC": make_partner(
            client, "Tracing agency", kind=PartnerKind.TRACING_AGENCY, state=None, **full
        ),
    }
    # The tracing agency speaks for no state: it sees what the bureau shares with it.
    for captive in (w["first"], w["second"]):
        case_share_grant(
            acting_user=None,
            partner=w["apis"]["ICRC"].partner,
            captive=captive,
            level=DisclosureLevel.FULL,
            reason="Tracing",
        )
    return w


def subscribe(supervisor: Any, api: Any, url: str, *types: str) -> tuple[Any, str]:
    return webhook_subscribe(
        acting_user=supervisor, partner=api.partner, url=url, event_types=list(types)
    )
