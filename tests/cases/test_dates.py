"""Dates the law cannot have: nothing is dated before GC III (12 August 1949), nor before the
captive's capture."""

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases import services
from cases.choices import CustodyEventKind, Wish, WishMode
from cases.dates import CLOCK_TOLERANCE, not_future_check
from cases.models import Captive, CaseNumberSequence, CustodyEvent, Obligation, WishStatement
from powtracker.errors import RuleError
from tests.factories import CaptiveFactory
from tests.helpers import error_codes, violates

pytestmark = pytest.mark.django_db


def at(day: date) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, 12))


@pytest.fixture
def captive(states):
    return CaptiveFactory(detaining_power=states["UKR"], captured_on=date(2025, 1, 5))


@pytest.mark.parametrize("day", [date(1, 1, 1), date(1949, 8, 11)])
def test_a_capture_before_gc3_is_refused_and_takes_no_case_number(states, day):
    with pytest.raises(ValidationError) as refused:
        CaptiveFactory(detaining_power=states["UKR"], captured_on=day)

    assert error_codes(refused.value) == ["date_before_gc3"]
    assert not Captive.objects.exists()
    assert not CaseNumberSequence.objects.exists()


def test_a_capture_on_the_day_gc3_was_signed_is_accepted(states):
    captive = CaptiveFactory(detaining_power=states["UKR"], captured_on=date(1949, 8, 12))
    assert captive.case_number == "UKR-1949-00001"


def test_the_database_refuses_a_capture_before_gc3(captive):
    assert violates(
        "cases_captive_captured_after_gc3",
        lambda: Captive.objects.filter(pk=captive.pk).update(captured_on=date(1, 1, 1)),
    )


@pytest.mark.parametrize(
    ("day", "code"),
    [(date(1, 1, 1), "date_before_gc3"), (date(2025, 1, 4), "date_before_capture")],
)
def test_a_custody_event_before_gc3_or_the_capture_is_refused(captive, day, code):
    with pytest.raises(ValidationError) as refused:
        services.custody_event_record(
            acting_user=None,
            captive=captive,
            kind=CustodyEventKind.INTERNED,
            occurred_at=at(day),
        )
    assert error_codes(refused.value) == [code]
    assert CustodyEvent.objects.filter(captive=captive).count() == 1


@pytest.mark.parametrize(
    ("day", "code"),
    [(date(1, 1, 1), "date_before_gc3"), (date(2025, 1, 4), "date_before_capture")],
)
def test_a_wish_before_gc3_or_the_capture_is_refused(captive, day, code):
    with pytest.raises(ValidationError) as refused:
        services.wish_statement_record(
            acting_user=None,
            captive=captive,
            wish=Wish.RETURN,
            stated_at=at(day),
            mode=WishMode.CASEWORKER_INTERVIEW,
        )
    assert error_codes(refused.value) == [code]
    assert not WishStatement.objects.exists()


def test_a_wish_on_the_day_of_capture_is_accepted(captive):
    services.wish_statement_record(
        acting_user=None,
        captive=captive,
        wish=Wish.RETURN,
        stated_at=at(date(2025, 1, 5)),
        mode=WishMode.CASEWORKER_INTERVIEW,
    )
    assert WishStatement.objects.count() == 1


@pytest.mark.parametrize(
    ("day", "code"),
    [(date(1, 1, 1), "date_before_gc3"), (date(2025, 1, 4), "date_before_capture")],
)
def test_an_obligation_fulfilled_before_gc3_or_the_capture_is_refused(captive, day, code):
    duty = Obligation.objects.filter(captive=captive).first()
    with pytest.raises(ValidationError) as refused:
        services.obligation_fulfil(
            acting_user=None, obligation=duty, fulfilled_on=day, reference="NIB-1"
        )
    assert error_codes(refused.value) == [code]
    duty.refresh_from_db()
    assert duty.fulfilled_on is None


# --- nothing in the future: one rule (cases.dates.not_future_check) for every date -------------


def test_a_moment_within_the_clock_tolerance_is_accepted_and_one_beyond_refused():
    now = timezone.now()
    not_future_check(now + CLOCK_TOLERANCE - timedelta(seconds=30), what="the event's date")
    with pytest.raises(RuleError) as refused:
        not_future_check(now + CLOCK_TOLERANCE + timedelta(minutes=1), what="the event's date")

    assert refused.value.error_code == "event_in_future"
    assert refused.value.messages == ["The event's date is in the future."]


def test_today_is_accepted_and_tomorrow_refused_naming_the_field():
    today = timezone.localdate()
    not_future_check(today, what="the capture date")
    with pytest.raises(RuleError) as refused:
        not_future_check(today + timedelta(days=1), what="the capture date")

    assert refused.value.error_code == "event_in_future"
    assert refused.value.messages == ["The capture date is in the future."]


def test_a_future_capture_is_refused_by_the_model_with_the_rules_code(states):
    with pytest.raises(ValidationError) as refused:
        CaptiveFactory(captured_on=timezone.localdate() + timedelta(days=1))

    assert error_codes(refused.value) == ["event_in_future"]
    assert refused.value.message_dict["captured_on"] == ["The capture date is in the future."]
    assert not Captive.objects.exists()
