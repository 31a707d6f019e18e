"""The OpenAPI schema and its documentation pages, served without any CDN; fixed query counts."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api.conftest import share
from tests.factories import CaptiveFactory

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


@pytest.mark.parametrize("page", ["/api/docs/", "/api/redoc/"])
def test_the_docs_are_served_from_this_server_only(client, page):
    html = client.get(page).content.decode()
    assert "/static/drf_spectacular_sidecar/" in html
    assert "cdn" not in html.lower()
    assert "https://" not in html


def test_the_schema_itself_is_public(client):
    assert client.get("/api/schema/").status_code == 200


@pytest.mark.parametrize(
    "path", ["/api/v1/captives/", "/api/v1/exchange-proposals/", "/api/v1/diplomatic-contacts/"]
)
def test_a_page_costs_the_same_queries_whatever_its_size(world, partners, path):
    api = partners["tracing_agency"]
    for captive in [world["first"], world["second"], world["other"]]:
        share(api, captive, level="full")
    api.get(path)  # warm up

    with CaptureQueriesContext(connection) as few:
        api.get(path, page_size=100)
    for _ in range(30):
        share(api, CaptiveFactory(), level="full")
    with CaptureQueriesContext(connection) as many:
        response = api.get(path, page_size=100)

    assert response.status_code == 200
    assert len(few) >= 3, "the measurement saw no queries"
    assert len(many) == len(few), "\n".join(q["sql"][:200] for q in many.captured_queries)
    if path == "/api/v1/captives/":
        assert response.json()["count"] == 33
