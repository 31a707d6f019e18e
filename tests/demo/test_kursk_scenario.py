"""The case that shaped powtracker, played through: the rules hold on the demo data."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from cases import services as case_services
from cases.choices import CustodyEventKind, ObligationKind, Voluntariness
from cases.models import Captive
from diplomacy import services
from diplomacy.choices import InclusionStatus, ProposalStatus
from diplomacy.models import ExchangeProposal
from powtracker.errors import RuleError
from tests.admin_forms import admin_step

pytestmark = pytest.mark.django_db


@pytest.fixture
def kursk(demo_loaded, db):
    """The demo (loaded once for the module), its Kursk proposal and soldiers, a supervisor."""
    User = get_user_model()
    return {
        "proposal": ExchangeProposal.objects.get(proposing_state__code="UKR"),
        "first": Captive.objects.get(case_number="UKR-2025-00001"),
        "second": Captive.objects.get(case_number="UKR-2025-00002"),
        "supervisor": User.objects.get(username="supervisor"),
    }


def test_executing_the_kursk_proposal_as_it_stands_is_refused_naming_both_soldiers(kursk):
    # As it stands it is only proposed: that is said first, before anything about the soldiers.
    with pytest.raises(RuleError) as not_agreed:
        services.exchange_proposal_execute(
            acting_user=kursk["supervisor"], proposal=kursk["proposal"]
        )
    assert not_agreed.value.messages == [
        "It is “Proposed”: it must be agreed before it is executed."
    ]
    agreed = services.exchange_proposal_transition(
        acting_user=kursk["supervisor"], proposal=kursk["proposal"], to_status=ProposalStatus.AGREED
    )

    with pytest.raises(RuleError) as refusal:
        services.exchange_proposal_execute(acting_user=kursk["supervisor"], proposal=agreed)

    message = refusal.value.messages[0]
    assert refusal.value.code == "repatriation_not_cleared"
    assert "UKR-2025-00001 may not be handed to PRK" in message
    assert "UKR-2025-00002 may not be handed to PRK" in message
    assert "no statement of his has been assessed as free" in message
    assert not kursk["first"].custody_events.filter(kind=CustodyEventKind.EXCHANGED).exists()


def test_after_assessment_and_exclusion_only_the_first_soldier_is_exchanged(kursk):
    supervisor, first, second = kursk["supervisor"], kursk["first"], kursk["second"]
    proposal = kursk["proposal"]

    case_services.wish_statement_assess(
        acting_user=supervisor,
        statement=first.latest_wish_statement,
        voluntariness=Voluntariness.FREE,
        notes="Confirmed in a private interview without witnesses (Art. 126).",
    )
    services.exchange_offer_set_inclusion(
        acting_user=supervisor,
        offer=proposal.offered_captives.get(captive=second),
        inclusion_status=InclusionStatus.EXCLUDED,
        reason="Wishes to remain; decision left to the authorities.",
    )
    services.exchange_proposal_transition(
        acting_user=supervisor, proposal=proposal, to_status=ProposalStatus.AGREED
    )
    services.exchange_proposal_execute(acting_user=supervisor, proposal=proposal)

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.custody_status, first.custodian.code) == ("exchanged", "PRK")
    assert second.custody_status == "interned"
    exchange = first.custody_events.get(kind=CustodyEventKind.EXCHANGED)
    assert exchange.obligations.filter(kind=ObligationKind.NIB_NOTIFICATION).exists()
    reasons = set(first.history.values_list("history_change_reason", flat=True))
    assert {"Wish statement assessed", "Custody event: Exchanged"} <= reasons
    assert first.history.filter(
        history_change_reason="Custody event: Exchanged", history_user=supervisor
    ).exists()
    assessed = first.effective_wish_statement.history.latest("history_id")
    assert (assessed.history_change_reason, assessed.history_user) == ("Assessed: Free", supervisor)
    offer = proposal.offered_captives.get(captive=first)
    assert offer.inclusion_status == InclusionStatus.HANDED_OVER
    assert offer.history.latest("history_id").history_change_reason == "Handed over"


def test_the_admin_shows_the_refusal_in_plain_words(kursk, client):
    client.force_login(kursk["supervisor"])

    def execute() -> str:
        return admin_step(client, kursk["proposal"], "execute").content.decode()

    text = execute()
    assert "it must be agreed before it is executed" in text
    assert "may not be handed to" not in text
    services.exchange_proposal_transition(
        acting_user=kursk["supervisor"], proposal=kursk["proposal"], to_status=ProposalStatus.AGREED
    )

    text = execute()
    assert "UKR-2025-00001 may not be handed to PRK" in text
    assert "UKR-2025-00002 may not be handed to PRK" in text
    kursk["proposal"].refresh_from_db()
    assert kursk["proposal"].status == ProposalStatus.AGREED


def test_a_caseworker_is_not_offered_the_supervisors_actions(kursk, client):
    caseworker = get_user_model().objects.get(username="caseworker")
    client.force_login(caseworker)

    proposal = kursk["proposal"]
    page = client.get(
        reverse("admin:diplomacy_exchangeproposal_change", args=[proposal.pk])
    ).content.decode()
    changelist = client.get(reverse("admin:diplomacy_exchangeproposal_changelist")).content.decode()

    def step(name: str) -> str:
        return reverse("admin:diplomacy_exchangeproposal_step", args=[proposal.pk, name])

    assert step("negotiate") in page and step("withdraw") in page
    assert step("agree") not in page and step("execute") not in page
    assert "to_agreed" not in changelist and "to_executed" not in changelist
