"""/api/v1/webhooks/: a partner with `webhooks:manage` subscribes (its secret shown once),
lists, changes, disables and enables its own endpoints, rotates a secret and reads its recent
deliveries; it never reaches another partner's endpoint, and bad input gets a stable code."""

from typing import Any

import pytest
from standardwebhooks import Webhook

from cases.services import captive_update
from partners.choices import DisclosureLevel
from tests.partners.api.conftest import make_partner
from tests.webhooks.receiver import receiving
from webhooks.delivery import endpoint_deliver_due
from webhooks.models import WebhookEndpoint

pytestmark = pytest.mark.django_db

BASE = "/api/v1/webhooks/"


def create(api: Any, url: str, **fields: Any) -> Any:
    return api.post(BASE, {"url": url, **fields})


def test_a_partner_subscribes_and_its_receiver_verifies_what_it_is_sent(world):
    ukr = world["apis"]["UKR"]
    with receiving() as receiver:
        made = create(ukr, receiver.url, event_types=["captive.changed"], description="sync")
        assert made.status_code == 201, made.content
        body = made.json()
        assert body["secret"].startswith("whsec_")
        assert body["event_types"] == ["captive.changed"] and body["enabled"] is True
        endpoint = WebhookEndpoint.objects.get(public_id=body["id"])
        # The secret is shown once: never in a later answer.
        listed = ukr.get(BASE).json()
        assert "secret" not in listed["results"][0] and body["secret"] not in str(listed)
        assert [e["id"] for e in listed["results"]] == [body["id"]]
        captive_update(acting_user=None, captive=world["first"], rank="Sergeant")
        endpoint_deliver_due(endpoint)
    (received,) = receiver.requests
    event = Webhook(body["secret"]).verify(received.body, received.fields)
    assert event["type"] == "captive.changed"
    deliveries = ukr.get(f"{BASE}{body['id']}/deliveries/").json()["results"]
    assert [(d["id"], d["state"], d["last_status"]) for d in deliveries] == [
        (received.fields["webhook-id"], "delivered", 204)
    ]
    assert deliveries[0]["payload"] == event


def test_a_partner_changes_disables_enables_and_rotates(world):
    ukr = world["apis"]["UKR"]
    body = create(ukr, "http://127.0.0.1:9/old").json()
    path = f"{BASE}{body['id']}/"
    changed = ukr.patch(path, {"url": "http://127.0.0.1:9/new", "event_types": []})
    assert changed.status_code == 200 and changed.json()["url"].endswith("/new")
    assert ukr.patch(path, {"enabled": False}).json()["disabled_reason"] == "partner"
    assert ukr.patch(path, {"enabled": True}).json()["enabled"] is True
    rotated = ukr.post(f"{path}rotate-secret/", {"overlap_hours": 1})
    assert rotated.status_code == 200
    assert rotated.json()["secret"] not in (body["secret"], None)
    assert rotated.json()["secret_previous_valid_until"] is not None
    history = WebhookEndpoint.objects.get(public_id=body["id"]).history.order_by("history_id")
    assert [h.history_change_reason for h in history][:2] == [
        "Subscribed",
        "URL changed",
    ]


def test_another_partners_endpoints_are_not_found(world):
    ukr, prk = world["apis"]["UKR"], world["apis"]["PRK"]
    body = create(ukr, "http://127.0.0.1:9/hook").json()
    path = f"{BASE}{body['id']}/"
    assert prk.get(path).status_code == 404
    assert prk.patch(path, {"enabled": False}).status_code == 404
    assert prk.post(f"{path}rotate-secret/", {}).status_code == 404
    assert prk.get(f"{path}deliveries/").status_code == 404
    assert prk.get(BASE).json()["results"] == []


def test_without_the_scope_and_for_staff_it_is_refused(world, client, supervisor):
    reader = make_partner(
        client,
        "Reader",
        state=world["states"]["CUB"],
        scopes=["cases:read"],
        default_level=DisclosureLevel.FULL,
    )
    refused = create(reader, "http://127.0.0.1:9/hook")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "permission_denied"
    client.force_login(supervisor)
    staff = client.get(BASE)
    assert staff.status_code == 403


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"url": "ftp://example.org/"}, "webhook_url_refused"),
        ({"url": "http://127.0.0.1:9/", "event_types": ["captive.deleted"]}, "invalid"),
        ({"url": "http://127.0.0.1:9/", "event_types": "captive.changed"}, "invalid"),
        ({"url": "x" * 600}, "invalid"),
        ({}, "invalid"),
    ],
)
def test_bad_input_gets_a_stable_code_and_writes_nothing(world, fields, code):
    answer = world["apis"]["UKR"].post(BASE, fields)
    assert answer.status_code == 400, answer.content
    assert answer.json()["error"]["code"] == code
    assert not WebhookEndpoint.objects.exists()


def test_private_addresses_and_http_are_refused_by_default(world, settings):
    settings.WEBHOOK_ALLOW_HTTP = False
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = False
    ukr = world["apis"]["UKR"]
    for url in ("http://example.org/hook", "https://127.0.0.1/hook", "https://10.0.0.8/hook"):
        answer = create(ukr, url)
        assert answer.status_code == 400, (url, answer.content)
        assert answer.json()["error"]["code"] == "webhook_url_refused"
    assert not WebhookEndpoint.objects.exists()


def test_a_partner_may_hold_ten_active_endpoints(world):
    ukr = world["apis"]["UKR"]
    for n in range(10):
        assert create(ukr, f"http://127.0.0.1:9/{n}").status_code == 201
    eleventh = create(ukr, "http://127.0.0.1:9/eleven")
    assert eleventh.status_code == 400 and eleventh.json()["error"]["code"] == "invalid"


@pytest.mark.parametrize("field", ["secret", "partner", "id", "disabled_reason", "bogus"])
def test_a_field_it_may_not_send_is_refused(world, field):
    answer = create(world["apis"]["UKR"], "http://127.0.0.1:9/hook", **{field: "x"})
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "unknown_field"
    assert not WebhookEndpoint.objects.exists()


def test_an_endpoint_made_disabled_starts_disabled(world):
    body = create(world["apis"]["UKR"], "http://127.0.0.1:9/hook", enabled=False).json()
    assert (body["enabled"], body["disabled_reason"]) == (False, "partner")


def test_disabling_and_enabling_does_not_pass_the_limit(world):
    ukr = world["apis"]["UKR"]
    ids = [create(ukr, f"http://127.0.0.1:9/{n}").json()["id"] for n in range(10)]
    assert ukr.patch(f"{BASE}{ids[0]}/", {"enabled": False}).status_code == 200
    assert create(ukr, "http://127.0.0.1:9/eleventh").status_code == 201
    again = ukr.patch(f"{BASE}{ids[0]}/", {"enabled": True})
    assert again.status_code == 400 and again.json()["error"]["code"] == "invalid"
    assert WebhookEndpoint.objects.filter(disabled_at__isnull=True).count() == 10


def test_a_second_rotation_within_the_overlap_is_refused(world):
    ukr = world["apis"]["UKR"]
    path = f"{BASE}{create(ukr, 'http://127.0.0.1:9/hook').json()['id']}/rotate-secret/"
    first = ukr.post(path, {"overlap_hours": 24})
    assert first.status_code == 200
    second = ukr.post(path, {})
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "rotation_in_progress"
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret == first.json()["secret"] and endpoint.previous_secret


@pytest.mark.parametrize("method", ["put", "delete"])
def test_a_method_it_does_not_take_answers_405(world, method):
    ukr = world["apis"]["UKR"]
    path = f"{BASE}{create(ukr, 'http://127.0.0.1:9/hook').json()['id']}/"
    answer = ukr.put(path, {"url": "x"}) if method == "put" else ukr.delete(path)
    assert answer.status_code == 405
    assert WebhookEndpoint.objects.get().disabled_at is None
