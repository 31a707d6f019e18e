"""Rules the database holds for states, involvements, proposals and contacts."""

from datetime import date

import pytest

from cases.choices import InvolvementRole
from cases.models import Involvement
from diplomacy.choices import ContactChannel
from diplomacy.models import DiplomaticContact, ExchangeProposal, OfferedCaptive, RequestedPerson
from states.models import State
from tests.factories import CaptiveFactory
from tests.helpers import violates

pytestmark = pytest.mark.django_db


def test_state_codes_are_unique_alpha3(states):
    assert violates(
        "diplomacy_state_unique_code", lambda: State.objects.create(code="UKR", name="x")
    )
    assert violates(
        "diplomacy_state_code_alpha3", lambda: State.objects.create(code="uk", name="x")
    )


def test_one_involvement_per_captive_state_and_role(states):
    captive = CaptiveFactory()
    Involvement.objects.create(captive=captive, state=states["KOR"], role=InvolvementRole.VERIFIER)
    # Another role for the same state is fine (KOR both verifies and would receive).
    Involvement.objects.create(
        captive=captive, state=states["KOR"], role=InvolvementRole.RECEIVING_STATE
    )
    assert violates(
        "diplomacy_involvement_unique_role",
        lambda: Involvement.objects.create(
            captive=captive, state=states["KOR"], role=InvolvementRole.VERIFIER
        ),
    )


def test_an_involvement_ends_after_it_starts(states):
    captive = CaptiveFactory()
    assert violates(
        "diplomacy_involvement_ends_after_start",
        lambda: Involvement.objects.create(
            captive=captive,
            state=states["KOR"],
            role=InvolvementRole.MEDIATOR,
            started_on=date(2025, 2, 1),
            ended_on=date(2025, 1, 1),
        ),
    )


def test_a_proposal_is_between_two_states_and_a_third_mediates(states):
    assert violates(
        "diplomacy_exchangeproposal_distinct_parties",
        lambda: ExchangeProposal.objects.create(
            title="x", proposing_state=states["UKR"], counterpart_state=states["UKR"]
        ),
    )
    assert violates(
        "diplomacy_exchangeproposal_mediator_is_third",
        lambda: ExchangeProposal.objects.create(
            title="x",
            proposing_state=states["UKR"],
            counterpart_state=states["RUS"],
            mediator=states["RUS"],
        ),
    )


def test_offered_captives_and_requested_persons(states):
    proposal = ExchangeProposal.objects.create(
        title="x", proposing_state=states["UKR"], counterpart_state=states["PRK"]
    )
    captive = CaptiveFactory()
    OfferedCaptive.objects.create(proposal=proposal, captive=captive)
    assert violates(
        "diplomacy_offeredcaptive_unique_captive",
        lambda: OfferedCaptive.objects.create(proposal=proposal, captive=captive),
    )
    assert violates(
        "diplomacy_offeredcaptive_exclusion_has_reason",
        lambda: OfferedCaptive.objects.filter(proposal=proposal).update(
            inclusion_status="excluded"
        ),
    )
    # An unnamed group of unspecified size is a valid request; a named person counts one.
    RequestedPerson.objects.create(proposal=proposal, description="Ukrainian POWs held by Russia")
    assert violates(
        "diplomacy_requestedperson_named_counts_one",
        lambda: RequestedPerson.objects.create(proposal=proposal, name="A. Person", count=3),
    )
    assert violates(
        "diplomacy_requestedperson_group_described",
        lambda: RequestedPerson.objects.create(proposal=proposal, count=3),
    )


def test_a_contact_via_an_intermediary_names_it(states):
    def contact(**kwargs):
        return DiplomaticContact.objects.create(
            from_state=states["KOR"],
            to_state=states["UKR"],
            occurred_on=date(2025, 1, 20),
            summary="x",
            **kwargs,
        )

    assert violates(
        "diplomacy_diplomaticcontact_intermediary_iff_channel",
        lambda: contact(channel=ContactChannel.INTERMEDIARY),
    )
    assert violates(
        "diplomacy_diplomaticcontact_intermediary_iff_channel",
        lambda: contact(channel=ContactChannel.CALL, intermediary=states["RUS"]),
    )
    assert violates(
        "diplomacy_diplomaticcontact_distinct_parties",
        lambda: DiplomaticContact.objects.create(
            from_state=states["KOR"],
            to_state=states["KOR"],
            occurred_on=date(2025, 1, 20),
            summary="x",
            channel=ContactChannel.CALL,
        ),
    )
