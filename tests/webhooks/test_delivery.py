"""What follows from a receiver's answer: the retry schedule, Retry-After, 410 Gone and a spent
schedule disabling the endpoint (and supervisors told in the admin), a redelivery with the same
webhook-id, and a rotated secret signing beside the new one for its overlap."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from freezegun import freeze_time
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from cases.services import captive_update
from tests.webhooks.conftest import subscribe
from tests.webhooks.receiver import receiving
from webhooks.delivery import endpoint_deliver_due
from webhooks.models import DeliveryState, DisabledReason, WebhookDelivery
from webhooks.services import webhook_endpoint_change, webhook_redeliver, webhook_secret_rotate

pytestmark = pytest.mark.django_db


def change(captive: Any, n: int) -> None:
    captive_update(acting_user=None, captive=captive, rank=f"Rank {n}")


def test_a_failed_attempt_waits_its_turn_on_the_schedule_and_holds_the_ones_after_it(
    world, supervisor, settings
):
    settings.WEBHOOK_RETRY_SCHEDULE = [5, 300]
    answers = iter([(503, {"Retry-After": "120"}), (500, {}), (204, {}), (204, {})])
    with receiving(lambda r: next(answers)) as receiver:
        endpoint, _ = subscribe(supervisor, world["apis"]["UKR"], receiver.url)
        change(world["first"], 1)
        change(world["first"], 2)
        start = timezone.now()
        assert endpoint_deliver_due(endpoint) == 1
        first = WebhookDelivery.objects.filter(endpoint=endpoint).order_by("id").first()
        # Retry-After (120 s) asks for longer than the schedule's first wait (5 s).
        assert first.next_attempt_at - start >= timedelta(seconds=119)
        # Nothing is sent before then: the second notification waits behind the first.
        assert endpoint_deliver_due(endpoint) == 0
        with freeze_time(first.next_attempt_at + timedelta(seconds=1)):
            assert endpoint_deliver_due(endpoint) == 1  # 500 again: 300 s more
        first.refresh_from_db()
        with freeze_time(first.next_attempt_at + timedelta(seconds=1)):
            assert endpoint_deliver_due(endpoint) == 2
    ids = [r.fields["webhook-id"] for r in receiver.requests]
    assert ids[0] == ids[1] == ids[2] != ids[3]
    assert list(
        WebhookDelivery.objects.filter(endpoint=endpoint)
        .order_by("id")
        .values_list("state", "attempts")
    ) == [(DeliveryState.DELIVERED, 3), (DeliveryState.DELIVERED, 1)]


def test_a_spent_schedule_disables_the_endpoint_and_supervisors_are_told(
    world, supervisor, settings, client
):
    settings.WEBHOOK_RETRY_SCHEDULE = [1]
    with receiving(lambda r: (500, {})) as receiver:
        endpoint, _ = subscribe(supervisor, world["apis"]["UKR"], receiver.url)
        change(world["first"], 1)
        endpoint_deliver_due(endpoint)
        with freeze_time(timezone.now() + timedelta(seconds=2)):
            endpoint_deliver_due(endpoint)
    endpoint.refresh_from_db()
    assert endpoint.disabled_reason == DisabledReason.FAILING
    assert WebhookDelivery.objects.get(endpoint=endpoint).state == DeliveryState.FAILED
    # Notifications are still written for it while it is disabled for failing: enabled again,
    # it receives what it missed.
    change(world["first"], 2)
    assert WebhookDelivery.objects.filter(endpoint=endpoint, state="pending").count() == 1
    client.force_login(supervisor)
    page = client.get("/admin/").content.decode()
    assert "Webhook deliveries to UKR agency" in page and receiver.url in page
    webhook_endpoint_change(acting_user=supervisor, endpoint=endpoint, enabled=True)
    assert "Webhook deliveries to" not in client.get("/admin/").content.decode()


def test_410_gone_disables_the_endpoint_at_once(world, supervisor):
    with receiving(lambda r: (410, {})) as receiver:
        endpoint, _ = subscribe(supervisor, world["apis"]["UKR"], receiver.url)
        change(world["first"], 1)
        change(world["first"], 2)
        assert endpoint_deliver_due(endpoint) == 1
        assert endpoint_deliver_due(endpoint) == 0
    endpoint.refresh_from_db()
    assert endpoint.disabled_reason == DisabledReason.GONE
    # A gone endpoint gets no new notifications.
    change(world["first"], 3)
    assert WebhookDelivery.objects.filter(endpoint=endpoint).count() == 2


def test_a_redelivery_sends_the_same_notification_again(world, supervisor):
    with receiving() as receiver:
        endpoint, secret = subscribe(supervisor, world["apis"]["UKR"], receiver.url)
        change(world["first"], 1)
        endpoint_deliver_due(endpoint)
        delivery = WebhookDelivery.objects.get(endpoint=endpoint)
        webhook_redeliver(acting_user=supervisor, delivery=delivery)
        endpoint_deliver_due(endpoint)
    first, again = receiver.requests
    assert first.fields["webhook-id"] == again.fields["webhook-id"]
    assert first.body == again.body
    assert Webhook(secret).verify(again.body, again.fields)["type"] == "captive.changed"
    assert delivery.redeliveries.get().asked_by == supervisor


def test_a_caseworker_may_not_redeliver(world, supervisor, caseworker):
    with receiving() as receiver:
        endpoint, _ = subscribe(supervisor, world["apis"]["UKR"], receiver.url)
        change(world["first"], 1)
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    with pytest.raises(Exception, match="Your role"):
        webhook_redeliver(acting_user=caseworker, delivery=delivery)


def test_a_rotated_secret_signs_beside_the_new_one_until_its_overlap_ends(world, supervisor):
    with receiving() as receiver:
        endpoint, old = subscribe(supervisor, world["apis"]["UKR"], receiver.url)
        endpoint, new = webhook_secret_rotate(
            acting_user=supervisor, endpoint=endpoint, overlap_hours=2
        )
        assert new != old and new.startswith("whsec_")
        change(world["first"], 1)
        endpoint_deliver_due(endpoint)
        (during,) = receiver.requests
        # During the overlap, a receiver holding either secret verifies it.
        assert len(during.fields["webhook-signature"].split()) == 2
        assert Webhook(new).verify(during.body, during.fields)
        assert Webhook(old).verify(during.body, during.fields)
        with freeze_time(timezone.now() + timedelta(hours=2, minutes=1)):
            change(world["first"], 2)
            endpoint_deliver_due(endpoint)
            after = receiver.requests[1]
            # After it, only the new one signs.
            assert len(after.fields["webhook-signature"].split()) == 1
            assert Webhook(new).verify(after.body, after.fields)
            with pytest.raises(WebhookVerificationError):
                Webhook(old).verify(after.body, after.fields)
