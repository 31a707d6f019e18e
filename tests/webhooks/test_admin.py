"""Supervisors manage webhooks in the admin (listed under Partners) and on the command line:
subscribe (the secret shown once), rotate the secret, read every attempt, deliver again."""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from standardwebhooks import Webhook

from cases.services import captive_update
from tests.admin_forms import admin_form_data
from tests.webhooks.conftest import subscribe
from tests.webhooks.receiver import receiving
from webhooks.delivery import endpoint_deliver_due
from webhooks.models import WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db


def secret_in(response) -> str:
    message = next(str(m) for m in response.context["messages"] if "whsec_" in str(m))
    return re.search(r"whsec_[A-Za-z0-9+/=]+", message).group(0)


def test_a_supervisor_subscribes_a_partner_and_rotates_its_secret(world, client, supervisor):
    ukr = world["apis"]["UKR"].partner
    client.force_login(supervisor)
    index = client.get("/admin/").content.decode()
    # Listed in the Partners box of the index.
    partners_box = index.split('class="app-partners module"', 1)[1].split("</table>", 1)[0]
    assert "Webhook endpoints" in partners_box and "Webhook deliveries" in partners_box

    add = reverse("admin:webhooks_webhookendpoint_add")
    data = admin_form_data(client.get(add).content.decode())
    with receiving() as receiver:
        data.update(partner=str(ukr.pk), url=receiver.url, event_type_list=["captive.changed"])
        added = client.post(add, data, follow=True)
        assert added.status_code == 200
        secret = secret_in(added)
        endpoint = WebhookEndpoint.objects.get(partner=ukr)
        assert endpoint.event_types == "captive.changed"
        assert endpoint.history.get().history_user == supervisor

        change = reverse("admin:webhooks_webhookendpoint_change", args=[endpoint.pk])
        page = client.get(change).content.decode()
        assert secret not in page
        data = admin_form_data(page)
        data.update(rotate_secret="on", overlap_hours="1")
        rotated = client.post(change, data, follow=True)
        new_secret = secret_in(rotated)
        assert new_secret != secret

        captive_update(acting_user=None, captive=world["first"], rank="Major")
        endpoint_deliver_due(endpoint)
    (received,) = receiver.requests
    for key in (secret, new_secret):
        assert Webhook(key).verify(received.body, received.fields)["type"] == "captive.changed"


def test_a_supervisor_reads_the_attempts_and_delivers_again(world, client, supervisor):
    with receiving(lambda r: (500, {})) as receiver:
        endpoint, _ = subscribe(supervisor, world["apis"]["UKR"], receiver.url)
        captive_update(acting_user=None, captive=world["first"], rank="Major")
        endpoint_deliver_due(endpoint)
        delivery = WebhookDelivery.objects.get(endpoint=endpoint)
        client.force_login(supervisor)
        page = client.get(
            reverse("admin:webhooks_webhookdelivery_change", args=[delivery.pk])
        ).content.decode()
        assert "500" in page and "captive.changed" in page
        listed = reverse("admin:webhooks_webhookdelivery_changelist")
        done = client.post(
            listed, {"action": "redeliver", "_selected_action": [str(delivery.pk)]}, follow=True
        )
        assert done.status_code == 200
        receiver.answer = lambda r: (204, {})
        endpoint_deliver_due(endpoint)
    assert len(receiver.requests) == 2
    assert receiver.requests[0].fields["webhook-id"] == receiver.requests[1].fields["webhook-id"]
    delivery.refresh_from_db()
    assert delivery.state == "delivered" and delivery.redeliveries.get().asked_by == supervisor


def test_a_caseworker_sees_no_webhooks(world, client, caseworker):
    client.force_login(caseworker)
    assert client.get(reverse("admin:webhooks_webhookendpoint_changelist")).status_code == 403
    assert client.get(reverse("admin:webhooks_webhookdelivery_changelist")).status_code == 403


def test_the_command_subscribes_and_prints_the_secret_once(world, capsys):
    call_command(
        "webhook_subscribe",
        "UKR agency",
        "--url",
        "http://127.0.0.1:9/hook",
        "--events",
        "captive.changed",
        "export.ready",
    )
    out = capsys.readouterr().out
    endpoint = WebhookEndpoint.objects.get()
    assert f"Endpoint id: {endpoint.public_id}" in out
    assert f"Secret:      {endpoint.secret}" in out
    assert endpoint.event_types == "captive.changed export.ready"
    call_command("webhook_subscribe", "UKR agency", "--url", "http://127.0.0.1:9/all")
    assert WebhookEndpoint.objects.get(url__endswith="/all").event_types == ""
