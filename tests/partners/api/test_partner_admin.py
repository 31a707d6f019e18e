"""Partners are registered and revoked in the admin, by supervisors."""

import pytest
from django.test import Client
from django.urls import reverse

from partners.models import Partner
from tests.admin_forms import admin_form_data
from tests.partners.api.conftest import Api, token_for

pytestmark = pytest.mark.django_db


def test_a_supervisor_registers_a_partner_and_revokes_it(client, supervisor, caseworker, world):
    client.force_login(caseworker)
    assert client.get(reverse("admin:partners_partner_add")).status_code == 403

    client.force_login(supervisor)
    url = reverse("admin:partners_partner_add")
    data = admin_form_data(client.get(url).content.decode())
    data.update(
        name="ICRC CTA", kind="tracing_agency", default_level="identity", scope_list=["cases:read"]
    )
    added = client.post(url, data, follow=True)

    partner = Partner.objects.get(name="ICRC CTA")
    message = next(str(m) for m in added.context["messages"] if "client secret" in str(m))
    secret = message.split("client secret: ")[1].split(" — ")[0]
    token = token_for(Client(), partner.application.client_id, secret)
    api = Api(client=Client(), token=token.json()["access_token"])
    assert api.get("/api/v1/states/").status_code == 200

    change = reverse("admin:partners_partner_change", args=[partner.pk])
    data = admin_form_data(client.get(change).content.decode())
    data["revoke_with_reason"] = "Agreement ended"
    assert client.post(change, data).status_code == 302

    partner.refresh_from_db()
    assert partner.revocation_reason == "Agreement ended"
    assert api.get("/api/v1/states/").status_code == 401
    assert token_for(Client(), partner.application.client_id, secret).status_code in {400, 401}


@pytest.mark.parametrize(
    "model", ["application", "accesstoken", "grant", "idtoken", "refreshtoken"]
)
def test_oauth2_clients_and_tokens_have_no_admin_pages_of_their_own(admin_client, model):
    """A client or token made or edited by hand would bypass partner_create and revocation."""
    assert admin_client.get(f"/admin/oauth2_provider/{model}/").status_code == 404
    assert admin_client.get(f"/admin/oauth2_provider/{model}/add/").status_code == 404
