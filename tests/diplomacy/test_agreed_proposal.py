"""After agreement a proposal's parties, terms and lists are frozen; only a supervisor reopens
negotiation, with a reason, through a service."""

import pytest
from django.urls import reverse

from diplomacy import services
from diplomacy.choices import (
    FINAL_PROPOSAL_STATUSES,
    PROPOSAL_OPEN_STATUSES,
    InclusionStatus,
    ProposalStatus,
)
from diplomacy.models import ExchangeProposal, OfferedCaptive
from powtracker.errors import RuleError
from tests.admin_forms import admin_form_data
from tests.factories import CaptiveFactory

pytestmark = pytest.mark.django_db

P = ProposalStatus


@pytest.fixture
def agreed(states, supervisor) -> ExchangeProposal:
    proposal = services.exchange_proposal_create(
        acting_user=None,
        title="KPA soldiers for Ukrainians",
        proposing_state=states["UKR"],
        counterpart_state=states["PRK"],
        terms="Two for ten.",
    )
    for _ in range(2):
        services.exchange_offer_add(acting_user=None, proposal=proposal, captive=CaptiveFactory())
    for step in [P.PROPOSED, P.AGREED]:
        services.exchange_proposal_transition(
            acting_user=supervisor, proposal=proposal, to_status=step
        )
    proposal.refresh_from_db()
    return proposal


def frozen_snapshot(proposal: ExchangeProposal) -> tuple:
    fresh = ExchangeProposal.objects.get(pk=proposal.pk)
    return (
        fresh.status,
        fresh.counterpart_state_id,
        fresh.mediator_id,
        fresh.terms,
        fresh.title,
        sorted(fresh.offered_captives.values_list("captive_id", "inclusion_status", "reason")),
        fresh.requested_persons.count(),
    )


def test_the_transition_table_has_one_way_back_from_agreement():
    from diplomacy.choices import PROPOSAL_REOPENING, PROPOSAL_TRANSITIONS

    assert PROPOSAL_REOPENING == (P.AGREED, P.UNDER_NEGOTIATION)
    assert P.UNDER_NEGOTIATION in PROPOSAL_TRANSITIONS[P.AGREED]
    assert P.AGREED not in PROPOSAL_OPEN_STATUSES
    assert not (FINAL_PROPOSAL_STATUSES & PROPOSAL_OPEN_STATUSES)


def test_an_agreed_proposal_refuses_every_change_through_the_services(agreed, states, caseworker):
    offer = agreed.offered_captives.first()
    before = frozen_snapshot(agreed)
    attempts = [
        lambda: services.exchange_proposal_update(
            acting_user=caseworker, proposal=agreed, counterpart_state=states["RUS"]
        ),
        lambda: services.exchange_proposal_update(
            acting_user=caseworker, proposal=agreed, terms="One for one."
        ),
        lambda: services.exchange_offer_set_inclusion(
            acting_user=caseworker,
            offer=offer,
            inclusion_status=InclusionStatus.EXCLUDED,
            reason="Changed our mind",
        ),
        lambda: services.exchange_offer_add(
            acting_user=caseworker, proposal=agreed, captive=CaptiveFactory()
        ),
        lambda: services.exchange_request_add(
            acting_user=caseworker, proposal=agreed, description="More POWs"
        ),
    ]

    for attempt in attempts:
        with pytest.raises(RuleError) as refusal:
            attempt()
        assert refusal.value.code == "transition_not_allowed"

    assert frozen_snapshot(agreed) == before


def test_an_open_proposal_is_changed_through_its_service(agreed, states, caseworker):
    draft = services.exchange_proposal_create(
        acting_user=None,
        title="Draft",
        proposing_state=states["UKR"],
        counterpart_state=states["PRK"],
    )

    services.exchange_proposal_update(
        acting_user=caseworker, proposal=draft, terms="One for one.", mediator=states["KOR"]
    )

    draft.refresh_from_db()
    assert (draft.terms, draft.mediator) == ("One for one.", states["KOR"])
    assert draft.history.latest("history_id").history_user == caseworker
    with pytest.raises(RuleError) as refusal:
        services.exchange_proposal_update(acting_user=caseworker, proposal=draft, status="agreed")
    assert refusal.value.code == "invalid"


def test_only_a_supervisor_reopens_an_agreement_and_says_why(agreed, caseworker, supervisor):
    with pytest.raises(RuleError) as by_caseworker:
        services.exchange_proposal_reopen(acting_user=caseworker, proposal=agreed, reason="New")
    with pytest.raises(RuleError) as by_step:
        services.exchange_proposal_transition(
            acting_user=caseworker, proposal=agreed, to_status=P.UNDER_NEGOTIATION
        )
    with pytest.raises(RuleError) as without_reason:
        services.exchange_proposal_reopen(acting_user=supervisor, proposal=agreed, reason="  ")
    agreed.refresh_from_db()
    assert agreed.status == P.AGREED

    services.exchange_proposal_reopen(
        acting_user=supervisor, proposal=agreed, reason="PRK asks for a third soldier"
    )

    agreed.refresh_from_db()
    row = agreed.history.latest("history_id")
    assert by_caseworker.value.code == by_step.value.code == "permission_denied"
    assert without_reason.value.code == "reason_required"
    assert (agreed.status, agreed.decided_on) == (P.UNDER_NEGOTIATION, None)
    assert (row.history_user, row.history_change_reason) == (
        supervisor,
        "Reopened: PRK asks for a third soldier",
    )
    # Open again: the lists may change.
    services.exchange_offer_set_inclusion(
        acting_user=supervisor,
        offer=agreed.offered_captives.first(),
        inclusion_status=InclusionStatus.EXCLUDED,
        reason="Wants to stay",
    )
    with pytest.raises(RuleError) as twice:
        services.exchange_proposal_reopen(acting_user=supervisor, proposal=agreed, reason="Again")
    assert twice.value.code == "transition_not_allowed"


def test_the_change_form_of_an_agreed_proposal_changes_nothing(client, agreed, states, caseworker):
    client.force_login(caseworker)
    url = reverse("admin:diplomacy_exchangeproposal_change", args=[agreed.pk])
    page = client.get(url).content.decode()
    data = admin_form_data(page)
    offer = agreed.offered_captives.order_by("pk").first()
    data.update(
        {
            "title": "Changed",
            "counterpart_state": str(states["RUS"].pk),
            "terms": "One for one.",
            "offered_captives-TOTAL_FORMS": "2",
            "offered_captives-INITIAL_FORMS": "2",
            "offered_captives-0-id": str(offer.pk),
            "offered_captives-0-proposal": str(agreed.pk),
            "offered_captives-0-captive": str(offer.captive_id),
            "offered_captives-0-inclusion_status": "excluded",
            "offered_captives-0-reason": "Changed our mind",
        }
    )
    before = frozen_snapshot(agreed)

    response = client.post(url, data)

    assert response.status_code in {200, 302}
    assert frozen_snapshot(agreed) == before
    assert 'name="terms"' not in page and 'name="counterpart_state"' not in page
    assert 'name="offered_captives-0-inclusion_status"' not in page
    reopen = reverse("admin:diplomacy_exchangeproposal_step_reason", args=[agreed.pk, "reopen"])
    assert reopen not in page


def test_a_supervisor_reopens_from_the_proposal_page(client, agreed, supervisor):
    client.force_login(supervisor)
    url = reverse("admin:diplomacy_exchangeproposal_change", args=[agreed.pk])
    reopen = reverse("admin:diplomacy_exchangeproposal_step_reason", args=[agreed.pk, "reopen"])
    assert f'href="{reopen}"' in client.get(url).content.decode()
    form = client.get(reopen).content.decode()
    data = admin_form_data(form)
    assert set(data) >= {"reason", "version"}
    data["reason"] = "PRK asks for a third soldier"

    response = client.post(
        reverse("admin:diplomacy_exchangeproposal_step", args=[agreed.pk, "reopen"]), data
    )

    agreed.refresh_from_db()
    assert response.status_code == 302 and response.url == url
    assert agreed.status == P.UNDER_NEGOTIATION
    assert agreed.history.latest("history_id").history_change_reason == (
        "Reopened: PRK asks for a third soldier"
    )
    assert OfferedCaptive.objects.filter(proposal=agreed).count() == 2
