"""Junk from outside gets a 4xx with the error envelope, never a 500, and writes nothing."""

import json

import pytest
from django.test import Client, override_settings

from cases.models import CustodyEvent, WishStatement
from tests.partners.api.conftest import Api

pytestmark = pytest.mark.django_db


def path(captive, nested=""):
    return f"/api/v1/captives/{captive.pk}/{nested + '/' if nested else ''}"


def post_raw(api: Api, url: str, body: str):
    return api.client.post(
        url, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {api.token}"
    )


def test_json_nested_5000_deep_is_a_400_envelope(world, partners):
    api = partners["receiving_state"]
    before = WishStatement.objects.count()

    response = post_raw(api, path(world["second"], "wishes"), "[" * 5000 + "]" * 5000)

    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "malformed_json"
    assert WishStatement.objects.count() == before


@pytest.mark.parametrize(
    ("nested", "body", "model"),
    [
        (
            "wishes",
            {
                "wish": "defect",
                "destination": "KO\x00R",
                "stated_at": "2025-03-01T10:00:00Z",
                "mode": "private_interview",
            },
            WishStatement,
        ),
        (
            "events",
            {"kind": "interned", "occurred_at": "2025-01-08T10:00:00Z", "custodian": "\x00"},
            CustodyEvent,
        ),
        (
            "wishes",
            {
                "wish": "remain",
                "stated_at": "2025-03-01T10:00:00Z",
                "mode": "private_interview",
                "statement": "Stays\x00",
            },
            WishStatement,
        ),
    ],
)
def test_a_nul_character_in_a_body_is_a_400_envelope(world, partners, nested, body, model):
    api = partners["receiving_state"]
    before = model.objects.count()

    response = api.post(path(world["first"], nested), body)

    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "malformed_json"
    assert model.objects.count() == before


@pytest.mark.parametrize(
    ("nested", "body"),
    [
        ("events", '{"\\ud800": 1}'),
        ("events", '{"kind": "\\ud800"}'),
        ("wishes", '{"wish": "\\ud800"}'),
        ("wishes", '{"wish": "remain", "statement": "\\udfff"}'),
    ],
)
def test_a_lone_surrogate_in_a_body_is_a_400_envelope(world, partners, nested, body):
    """A lone surrogate is no text: echoed back in an error, it could not even be written."""
    api = partners["receiving_state"]
    response = api.client.post(
        path(world["first"], nested),
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {api.token}",
    )
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "malformed_json"


def test_a_nul_in_a_query_parameter_is_a_400_envelope(world, partners):
    response = partners["receiving_state"].get("/api/v1/captives/", search="Pak\x00")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_a_nul_client_id_at_the_token_endpoint_is_an_oauth_400(client, world):
    response = client.post(
        "/o/token/",
        {"grant_type": "client_credentials", "client_id": "\x00", "client_secret": "x"},
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


@override_settings(DEBUG=True)
@pytest.mark.parametrize(
    "url", ["/api/v1/captives/abc/", "/api/v1/nothing-here/", "/api/elsewhere/"]
)
def test_an_unrouted_api_path_is_a_json_404_even_with_debug_on(world, partners, url):
    response = partners["receiving_state"].get(url)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"error": {"code": "not_found", "message": "Not found."}}
    assert b"captive-list" not in response.content


def test_an_invalid_bearer_token_says_invalid_token(world):
    api = Api(client=Client(), token="not-a-real-token")

    response = api.get("/api/v1/captives/")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_token"
    assert response["WWW-Authenticate"] == 'Bearer error="invalid_token"'


def test_no_token_at_all_still_says_not_authenticated(world):
    response = Api(client=Client()).get("/api/v1/captives/")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_body_that_is_deep_but_legal_still_works(world, partners):
    """The depth limit leaves room for every real body."""
    body = {
        "wish": "remain",
        "stated_at": "2025-03-01T10:00:00Z",
        "mode": "private_interview",
        "statement": "Stays.",
    }
    response = post_raw(
        partners["receiving_state"], path(world["second"], "wishes"), json.dumps(body)
    )
    assert response.status_code == 201, response.content


@pytest.mark.parametrize(
    ("stated_at", "code"),
    [("0001-01-01T00:00:00Z", "date_before_gc3"), ("2025-01-04T10:00:00Z", "date_before_capture")],
)
def test_a_wish_dated_before_gc3_or_the_capture_is_a_400(world, partners, stated_at, code):
    before = WishStatement.objects.count()
    response = partners["receiving_state"].post(
        path(world["second"], "wishes"),
        {"wish": "remain", "stated_at": stated_at, "mode": "private_interview"},
    )
    assert (response.status_code, response.json()["error"]["code"]) == (400, code)
    assert WishStatement.objects.count() == before
