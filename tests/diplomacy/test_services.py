"""Exchange proposals and transfer requests: their tables, the gate, all-or-nothing execution."""

import threading
from datetime import date, datetime, timedelta
from itertools import product

import pytest
from django.db import connection, connections
from django.utils import timezone

from cases import services as case_services
from cases.choices import CustodyEventKind, Health, ReviewDecision, Voluntariness, Wish, WishMode
from cases.models import Captive, CustodyEvent
from diplomacy import services
from diplomacy.choices import (
    PROPOSAL_TRANSITIONS,
    TRANSFER_TRANSITIONS,
    InclusionStatus,
    ProposalStatus,
    TransferKind,
    TransferStatus,
)
from diplomacy.models import ExchangeProposal, OfferedCaptive, TransferRequest
from diplomacy.selectors import exchange_proposal_balance
from powtracker.errors import RuleError
from tests.factories import CaptiveFactory, StateFactory

pytestmark = pytest.mark.django_db

P = ProposalStatus
# The path from a fresh draft to each status, through the services.
PROPOSAL_PATHS = {
    P.DRAFT: [],
    P.PROPOSED: [P.PROPOSED],
    P.UNDER_NEGOTIATION: [P.PROPOSED, P.UNDER_NEGOTIATION],
    P.AGREED: [P.PROPOSED, P.AGREED],
    P.EXECUTED: [P.PROPOSED, P.AGREED, P.EXECUTED],
    P.REJECTED: [P.PROPOSED, P.REJECTED],
    P.WITHDRAWN: [P.WITHDRAWN],
    P.EXPIRED: [P.PROPOSED, P.EXPIRED],
}
T = TransferStatus
TRANSFER_PATHS = {
    T.INTENT_STATED: [],
    T.REQUESTED: [T.REQUESTED],
    T.APPROVED: [T.REQUESTED, T.APPROVED],
    T.REJECTED: [T.REQUESTED, T.REJECTED],
    T.COMPLETED: [T.REQUESTED, T.APPROVED, T.COMPLETED],
    T.WITHDRAWN: [T.WITHDRAWN],
}


def at(day: date) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, 12))


def free_wish(captive: Captive, wish: str = Wish.RETURN, destination=None) -> None:
    case_services.wish_statement_record(
        acting_user=None,
        captive=captive,
        wish=wish,
        destination=destination,
        stated_at=at(date(2025, 1, 10)),
        mode=WishMode.PRIVATE_INTERVIEW,
        voluntariness=Voluntariness.FREE,
    )


def soldier(states, **kwargs) -> Captive:
    return CaptiveFactory(nationality=states["PRK"], allied_power=states["RUS"], **kwargs)


def proposal_with(states, captives, supervisor=None) -> ExchangeProposal:
    proposal = services.exchange_proposal_create(
        acting_user=supervisor,
        title="Swap",
        proposing_state=states["UKR"],
        counterpart_state=states["PRK"],
    )
    for captive in captives:
        services.exchange_offer_add(acting_user=supervisor, proposal=proposal, captive=captive)
    return proposal


def walk(proposal, path, user=None):
    for step in path:
        proposal = services.exchange_proposal_transition(
            acting_user=user, proposal=proposal, to_status=step, reason="A test walks it"
        )
    return proposal


# --- proposal transitions ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "wanted"),
    [p for p in product(P.values, P.values) if p[1] in PROPOSAL_TRANSITIONS[p[0]]],
)
def test_allowed_proposal_transitions(states, status, wanted):
    captive = soldier(states)
    free_wish(captive)
    proposal = walk(proposal_with(states, [captive]), PROPOSAL_PATHS[status])

    proposal = walk(proposal, [wanted])

    proposal.refresh_from_db()
    assert proposal.status == wanted


@pytest.mark.parametrize(
    ("status", "wanted"),
    [p for p in product(P.values, P.values) if p[1] not in PROPOSAL_TRANSITIONS[p[0]]],
)
def test_forbidden_proposal_transitions_are_refused(states, status, wanted):
    captive = soldier(states)
    free_wish(captive)
    proposal = walk(proposal_with(states, [captive]), PROPOSAL_PATHS[status])
    events = CustodyEvent.objects.count()

    with pytest.raises(RuleError) as refusal:
        walk(proposal, [wanted])

    assert refusal.value.code in {"transition_not_allowed", "repatriation_not_cleared"}
    proposal.refresh_from_db()
    assert proposal.status == status
    assert CustodyEvent.objects.count() == events


# --- offering captives -------------------------------------------------------------------------


def test_only_captives_held_by_the_proposer_and_still_in_custody_can_be_offered(states):
    held = soldier(states)
    dead = soldier(states)
    case_services.custody_event_record(
        acting_user=None,
        captive=dead,
        kind=CustodyEventKind.DECEASED,
        occurred_at=at(date(2025, 1, 9)),
    )
    held_by_russia = soldier(states, detaining_power=states["RUS"])
    proposal = proposal_with(states, [held])

    for captive in (dead, held_by_russia):
        with pytest.raises(RuleError) as refusal:
            services.exchange_offer_add(acting_user=None, proposal=proposal, captive=captive)
        assert refusal.value.code == "not_in_custody"
        assert captive.case_number in refusal.value.messages[0]
    assert list(proposal.offered_captives.values_list("captive", flat=True)) == [held.pk]


def test_excluding_a_captive_needs_a_reason_and_only_execution_hands_over(states):
    captive = soldier(states)
    offer = proposal_with(states, [captive]).offered_captives.get()

    with pytest.raises(RuleError) as no_reason:
        services.exchange_offer_set_inclusion(
            acting_user=None, offer=offer, inclusion_status=InclusionStatus.EXCLUDED
        )
    with pytest.raises(RuleError) as by_hand:
        services.exchange_offer_set_inclusion(
            acting_user=None, offer=offer, inclusion_status=InclusionStatus.HANDED_OVER
        )
    services.exchange_offer_set_inclusion(
        acting_user=None,
        offer=offer,
        inclusion_status=InclusionStatus.EXCLUDED,
        reason="Asks to stay",
    )

    assert no_reason.value.code == "reason_required"
    assert by_hand.value.code == "transition_not_allowed"
    offer.refresh_from_db()
    assert (offer.inclusion_status, offer.reason) == ("excluded", "Asks to stay")


def test_the_balance_counts_both_sides_and_flags_the_seriously_wounded(states):
    wounded = soldier(states, health=Health.SERIOUSLY_WOUNDED)
    fit = soldier(states)
    proposal = proposal_with(states, [wounded, fit])
    services.exchange_request_add(acting_user=None, proposal=proposal, name="Ivan Petrenko")
    services.exchange_request_add(
        acting_user=None, proposal=proposal, count=10, description="Marines"
    )
    services.exchange_request_add(
        acting_user=None, proposal=proposal, description="Others held by Russia"
    )

    balance = exchange_proposal_balance(proposal)

    assert (balance.offered_included, balance.requested_named, balance.requested_counted) == (
        2,
        1,
        10,
    )
    assert balance.requested_unspecified
    assert balance.priority_captives == [wounded]
    assert "regardless of numbers" in str(balance) and wounded.case_number in str(balance)


# --- execution ---------------------------------------------------------------------------------


def test_execution_is_all_or_nothing_and_names_each_uncleared_captive(states, supervisor):
    cleared = soldier(states)
    free_wish(cleared)
    doubtful = soldier(states)
    remain = soldier(states)
    free_wish(remain, Wish.REMAIN)
    proposal = walk(proposal_with(states, [cleared, doubtful, remain]), [P.PROPOSED, P.AGREED])

    with pytest.raises(RuleError) as refusal:
        services.exchange_proposal_execute(acting_user=supervisor, proposal=proposal)

    message = refusal.value.messages[0]
    assert refusal.value.code == "repatriation_not_cleared"
    assert doubtful.case_number in message and remain.case_number in message
    assert cleared.case_number not in message
    assert not CustodyEvent.objects.filter(kind=CustodyEventKind.EXCHANGED).exists()
    proposal.refresh_from_db()
    assert proposal.status == P.AGREED
    assert set(proposal.offered_captives.values_list("inclusion_status", flat=True)) == {"included"}


def test_execution_hands_over_every_included_captive_and_only_them(states, supervisor):
    first, second, excluded = soldier(states), soldier(states), soldier(states)
    free_wish(first)
    free_wish(second)
    proposal = proposal_with(states, [first, second, excluded])
    services.exchange_offer_set_inclusion(
        acting_user=supervisor,
        offer=proposal.offered_captives.get(captive=excluded),
        inclusion_status=InclusionStatus.EXCLUDED,
        reason="Wishes to remain",
    )
    proposal = walk(proposal, [P.PROPOSED, P.AGREED], supervisor)

    services.exchange_proposal_execute(acting_user=supervisor, proposal=proposal)

    proposal.refresh_from_db()
    assert proposal.status == P.EXECUTED and proposal.executed_on == timezone.localdate()
    for captive in (first, second):
        captive.refresh_from_db()
        assert (captive.custody_status, captive.custodian.code) == ("exchanged", "PRK")
    excluded.refresh_from_db()
    assert excluded.custody_status == "captured"
    statuses = dict(proposal.offered_captives.values_list("captive", "inclusion_status"))
    assert statuses == {first.pk: "handed_over", second.pk: "handed_over", excluded.pk: "excluded"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_executions_hand_each_captive_over_once():
    from django.apps import apps

    from powtracker.roles import roles_sync

    roles_sync(apps)
    states = {code: StateFactory(code=code) for code in ["UKR", "PRK", "RUS"]}
    captives = [soldier(states) for _ in range(3)]
    for captive in captives:
        free_wish(captive)
    proposal = walk(proposal_with(states, captives), [P.PROPOSED, P.AGREED])
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def execute() -> None:
        try:
            barrier.wait()
            services.exchange_proposal_execute(acting_user=None, proposal=proposal)
            outcomes.append("executed")
        except RuleError as refusal:
            outcomes.append(refusal.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=execute) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["executed", "transition_not_allowed"]
    for captive in captives:
        assert captive.custody_events.filter(kind=CustodyEventKind.EXCHANGED).count() == 1


# --- transfer requests -------------------------------------------------------------------------


def transfer_for(states, path, user=None) -> TransferRequest:
    captive = soldier(states)
    free_wish(captive, Wish.DEFECT, states["KOR"])
    transfer = services.transfer_request_create(
        acting_user=user, captive=captive, requesting_state=states["KOR"], basis="Constitution"
    )
    for step in path:
        transfer = services.transfer_request_transition(
            acting_user=user, transfer=transfer, to_status=step
        )
    return transfer


@pytest.mark.parametrize(
    ("status", "wanted"),
    [p for p in product(T.values, T.values) if p[1] in TRANSFER_TRANSITIONS[p[0]]],
)
def test_allowed_transfer_transitions(states, status, wanted):
    transfer = transfer_for(states, TRANSFER_PATHS[status])
    transfer = services.transfer_request_transition(
        acting_user=None, transfer=transfer, to_status=wanted
    )
    transfer.refresh_from_db()
    assert transfer.status == wanted


@pytest.mark.parametrize(
    ("status", "wanted"),
    [p for p in product(T.values, T.values) if p[1] not in TRANSFER_TRANSITIONS[p[0]]],
)
def test_forbidden_transfer_transitions_are_refused(states, status, wanted):
    transfer = transfer_for(states, TRANSFER_PATHS[status])
    with pytest.raises(RuleError) as refusal:
        services.transfer_request_transition(acting_user=None, transfer=transfer, to_status=wanted)
    assert refusal.value.code == "transition_not_allowed"
    transfer.refresh_from_db()
    assert transfer.status == status


def test_completing_a_resettlement_records_it_through_the_gate(states, supervisor):
    transfer = transfer_for(states, [T.REQUESTED, T.APPROVED], supervisor)

    services.transfer_request_complete(acting_user=supervisor, transfer=transfer)

    captive = transfer.captive
    captive.refresh_from_db()
    assert (captive.custody_status, captive.custodian.code) == ("resettled", "KOR")
    transfer.refresh_from_db()
    assert transfer.status == T.COMPLETED


def test_a_transfer_of_custody_records_a_transfer(states, supervisor):
    captive = soldier(states)
    free_wish(captive, Wish.DEFECT, states["KOR"])
    transfer = services.transfer_request_create(
        acting_user=supervisor,
        captive=captive,
        requesting_state=states["KOR"],
        kind=TransferKind.CUSTODY_TRANSFER,
    )
    for step in [T.REQUESTED, T.APPROVED, T.COMPLETED]:
        services.transfer_request_transition(
            acting_user=supervisor, transfer=transfer, to_status=step
        )
    captive.refresh_from_db()
    assert captive.custody_status == CustodyEventKind.TRANSFERRED


def test_completing_an_uncleared_transfer_is_refused_and_writes_nothing(states, supervisor):
    captive = soldier(states)  # no free wish to go to KOR
    transfer = services.transfer_request_create(
        acting_user=supervisor, captive=captive, requesting_state=states["KOR"]
    )
    for step in [T.REQUESTED, T.APPROVED]:
        services.transfer_request_transition(
            acting_user=supervisor, transfer=transfer, to_status=step
        )

    with pytest.raises(RuleError) as refusal:
        services.transfer_request_complete(acting_user=supervisor, transfer=transfer)

    assert refusal.value.code == "repatriation_not_cleared"
    transfer.refresh_from_db()
    captive.refresh_from_db()
    assert transfer.status == T.APPROVED and captive.custody_status == "captured"
    # A supervisor's review can clear it.
    case_services.non_refoulement_review_record(
        acting_user=supervisor,
        captive=captive,
        destination=states["KOR"],
        decision=ReviewDecision.CLEARED,
        reasons="Asked for asylum in writing; KOR is his constitutional state.",
    )
    services.transfer_request_complete(acting_user=supervisor, transfer=transfer)
    captive.refresh_from_db()
    assert captive.custody_status == "resettled"


# --- roles -------------------------------------------------------------------------------------


def test_roles_decide_who_may_do_what(states, caseworker, supervisor, analyst):
    captive = soldier(states)
    free_wish(captive)
    proposal = proposal_with(states, [captive], caseworker)
    walk(proposal, [P.PROPOSED], caseworker)
    statement = captive.wish_statements.get()

    refusals = []
    for user, call in [
        (caseworker, lambda u: walk(proposal, [P.AGREED], u)),
        (analyst, lambda u: walk(proposal, [P.UNDER_NEGOTIATION], u)),
        (
            caseworker,
            lambda u: case_services.wish_statement_assess(
                acting_user=u, statement=statement, voluntariness=Voluntariness.DOUBTFUL
            ),
        ),
        (
            caseworker,
            lambda u: case_services.non_refoulement_review_record(
                acting_user=u,
                captive=captive,
                destination=states["KOR"],
                decision="cleared",
                reasons="x",
            ),
        ),
        (
            analyst,
            lambda u: case_services.custody_event_record(
                acting_user=u,
                captive=captive,
                kind=CustodyEventKind.INTERNED,
                occurred_at=timezone.now() - timedelta(hours=1),
            ),
        ),
    ]:
        with pytest.raises(RuleError) as refusal:
            call(user)
        refusals.append(refusal.value.code)

    assert refusals == ["permission_denied"] * 5
    walk(proposal, [P.AGREED, P.EXECUTED], supervisor)
    proposal.refresh_from_db()
    assert proposal.status == P.EXECUTED


def test_a_refusal_says_what_the_role_may_not_do(states, caseworker):
    captive = soldier(states)
    proposal = walk(proposal_with(states, [captive]), [P.PROPOSED])

    with pytest.raises(RuleError) as refusal:
        walk(proposal, [P.AGREED], caseworker)

    assert refusal.value.messages == ["Your role does not allow you to agree an exchange."]


def test_offered_captives_keep_history_of_each_change(states, supervisor):
    captive = soldier(states)
    offer = proposal_with(states, [captive], supervisor).offered_captives.get()
    services.exchange_offer_set_inclusion(
        acting_user=supervisor, offer=offer, inclusion_status="excluded", reason="Asks to stay"
    )
    history = list(
        OfferedCaptive.history.filter(id=offer.pk)
        .order_by("history_id")
        .values_list("history_change_reason", "history_user__username")
    )
    assert history == [("Offered", "sup"), ("Excluded: Asks to stay", "sup")]


def test_a_man_who_changed_his_mind_the_day_before_is_not_exchanged(states, supervisor):
    """Assessed free to return, then a newer `remain` nobody has assessed: the exchange refuses
    him and says why, and nothing is written."""
    changed = soldier(states)
    free_wish(changed)
    proposal = walk(proposal_with(states, [changed]), [P.PROPOSED, P.AGREED])
    case_services.wish_statement_record(
        acting_user=None,
        captive=changed,
        wish=Wish.REMAIN,
        stated_at=timezone.now() - timedelta(days=1),
        mode=WishMode.CASEWORKER_INTERVIEW,
    )

    with pytest.raises(RuleError) as refusal:
        services.exchange_proposal_execute(acting_user=supervisor, proposal=proposal)

    message = refusal.value.messages[0]
    assert refusal.value.code == "repatriation_not_cleared"
    assert f"{changed.case_number} may not be handed to PRK" in message
    assert "is not yet assessed, and until it is it suspends his earlier free wish" in message
    assert not CustodyEvent.objects.filter(kind=CustodyEventKind.EXCHANGED).exists()
