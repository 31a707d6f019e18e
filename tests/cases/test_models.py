"""Rules the database itself holds, and the permanence of every record."""

from datetime import date, datetime

import pytest
from django.utils import timezone

from cases.choices import ObligationKind, ObligationState, Voluntariness, Wish, WishMode
from cases.models import Captive, CaptiveName, CustodyEvent, Obligation, WishStatement
from powtracker.permanence import HardDeleteForbidden
from tests.factories import CaptiveFactory
from tests.helpers import violates

pytestmark = pytest.mark.django_db


def test_case_numbers_are_unique(states):
    captive = CaptiveFactory()
    other = CaptiveFactory()
    assert violates(
        "cases_captive_unique_case_number",
        lambda: Captive.objects.filter(pk=other.pk).update(case_number=captive.case_number),
    )


@pytest.mark.parametrize(
    ("item", "value"),
    [
        ("rank", "Private"),
        ("service_number", "123"),
        ("birth_year", 1999),
        ("birth_date", date(1999, 1, 1)),
        ("place_of_birth", "Pyongyang"),
        ("father_first_name", "Chol"),
        ("mother_maiden_name", "Kim"),
        ("unit", "11th Corps"),
    ],
)
def test_a_declined_identity_item_holds_no_value(states, item, value):
    captive = CaptiveFactory(service_number="")
    declined = "birth_date" if item == "birth_year" else item
    Captive.objects.filter(pk=captive.pk).update(**{f"{declined}_declined": True})
    assert violates(
        f"cases_captive_declined_{declined}_is_empty",
        lambda: Captive.objects.filter(pk=captive.pk).update(**{item: value}),
    )


def test_declined_is_not_unknown(states):
    captive = CaptiveFactory(place_of_birth="", place_of_birth_declined=True, father_first_name="")
    captive.refresh_from_db()
    assert captive.place_of_birth_declined is True
    assert captive.father_first_name_declined is False  # unknown, not declined


def test_a_verified_identity_says_by_whom(states):
    captive = CaptiveFactory()
    assert violates(
        "cases_captive_verified_identity_says_by_whom",
        lambda: Captive.objects.filter(pk=captive.pk).update(identity_status="verified"),
    )


def test_a_defect_wish_names_a_destination_in_the_database(states):
    captive = CaptiveFactory()
    assert violates(
        "cases_wishstatement_defect_names_destination",
        lambda: WishStatement.objects.create(
            captive=captive,
            wish=Wish.DEFECT,
            stated_at=timezone.now(),
            mode=WishMode.WRITTEN_REQUEST,
        ),
    )


def test_an_assessment_is_dated(states):
    captive = CaptiveFactory()
    assert violates(
        "cases_wishstatement_assessment_dated",
        lambda: WishStatement.objects.create(
            captive=captive,
            wish=Wish.RETURN,
            stated_at=timezone.now(),
            mode=WishMode.WRITTEN_REQUEST,
            voluntariness=Voluntariness.FREE,
        ),
    )


def test_a_void_always_has_a_reason(states):
    event = CaptiveFactory().custody_events.get()
    assert violates(
        "cases_custodyevent_void_has_reason",
        lambda: CustodyEvent.objects.filter(pk=event.pk).update(voided_at=timezone.now()),
    )


def test_a_rendering_of_a_name_is_recorded_once(states):
    captive = CaptiveFactory()
    CaptiveName.objects.create(captive=captive, system="cyrillic", full_name="Пак")
    assert violates(
        "cases_captivename_unique_rendering",
        lambda: CaptiveName.objects.create(captive=captive, system="cyrillic", full_name="Пак"),
    )


@pytest.mark.parametrize("model", [Captive, CustodyEvent, WishStatement, CaptiveName])
def test_records_are_never_hard_deleted(states, model):
    captive = CaptiveFactory(names=[("cyrillic", "Тестов")])
    WishStatement.objects.create(
        captive=captive, wish=Wish.RETURN, stated_at=timezone.now(), mode=WishMode.WRITTEN_REQUEST
    )
    record = model.objects.first()

    with pytest.raises(HardDeleteForbidden) as one:
        record.delete()
    with pytest.raises(HardDeleteForbidden):
        model.objects.all().delete()

    assert one.value.code == "hard_delete_forbidden"
    assert model.objects.filter(pk=record.pk).exists()


def test_obligation_states_follow_the_clock(states):
    captive = CaptiveFactory()
    today = date(2025, 3, 10)
    due = Obligation.objects.create(
        captive=captive, kind=ObligationKind.CAPTURE_CARD, due_on=date(2025, 3, 10)
    )
    overdue = Obligation.objects.create(
        captive=captive, kind=ObligationKind.NIB_NOTIFICATION, due_on=date(2025, 3, 9)
    )
    done = Obligation.objects.create(
        captive=captive,
        kind=ObligationKind.HEALTH_REPORT,
        due_on=date(2025, 3, 1),
        fulfilled_on=date(2025, 3, 2),
        reference="HR-1",
    )
    annotated = dict(
        Obligation.objects.with_state(today)
        .filter(pk__in=[due.pk, overdue.pk, done.pk])
        .values_list("pk", "state")
    )

    assert annotated == {
        due.pk: ObligationState.DUE,
        overdue.pk: ObligationState.OVERDUE,
        done.pk: ObligationState.FULFILLED,
    }
    assert [o.state_on(today) for o in (due, overdue, done)] == [
        ObligationState.DUE,
        ObligationState.OVERDUE,
        ObligationState.FULFILLED,
    ]


def test_the_capture_stays_at_its_date_in_utc(states):
    captive = CaptiveFactory(captured_at=timezone.make_aware(datetime(2025, 1, 5, 10)))
    event = captive.custody_events.get()
    assert event.occurred_at.tzinfo is not None
