"""Junk in the admin's query strings and forms gets a 4xx with a plain message, never a 500,
and writes nothing. The fuzz table at the end covers every registered change list."""

from datetime import date
from itertools import cycle

import pytest
from django.contrib import admin
from django.test import Client, RequestFactory
from django.urls import reverse

from cases.models import Captive, Obligation
from powtracker.roles import ROLE_ANALYST, ROLE_CASEWORKER, ROLE_SUPERVISOR
from tests.admin_forms import admin_form_data
from tests.factories import CaptiveFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def captive(states):
    return CaptiveFactory(
        family_name="Pak",
        detaining_power=states["UKR"],
        nationality=states["PRK"],
        captured_on=date(2025, 1, 5),
    )


def changelist(model: str) -> str:
    return reverse(f"admin:cases_{model}_changelist")


@pytest.mark.parametrize(
    "query",
    [
        {"family_name__regex": "("},
        {"family_name__iregex": "[a-"},
        {"nationality__name__regex": "("},
        {"id__in": "a,b"},
        {"nope": "1"},
    ],
)
def test_a_lookup_the_admin_does_not_offer_is_a_400(client, caseworker, captive, query):
    client.force_login(caseworker)
    response = client.get(changelist("captive"), query)
    assert response.status_code == 400


def test_the_lookups_the_admin_offers_still_filter(client, caseworker, captive, states):
    client.force_login(caseworker)
    url = changelist("captive")

    by_nationality = client.get(url, {"nationality__id__exact": states["PRK"].pk})
    by_other = client.get(url, {"nationality__id__exact": states["KOR"].pk})
    by_status = client.get(url, {"custody_status__exact": "captured"})
    drill = client.get(url, {"captured_on__year": "2025", "captured_on__month": "1"})

    assert by_nationality.status_code == 200 and b"PAK" in by_nationality.content
    assert by_other.status_code == 200 and b"PAK" not in by_other.content
    assert by_status.status_code == 200 and b"PAK" in by_status.content
    assert drill.status_code == 200 and b"PAK" in drill.content


def test_the_ledger_link_from_a_captives_page_still_filters(client, supervisor, captive):
    client.force_login(supervisor)
    url = reverse("admin:partners_disclosurerecord_changelist")
    assert client.get(url, {"captive__id__exact": captive.pk}).status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        {"captured_on__year": "9999"},
        {"captured_on__year": "9999", "captured_on__month": "12"},
        {"captured_on__year": "9999", "captured_on__month": "12", "captured_on__day": "31"},
        {"captured_on__year": "0"},
        {"captured_on__year": "10000"},
        {"captured_on__year": "2025", "captured_on__month": "13"},
    ],
)
def test_a_drill_down_past_the_calendar_is_a_400(client, caseworker, captive, query):
    client.force_login(caseworker)
    response = client.get(changelist("captive"), query)
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("url", "query"),
    [
        ("admin:cases_captive_changelist", {"custody_status__exact": "\x00"}),
        ("admin:cases_captive_changelist", {"q": "Pak\x00"}),
        ("admin:cases_captive_changelist", {"nationality__id__exact": "1\x00"}),
        (
            "admin:autocomplete",
            {
                "app_label": "cases",
                "model_name": "obligation",
                "field_name": "captive",
                "term": "\x00",
            },
        ),
    ],
)
def test_a_nul_in_a_filter_search_or_autocomplete_term_is_a_400(
    client, caseworker, captive, url, query
):
    client.force_login(caseworker)
    response = client.get(reverse(url), query)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")


@pytest.mark.parametrize("selected", [["abc"], ["9" * 30], ["-1", "1.5"], ["\x00"]])
def test_junk_selected_records_on_an_action_are_a_400_and_change_nothing(
    client, caseworker, captive, selected
):
    client.force_login(caseworker)
    duty = Obligation.objects.filter(captive=captive).first()
    url = reverse("admin:cases_obligation_changelist")
    request = RequestFactory().get(url)
    request.user = caseworker
    action = next(iter(admin.site._registry[Obligation].get_actions(request)))

    response = client.post(url, {"action": action, "_selected_action": selected, "index": "0"})

    assert response.status_code == 400
    duty.refresh_from_db()
    assert duty.fulfilled_on is None


def test_a_nul_in_a_foreign_key_of_the_add_form_is_a_400_and_adds_nothing(
    client, caseworker, states
):
    client.force_login(caseworker)
    url = reverse("admin:cases_captive_add")
    data = admin_form_data(client.get(url).content.decode())
    data.update(
        family_name="Kim",
        captured_on="2025-01-09",
        detaining_power="\x00",
        nationality=str(states["PRK"].pk),
    )

    response = client.post(url, data)

    assert response.status_code == 400
    assert not Captive.objects.filter(family_name="Kim").exists()


@pytest.mark.parametrize("total", ["1000000", "1001"])
def test_a_formset_claiming_a_million_forms_is_refused_before_building_them(
    client, caseworker, captive, total
):
    client.force_login(caseworker)
    url = reverse("admin:cases_captive_change", args=[captive.pk])
    data = admin_form_data(client.get(url).content.decode())
    data["names-TOTAL_FORMS"] = total
    data["family_name"] = "Changed"

    response = client.post(url, data)

    assert response.status_code == 200
    assert "Please submit at most" in response.content.decode()
    captive.refresh_from_db()
    assert captive.family_name == "Pak"


# --- the fuzz table: every change list, its filters, search, drill-down and autocomplete ------

HOSTILE = [
    "\x00",
    "a\x00b",
    "9" * 30,
    "-9" + "9" * 30,
    "0",
    "-1",
    "1e400",
    "0000-00-00",
    "9999-12-31",
    "10000-01-01",
    "(",
    "[a-",
    ".*+?",
    "%_\\",
    "'; SELECT 1; --",
    "x" * 5000,
    "１２",
    "🙂",
    "true",
    "",
]
# Raw query strings: escapes that are not UTF-8.
RAW = ["%ff%fe", "%c0%80", "%00", "%e2%82"]
DRILL_DOWN = [
    ("9999",),
    ("9999", "12"),
    ("9999", "12", "31"),
    ("0",),
    ("10000",),
    ("2025", "13"),
    ("2025", "2", "30"),
    ("-1",),
]
DRILL_PARTS = ["year", "month", "day"]
ROLES = [ROLE_CASEWORKER, ROLE_SUPERVISOR, ROLE_ANALYST]


def filter_parameters(model_admin, request) -> list[str]:
    """The parameter names the change list's own filters read, and a few it does not offer."""
    cl = model_admin.get_changelist_instance(request)
    names = [name for spec in cl.filter_specs for name in spec.expected_parameters()]
    text = next(
        (f.name for f in model_admin.model._meta.fields if f.get_internal_type() == "CharField"),
        "id",
    )
    return [*names, f"{text}__regex", f"{text}__iregex", "id__in", "pk__gt", "nope"]


def test_no_admin_page_answers_5xx_to_junk_parameters(states, captive):
    users = {role: UserFactory(username=f"fuzz-{role}", role=role) for role in ROLES}
    failures = []
    for role, user in users.items():
        client = Client(raise_request_exception=False)
        client.force_login(user)
        values, raws = cycle(HOSTILE), cycle(RAW)
        for model, model_admin in admin.site._registry.items():
            url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
            request = RequestFactory().get(url)
            request.user = user
            if not model_admin.has_view_or_change_permission(request):
                continue
            queries: list[dict | str] = []
            # Every parameter name gets hostile values in rotation, so that every value meets
            # every kind of parameter across the admins while the table stays quick.
            for name in [*filter_parameters(model_admin, request), "q"]:
                queries += [{name: next(values)}, {name: next(values)}, f"{name}={next(raws)}"]
            if model_admin.date_hierarchy:
                field = model_admin.date_hierarchy
                for parts in DRILL_DOWN:
                    queries.append(
                        {f"{field}__{p}": v for p, v in zip(DRILL_PARTS, parts, strict=False)}
                    )
            for query in queries:
                if isinstance(query, str):
                    response = client.get(url, QUERY_STRING=query)
                else:
                    response = client.get(url, query)
                if response.status_code >= 500:
                    failures.append((role, url, query, response.status_code))
            for field_name in model_admin.autocomplete_fields:
                for term in [next(values), next(values)]:
                    response = client.get(
                        reverse("admin:autocomplete"),
                        {
                            "app_label": model._meta.app_label,
                            "model_name": model._meta.model_name,
                            "field_name": field_name,
                            "term": term,
                        },
                    )
                    if response.status_code >= 500:
                        failures.append((role, "autocomplete", field_name, term[:20]))
    assert failures == []


@pytest.mark.parametrize(
    ("url", "query"),
    [
        ("/admin/auth/user/", {"username__regex": "("}),
        ("/admin/axes/accesslog/", {"attempt_time__year": "9999"}),
        ("/admin/axes/accessfailurelog/", {"username__regex": "("}),
    ],
)
def test_django_and_sign_in_audit_lists_refuse_junk_too(admin_client, url, query):
    """The user list and the sign-in audit are not ours, but they are doors all the same."""
    response = admin_client.get(url, query)
    assert response.status_code == 400
