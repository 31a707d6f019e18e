"""Behind HAProxy: X-Forwarded-For is believed only from the proxies TRUSTED_PROXIES names, so
lockouts, the sign-in audit and the anonymous throttle see the real client, and no client can
pick the address it is counted under."""

from datetime import timedelta
from typing import Any

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.http import HttpResponse
from django.test import Client
from rest_framework.request import Request

from powtracker.api.throttles import PartnerThrottle
from powtracker.proxies import TrustedProxyMiddleware, resolve

pytestmark = pytest.mark.django_db

HAPROXY = "10.0.1.5"


@pytest.fixture
def behind_haproxy(settings: Any) -> None:
    settings.TRUSTED_PROXIES = ["10.0.1.0/24", "::1"]
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)


@pytest.mark.parametrize(
    ("remote", "forwarded", "client"),
    [
        # From the proxy: the hop it appended.
        (HAPROXY, "198.51.100.7", "198.51.100.7"),
        # A client that wrote its own header: the proxy appended the real address after it.
        (HAPROXY, "203.0.113.9, 198.51.100.7", "198.51.100.7"),
        # Two trusted proxies in a row are passed over.
        (HAPROXY, "198.51.100.7, 10.0.1.6", "198.51.100.7"),
        # Ports and IPv6 as proxies write them.
        (HAPROXY, "198.51.100.7:51234", "198.51.100.7"),
        ("::1", "[2001:db8::7]:443", "2001:db8::7"),
        # A peer that is no trusted proxy is its own client, whatever it says it forwards.
        ("198.51.100.8", "10.0.1.9", "198.51.100.8"),
        ("198.51.100.8", None, "198.51.100.8"),
        # Junk in the header stops the walk at the last hop the proxies vouch for.
        (HAPROXY, "198.51.100.7, not-an-address", HAPROXY),
        (HAPROXY, "", HAPROXY),
        (HAPROXY, None, HAPROXY),
    ],
)
def test_the_client_is_the_first_hop_from_the_right_that_is_no_trusted_proxy(
    behind_haproxy, remote, forwarded, client
):
    assert resolve(remote, forwarded) == client


def test_with_no_trusted_proxy_the_header_is_never_believed(settings):
    settings.TRUSTED_PROXIES = []

    assert resolve("127.0.0.1", "198.51.100.7") == "127.0.0.1"


def admin_sign_in(client: Client, remote: str, forwarded: str) -> int:
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": "sup", "password": "wrong"},
        REMOTE_ADDR=remote,
        HTTP_X_FORWARDED_FOR=forwarded,
    ).status_code


def test_lockouts_and_the_sign_in_audit_see_the_address_behind_the_proxy(
    client, supervisor, behind_haproxy
):
    # Three failures from one client through the proxy lock that client out...
    codes = [admin_sign_in(client, HAPROXY, "198.51.100.7") for _ in range(3)]
    # ...and not another client coming through the same proxy.
    other = admin_sign_in(Client(), HAPROXY, "198.51.100.8")

    assert codes == [200, 200, 429]
    assert other == 200
    assert {a.ip_address for a in AccessAttempt.objects.all()} == {"198.51.100.7", "198.51.100.8"}
    assert {f.ip_address for f in AccessFailureLog.objects.all()} == {
        "198.51.100.7",
        "198.51.100.8",
    }


def test_a_client_that_forges_the_header_is_counted_under_its_own_address(
    client, supervisor, behind_haproxy
):
    # Straight to the app server, claiming a new address each time: still one address.
    codes = [admin_sign_in(client, "198.51.100.9", f"203.0.113.{n}") for n in range(3)]

    assert codes == [200, 200, 429]
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.9"}


@pytest.mark.parametrize(
    ("remote", "forwarded", "ident"),
    [("198.51.100.9", "203.0.113.1", "198.51.100.9"), (HAPROXY, "198.51.100.3", "198.51.100.3")],
)
def test_the_throttle_identifies_a_client_by_its_address_never_by_the_header_it_sent(
    rf, behind_haproxy, remote, forwarded, ident
):
    seen = {}

    def view(request):
        seen["ident"] = PartnerThrottle().get_ident(Request(request))
        return HttpResponse()

    TrustedProxyMiddleware(view)(
        rf.get("/api/v1/captives/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    )

    assert seen["ident"] == ident
