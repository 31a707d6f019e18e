"""The OpenAPI schema and its documentation pages, served without any CDN; fixed query counts;
the webhooks it documents, which real notifications and their signature headers match."""

import json
from datetime import date, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from cases.models import Involvement
from cases.services import captive_register, captive_update
from diplomacy.choices import ContactChannel
from diplomacy.models import DiplomaticContact
from diplomacy.services import (
    diplomatic_contact_record,
    exchange_offer_add,
    exchange_proposal_create,
    exchange_request_add,
    transfer_request_create,
)
from partners.choices import DisclosureLevel
from tests.factories import CaptiveFactory
from tests.helpers import jobs_drain
from tests.partners.api.conftest import ALL_SCOPES, make_partner
from webhooks.delivery import signature_headers
from webhooks.models import EventType, WebhookDelivery
from webhooks.services import webhook_secret_rotate, webhook_subscribe

pytestmark = pytest.mark.django_db


def test_the_schema_validates_with_no_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(out), stdout=StringIO()
    )
    text = out.read_text()
    for documented in [
        "/api/v1/captives/{captive_pk}/wishes/",
        "/api/v1/exchange-proposals/{id}/execute/",
        "updated_since",
        "If-Match",
        "Idempotency-Key",
        "clientCredentials",
        "wishes:read",
    ]:
        assert documented in text, documented


@pytest.mark.parametrize(
    ("page", "script"),
    [
        ("/api/docs/", "/static/drf_spectacular_sidecar/"),
        # Redoc from the sidecar, less the logo it would fetch from its CDN (powtracker.docs).
        ("/api/redoc/", "/api/redoc/redoc.standalone.js"),
    ],
)
def test_the_docs_are_served_from_this_server_only(client, page, script):
    html = client.get(page).content.decode()
    assert script in html
    assert "cdn" not in html.lower()
    assert "https://" not in html


def test_the_schema_itself_is_public(client):
    assert client.get("/api/schema/").status_code == 200


def add_rows(kind: str, world, count: int) -> None:
    """`count` more rows of one resource, each with the related rows its page shows."""
    s = world["states"]
    for _ in range(count):
        captive = CaptiveFactory(nationality=s["PRK"], power_depended_on=s["PRK"])
        Involvement.objects.get_or_create(captive=captive, state=s["UKR"], role="detaining_power")
        if kind == "exchange-proposals":
            proposal = exchange_proposal_create(
                acting_user=None, title="Swap", proposing_state=s["UKR"], counterpart_state=s["PRK"]
            )
            exchange_offer_add(acting_user=None, proposal=proposal, captive=captive)
            exchange_request_add(acting_user=None, proposal=proposal, name="A. Person", count=1)
        elif kind == "diplomatic-contacts":
            DiplomaticContact.objects.create(
                from_state=s["UKR"],
                to_state=s["KOR"],
                channel="call",
                occurred_on=date(2025, 2, 1),
                summary="Call",
            ).captives.add(captive)
        elif kind == "transfer-requests":
            transfer_request_create(acting_user=None, captive=captive, requesting_state=s["KOR"])


@pytest.mark.parametrize(
    "kind", ["captives", "exchange-proposals", "diplomatic-contacts", "transfer-requests"]
)
def test_a_page_costs_the_same_queries_whatever_its_size(client, world, kind):
    api = make_partner(client, "UKR bureau", state=world["states"]["UKR"], default_level="full")
    path = f"/api/v1/{kind}/"
    add_rows(kind, world, 3)
    api.get(path)  # warm up

    with CaptureQueriesContext(connection) as few:
        small = api.get(path, page_size=100).json()["count"]
    add_rows(kind, world, 30)
    with CaptureQueriesContext(connection) as many:
        response = api.get(path, page_size=100)

    assert response.status_code == 200
    assert response.json()["count"] == small + 30
    assert len(few) >= 3, "the measurement saw no queries"
    assert len(many) == len(few), "\n".join(q["sql"][:200] for q in many.captured_queries)


# --- the webhooks ------------------------------------------------------------------------------

SCHEMA_URI = "urn:powtracker:openapi"
SIGNATURE_HEADER_NAMES = {"webhook-id", "webhook-timestamp", "webhook-signature"}


def served_schema(client: Any) -> dict[str, Any]:
    answer = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert answer.status_code == 200
    return answer.json()


def validator(schema: dict[str, Any], pointer: str) -> Draft202012Validator:
    """A JSON Schema validator for the part of the served schema at `pointer` (its $refs
    resolved within the whole document)."""
    resource = Resource.from_contents(schema, default_specification=DRAFT202012)
    return Draft202012Validator(
        {"$ref": f"{SCHEMA_URI}#{pointer}"},
        registry=Registry().with_resource(SCHEMA_URI, resource),
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def resolved(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        path = node["$ref"].removeprefix("#/").split("/")
        node = schema
        for part in path:
            node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def body_pointer(event_type: str) -> str:
    return f"/webhooks/{event_type}/post/requestBody/content/application~1json/schema"


def test_every_event_type_is_a_webhook_with_its_body_headers_and_answers(client):
    schema = served_schema(client)
    assert schema["openapi"] == "3.1.0"
    assert set(schema["webhooks"]) == set(EventType.values)
    for event_type in EventType.values:
        (method,) = schema["webhooks"][event_type]
        operation = schema["webhooks"][event_type][method]
        assert method == "post"
        assert operation["summary"] and "webhook-id" in operation["description"]
        # The body: one JSON object of this event type.
        body = operation["requestBody"]
        assert body["required"] is True and set(body["content"]) == {"application/json"}
        event = resolved(schema, body["content"]["application/json"]["schema"])
        assert event["properties"]["type"]["enum"] == [event_type]
        assert set(event["required"]) == set(event["properties"]) == {"type", "timestamp", "data"}
        data = resolved(schema, event["properties"]["data"])
        assert set(data["required"]) == set(data["properties"]) == {"id", "url", "version"}
        (example,) = body["content"]["application/json"]["examples"].values()
        validator(schema, body_pointer(event_type)).validate(example["value"])
        # The three signature headers, each required and described.
        headers = [resolved(schema, p) for p in operation["parameters"]]
        assert {h["name"] for h in headers} == SIGNATURE_HEADER_NAMES
        for header in headers:
            assert header["in"] == "header" and header["required"] is True
            assert header["description"] and header["schema"]["type"] == "string"
        # What the receiver answers: 2xx received, 410 gone, anything else retried.
        assert {"2XX", "410", "default"} <= set(operation["responses"])


def test_real_notifications_and_their_headers_match_the_documented_schema(client, world, settings):
    # Notifications are written for an endpoint on loopback; none is sent.
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = True
    settings.PUBLIC_URL = "https://powtracker.example.org"
    s = world["states"]
    api = make_partner(
        client,
        "UKR agency",
        state=s["UKR"],
        default_level=DisclosureLevel.FULL,
        scopes=[*ALL_SCOPES, "webhooks:manage", "reports:export"],
    )
    endpoint, _secret = webhook_subscribe(
        acting_user=None, partner=api.partner, url="http://127.0.0.1:9/hook"
    )
    # One real change of every kind.
    captive_register(
        acting_user=None,
        detaining_power=s["UKR"],
        captured_on=timezone.localdate() - timedelta(days=2),
        family_name="Kim",
    )
    captive_update(acting_user=None, captive=world["first"], rank="Sergeant")
    exchange_proposal_create(
        acting_user=None, title="Ten for ten", proposing_state=s["UKR"], counterpart_state=s["PRK"]
    )
    transfer_request_create(acting_user=None, captive=world["first"], requesting_state=s["KOR"])
    diplomatic_contact_record(
        acting_user=None,
        from_state=s["KOR"],
        to_state=s["UKR"],
        channel=ContactChannel.NOTE_VERBALE,
        occurred_on=timezone.localdate() - timedelta(days=1),
        summary="A note",
        captives=[world["first"]],
    )
    assert api.post("/api/v1/captives/exports/?as=csv").status_code == 202
    assert jobs_drain() >= 1

    deliveries = list(WebhookDelivery.objects.filter(endpoint=endpoint).order_by("id"))
    assert {d.event_type for d in deliveries} == set(EventType.values)
    schema = served_schema(client)
    for delivery in deliveries:
        event = json.loads(bytes(delivery.payload))
        check = validator(schema, body_pointer(delivery.event_type))
        check.validate(event)
        # Nothing undocumented: the documented fields are exactly those written.
        documented = resolved(schema, {"$ref": "#" + body_pointer(delivery.event_type)})
        assert set(event) == set(documented["properties"])
        assert set(event["data"]) == set(
            resolved(schema, documented["properties"]["data"])["properties"]
        )
    # The validator does refuse what the documentation excludes.
    registered = next(d for d in deliveries if d.event_type == EventType.CAPTIVE_REGISTERED)
    event = json.loads(bytes(registered.payload))
    refusals = [
        (EventType.CAPTIVE_CHANGED, event),
        (EventType.CAPTIVE_REGISTERED, {**event, "data": {**event["data"], "version": "v1"}}),
        (EventType.CAPTIVE_REGISTERED, {**event, "data": {"id": 1, "url": event["data"]["url"]}}),
    ]
    for event_type, body in refusals:
        with pytest.raises(ValidationError):
            validator(schema, body_pointer(event_type)).validate(body)

    # The signature headers as a delivery is sent: signed by one secret, then by two while a
    # rotated-out secret is still valid.
    operation = schema["webhooks"]["captive.changed"]["post"]
    documented = {
        resolved(schema, p)["name"]: validator(schema, p["$ref"].removeprefix("#") + "/schema")
        for p in operation["parameters"]
    }
    rotated, _new = webhook_secret_rotate(acting_user=None, endpoint=endpoint, overlap_hours=1)
    for signing, signatures in ((endpoint, 1), (rotated, 2)):
        headers = signature_headers(signing, deliveries[0], timezone.now())
        assert set(headers) == set(documented) == SIGNATURE_HEADER_NAMES
        assert len(headers["webhook-signature"].split()) == signatures
        for name, value in headers.items():
            documented[name].validate(value)
    with pytest.raises(ValidationError):
        documented["webhook-signature"].validate("v1,not-base64 v2,x")
