"""How partners authenticate: client credentials, scopes, revocation; staff use their session."""

import pytest
from django.core.management import call_command

from partners.models import Partner
from partners.services import partner_create, partner_revoke
from tests.partners.api.conftest import Api, token_for

pytestmark = pytest.mark.django_db


def test_a_partner_gets_a_token_with_its_own_scopes_only(client, world):
    partner, secret = partner_create(
        acting_user=None,
        name="KOR",
        kind="state_agency",
        scopes=["cases:read"],
        state=world["states"]["KOR"],
    )
    granted = token_for(client, partner.application.client_id, secret)
    too_much = token_for(
        client, partner.application.client_id, secret, scope="cases:read wishes:read"
    )
    wrong_secret = token_for(client, partner.application.client_id, "not-the-secret")

    assert granted.status_code == 200
    assert granted.json()["scope"] == "cases:read"
    assert too_much.status_code == 400 and too_much.json()["error"] == "invalid_scope"
    assert wrong_secret.status_code == 401


def test_a_revoked_client_is_refused_on_its_next_request(client, world, partners):
    api = partners["receiving_state"]
    assert api.get("/api/v1/captives/").status_code == 200

    partner_revoke(acting_user=None, partner=api.partner, reason="Agreement ended")

    refused = api.get("/api/v1/captives/")
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] in {"invalid_token", "client_revoked"}


def test_a_token_without_the_scope_is_refused(client, world):
    partner, secret = partner_create(
        acting_user=None,
        name="Readers",
        kind="state_agency",
        scopes=["cases:read"],
        state=world["states"]["KOR"],
    )
    api = Api(
        client=client,
        token=token_for(client, partner.application.client_id, secret).json()["access_token"],
    )

    assert api.get("/api/v1/captives/").status_code == 200
    assert api.get("/api/v1/exchange-proposals/").status_code == 403
    refused = api.post(f"/api/v1/captives/{world['first'].pk}/events/", {"kind": "interned"})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "permission_denied"


def test_staff_browse_the_api_with_their_session(client, world, caseworker):
    client.force_login(caseworker)

    page = client.get("/api/v1/captives/", HTTP_ACCEPT="text/html")
    data = client.get("/api/v1/captives/").json()

    assert page.status_code == 200 and b"Captive" in page.content
    assert data["count"] == 3
    assert data["results"][0]["disclosure_level"] == "full"


def test_partner_create_prints_the_secret_once(world, capsys):
    call_command(
        "partner_create", "KOR MOFA", "--state", "KOR", "--scopes", "cases:read", "wishes:read"
    )

    out = capsys.readouterr().out
    partner = Partner.objects.get(name="KOR MOFA")
    assert f"Client id:     {partner.application.client_id}" in out
    assert "Client secret: " in out
    secret = out.split("Client secret: ")[1].split()[0]
    assert partner.application.client_secret != secret  # stored hashed
    assert partner.scope_set == {"cases:read", "wishes:read"}
