"""The OpenAPI schema and its documentation pages, served without any CDN; fixed query counts."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Involvement
from diplomacy.models import DiplomaticContact
from diplomacy.services import (
    exchange_offer_add,
    exchange_proposal_create,
    exchange_request_add,
    transfer_request_create,
)
from tests.factories import CaptiveFactory
from tests.partners.api.conftest import make_partner

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
