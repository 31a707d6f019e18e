"""The case register's services: numbering, custody transitions, wishes, voiding, history."""

import threading
from datetime import date, datetime, timedelta
from itertools import product

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone

from cases import services
from cases.choices import (
    CUSTODY_TRANSITIONS,
    FINAL_CUSTODY_STATUSES,
    HANDOVER_KINDS,
    CustodyEventKind,
    Voluntariness,
    Wish,
    WishMode,
)
from cases.models import Captive, CustodyEvent, WishStatement
from powtracker.errors import RuleError
from tests.factories import CaptiveFactory, StateFactory
from tests.helpers import error_codes

pytestmark = pytest.mark.django_db

K = CustodyEventKind
DAY = timedelta(days=1)


def at(day: date, hour: int = 12) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def record(captive: Captive, kind: str, when: datetime, **kwargs) -> CustodyEvent:
    return services.custody_event_record(
        acting_user=None, captive=captive, kind=kind, occurred_at=when, **kwargs
    )


def wish(captive: Captive, what: str, when: datetime, voluntariness=Voluntariness.FREE, **kw):
    return services.wish_statement_record(
        acting_user=None,
        captive=captive,
        wish=what,
        stated_at=when,
        mode=WishMode.CASEWORKER_INTERVIEW,
        voluntariness=voluntariness,
        **kw,
    )


# --- registration ------------------------------------------------------------------------------


def test_registration_gives_case_numbers_per_detaining_power_and_year(states):
    first = CaptiveFactory(detaining_power=states["UKR"], captured_on=date(2025, 1, 5))
    second = CaptiveFactory(detaining_power=states["UKR"], captured_on=date(2025, 3, 1))
    other_year = CaptiveFactory(detaining_power=states["UKR"], captured_on=date(2024, 12, 30))
    other_power = CaptiveFactory(detaining_power=states["RUS"], captured_on=date(2025, 1, 5))

    assert [first.case_number, second.case_number] == ["UKR-2025-00001", "UKR-2025-00002"]
    assert other_year.case_number == "UKR-2024-00001"
    assert other_power.case_number == "RUS-2025-00001"


def test_registration_opens_the_timeline_with_the_capture(states):
    captive = CaptiveFactory(capture_place="Kursk Oblast", captured_on=date(2025, 1, 5))

    events = list(captive.custody_events.all())
    assert [(e.kind, e.custodian.code, e.place) for e in events] == [
        (K.CAPTURED, "UKR", "Kursk Oblast")
    ]
    assert captive.custody_status == K.CAPTURED
    assert captive.custodian.code == "UKR"


def test_registration_refuses_invalid_particulars_and_writes_nothing(states):
    with pytest.raises(ValidationError) as refusal:
        CaptiveFactory(rank="Private", rank_declined=True)

    assert error_codes(refusal.value) == ["declined_item_has_value"]
    assert not Captive.objects.exists()
    assert not CustodyEvent.objects.exists()


def test_registration_refuses_a_future_capture_date(states):
    with pytest.raises(ValidationError) as refusal:
        CaptiveFactory(captured_on=timezone.localdate() + DAY)
    assert "captured_on" in refusal.value.message_dict


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_never_share_a_case_number():
    ukr = StateFactory(code="UKR")
    rus = StateFactory(code="RUS")
    workers, each = 8, 5
    barrier = threading.Barrier(workers)
    numbers: list[str] = []
    errors: list[BaseException] = []

    def register_several(worker: int) -> None:
        try:
            barrier.wait()
            for n in range(each):
                captive = services.captive_register(
                    acting_user=None,
                    detaining_power=ukr,
                    nationality=rus,
                    captured_on=date(2025, 2, 1),
                    family_name=f"Worker{worker}-{n}",
                )
                numbers.append(captive.case_number)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=register_several, args=(w,)) for w in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(numbers) == [f"UKR-2025-{n:05d}" for n in range(1, workers * each + 1)]


# --- custody transitions -----------------------------------------------------------------------

# Every (status, next kind) pair, each tried from a real timeline.
ALL_PAIRS = list(product(CustodyEventKind.values, CustodyEventKind.values))


def home(captive: Captive, kind: str) -> dict:
    """The custodian of a handover event: his own state, which his free wish to return clears."""
    return {"custodian": captive.power_depended_on} if kind in HANDOVER_KINDS else {}


def captive_in(status: str) -> tuple[Captive, datetime]:
    """A captive free to go home, whose timeline is capture, then `status`; and a later moment."""
    captive = CaptiveFactory(captured_on=date(2025, 1, 1))
    wish(captive, Wish.RETURN, at(date(2025, 1, 1)))
    if status != K.CAPTURED:
        record(captive, status, at(date(2025, 1, 2)), **home(captive, status))
    return captive, at(date(2025, 1, 3))


def test_every_status_has_a_row_in_the_transition_table():
    assert set(CUSTODY_TRANSITIONS) == {None, *CustodyEventKind.values}


@pytest.mark.parametrize("kind", [k for k in CustodyEventKind.values if k != K.CAPTURED])
def test_a_timeline_starts_with_the_capture(kind):
    with pytest.raises(RuleError) as refusal:
        services.custody_timeline_check([kind])
    assert refusal.value.code == "transition_not_allowed"
    services.custody_timeline_check([K.CAPTURED, kind])


@pytest.mark.parametrize(
    ("status", "kind"), [p for p in ALL_PAIRS if p[1] in CUSTODY_TRANSITIONS[p[0]]]
)
def test_allowed_transition_is_recorded_and_becomes_the_status(states, status, kind):
    captive, when = captive_in(status)

    event = record(captive, kind, when, place="Somewhere", **home(captive, kind))

    captive.refresh_from_db()
    assert captive.custody_status == kind
    assert captive.custody_place == "Somewhere"
    assert captive.custody_since == event.occurred_at


@pytest.mark.parametrize(
    ("status", "kind"), [p for p in ALL_PAIRS if p[1] not in CUSTODY_TRANSITIONS[p[0]]]
)
def test_forbidden_transition_is_refused_and_writes_nothing(states, status, kind):
    captive, when = captive_in(status)
    events_before = CustodyEvent.objects.count()

    with pytest.raises(RuleError) as refusal:
        record(captive, kind, when, **home(captive, kind))

    assert refusal.value.code == "transition_not_allowed"
    assert CustodyEvent.objects.count() == events_before
    captive.refresh_from_db()
    assert captive.custody_status == status


def test_nothing_follows_death_and_the_message_says_why(states):
    captive = CaptiveFactory(captured_on=date(2025, 1, 1))
    record(captive, K.DECEASED, at(date(2025, 1, 3)))

    with pytest.raises(RuleError) as refusal:
        record(captive, K.EXCHANGED, at(date(2025, 1, 4)))

    assert "“Deceased” ends the case" in refusal.value.messages[0]
    assert {K.DECEASED, K.EXCHANGED} <= FINAL_CUSTODY_STATUSES


def test_an_escaped_prisoner_cannot_be_exchanged_but_can_be_recaptured(states):
    captive = CaptiveFactory(captured_on=date(2025, 1, 1))
    record(captive, K.ESCAPED, at(date(2025, 1, 3)))

    with pytest.raises(RuleError):
        record(captive, K.EXCHANGED, at(date(2025, 1, 4)))
    record(captive, K.CAPTURED, at(date(2025, 1, 5)))

    captive.refresh_from_db()
    assert captive.custody_status == K.CAPTURED


def test_a_back_dated_event_must_fit_the_timeline_where_its_date_puts_it(states):
    captive = CaptiveFactory(captured_on=date(2025, 1, 1))
    record(captive, K.DECEASED, at(date(2025, 1, 10)))

    # Hospitalized before death is a true, late-entered fact; the status stays "deceased".
    record(captive, K.HOSPITALIZED, at(date(2025, 1, 5)))
    captive.refresh_from_db()
    assert captive.custody_status == K.DECEASED
    # An exchange before the recorded death would mean a death after the case ended.
    with pytest.raises(RuleError):
        record(captive, K.EXCHANGED, at(date(2025, 1, 7)))


def test_an_event_in_the_future_is_refused(states):
    captive = CaptiveFactory()
    with pytest.raises(RuleError) as refusal:
        record(captive, K.INTERNED, timezone.now() + timedelta(hours=2))
    assert refusal.value.code == "event_in_future"


def test_staying_in_custody_keeps_the_custodian_unless_told(states):
    captive = CaptiveFactory(captured_on=date(2025, 1, 1))
    record(captive, K.INTERNED, at(date(2025, 1, 2)))
    captive.refresh_from_db()
    assert captive.custodian.code == "UKR"

    wish(captive, Wish.DEFECT, at(date(2025, 1, 2)), destination=states["KOR"])
    record(captive, K.TRANSFERRED, at(date(2025, 1, 3)), custodian=states["KOR"])
    captive.refresh_from_db()
    assert captive.custodian.code == "KOR"


# --- voiding events ----------------------------------------------------------------------------


def test_voiding_an_event_keeps_it_and_recomputes_the_status(states, caseworker):
    captive = CaptiveFactory(captured_on=date(2025, 1, 1))
    record(captive, K.INTERNED, at(date(2025, 1, 2)), place="Camp 1")
    mistaken = record(captive, K.DECEASED, at(date(2025, 1, 3)))

    services.custody_event_void(acting_user=caseworker, event=mistaken, reason="Wrong captive")

    mistaken.refresh_from_db()
    captive.refresh_from_db()
    assert mistaken.void_reason == "Wrong captive"
    assert mistaken.voided_by == caseworker
    assert captive.custody_status == K.INTERNED
    assert captive.custody_place == "Camp 1"
    # Voided events no longer block what follows.
    record(captive, K.HOSPITALIZED, at(date(2025, 1, 4)))


def test_voiding_needs_a_reason_and_happens_once(states):
    captive = CaptiveFactory(captured_on=date(2025, 1, 1))
    event = record(captive, K.INTERNED, at(date(2025, 1, 2)))

    with pytest.raises(RuleError) as no_reason:
        services.custody_event_void(acting_user=None, event=event, reason="  ")
    services.custody_event_void(acting_user=None, event=event, reason="Duplicate")
    with pytest.raises(RuleError) as twice:
        services.custody_event_void(acting_user=None, event=event, reason="Again")

    assert no_reason.value.code == "void_reason_required"
    assert twice.value.code == "already_voided"


def test_voiding_that_would_break_the_timeline_is_refused(states):
    captive = CaptiveFactory(captured_on=date(2025, 1, 1))
    escape = record(captive, K.ESCAPED, at(date(2025, 1, 2)))
    record(captive, K.CAPTURED, at(date(2025, 1, 3)))

    with pytest.raises(RuleError) as refusal:
        services.custody_event_void(acting_user=None, event=escape, reason="Typo")

    assert refusal.value.code == "timeline_broken"
    escape.refresh_from_db()
    assert escape.voided_at is None


# --- wishes ------------------------------------------------------------------------------------


def test_effective_wish_is_the_latest_statement_assessed_as_free(states):
    captive = CaptiveFactory()
    free_return = wish(captive, Wish.RETURN, at(date(2025, 1, 10)))
    doubtful_remain = wish(
        captive, Wish.REMAIN, at(date(2025, 1, 20)), voluntariness=Voluntariness.DOUBTFUL
    )

    captive.refresh_from_db()
    assert captive.effective_wish == Wish.RETURN
    assert captive.effective_wish_statement == free_return
    assert captive.latest_wish_statement == doubtful_remain
    assert not captive.latest_wish_statement.is_verified


def test_an_unassessed_statement_does_not_count_as_consent(states):
    captive = CaptiveFactory()
    wish(captive, Wish.RETURN, at(date(2025, 1, 10)), voluntariness=Voluntariness.NOT_ASSESSED)

    captive.refresh_from_db()
    assert captive.effective_wish == ""
    assert captive.effective_wish_statement is None
    assert captive.latest_wish_statement.wish == Wish.RETURN


def test_a_new_statement_supersedes_and_the_old_one_stays(states):
    captive = CaptiveFactory()
    first = wish(captive, Wish.RETURN, at(date(2025, 1, 10)))
    second = wish(captive, Wish.DEFECT, at(date(2025, 2, 1)), destination=states["KOR"])

    first.refresh_from_db()
    captive.refresh_from_db()
    assert second.supersedes == first
    assert first.wish == Wish.RETURN  # untouched
    assert captive.effective_wish == Wish.DEFECT
    assert captive.effective_wish_destination == states["KOR"]


def test_a_defect_wish_must_name_its_destination(states):
    captive = CaptiveFactory()
    with pytest.raises(ValidationError) as refusal:
        wish(captive, Wish.DEFECT, at(date(2025, 1, 10)))

    assert error_codes(refusal.value) == ["defect_needs_destination"]
    assert not WishStatement.objects.exists()


def test_assessed_statements_record_who_assessed_them(states, supervisor):
    captive = CaptiveFactory()
    statement = services.wish_statement_record(
        acting_user=supervisor,
        captive=captive,
        wish=Wish.RETURN,
        stated_at=at(date(2025, 1, 10)),
        mode=WishMode.PRIVATE_INTERVIEW,
        voluntariness=Voluntariness.FREE,
    )
    assert statement.assessed_by == supervisor
    assert statement.assessed_at is not None
    assert statement.recorded_by == supervisor


def test_voiding_a_statement_restores_the_previous_effective_wish(states, supervisor):
    captive = CaptiveFactory()
    wish(captive, Wish.RETURN, at(date(2025, 1, 10)))
    mistaken = wish(captive, Wish.REMAIN, at(date(2025, 1, 20)))

    # Both are assessed as free: voiding one is a supervisor's decision.
    services.wish_statement_void(acting_user=supervisor, statement=mistaken, reason="Misheard")

    captive.refresh_from_db()
    assert captive.effective_wish == Wish.RETURN
    assert WishStatement.objects.filter(pk=mistaken.pk, void_reason="Misheard").exists()


# --- edits and history -------------------------------------------------------------------------


def test_derived_fields_cannot_be_edited(states):
    captive = CaptiveFactory()
    with pytest.raises(RuleError) as refusal:
        services.captive_update(acting_user=None, captive=captive, custody_status=K.RELEASED)
    assert refusal.value.code == "invalid"


def test_every_service_write_leaves_history_with_who_and_why(states, caseworker):
    captive = services.captive_register(
        acting_user=caseworker,
        detaining_power=states["UKR"],
        captured_on=date(2025, 1, 5),
        family_name="Pak",
    )
    event = record(captive, K.INTERNED, at(date(2025, 1, 6)))
    services.custody_event_void(acting_user=caseworker, event=event, reason="Typo")
    services.captive_update(acting_user=caseworker, captive=captive, rank="Private")

    reasons = list(
        captive.history.order_by("history_id").values_list(
            "history_change_reason", "history_user__username"
        )
    )
    assert reasons[0] == ("Registered", "cw")
    assert ("Custody event voided", "cw") in reasons
    assert reasons[-1] == ("Particulars changed", "cw")
    assert captive.history.first().rank == "Private"
    event_history = event.history.order_by("history_id")
    assert [h.history_change_reason for h in event_history] == ["Recorded", "Voided: Typo"]
