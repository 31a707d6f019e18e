"""The outbox: a change writes a notification for each endpoint whose partner may see it, in the
change's transaction; delivered to a real receiver on loopback, signed so that the
`standardwebhooks` library verifies it; thin, naming the version the partner then reads."""

import json
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone
from standardwebhooks import Webhook

from cases import services as case_services
from cases.choices import CustodyEventKind, Voluntariness, Wish, WishMode
from tests.webhooks.conftest import subscribe
from tests.webhooks.receiver import receiving
from webhooks.delivery import endpoint_deliver_due
from webhooks.models import DeliveryState, WebhookDelivery

pytestmark = pytest.mark.django_db


def custody_event(supervisor: Any, captive: Any) -> None:
    case_services.custody_event_record(
        acting_user=supervisor,
        captive=captive,
        kind=CustodyEventKind.INTERNED,
        occurred_at=timezone.now() - timedelta(seconds=5),
        place="Camp 1",
    )


def wish(supervisor: Any, captive: Any, states: dict[str, Any]) -> None:
    case_services.wish_statement_record(
        acting_user=supervisor,
        captive=captive,
        wish=Wish.DEFECT,
        destination=states["KOR"],
        stated_at=timezone.now() - timedelta(seconds=5),
        mode=WishMode.PRIVATE_INTERVIEW,
        statement="Asks to go to Seoul.",
        voluntariness=Voluntariness.FREE,
    )


def test_a_custody_event_reaches_the_partner_signed_and_names_the_version_it_then_reads(
    world, supervisor
):
    pak = world["first"]
    ukr = world["apis"]["UKR"]
    with receiving() as receiver:
        endpoint, secret = subscribe(supervisor, ukr, receiver.url, "captive.changed")
        assert secret.startswith("whsec_")
        custody_event(supervisor, pak)
        assert endpoint_deliver_due(endpoint) == 1

    (received,) = receiver.requests
    assert set(received.fields) >= {"webhook-id", "webhook-timestamp", "webhook-signature"}
    event = Webhook(secret).verify(received.body, received.fields)
    assert event["type"] == "captive.changed"
    assert set(event) == {"type", "timestamp", "data"}
    assert set(event["data"]) == {"id", "url", "version"}
    assert event["data"]["id"] == pak.pk
    assert event["data"]["url"] == f"https://powtracker.test/api/v1/captives/{pak.pk}/"
    # The partner then reads the captive at the version named, and when it changed.
    read = ukr.get(f"/api/v1/captives/{pak.pk}/")
    assert read.status_code == 200
    assert read["ETag"] == event["data"]["version"]
    assert read.json()["updated_at"] == event["timestamp"]
    # Delivered once, and recorded.
    delivery = WebhookDelivery.objects.get(message_id=received.fields["webhook-id"])
    assert delivery.state == DeliveryState.DELIVERED
    assert delivery.attempt_records.get().status == 204


def test_a_change_that_rolls_back_writes_no_notification(world, supervisor):
    with receiving() as receiver:
        endpoint, _secret = subscribe(supervisor, world["apis"]["UKR"], receiver.url)
        with pytest.raises(RuntimeError), transaction.atomic():
            custody_event(supervisor, world["first"])
            assert WebhookDelivery.objects.filter(endpoint=endpoint).count() == 1
            raise RuntimeError("the request failed after the service")
        assert WebhookDelivery.objects.filter(endpoint=endpoint).count() == 0
        assert endpoint_deliver_due(endpoint) == 0
    assert receiver.requests == []


def test_a_wish_reaches_only_a_partner_who_may_read_it(world, supervisor):
    pak = world["first"]
    endpoints = {}
    with receiving() as receiver:
        for name in ("UKR", "PRK", "ICRC"):
            endpoints[name], _ = subscribe(supervisor, world["apis"][name], receiver.url)
        wish(supervisor, pak, world["states"])
        told = {
            name: list(
                WebhookDelivery.objects.filter(endpoint=endpoint).values_list(
                    "event_type", "subject_id"
                )
            )
            for name, endpoint in endpoints.items()
        }
    # His power (PRK) is hostile to him: his wish does not move the version it reads.
    assert told["PRK"] == []
    assert told["UKR"] == [("captive.changed", pak.pk)]
    assert told["ICRC"] == [("captive.changed", pak.pk)]


def test_one_service_touching_a_captive_many_times_tells_each_endpoint_once(world, supervisor):
    ukr = world["apis"]["UKR"]
    with receiving() as receiver:
        endpoint, _ = subscribe(supervisor, ukr, receiver.url)
        captive = case_services.captive_register(
            acting_user=supervisor,
            detaining_power=world["states"]["UKR"],
            reason="Registered",
            family_name="Kim",
            given_names="Chol",
            captured_on=timezone.now().date() - timedelta(days=2),
        )
        rows = list(WebhookDelivery.objects.filter(endpoint=endpoint))
    assert [(d.event_type, d.subject_id) for d in rows] == [("captive.registered", captive.pk)]
    body = json.loads(bytes(rows[0].payload))
    assert body["type"] == "captive.registered"
