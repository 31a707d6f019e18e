"""Sign-in protection: lockout of the admin and the token endpoint, and the sign-in audit."""

import base64
import io
from datetime import timedelta
from typing import Any

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from freezegun import freeze_time

from partners.choices import PartnerKind
from partners.models import LockoutLift
from partners.services import partner_create
from partners.signin import token_client_id
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"  # tests.factories.UserFactory's


def sign_in(client: Client, username: str, password: str, address: str = "10.0.0.1") -> Any:
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def token_for(client: Client, client_id: str, secret: str) -> Any:
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return client.post(
        "/o/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=f"Basic {basic}"
    )


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def limit(settings: Any) -> int:
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    return 5


@pytest.fixture
def partner(db: Any) -> tuple[Any, str]:
    return partner_create(
        acting_user=None, name="KOR MOFA", kind=PartnerKind.STATE_AGENCY, scopes=["cases:read"]
    )


# --- the admin --------------------------------------------------------------------------------


def test_a_user_is_locked_out_after_the_failure_limit_even_with_the_right_password(
    client, supervisor, limit
):
    for _ in range(limit - 1):
        assert sign_in(client, "sup", "wrong").status_code == 200  # the form, with its error
    assert sign_in(client, "sup", "wrong").status_code == 429  # the failure that reaches it

    locked = sign_in(client, "sup", PASSWORD)

    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.content.decode()
    assert int(locked["Retry-After"]) == 15 * 60
    assert not signed_in(client)


def test_failures_naming_a_user_from_another_address_do_not_lock_its_owner_out(
    client, supervisor, limit
):
    for _ in range(limit):
        sign_in(client, "sup", "wrong", address="10.6.6.6")
    assert sign_in(Client(), "sup", PASSWORD, address="10.6.6.6").status_code == 429

    owner = Client()
    sign_in(owner, "sup", PASSWORD, address="10.0.0.1")

    assert signed_in(owner)


def test_a_name_is_locked_out_per_address_and_each_address_counts_alone(client, supervisor, limit):
    """Failures for one name spread over addresses lock none of them out, while each address
    stays under the limit: the pair (name, address) and the address are counted, never the name
    alone."""
    for n in range(2 * limit):
        assert sign_in(client, "sup", "wrong", address=f"10.0.1.{n}").status_code == 200

    owner = Client()
    sign_in(owner, "sup", PASSWORD, address="10.0.0.1")
    assert signed_in(owner)


def test_an_address_is_locked_out_whatever_user_names_it_tries(client, supervisor, limit):
    for n in range(limit):
        sign_in(client, f"guess{n}", "wrong", address="10.0.0.66")

    assert sign_in(Client(), "sup", PASSWORD, address="10.0.0.66").status_code == 429
    other = Client()
    sign_in(other, "sup", PASSWORD, address="10.0.0.2")
    assert signed_in(other)


def test_one_failure_short_of_the_limit_still_signs_in(client, supervisor, limit):
    for _ in range(limit - 1):
        sign_in(client, "sup", "wrong")

    sign_in(client, "sup", PASSWORD)

    assert signed_in(client)


def test_the_lockout_ends_after_the_cool_off(client, supervisor, limit):
    start = timezone.now()
    with freeze_time(start):
        for _ in range(limit):
            sign_in(client, "sup", "wrong")
        assert sign_in(client, "sup", PASSWORD).status_code == 429
    with freeze_time(start + timedelta(minutes=14)):
        # A try during the lockout is a failure too: the cool-off starts again from it.
        assert sign_in(client, "sup", PASSWORD).status_code == 429
    with freeze_time(start + timedelta(minutes=14 + 16)):
        sign_in(client, "sup", PASSWORD)
        assert signed_in(client)


def test_every_sign_in_failure_and_lockout_is_audited(client, supervisor, limit):
    sign_in(client, "sup", PASSWORD, address="10.0.0.5")
    client.post("/admin/logout/")
    for _ in range(limit + 1):
        sign_in(client, "sup", "wrong", address="10.0.0.5")

    success = AccessLog.objects.get()
    assert (success.username, success.ip_address, success.path_info) == (
        "sup",
        "10.0.0.5",
        "/admin/login/",
    )
    assert success.logout_time is not None
    failures = list(AccessFailureLog.objects.order_by("id"))
    assert len(failures) == limit + 1
    assert {f.username for f in failures} == {"sup"}
    assert [f.locked_out for f in failures] == [False] * (limit - 1) + [True, True]
    attempt = AccessAttempt.objects.get()
    assert attempt.failures_since_start == limit + 1
    assert "wrong" not in attempt.post_data  # passwords are never kept


@pytest.mark.parametrize(
    "unsafe",
    ["https://evil.example/", "//evil.example/admin/", "https:/evil.example", "javascript:x"],
)
def test_signing_in_with_an_unsafe_next_lands_on_the_admins_index(client, supervisor, unsafe):
    response = client.post(
        f"/admin/login/?next={unsafe}",
        {"username": "sup", "password": PASSWORD, "next": unsafe},
        REMOTE_ADDR="10.0.0.1",
    )

    assert signed_in(client)
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get(response["Location"]).status_code == 200


def test_signing_in_with_a_safe_next_lands_there(client, supervisor):
    response = client.post(
        "/admin/login/?next=/admin/cases/captive/",
        {"username": "sup", "password": PASSWORD, "next": "/admin/cases/captive/"},
    )

    assert response["Location"] == "/admin/cases/captive/"


# --- the token endpoint -----------------------------------------------------------------------


def test_a_client_id_is_locked_out_at_the_token_endpoint(client, partner, limit):
    app, secret = partner[0].application, partner[1]
    for _ in range(limit - 1):
        assert token_for(client, app.client_id, "not-the-secret").status_code == 401
    assert token_for(client, app.client_id, "not-the-secret").status_code == 429

    locked = token_for(client, app.client_id, secret)

    assert locked.status_code == 429
    assert locked["Content-Type"] == "application/json"
    assert locked.json()["error"] == "locked_out"
    assert "Too many failed sign-in attempts" in locked.json()["error_description"]
    assert int(locked["Retry-After"]) == 15 * 60
    assert "access_token" not in locked.json()
    failures = AccessFailureLog.objects.filter(path_info="/o/token/").order_by("id")
    assert [f.username for f in failures] == [app.client_id] * (limit + 1)
    assert [f.locked_out for f in failures][-2:] == [True, True]


def test_the_client_id_in_the_body_counts_like_basic_authentication(client, partner, limit):
    app, secret = partner[0].application, partner[1]
    for _ in range(limit):
        client.post(
            "/o/token/",
            {"grant_type": "client_credentials", "client_id": app.client_id, "client_secret": "x"},
        )

    assert token_for(client, app.client_id, secret).status_code == 429
    assert "client_secret=x" not in AccessAttempt.objects.get().post_data


def test_an_address_guessing_client_ids_is_locked_out(client, partner, limit):
    app, secret = partner[0].application, partner[1]
    for n in range(limit - 1):
        assert token_for(client, f"guessed-client-{n}", "x").status_code == 401
    assert token_for(client, "guessed-client-last", "x").status_code == 429

    assert token_for(client, app.client_id, secret).status_code == 429
    elsewhere = Client(REMOTE_ADDR="10.0.0.3")
    assert token_for(elsewhere, app.client_id, secret).status_code == 200


def test_failures_naming_a_client_id_from_another_address_do_not_lock_the_partner_out(
    partner, limit
):
    app, secret = partner[0].application, partner[1]
    attacker = Client(REMOTE_ADDR="10.6.6.6")
    for _ in range(limit):
        token_for(attacker, app.client_id, "not-the-secret")
    assert token_for(attacker, app.client_id, secret).status_code == 429

    owner = token_for(Client(REMOTE_ADDR="10.0.0.7"), app.client_id, secret)

    assert owner.status_code == 200
    assert "access_token" in owner.json()


def test_admin_and_token_failures_count_against_one_address(client, partner, limit):
    app, secret = partner[0].application, partner[1]
    for n in range(limit):
        sign_in(client, f"guess{n}", "wrong", address="127.0.0.1")

    assert token_for(client, app.client_id, secret).status_code == 429


def test_a_token_issued_is_audited_as_a_sign_in_of_the_partner(client, partner, limit):
    response = token_for(client, partner[0].application.client_id, partner[1])

    assert response.status_code == 200
    assert "sessionid" not in response.cookies  # the audit makes no session
    entry = AccessLog.objects.get()
    assert (entry.username, entry.path_info) == (partner[0].service_user.username, "/o/token/")
    assert not AccessFailureLog.objects.exists()


def test_the_claimed_client_id_is_read_as_django_oauth_toolkit_reads_it(rf):
    def claimed(**extra: Any) -> str | None:
        return token_client_id(rf.post("/o/token/", extra.pop("data", {}), **extra))

    assert claimed(HTTP_AUTHORIZATION="Basic YWJjJTNBZDpzZWNyZXQ=") == "abc:d"  # url-encoded
    assert claimed(HTTP_AUTHORIZATION="Basic not base64!") is None
    assert claimed(data={"client_id": "body-id"}) == "body-id"
    assert claimed(data={"client_id": "a\0b"}) == "a0x00b"
    assert claimed(data={"client_id": "x" * 1000}) == "x" * 255
    assert claimed() is None


# --- token revocation ---------------------------------------------------------------------------


def revoke(client: Client, client_id: str, secret: str, revoked: str = "no-such-token") -> Any:
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return client.post("/o/revoke_token/", {"token": revoked}, HTTP_AUTHORIZATION=f"Basic {basic}")


def test_failed_revocations_are_counted_audited_and_locked_out(client, partner, limit):
    app, secret = partner[0].application, partner[1]
    for _ in range(limit - 1):
        assert revoke(client, app.client_id, "not-the-secret").status_code == 401
    assert revoke(client, app.client_id, "not-the-secret").status_code == 429

    locked = revoke(client, app.client_id, secret)

    assert locked.status_code == 429
    assert locked.json()["error"] == "locked_out"
    assert int(locked["Retry-After"]) == 15 * 60
    failures = AccessFailureLog.objects.filter(path_info="/o/revoke_token/").order_by("id")
    assert [f.username for f in failures] == [app.client_id] * (limit + 1)
    assert [f.locked_out for f in failures][-2:] == [True, True]
    # The same limits as the token endpoint: the address is locked out there too.
    assert token_for(client, app.client_id, secret).status_code == 429
    assert token_for(Client(REMOTE_ADDR="10.0.0.8"), app.client_id, secret).status_code == 200


def test_revocation_failures_and_token_failures_add_up_for_an_address(client, partner, limit):
    app, secret = partner[0].application, partner[1]
    for n in range(limit - 1):
        token_for(client, f"guessed-{n}", "x")

    assert revoke(client, "guessed-last", "x").status_code == 429
    assert revoke(client, app.client_id, secret).status_code == 429


def test_a_revocation_with_the_right_secret_is_not_a_failure(client, partner, limit):
    app, secret = partner[0].application, partner[1]
    token = token_for(client, app.client_id, secret).json()["access_token"]

    assert revoke(client, app.client_id, secret, token).status_code == 200
    assert not AccessFailureLog.objects.exists()


# --- lifting a lockout --------------------------------------------------------------------------


def lock_out(username: str = "sup", address: str = "10.0.0.66", limit: int = 5) -> None:
    for _ in range(limit):
        sign_in(Client(), username, "wrong", address=address)
    assert sign_in(Client(), username, PASSWORD, address=address).status_code == 429


def lift_in_the_admin(user: Any, attempts: list[Any]) -> Any:
    client = Client()
    client.force_login(user)
    return client.post(
        "/admin/axes/accessattempt/",
        {"action": "lift", "_selected_action": [a.pk for a in attempts]},
    )


def test_a_supervisor_lifts_a_lockout_in_the_admin_and_the_lift_is_audited(supervisor, limit):
    lock_out("cw", "10.0.0.66")
    started = timezone.now()

    lifted = lift_in_the_admin(supervisor, list(AccessAttempt.objects.all()))

    assert lifted.status_code == 302
    assert not AccessAttempt.objects.exists()
    record = LockoutLift.objects.get()
    assert (record.username, record.ip_address, record.failures) == ("cw", "10.0.0.66", limit + 1)
    assert record.lifted_by == supervisor
    assert started <= record.lifted_at <= timezone.now()
    assert AccessFailureLog.objects.filter(username="cw").count() == limit + 1  # audit kept


def test_after_a_lift_the_owner_signs_in_from_the_address_that_was_locked(
    supervisor, caseworker, limit
):
    lock_out("cw", "10.0.0.66")

    lift_in_the_admin(supervisor, list(AccessAttempt.objects.all()))

    owner = Client()
    sign_in(owner, "cw", PASSWORD, address="10.0.0.66")
    assert signed_in(owner)


@pytest.mark.parametrize("role", ["caseworker", "analyst"])
def test_only_a_supervisor_lifts_a_lockout(role, request, supervisor, limit):
    user = request.getfixturevalue(role)
    lock_out("sup", "10.0.0.66")

    refused = lift_in_the_admin(user, list(AccessAttempt.objects.all()))

    assert refused.status_code == 403
    assert AccessAttempt.objects.exists() and not LockoutLift.objects.exists()
    assert sign_in(Client(), "sup", PASSWORD, address="10.0.0.66").status_code == 429


def test_the_command_lifts_a_lockout_in_a_supervisors_name(supervisor, limit):
    lock_out("sup", "10.0.0.66")
    lock_out("other", "10.0.0.77")
    out = io.StringIO()

    call_command("lockout_lift", "--by", "sup", "--address", "10.0.0.66", stdout=out)

    assert "1" in out.getvalue()
    record = LockoutLift.objects.get()
    assert (record.username, record.ip_address, record.lifted_by) == (
        "sup",
        "10.0.0.66",
        supervisor,
    )
    owner = Client()
    sign_in(owner, "sup", PASSWORD, address="10.0.0.66")
    assert signed_in(owner)
    assert sign_in(Client(), "other", PASSWORD, address="10.0.0.77").status_code == 429


def test_the_command_refuses_anyone_but_a_supervisor(caseworker, limit):
    lock_out("cw", "10.0.0.66")

    with pytest.raises(CommandError):
        call_command("lockout_lift", "--by", "cw", "--username", "cw")
    with pytest.raises(CommandError):
        call_command("lockout_lift", "--by", "nobody-at-all", "--username", "cw")
    with pytest.raises(CommandError):  # says what to lift
        call_command("lockout_lift", "--by", "cw")

    assert AccessAttempt.objects.exists() and not LockoutLift.objects.exists()


def test_supervisors_read_the_lifts_and_nobody_else(supervisor, caseworker, analyst, limit):
    lock_out("cw", "10.0.0.66")
    lift_in_the_admin(supervisor, list(AccessAttempt.objects.all()))

    for user, status in [(supervisor, 200), (caseworker, 403), (analyst, 403)]:
        client = Client()
        client.force_login(user)
        page = client.get("/admin/partners/lockoutlift/")
        assert page.status_code == status, user.username
    client = Client()
    client.force_login(supervisor)
    row = LockoutLift.objects.get()
    assert client.get(f"/admin/partners/lockoutlift/{row.pk}/delete/").status_code == 403
    assert client.post(f"/admin/partners/lockoutlift/{row.pk}/change/", {}).status_code == 403


# --- the audit in the admin -------------------------------------------------------------------

AUDIT_PAGES = ["accesslog", "accessfailurelog", "accessattempt"]


@pytest.mark.parametrize("page", AUDIT_PAGES)
def test_supervisors_read_the_sign_in_audit_and_nobody_else(page, supervisor, caseworker, analyst):
    sign_in(Client(), "cw", "wrong")  # something to show on every page

    for user, status in [(supervisor, 200), (caseworker, 403), (analyst, 403)]:
        client = Client()
        client.force_login(user)
        assert client.get(f"/admin/axes/{page}/").status_code == status, user.username


@pytest.mark.parametrize("page", AUDIT_PAGES)
def test_nobody_edits_or_deletes_the_sign_in_audit(page, supervisor, limit):
    boss = UserFactory(username="root", is_superuser=True)
    Client().post("/admin/login/", {"username": "sup", "password": PASSWORD})
    for _ in range(2):
        sign_in(Client(), "sup", "wrong")
    model = {"accesslog": AccessLog, "accessfailurelog": AccessFailureLog}.get(page, AccessAttempt)
    row = model.objects.first()

    for user in [supervisor, boss]:
        client = Client()
        client.force_login(user)
        changelist = client.get(f"/admin/axes/{page}/")
        assert changelist.status_code == 200
        if page == "accessattempt":  # the counts: lifting a lockout (audited), nothing else
            choices = changelist.context["action_form"].fields["action"].choices
            assert [name for name, _label in choices if name] == ["lift"]
        else:
            assert changelist.context["action_form"] is None  # no bulk action, no delete
        detail = client.get(f"/admin/axes/{page}/{row.pk}/change/")
        assert detail.status_code == 200
        assert b'type="submit"' not in detail.content.split(b'id="content"')[1]
        assert client.post(f"/admin/axes/{page}/{row.pk}/change/", {}).status_code == 403
        assert client.get(f"/admin/axes/{page}/{row.pk}/delete/").status_code == 403
        assert (
            client.post(f"/admin/axes/{page}/{row.pk}/delete/", {"post": "yes"}).status_code == 403
        )
        assert client.get(f"/admin/axes/{page}/add/").status_code == 403

    kept = model.objects.get(pk=row.pk)
    assert (kept.username, kept.attempt_time) == (row.username, row.attempt_time)
