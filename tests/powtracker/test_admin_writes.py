"""No admin form, inline or action writes past a service (issue 16).

Every model registered in the admin is listed here with what its add form and its change form
take. Each form is read off its page and posted back as a browser would (with the new values),
every inline row the page offers is filled, and every action is run on a record, as a supervisor
(who may do the most). The requests run under the write guard (powtracker.writes), so a write
that is not a service's raises; and every history row written meanwhile must carry a reason and
the supervisor, which only the services' history_save gives.
"""

from typing import Any

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from cases.models import Captive
from diplomacy.models import ExchangeProposal
from partners.models import Partner
from partners.services import partner_create
from powtracker.writes import GUARDED_APPS, UNGUARDED_MODELS
from states.models import State
from tests.admin_forms import admin_form_data
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(demo_loaded: Any, db: Any) -> dict[str, Any]:
    """The demo (as `load_demo` loads it, once for the module) and a record of each kind."""
    return {
        "states": {state.code: state for state in State.objects.all()},
        "captive": Captive.objects.get(case_number="UKR-2025-00001"),
        "proposal": ExchangeProposal.objects.first(),
    }


def _pk(value: Any) -> str:
    return str(value.pk)


# What each admin's add form takes, and one field its change form changes (None: nothing on its
# change form is editable, or it changes only through its buttons and actions).
ADD: dict[str, Any] = {
    "cases.captive": lambda d: {
        "family_name": "Writes",
        "given_names": "Tested",
        "captured_on": "2025-03-01",
        "detaining_power": _pk(d["states"]["UKR"]),
        "nationality": _pk(d["states"]["PRK"]),
        "allied_power": _pk(d["states"]["RUS"]),
        "duplicate_choice": "new",
    },
    "cases.obligation": lambda d: {
        "captive": _pk(d["captive"]),
        "kind": "trial_notice",
        "due_on": "2025-04-01",
    },
    "cases.mediarecord": lambda d: {
        "title": "A photograph",
        "kind": "photo",
        "captives": _pk(d["captive"]),
    },
    "states.state": lambda d: {"code": "XKX", "name": "Kosovo", "gc3_party": "on"},
    "cases.involvement": lambda d: {
        "captive": _pk(d["captive"]),
        "state": _pk(d["states"]["CHE"]),
        "role": "protecting_power",
    },
    "diplomacy.exchangeproposal": lambda d: {
        "title": "Another exchange",
        "proposing_state": _pk(d["states"]["UKR"]),
        "counterpart_state": _pk(d["states"]["RUS"]),
    },
    "diplomacy.diplomaticcontact": lambda d: {
        "from_state": _pk(d["states"]["UKR"]),
        "to_state": _pk(d["states"]["KOR"]),
        "channel": "meeting",
        "occurred_on": "2025-02-01",
        "summary": "Talks",
        "classification": "restricted",
        "captives": _pk(d["captive"]),
    },
    "diplomacy.transferrequest": lambda d: {
        "captive": _pk(d["captive"]),
        "requesting_state": _pk(d["states"]["KOR"]),
        "kind": "resettlement",
        "basis": "Asylum",
    },
    "partners.partner": lambda d: {
        "name": "A tracing agency",
        "kind": "tracing_agency",
        "default_level": "identity",
        "scope_list": "cases:read",
    },
    "partners.caseshare": lambda d: {
        "partner": _pk(
            Partner.objects.first()
            or partner_create(
                acting_user=None, name="ICRC", kind="tracing_agency", scopes=["cases:read"]
            )[0]
        ),
        "captive": _pk(d["captive"]),
        "level": "case",
        "reason": "Tracing request",
    },
    "webhooks.webhookendpoint": lambda d: {
        "partner": _pk(
            Partner.objects.first()
            or partner_create(
                acting_user=None, name="ICRC", kind="tracing_agency", scopes=["cases:read"]
            )[0]
        ),
        # A public address, as a number: nothing resolves here, and nothing is sent to it.
        "url": "https://93.184.215.14/hook",
        "event_type_list": "captive.changed",
    },
}
CHANGE: dict[str, tuple[str, str] | None] = {
    "cases.captive": ("rank", "Sergeant"),
    "cases.obligation": ("notes", "Sent by courier"),
    "cases.mediarecord": ("description", "Described"),
    "cases.custodyevent": ("void_with_reason", "Entered twice"),
    "cases.wishstatement": ("void_with_reason", "Entered twice"),
    "cases.nonrefoulementreview": None,
    "states.state": ("language", "en"),
    "cases.involvement": ("position", "Says so in public"),
    "diplomacy.exchangeproposal": ("terms", "All for all"),
    "diplomacy.diplomaticcontact": ("summary", "Talks, again"),
    "diplomacy.transferrequest": ("basis", "Asylum, formally"),
    "partners.partner": ("default_level", "case"),
    "partners.caseshare": ("void_with_reason", "No longer needed"),
    "imports.importbatch": None,
    "webhooks.webhookendpoint": ("description", "The ministry's receiver"),
}


def registered() -> list[tuple[str, Any]]:
    return sorted(
        (model._meta.label_lower, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in GUARDED_APPS and model._meta.label_lower not in UNGUARDED_MODELS
    )


def raw_history_rows() -> int:
    """History rows written without a reason: what a save past history_save leaves."""
    from django.apps import apps

    return sum(
        model.objects.filter(history_change_reason__isnull=True).count()
        for model in apps.get_models()
        if model._meta.app_label in GUARDED_APPS
        and any(field.name == "history_change_reason" for field in model._meta.fields)
    )


def test_every_writing_admin_is_listed():
    """A new admin must say here what its forms take, so that the sweep below covers it."""
    supervisor = UserFactory(username="lister", role="supervisor")
    request = type("Request", (), {"user": supervisor, "method": "GET", "GET": {}})()
    for label, model_admin in registered():
        if model_admin.has_add_permission(request):
            assert label in ADD, f"{label}: its add form is not in the sweep"
        if model_admin.has_change_permission(request):
            assert label in CHANGE, f"{label}: its change form is not in the sweep"


def test_no_form_inline_or_action_writes_past_a_service(client, demo):
    supervisor = UserFactory(username="sweeper", role="supervisor")
    client.force_login(supervisor)
    raw_before = raw_history_rows()
    written = 0
    for label, model_admin in registered():
        app, model = label.split(".")
        opts = model_admin.model._meta
        # Add: the page's form, with what the model needs, and one new row in each inline.
        if label in ADD:
            url = reverse(f"admin:{app}_{model}_add")
            page = client.get(url)
            assert page.status_code == 200, label
            data = admin_form_data(page.content.decode())
            data.update(ADD[label](demo))
            response = client.post(url, data)
            # Saved: on to the list (a refusal in words comes back to the same page).
            assert response.status_code == 302 and response.url != url, (label, _errors(response))
            written += 1
        # Change: an existing record's page posted back with one value changed, and a row
        # added to each inline that takes one.
        record = model_admin.model._default_manager.order_by("-pk").first()
        change = CHANGE.get(label)
        if record is not None and change is not None:
            url = reverse(f"admin:{app}_{model}_change", args=[record.pk])
            data = admin_form_data(client.get(url).content.decode())
            field, value = change
            data[field] = value
            _fill_inlines(data, label, demo)
            response = client.post(url, data)
            assert response.status_code == 302 and response.url != url, (label, _errors(response))
            written += 1
        # Actions: each, on that record (an action with a page of its own shows it).
        if record is not None:
            changelist = reverse(f"admin:{app}_{model}_changelist")
            actions = model_admin.get_actions(client.get(changelist).wsgi_request)
            for action in actions:
                response = client.post(
                    changelist, {"action": action, ACTION_CHECKBOX_NAME: [str(record.pk)]}
                )
                assert response.status_code in {200, 302}, (label, action)
        assert opts.label_lower == label

    assert written >= 20
    assert raw_history_rows() == raw_before


def _fill_inlines(data: dict[str, str], label: str, demo: dict[str, Any]) -> None:
    """One new row in the inlines of the captive's page that take rows of their own (names,
    states involved); the record-a-fact forms are covered by their own tests."""
    if label != "cases.captive":
        return
    rows = {
        "names": {"system": "alias", "full_name": "Pak Writes"},
        "involvements": {"state": _pk(demo["states"]["CHE"]), "role": "mediator"},
    }
    for prefix, row in rows.items():
        total = f"{prefix}-TOTAL_FORMS"
        assert total in data, prefix
        index = int(data[total])
        for name, value in row.items():
            data[f"{prefix}-{index}-{name}"] = value
        data[total] = str(index + 1)


def _errors(response: Any) -> Any:
    context = getattr(response, "context", None)
    if not context:
        return response.status_code
    form = context.get("adminform")
    errors = [form.form.errors] if form else []
    errors += [fs.errors for fs in context.get("inline_admin_formsets", []) or []]
    return errors or context.get("errors")


def test_a_save_outside_a_service_is_refused_in_a_request(client, demo):
    """The guard itself: Django's own save, reached in a request, raises instead of writing."""
    from django.db import transaction

    from powtracker.writes import WriteOutsideService, in_service, writes_guarded

    state = demo["states"]["KOR"]
    state.notes = "Written past the rules"
    with writes_guarded(), pytest.raises(WriteOutsideService), transaction.atomic():
        state.save()
    state.refresh_from_db()
    assert state.notes == "" and not in_service()
    # Outside a request (a migration, a shell) nothing is armed: the save goes through.
    state.notes = "Written by hand in a shell"
    state.save()
    state.refresh_from_db()
    assert state.notes == "Written by hand in a shell"
