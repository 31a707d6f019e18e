"""The Content-Security-Policy on every page, and no inline script in the pages we serve."""

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in policy.split(";"))}


def test_pages_carry_a_policy_that_allows_only_this_server_and_no_inline_script(client):
    policy = directives(client.get("/admin/login/"))

    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert not [v for values in policy.values() for v in values if v.startswith("http")]


@pytest.mark.parametrize("path", ["/admin/login/", "/admin/", "/api/docs/", "/api/redoc/"])
def test_our_pages_have_no_inline_script(path, supervisor):
    client = Client()
    if path != "/admin/login/":
        client.force_login(supervisor)

    response = client.get(path)

    assert response.status_code == 200
    html = response.content.decode()
    assert "<script" in html
    assert INLINE_SCRIPT.findall(html) == []


def test_swagger_ui_gets_its_start_up_script_as_a_file(supervisor):
    client = Client()
    client.force_login(supervisor)

    script = client.get("/api/docs/?script=")

    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


@pytest.mark.parametrize("path", ["/api/v1/nowhere/", "/api/v1/captives/?q=%00", "/admin/nowhere/"])
def test_refusals_made_before_any_view_carry_the_policy_too(client, path):
    response = client.get(path)
    assert response.status_code in {302, 400, 401, 404}
    assert "Content-Security-Policy" in response
