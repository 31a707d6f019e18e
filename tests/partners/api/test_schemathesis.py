"""Schemathesis over the whole schema, as a partner, against a live server: no server error
and no response that breaks the schema."""

import pytest
import schemathesis
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from tests.partners.api.conftest import make_partner


@pytest.fixture
def api_schema(live_server, transactional_db):
    return schemathesis.openapi.from_url(f"{live_server.url}/api/schema/")


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture
def partner_token(world):
    return make_partner(
        Client(), "KOR ministry", state=world["states"]["KOR"], default_level="full"
    ).token


@pytest.mark.django_db(transaction=True)
@schema.parametrize()
@settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_the_api_never_fails_and_keeps_to_its_schema(case, partner_token):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {partner_token}"},
        checks=[not_a_server_error, response_schema_conformance],
    )
