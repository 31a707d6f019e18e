"""Executing an exchange set-based writes exactly what recording each handover alone wrote:
the same events, custody, duties, closed health reports, lists and history rows. It is still
all or nothing, through the gate and the transition table, and says the status first."""

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases import services as case_services
from cases.choices import CustodyEventKind, Health, ObligationKind, ReviewDecision, Wish
from cases.models import Captive, CustodyEvent, Obligation
from diplomacy import services
from diplomacy.choices import InclusionStatus, ProposalStatus
from diplomacy.models import ExchangeProposal, OfferedCaptive
from powtracker.disclosed import version_fields
from powtracker.errors import RuleError
from powtracker.history import history_save
from powtracker.roles import acting_partner
from tests.diplomacy.test_services import P, free_wish, proposal_with, soldier, walk

pytestmark = pytest.mark.django_db

# What differs between two equal worlds, or between two moments: ids and clocks.
UNCOMPARED = {
    "id",
    "history_id",
    "history_date",
    "history_relation_id",
    "case_number",
    "family_name",
    # The search key of the name, which differs between the two worlds as the name does.
    "name_skeleton",
    "service_number",
    "created_at",
    "updated_at",
    "disclosed_changed_at",
    "recorded_at",
    "voided_at",
    "captive_id",
    "triggered_by_id",
    "proposal_id",
    "title",
    "effective_wish_statement_id",
    "latest_wish_statement_id",
}


def execute_one_by_one(*, acting_user: Any, proposal: ExchangeProposal, when: datetime) -> None:
    """The execution as it was before it became set-based: each included captive recorded
    through custody_event_record, one after the other (kept here only to compare with)."""
    proposal = ExchangeProposal.objects.select_related("counterpart_state").get(pk=proposal.pk)
    offers = proposal.offered_captives.filter(inclusion_status=InclusionStatus.INCLUDED)
    for offer in offers.order_by("captive_id"):
        case_services.custody_event_record(
            acting_user=acting_user,
            captive=offer.captive,
            kind=CustodyEventKind.EXCHANGED,
            occurred_at=when,
            custodian=proposal.counterpart_state,
            notes=f"Exchange: {proposal.title}",
        )
        offer.inclusion_status = InclusionStatus.HANDED_OVER
        history_save(
            offer, acting_user=acting_user, reason="Handed over", update_fields=["inclusion_status"]
        )
    proposal.status = ProposalStatus.EXECUTED
    proposal.executed_on = timezone.localdate(when)
    history_save(
        proposal,
        acting_user=acting_user,
        reason="Executed",
        update_fields=version_fields(proposal, ["status", "executed_on"]),
    )


def world(states, supervisor, title: str) -> tuple[ExchangeProposal, list[Captive]]:
    """An agreed proposal of four captives, each cleared in another way: a free wish to return,
    a free wish while seriously wounded (an open weekly health report to close), a review with
    no wish, and a free wish after a move to a camp."""
    plain = soldier(states, family_name=f"{title}-plain")
    free_wish(plain)
    wounded = soldier(states, family_name=f"{title}-wounded", health=Health.SERIOUSLY_WOUNDED)
    free_wish(wounded)
    reviewed = soldier(states, family_name=f"{title}-reviewed")
    case_services.non_refoulement_review_record(
        acting_user=supervisor,
        captive=reviewed,
        destination=states["PRK"],
        decision=ReviewDecision.CLEARED,
        reasons="No risk found.",
    )
    interned = soldier(states, family_name=f"{title}-interned")
    case_services.custody_event_record(
        acting_user=supervisor,
        captive=interned,
        kind=CustodyEventKind.INTERNED,
        occurred_at=timezone.make_aware(datetime(2025, 1, 8, 9)),
        place="Camp 3",
    )
    free_wish(interned, Wish.RETURN)
    captives = [plain, wounded, reviewed, interned]
    proposal = proposal_with(states, captives, supervisor)
    return walk(proposal, [P.PROPOSED, P.AGREED], supervisor), captives


def rows(queryset: Any) -> list[dict[str, Any]]:
    return [
        {key: value for key, value in row.items() if key not in UNCOMPARED}
        for row in queryset.values()
    ]


def written(proposal: ExchangeProposal, captives: list[Captive], since: datetime) -> dict:
    """Every row the execution wrote or changed, in a form two worlds can be compared in."""
    ids = [c.pk for c in captives]
    events = CustodyEvent.objects.filter(captive__in=ids, recorded_at__gte=since)
    duties = Obligation.objects.filter(captive__in=ids).filter(
        triggered_by__in=events
    ) | Obligation.objects.filter(captive__in=ids, voided_at__gte=since)
    offers = OfferedCaptive.objects.filter(proposal=proposal)
    result = {
        "captives": rows(Captive.objects.filter(pk__in=ids).order_by("pk")),
        "events": rows(events.order_by("captive_id")),
        "duties": rows(duties.order_by("captive_id", "kind")),
        "offers": rows(offers.order_by("captive_id")),
        "proposal": rows(ExchangeProposal.objects.filter(pk=proposal.pk)),
    }
    histories = {
        "captive history": Captive.history.filter(id__in=ids),
        "event history": CustodyEvent.history.filter(captive_id__in=ids),
        "duty history": Obligation.history.filter(captive_id__in=ids),
        "offer history": OfferedCaptive.history.filter(proposal_id=proposal.pk),
        "proposal history": ExchangeProposal.history.filter(id=proposal.pk),
    }
    for name, history in histories.items():
        result[name] = rows(
            history.filter(history_date__gte=since).order_by(
                *(["captive_id"] if name not in {"captive history", "proposal history"} else []),
                "history_id",
            )
        )
    # Each world's own timestamps moved with the execution.
    for captive in Captive.objects.filter(pk__in=ids):
        assert captive.updated_at >= since and captive.disclosed_changed_at >= since
    for event in events:
        assert event.recorded_at >= since
    return result


def test_set_based_execution_writes_what_one_by_one_recording_wrote(states, supervisor):
    when = timezone.now() - timedelta(hours=1)
    by_one, one_captives = world(states, supervisor, "One by one")
    at_once, set_captives = world(states, supervisor, "At once")
    assert Obligation.objects.filter(kind=ObligationKind.HEALTH_REPORT, voided_at=None).count() == 2

    since = timezone.now()
    execute_one_by_one(acting_user=supervisor, proposal=by_one, when=when)
    services.exchange_proposal_execute(acting_user=supervisor, proposal=at_once, executed_at=when)

    expected = written(by_one, one_captives, since)
    actual = written(at_once, set_captives, since)
    assert actual == expected
    # And it is what an exchange should be: every one handed to PRK, with the duty it brings,
    # his health report closed, written by the supervisor, for the reason each step gives.
    assert {(c["custody_status"], c["custodian_id"]) for c in actual["captives"]} == {
        (CustodyEventKind.EXCHANGED, states["PRK"].pk)
    }
    assert [d["kind"] for d in actual["duties"]].count(ObligationKind.NIB_NOTIFICATION) == 4
    assert [d["void_reason"] for d in actual["duties"] if d["voided_by_id"]] == [
        "No longer seriously wounded or sick in our custody"
    ]
    reasons = {
        (name, row["history_type"], row["history_change_reason"], row["history_user_id"])
        for name, table in actual.items()
        if name.endswith("history")
        for row in table
    }
    assert reasons == {
        ("captive history", "~", "Custody event: Exchanged", supervisor.pk),
        ("event history", "+", "Recorded", supervisor.pk),
        ("duty history", "+", "Created by: Exchanged", supervisor.pk),
        (
            "duty history",
            "~",
            "Voided: No longer seriously wounded or sick in our custody",
            supervisor.pk,
        ),
        ("offer history", "~", "Handed over", supervisor.pk),
        ("proposal history", "~", "Executed", supervisor.pk),
    }
    assert len(actual["captive history"]) == len(actual["event history"]) == 4


def history_count() -> int:
    return sum(
        model.history.count()
        for model in (Captive, CustodyEvent, Obligation, OfferedCaptive, ExchangeProposal)
    )


def test_one_uncleared_captive_and_nothing_is_written(states, supervisor):
    cleared = [soldier(states) for _ in range(3)]
    for captive in cleared:
        free_wish(captive)
    undecided = soldier(states)
    free_wish(undecided, Wish.UNDECIDED)
    proposal = walk(proposal_with(states, [*cleared, undecided]), [P.PROPOSED, P.AGREED])
    before = history_count(), CustodyEvent.objects.count(), Obligation.objects.count()

    with pytest.raises(RuleError) as refusal:
        services.exchange_proposal_execute(acting_user=supervisor, proposal=proposal)

    message = refusal.value.messages[0]
    assert refusal.value.code == "repatriation_not_cleared"
    assert message.startswith("Nothing was executed.")
    assert (
        f"{undecided.case_number} may not be handed to PRK: his free wish is not to return, "
        "and no non-refoulement review clears it." in message
    )
    assert not any(c.case_number in message for c in cleared)
    assert (history_count(), CustodyEvent.objects.count(), Obligation.objects.count()) == before
    assert set(Captive.objects.values_list("custody_status", flat=True)) == {"captured"}
    proposal.refresh_from_db()
    assert proposal.status == P.AGREED and proposal.executed_on is None


def test_a_captive_the_transition_table_refuses_is_named_too(states, supervisor):
    """A captive who died after being offered cannot be exchanged: the table says so."""
    alive, dead = soldier(states), soldier(states)
    free_wish(alive)
    free_wish(dead)
    proposal = walk(proposal_with(states, [alive, dead]), [P.PROPOSED, P.AGREED])
    case_services.custody_event_record(
        acting_user=None,
        captive=dead,
        kind=CustodyEventKind.DECEASED,
        occurred_at=timezone.now() - timedelta(days=1),
    )

    with pytest.raises(RuleError) as refusal:
        services.exchange_proposal_execute(acting_user=supervisor, proposal=proposal)

    message = refusal.value.messages[0]
    assert "“Deceased” ends the case: nothing can follow it, not even “Exchanged”." in message
    assert alive.case_number not in message
    assert not CustodyEvent.objects.filter(kind=CustodyEventKind.EXCHANGED).exists()


def test_executing_a_proposal_not_yet_agreed_says_so_before_anything_about_the_captives(
    states, supervisor
):
    uncleared = soldier(states)  # no wish, no review: the gate would refuse him
    proposal = walk(proposal_with(states, [uncleared]), [P.PROPOSED])

    with pytest.raises(RuleError) as refusal:
        services.exchange_proposal_execute(acting_user=supervisor, proposal=proposal)

    assert refusal.value.code == "transition_not_allowed"
    assert refusal.value.messages == ["It is “Proposed”: it must be agreed before it is executed."]
    assert uncleared.case_number not in refusal.value.messages[0]


def test_an_executed_proposal_is_not_executed_again(states, supervisor):
    captive = soldier(states)
    free_wish(captive)
    proposal = walk(proposal_with(states, [captive]), [P.PROPOSED, P.AGREED])
    services.exchange_proposal_execute(acting_user=supervisor, proposal=proposal)

    with pytest.raises(RuleError) as refusal:
        services.exchange_proposal_execute(acting_user=supervisor, proposal=proposal)

    assert refusal.value.code == "transition_not_allowed"
    assert "“Executed”: it cannot become “Executed”" in refusal.value.messages[0]
    assert captive.custody_events.filter(kind=CustodyEventKind.EXCHANGED).count() == 1


def test_execution_takes_a_fixed_number_of_queries(states, supervisor):
    """Set-based: ten captives cost what two cost (so a thousand do too)."""
    # What is read once per user and then cached: his permissions, whether he is a partner.
    supervisor.has_perm("diplomacy.execute_exchangeproposal")
    acting_partner(supervisor)
    counts = []
    for size in (2, 10):
        captives = [soldier(states) for _ in range(size)]
        for captive in captives:
            free_wish(captive)
        proposal = walk(proposal_with(states, captives), [P.PROPOSED, P.AGREED])
        with CaptureQueriesContext(connection) as queries:
            services.exchange_proposal_execute(acting_user=supervisor, proposal=proposal)
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 30


def test_an_execution_dated_before_a_capture_is_refused(states, supervisor):
    """The event's date is checked for each captive as if alone: not before his capture."""
    captive = soldier(states)
    free_wish(captive)
    proposal = walk(proposal_with(states, [captive]), [P.PROPOSED, P.AGREED])

    with pytest.raises(RuleError) as refusal:
        services.exchange_proposal_execute(
            acting_user=supervisor,
            proposal=proposal,
            executed_at=timezone.make_aware(datetime(2025, 1, 1, 12)),
        )

    assert "before his capture on 2025-01-05" in refusal.value.messages[0]
    assert not CustodyEvent.objects.filter(kind=CustodyEventKind.EXCHANGED).exists()
