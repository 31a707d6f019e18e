"""Random sequences of events, wishes, reviews, proposals and executions never break the rules.

Invariants: nothing follows a final custody status; an executed proposal's included captives are
all exchanged; nobody is ever handed to a state without clearance at that moment.
"""

import contextlib
from collections import Counter
from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from cases import services as case_services
from cases.choices import (
    FINAL_CUSTODY_STATUSES,
    HANDOVER_KINDS,
    CustodyEventKind,
    ReviewDecision,
    Voluntariness,
    Wish,
    WishMode,
)
from cases.gate import repatriation_clearance
from cases.models import Captive
from diplomacy import services
from diplomacy.choices import InclusionStatus, ProposalStatus
from diplomacy.models import ExchangeProposal
from powtracker.errors import RuleError
from tests.factories import CaptiveFactory, StateFactory

CAPTIVES = 3
# How often the runs reached the moves that matter, so the test proves it exercised them.
REACHED: Counter[str] = Counter()
captive_index = st.integers(0, CAPTIVES - 1)
destination_code = st.sampled_from([None, "PRK", "KOR"])


class CaseRules(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        # Each run is one savepoint, rolled back at the end: runs never see each other.
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.states = {code: StateFactory(code=code) for code in ["UKR", "PRK", "KOR"]}
        self.clock = timezone.make_aware(datetime(2025, 1, 1))
        self.captive_ids = [
            CaptiveFactory(
                detaining_power=self.states["UKR"],
                nationality=self.states["PRK"],
                captured_on=date(2024, 12, 31),
            ).pk
            for _ in range(CAPTIVES)
        ]
        self.proposal_ids: list[int] = []

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    def tick(self) -> datetime:
        self.clock += timedelta(hours=1)
        return self.clock

    def captive(self, index: int) -> Captive:
        return Captive.objects.get(pk=self.captive_ids[index])

    def state(self, code: str | None):
        return self.states[code] if code else None

    @rule(index=captive_index, kind=st.sampled_from(CustodyEventKind.values), to=destination_code)
    def custody_event(self, index: int, kind: str, to: str | None) -> None:
        captive = self.captive(index)
        destination = case_services.handover_destination(
            captive=captive, kind=kind, custodian=self.state(to)
        )
        cleared = repatriation_clearance(captive=captive, destination=destination).cleared
        try:
            case_services.custody_event_record(
                acting_user=None,
                captive=captive,
                kind=kind,
                occurred_at=self.tick(),
                custodian=self.state(to),
            )
        except RuleError:
            return
        assert kind not in HANDOVER_KINDS or cleared, f"{kind} to {to} without clearance"
        if kind in HANDOVER_KINDS:
            REACHED["handover"] += 1

    @rule(
        index=captive_index,
        wish=st.sampled_from(Wish.values),
        to=destination_code,
        voluntariness=st.sampled_from(Voluntariness.values),
    )
    def wish(self, index: int, wish: str, to: str | None, voluntariness: str) -> None:
        try:
            case_services.wish_statement_record(
                acting_user=None,
                captive=self.captive(index),
                wish=wish,
                destination=self.state(to),
                stated_at=self.tick(),
                mode=WishMode.PRIVATE_INTERVIEW,
                voluntariness=voluntariness,
            )
        except ValidationError:
            assert (wish == Wish.DEFECT) != (to is not None)

    @rule(index=captive_index)
    def free_wish_to_return(self, index: int) -> None:
        # The common happy path, drawn often enough that exchanges really execute.
        case_services.wish_statement_record(
            acting_user=None,
            captive=self.captive(index),
            wish=Wish.RETURN,
            stated_at=self.tick(),
            mode=WishMode.PRIVATE_INTERVIEW,
            voluntariness=Voluntariness.FREE,
        )

    @rule(
        index=captive_index,
        to=st.sampled_from(["PRK", "KOR"]),
        decision=st.sampled_from(ReviewDecision.values),
    )
    def review(self, index: int, to: str, decision: str) -> None:
        case_services.non_refoulement_review_record(
            acting_user=None,
            captive=self.captive(index),
            destination=self.states[to],
            decision=decision,
            reasons="Reviewed.",
        )

    @rule(
        indices=st.lists(captive_index, min_size=1, max_size=CAPTIVES, unique=True),
        agree=st.booleans(),
    )
    def propose(self, indices: list[int], agree: bool) -> None:
        proposal = services.exchange_proposal_create(
            acting_user=None,
            title="Swap",
            proposing_state=self.states["UKR"],
            counterpart_state=self.states["PRK"],
        )
        for index in indices:
            with contextlib.suppress(RuleError):
                services.exchange_offer_add(
                    acting_user=None, proposal=proposal, captive=self.captive(index)
                )
        steps = [ProposalStatus.PROPOSED] + ([ProposalStatus.AGREED] if agree else [])
        for step in steps:
            try:
                services.exchange_proposal_transition(
                    acting_user=None, proposal=proposal, to_status=step
                )
            except RuleError:
                break
        self.proposal_ids.append(proposal.pk)

    @rule(data=st.data())
    def exclude(self, data: st.DataObject) -> None:
        if not self.proposal_ids:
            return
        proposal = ExchangeProposal.objects.get(pk=data.draw(st.sampled_from(self.proposal_ids)))
        offers = list(proposal.offered_captives.all())
        if offers:
            offer = data.draw(st.sampled_from(offers))
            with contextlib.suppress(RuleError):
                services.exchange_offer_set_inclusion(
                    acting_user=None, offer=offer, inclusion_status="excluded", reason="Random"
                )

    @rule(data=st.data())
    def execute(self, data: st.DataObject) -> None:
        if not self.proposal_ids:
            return
        proposal = ExchangeProposal.objects.get(pk=data.draw(st.sampled_from(self.proposal_ids)))
        included = list(proposal.offered_captives.filter(inclusion_status=InclusionStatus.INCLUDED))
        cleared = {
            offer.captive_id: repatriation_clearance(
                captive=Captive.objects.get(pk=offer.captive_id), destination=self.states["PRK"]
            ).cleared
            for offer in included
        }
        events_before = {
            offer.captive_id: offer.captive.custody_events.count() for offer in included
        }
        try:
            services.exchange_proposal_execute(acting_user=None, proposal=proposal)
        except RuleError:
            for captive_id, count in events_before.items():
                assert Captive.objects.get(pk=captive_id).custody_events.count() == count
            return
        assert all(cleared.values()), "an exchange handed over someone not cleared"
        REACHED["execution"] += 1

    @invariant()
    def nothing_follows_a_final_status(self) -> None:
        for captive_id in self.captive_ids:
            kinds = list(
                Captive.objects.get(pk=captive_id)
                .custody_events.active()
                .order_by("occurred_at", "id")
                .values_list("kind", flat=True)
            )
            finals = [i for i, kind in enumerate(kinds) if kind in FINAL_CUSTODY_STATUSES]
            assert not finals or finals[0] == len(kinds) - 1, kinds

    @invariant()
    def executed_proposals_exchanged_their_captives(self) -> None:
        for proposal in ExchangeProposal.objects.filter(
            pk__in=self.proposal_ids, status=ProposalStatus.EXECUTED
        ):
            offers = list(proposal.offered_captives.all())
            assert not [o for o in offers if o.inclusion_status == InclusionStatus.INCLUDED]
            for offer in offers:
                if offer.inclusion_status == InclusionStatus.HANDED_OVER:
                    assert offer.captive.custody_events.active().filter(kind="exchanged").exists()


@pytest.mark.django_db
def test_the_rules_hold_under_random_sequences(db):
    REACHED.clear()
    run_state_machine_as_test(
        CaseRules,
        settings=settings(
            max_examples=60,
            derandomize=True,  # the same runs every time: CI never flakes on a lucky draw
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
    assert REACHED["handover"] > 0 and REACHED["execution"] > 0, REACHED
