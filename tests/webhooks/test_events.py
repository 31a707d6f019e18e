"""Each event type reaches the endpoints whose partner may read the record, and no other:
proposal.changed, transfer_request.changed, contact.created, export.ready."""

import json
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from diplomacy import services as diplomacy_services
from diplomacy.choices import ContactChannel
from partners.choices import DisclosureLevel
from tests.helpers import jobs_drain
from tests.partners.api.conftest import make_partner
from tests.webhooks.conftest import WEBHOOK_SCOPES, subscribe
from webhooks.models import WebhookDelivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def endpoints(world: dict[str, Any], supervisor: Any, client: Any) -> dict[str, Any]:
    world["apis"]["KOR"] = make_partner(
        client,
        "KOR agency",
        state=world["states"]["KOR"],
        default_level=DisclosureLevel.FULL,
        scopes=WEBHOOK_SCOPES,
    )
    return {
        name: subscribe(supervisor, api, f"http://127.0.0.1:9/{name}")[0]
        for name, api in world["apis"].items()
    }


def told(endpoints: dict[str, Any], event_type: str) -> dict[str, list[dict[str, Any]]]:
    return {
        name: [
            json.loads(bytes(d.payload))
            for d in WebhookDelivery.objects.filter(endpoint=endpoint, event_type=event_type)
        ]
        for name, endpoint in endpoints.items()
    }


def test_a_proposal_reaches_the_states_party_to_it(world, endpoints, supervisor):
    s = world["states"]
    proposal = diplomacy_services.exchange_proposal_create(
        acting_user=supervisor,
        title="Ten for ten",
        proposing_state=s["UKR"],
        counterpart_state=s["PRK"],
    )
    got = told(endpoints, "proposal.changed")
    assert {name for name, events in got.items() if events} == {"UKR", "PRK"}
    assert got["UKR"][0]["data"]["url"].endswith(f"/api/v1/exchange-proposals/{proposal.pk}/")


def test_another_states_transfer_request_never_reaches_his_power(world, endpoints, supervisor):
    s = world["states"]
    transfer = diplomacy_services.transfer_request_create(
        acting_user=supervisor, captive=world["first"], requesting_state=s["KOR"]
    )
    got = told(endpoints, "transfer_request.changed")
    # KOR asked; UKR holds him and sees him in full; the tracing agency sees him in full.
    assert {name for name, events in got.items() if events} == {"KOR", "UKR", "ICRC"}
    assert got["KOR"][0]["data"]["id"] == transfer.pk
    assert WebhookDelivery.objects.filter(endpoint=endpoints["PRK"]).count() == 0


def test_a_contact_reaches_its_parties_and_not_his_power(world, endpoints, supervisor):
    s = world["states"]
    contact = diplomacy_services.diplomatic_contact_record(
        acting_user=supervisor,
        from_state=s["KOR"],
        to_state=s["UKR"],
        channel=ContactChannel.NOTE_VERBALE,
        occurred_on=timezone.localdate() - timedelta(days=1),
        summary="Soldiers asking to go south",
        captives=[world["first"]],
    )
    got = told(endpoints, "contact.created")
    assert {name for name, events in got.items() if events} == {"KOR", "UKR", "ICRC"}
    assert got["UKR"][0]["data"]["url"].endswith(f"/api/v1/diplomatic-contacts/{contact.pk}/")
    assert WebhookDelivery.objects.filter(endpoint=endpoints["PRK"]).count() == 0


def test_an_export_ready_reaches_only_the_partner_that_asked(world, endpoints):
    ukr = world["apis"]["UKR"]
    asked = ukr.post("/api/v1/captives/exports/?as=csv")
    assert asked.status_code == 202, asked.content
    assert told(endpoints, "export.ready") == {name: [] for name in endpoints}
    assert jobs_drain() >= 1
    got = told(endpoints, "export.ready")
    assert [name for name, events in got.items() if events] == ["UKR"]
    (event,) = got["UKR"]
    assert event["data"]["id"] == asked.json()["id"]
    status = ukr.get(f"/api/v1/exports/{event['data']['id']}/")
    assert status.json()["status"] == "ready"
