"""Every write path — service, admin form, inline, action — leaves who, when and what."""

from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services as case_services
from cases.choices import CustodyEventKind
from cases.models import WishStatement
from diplomacy import services
from diplomacy.models import ExchangeProposal
from states.models import State
from tests.admin_forms import admin_form_data, inline_prefix
from tests.factories import CaptiveFactory

pytestmark = pytest.mark.django_db


def test_each_write_path_records_who_when_and_what(client, caseworker, supervisor, states):
    before = timezone.now()
    captive = CaptiveFactory(nationality=states["PRK"])

    # 1. A service called directly.
    event = case_services.custody_event_record(
        acting_user=caseworker,
        captive=captive,
        kind=CustodyEventKind.INTERNED,
        occurred_at=timezone.make_aware(datetime(2025, 1, 6, 12)),
    )
    # 2. The captive's admin form, with a wish recorded in its inline in the same save.
    client.force_login(caseworker)
    url = reverse("admin:cases_captive_change", args=[captive.pk])
    data = admin_form_data(client.get(url).content.decode())
    prefix = inline_prefix(data, "wish")
    data.update(
        {
            "rank": "Corporal",
            f"{prefix}-0-wish": "undecided",
            f"{prefix}-0-stated_at_0": "2025-01-07",
            f"{prefix}-0-stated_at_1": "09:00",
            f"{prefix}-0-mode": "caseworker_interview",
        }
    )
    assert client.post(url, data).status_code == 302
    # 3. A plain admin form (a supervisor adds a state).
    client.force_login(supervisor)
    client.post(
        reverse("admin:states_state_add"), {"code": "ARE", "name": "UAE", "gc3_party": "on"}
    )
    # 4. An admin action (a supervisor marks a submitted proposal expired).
    proposal = services.exchange_proposal_create(
        acting_user=supervisor,
        title="Swap",
        proposing_state=states["UKR"],
        counterpart_state=states["PRK"],
    )
    services.exchange_proposal_transition(
        acting_user=supervisor, proposal=proposal, to_status="proposed"
    )
    client.post(
        reverse("admin:diplomacy_exchangeproposal_changelist"),
        {"action": "to_expired", "_selected_action": [proposal.pk]},
    )

    event_row = event.history.get()
    captive_row = captive.history.get(history_change_reason="Particulars changed")
    wish_row = WishStatement.objects.get(captive=captive).history.get()
    state_row = State.objects.get(code="ARE").history.get()
    proposal_row = ExchangeProposal.objects.get(pk=proposal.pk).history.latest("history_id")

    assert (event_row.history_user, event_row.history_change_reason) == (caseworker, "Recorded")
    assert (captive_row.history_user, captive_row.history_change_reason) == (
        caseworker,
        "Particulars changed",
    )
    assert captive_row.diff_against(captive_row.prev_record).changed_fields == ["rank"]
    assert (wish_row.history_user, wish_row.wish) == (caseworker, "undecided")
    assert (state_row.history_user, state_row.history_type) == (supervisor, "+")
    assert (proposal_row.history_user, proposal_row.history_change_reason) == (
        supervisor,
        "Status: Expired",
    )
    for row in (event_row, captive_row, wish_row, state_row, proposal_row):
        assert row.history_date >= before
