"""The repatriation gate (rule 1) for every combination of wish, assessment and destination."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from cases import services
from cases.choices import CustodyEventKind, ReviewDecision, Voluntariness, Wish, WishMode
from cases.gate import captive_clearances, repatriation_clearance
from powtracker.errors import RuleError
from tests.factories import CaptiveFactory, StateFactory

pytestmark = pytest.mark.django_db

WISHES = [None, Wish.RETURN, Wish.REMAIN, Wish.UNDECIDED, ("defect", "KOR"), ("defect", "ARE")]
DESTINATIONS = ["PRK", "KOR", "RUS"]


def at(day: date) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, 12))


@pytest.fixture
def soldier(states):
    StateFactory(code="ARE")
    return CaptiveFactory(nationality=states["PRK"], allied_power=states["RUS"])


def state(code: str):
    return StateFactory(code=code)


def say(captive, wish, voluntariness, when=date(2025, 1, 10)):
    what, destination = (wish, None) if not isinstance(wish, tuple) else (wish[0], state(wish[1]))
    return services.wish_statement_record(
        acting_user=None,
        captive=captive,
        wish=what,
        destination=destination,
        stated_at=at(when),
        mode=WishMode.PRIVATE_INTERVIEW,
        voluntariness=voluntariness,
    )


def expected(wish, voluntariness, destination: str) -> bool:
    if voluntariness != Voluntariness.FREE or wish is None:
        return False
    if destination == "PRK":
        return wish == Wish.RETURN
    return wish == ("defect", destination)


@pytest.mark.parametrize("destination", DESTINATIONS)
@pytest.mark.parametrize("voluntariness", Voluntariness.values)
@pytest.mark.parametrize("wish", WISHES, ids=str)
def test_the_gate_for_each_wish_assessment_and_destination(
    soldier, wish, voluntariness, destination
):
    if wish is not None:
        say(soldier, wish, voluntariness)
    soldier.refresh_from_db()

    clearance = repatriation_clearance(captive=soldier, destination=state(destination))

    assert clearance.cleared is expected(wish, voluntariness, destination), clearance.reason


def test_an_unverified_statement_is_not_consent_and_the_reason_says_so(soldier, states):
    say(soldier, Wish.RETURN, Voluntariness.NOT_ASSESSED)
    soldier.refresh_from_db()

    clearance = repatriation_clearance(captive=soldier, destination=states["PRK"])

    assert not clearance.cleared
    assert clearance.reason == (
        "no statement of his has been assessed as free, and no non-refoulement review clears it"
    )


def test_a_later_doubtful_statement_leaves_the_earlier_free_wish_in_force(soldier, states):
    say(soldier, Wish.RETURN, Voluntariness.FREE, date(2025, 1, 10))
    say(soldier, Wish.REMAIN, Voluntariness.DOUBTFUL, date(2025, 2, 10))
    soldier.refresh_from_db()
    assert repatriation_clearance(captive=soldier, destination=states["PRK"]).cleared


def test_a_supervisors_review_clears_what_the_wish_does_not(soldier, states, supervisor):
    say(soldier, Wish.REMAIN, Voluntariness.FREE)
    services.non_refoulement_review_record(
        acting_user=supervisor,
        captive=soldier,
        destination=states["KOR"],
        decision=ReviewDecision.CLEARED,
        reasons="Seeks asylum in Seoul in a private interview; no risk there.",
    )
    soldier.refresh_from_db()

    to_korea = repatriation_clearance(captive=soldier, destination=states["KOR"])
    to_north = repatriation_clearance(captive=soldier, destination=states["PRK"])

    assert to_korea.cleared
    assert "non-refoulement review by sup" in to_korea.reason
    assert not to_north.cleared  # a review clears one destination, not every one


def test_a_refusing_or_voided_review_clears_nobody(soldier, states, supervisor):
    refusal = services.non_refoulement_review_record(
        acting_user=supervisor,
        captive=soldier,
        destination=states["PRK"],
        decision=ReviewDecision.NOT_CLEARED,
        reasons="Risk of punishment for surrender.",
    )
    soldier.refresh_from_db()
    assert (
        "a review refused it"
        in repatriation_clearance(captive=soldier, destination=states["PRK"]).reason
    )
    services.non_refoulement_review_void(acting_user=supervisor, review=refusal, reason="Typo")
    cleared = services.non_refoulement_review_record(
        acting_user=supervisor,
        captive=soldier,
        destination=states["PRK"],
        decision=ReviewDecision.CLEARED,
        reasons="x",
    )
    services.non_refoulement_review_void(acting_user=supervisor, review=cleared, reason="Wrong")
    assert not repatriation_clearance(captive=soldier, destination=states["PRK"]).cleared


def test_a_review_made_before_his_latest_statement_no_longer_stands(soldier, states, supervisor):
    services.non_refoulement_review_record(
        acting_user=supervisor,
        captive=soldier,
        destination=states["PRK"],
        decision=ReviewDecision.CLEARED,
        reasons="No risk found.",
    )
    soldier.refresh_from_db()
    assert repatriation_clearance(captive=soldier, destination=states["PRK"]).cleared

    say(soldier, ("defect", "KOR"), Voluntariness.NOT_ASSESSED)
    soldier.refresh_from_db()

    assert not repatriation_clearance(captive=soldier, destination=states["PRK"]).cleared


@pytest.mark.parametrize(
    "kind", [CustodyEventKind.REPATRIATED, CustodyEventKind.EXCHANGED, CustodyEventKind.RESETTLED]
)
def test_every_handover_event_goes_through_the_gate(soldier, states, kind):
    custodian = None if kind == CustodyEventKind.REPATRIATED else states["PRK"]
    with pytest.raises(RuleError) as refusal:
        services.custody_event_record(
            acting_user=None,
            captive=soldier,
            kind=kind,
            occurred_at=timezone.now() - timedelta(hours=1),
            custodian=custodian,
        )
    assert refusal.value.code == "repatriation_not_cleared"
    assert soldier.case_number in refusal.value.messages[0]
    assert soldier.custody_events.count() == 1


def test_a_handover_names_the_receiving_state(soldier):
    with pytest.raises(RuleError) as refusal:
        services.custody_event_record(
            acting_user=None,
            captive=soldier,
            kind=CustodyEventKind.RESETTLED,
            occurred_at=timezone.now() - timedelta(hours=1),
        )
    assert refusal.value.code == "destination_required"


def test_a_repatriation_goes_home_by_default(soldier, states):
    say(soldier, Wish.RETURN, Voluntariness.FREE)
    event = services.custody_event_record(
        acting_user=None,
        captive=soldier,
        kind=CustodyEventKind.REPATRIATED,
        occurred_at=timezone.now() - timedelta(hours=1),
    )
    assert event.custodian == states["PRK"]


def test_the_captive_page_clearances_cover_home_and_every_involved_state(soldier, states):
    from cases.models import Involvement

    Involvement.objects.get_or_create(captive=soldier, state=states["KOR"], role="receiving_state")
    Involvement.objects.get_or_create(captive=soldier, state=states["UKR"], role="detaining_power")

    codes = [c.destination.code for c in captive_clearances(soldier)]

    # His power, the ally he fought beside and the receiving state; never the detaining power.
    assert codes == ["KOR", "PRK", "RUS"]


# --- consent that changed (rule 1: a man may change his mind until the day of the handover) ---


def test_a_newer_unassessed_statement_suspends_the_free_wish_it_follows(soldier, states):
    say(soldier, Wish.RETURN, Voluntariness.FREE, date(2025, 1, 10))
    say(soldier, Wish.REMAIN, Voluntariness.NOT_ASSESSED, date(2025, 2, 10))
    soldier.refresh_from_db()

    clearance = repatriation_clearance(captive=soldier, destination=states["PRK"])

    assert not clearance.cleared
    assert clearance.reason == (
        "his newer statement of 2025-02-10 (“Remain in the detaining state”) is not yet "
        "assessed, and until it is it suspends his earlier free wish to return, and no "
        "non-refoulement review clears it"
    )


def test_once_the_newer_statement_is_assessed_the_gate_follows_it(soldier, states, supervisor):
    say(soldier, Wish.RETURN, Voluntariness.FREE, date(2025, 1, 10))
    newer = say(soldier, Wish.REMAIN, Voluntariness.NOT_ASSESSED, date(2025, 2, 10))

    services.wish_statement_assess(
        acting_user=supervisor, statement=newer, voluntariness=Voluntariness.FREE
    )
    soldier.refresh_from_db()
    assert not repatriation_clearance(captive=soldier, destination=states["PRK"]).cleared

    services.wish_statement_assess(
        acting_user=supervisor, statement=newer, voluntariness=Voluntariness.COERCION_SUSPECTED
    )
    soldier.refresh_from_db()
    # A coerced "remain" is not his wish: the older free wish to return stands again.
    assert repatriation_clearance(captive=soldier, destination=states["PRK"]).cleared


def test_a_newer_unassessed_statement_suspends_a_free_wish_to_defect_too(soldier, states):
    say(soldier, ("defect", "KOR"), Voluntariness.FREE, date(2025, 1, 10))
    say(soldier, Wish.UNDECIDED, Voluntariness.NOT_ASSESSED, date(2025, 1, 20))
    soldier.refresh_from_db()

    clearance = repatriation_clearance(captive=soldier, destination=states["KOR"])

    assert not clearance.cleared
    assert "suspends his earlier free wish to go to KOR" in clearance.reason


def test_an_older_statement_entered_late_does_not_suspend_a_newer_free_wish(soldier, states):
    say(soldier, Wish.RETURN, Voluntariness.FREE, date(2025, 2, 10))
    say(soldier, Wish.REMAIN, Voluntariness.NOT_ASSESSED, date(2025, 1, 10))
    soldier.refresh_from_db()

    assert repatriation_clearance(captive=soldier, destination=states["PRK"]).cleared


def test_a_review_made_after_the_newer_statement_still_clears(soldier, states, supervisor):
    say(soldier, Wish.RETURN, Voluntariness.FREE, date(2025, 1, 10))
    say(soldier, Wish.REMAIN, Voluntariness.NOT_ASSESSED, date(2025, 2, 10))
    services.non_refoulement_review_record(
        acting_user=supervisor,
        captive=soldier,
        destination=states["PRK"],
        decision=ReviewDecision.CLEARED,
        reasons="Heard him again in private: no risk on return.",
    )
    soldier.refresh_from_db()

    assert repatriation_clearance(captive=soldier, destination=states["PRK"]).cleared
