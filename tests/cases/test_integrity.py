"""integrity_check on the cases app: case numbers and their counters, and what the services keep
in step (custody, effective wish, duties, powers, duplicates). Each break, made with raw SQL as a
bad restore would make it, is named with its record."""

from typing import Any

import pytest
from django.db import connection

from cases.choices import CustodyEventKind, InvolvementRole, ObligationKind
from cases.models import CaseNumberSequence, CustodyEvent, Involvement, Obligation
from tests.helpers import loaded_once
from tests.integrity import broken, failed, integrity, register, rewrite, sql

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def whole(django_db_setup: Any, django_db_blocker: Any) -> Any:
    yield from loaded_once(django_db_blocker, register)


def series(captive: Any) -> str:
    return captive.case_number[:8]


# --- case numbers -------------------------------------------------------------------------------


def test_a_counter_set_back_is_named(whole):
    captive = whole["returned"]
    counter = CaseNumberSequence.objects.get(detaining_power_code="UKR", year=2025)
    with broken():
        sql(
            "UPDATE cases_casenumbersequence SET last_value = last_value - 1 WHERE id = %s",
            [counter.pk],
        )
        status, report = integrity()

    assert status == 1
    assert set(failed(report)) == {"case_numbers.counters_ahead"}
    assert failed(report)["case_numbers.counters_ahead"]["examples"] == [
        f"{series(captive)} (counter at {counter.last_value - 1}, number "
        f"{counter.last_value} issued)"
    ]


def test_a_counter_missing_altogether_is_named(whole):
    with broken():
        sql("DELETE FROM cases_casenumbersequence")
        status, report = integrity()

    assert status == 1
    assert set(failed(report)) == {"case_numbers.counters_ahead"}
    assert failed(report)["case_numbers.counters_ahead"]["examples"][0].startswith(
        "UKR-2025 (no counter"
    )


def test_numbers_issued_to_no_captive_are_named(whole):
    counter = CaseNumberSequence.objects.get(detaining_power_code="UKR", year=2025)
    with broken():
        sql(
            "UPDATE cases_casenumbersequence SET last_value = last_value + 2 WHERE id = %s",
            [counter.pk],
        )
        status, report = integrity()

    assert status == 1
    assert set(failed(report)) == {"case_numbers.none_missing"}
    found = failed(report)["case_numbers.none_missing"]
    assert found["count"] == 2
    assert found["examples"] == [
        f"UKR-2025 (2 of {counter.last_value + 2} numbers held by no captive)"
    ]


def test_a_malformed_case_number_is_named(whole):
    captive = whole["excluded"]
    with broken():
        rewrite(type(captive), captive.pk, case_number="UKR/2025/7")
        status, report = integrity()

    assert status == 1
    # His number no longer counts in its series, which now misses one.
    assert set(failed(report)) == {"case_numbers.well_formed", "case_numbers.none_missing"}
    assert failed(report)["case_numbers.well_formed"]["examples"] == ["UKR/2025/7"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="drops a unique constraint")
def test_a_case_number_held_twice_is_named(whole):
    first, second = whole["returned"], whole["excluded"]
    with broken():
        sql("SET CONSTRAINTS ALL IMMEDIATE")  # so that the table may be altered
        sql("ALTER TABLE cases_captive DROP CONSTRAINT cases_captive_unique_case_number")
        rewrite(type(second), second.pk, case_number=first.case_number)
        status, report = integrity()

    assert status == 1
    assert set(failed(report)) == {"case_numbers.unique", "case_numbers.none_missing"}
    assert failed(report)["case_numbers.unique"]["examples"] == [first.case_number]


# --- custody ------------------------------------------------------------------------------------


def test_a_custody_status_out_of_step_with_the_timeline_is_named(whole):
    captive = whole["returned"]
    with broken():
        rewrite(type(captive), captive.pk, custody_place="Somewhere else")
        status, report = integrity()

    assert status == 1
    assert set(failed(report)) == {"custody.status_follows_timeline"}
    assert failed(report)["custody.status_follows_timeline"]["examples"] == [
        f"cases.Captive#{captive.pk}"
    ]


def test_an_exchange_after_an_escape_is_named(whole):
    captive = whole["returned"]
    interned = CustodyEvent.objects.get(captive=captive, kind=CustodyEventKind.INTERNED)
    with broken():
        rewrite(CustodyEvent, interned.pk, kind=CustodyEventKind.ESCAPED)
        status, report = integrity()

    assert status == 1
    # The capture card that internment opened is not a duty of an escape either.
    assert set(failed(report)) == {"custody.steps_allowed", "obligations.match_their_events"}
    assert failed(report)["custody.steps_allowed"]["examples"] == [f"cases.Captive#{captive.pk}"]


def test_a_timeline_not_opened_by_the_capture_is_named(whole):
    captive = whole["excluded"]
    capture = CustodyEvent.objects.get(captive=captive, kind=CustodyEventKind.CAPTURED)
    with broken():
        rewrite(CustodyEvent, capture.pk, kind=CustodyEventKind.INTERNED)
        status, report = integrity()

    assert status == 1
    assert set(failed(report)) == {
        "custody.opened_by_capture",
        "custody.steps_allowed",
        "custody.status_follows_timeline",
        "obligations.match_their_events",
    }
    assert failed(report)["custody.opened_by_capture"]["examples"] == [
        f"cases.Captive#{captive.pk}"
    ]


# --- wishes -------------------------------------------------------------------------------------


def test_an_effective_wish_no_statement_gives_is_named(whole):
    captive = whole["excluded"]  # said "remain", freely
    with broken():
        rewrite(type(captive), captive.pk, effective_wish="return")
        status, report = integrity()

    assert status == 1
    assert set(failed(report)) == {"wishes.effective_wish_follows_statements"}
    assert failed(report)["wishes.effective_wish_follows_statements"]["examples"] == [
        f"cases.Captive#{captive.pk}"
    ]


# --- obligations --------------------------------------------------------------------------------


def test_a_duty_open_after_its_event_was_voided_is_named(whole):
    duty = Obligation.objects.get(
        triggered_by=whole["mistaken_event"], kind=ObligationKind.CAPTURE_CARD
    )
    with broken():
        rewrite(Obligation, duty.pk, voided_at=None, voided_by=None, void_reason="")
        status, report = integrity()

    assert status == 1
    assert set(failed(report)) == {"obligations.cancelled_with_their_event"}
    assert failed(report)["obligations.cancelled_with_their_event"]["examples"] == [
        f"cases.Obligation#{duty.pk}"
    ]


def test_a_lost_capture_notification_is_named(whole):
    captive = whole["excluded"]
    notification = Obligation.objects.get(captive=captive, kind=ObligationKind.NIB_NOTIFICATION)
    with broken():
        sql("DELETE FROM cases_obligation WHERE id = %s", [notification.pk])
        status, report = integrity()

    assert status == 1
    # Its history remains, without its record.
    assert set(failed(report)) == {
        "obligations.capture_notified",
        "history.chain_has_its_record",
    }
    assert failed(report)["obligations.capture_notified"]["examples"] == [
        f"cases.Captive#{captive.pk}"
    ]
    assert failed(report)["history.chain_has_its_record"]["examples"] == [
        f"cases.Obligation#{notification.pk}"
    ]


def test_a_seriously_sick_captive_without_his_health_report_is_named(whole):
    captive = whole["excluded"]
    with broken():
        rewrite(type(captive), captive.pk, health="seriously_sick")
        status, report = integrity()

    assert status == 1
    assert set(failed(report)) == {"obligations.health_reports"}
    assert failed(report)["obligations.health_reports"]["examples"] == [
        f"cases.Captive#{captive.pk}"
    ]


def test_a_duty_its_event_does_not_create_is_named(whole):
    notification = Obligation.objects.get(
        triggered_by__captive=whole["resettled"],
        triggered_by__kind=CustodyEventKind.RESETTLED,
        kind=ObligationKind.NIB_NOTIFICATION,
    )
    with broken():
        rewrite(Obligation, notification.pk, kind=ObligationKind.DEATH_RECORD)
        status, report = integrity()

    assert status == 1
    assert set(failed(report)) == {"obligations.match_their_events"}
    assert failed(report)["obligations.match_their_events"]["examples"] == [
        f"cases.Obligation#{notification.pk}"
    ]


# --- involvements and duplicates -----------------------------------------------------------------


def test_a_power_that_no_involvement_holds_is_named(whole):
    captive = whole["wounded"]  # his ally's involvement (RUS) has ended
    with broken():
        rewrite(type(captive), captive.pk, allied_power=whole["states"]["RUS"].pk)
        status, report = integrity()

    assert status == 1
    assert set(failed(report)) == {"involvements.powers_follow_involvements"}
    assert failed(report)["involvements.powers_follow_involvements"]["examples"] == [
        f"cases.Captive#{captive.pk}"
    ]


def test_a_lost_detaining_power_involvement_is_named(whole):
    captive = whole["excluded"]
    involvement = Involvement.objects.get(captive=captive, role=InvolvementRole.DETAINING_POWER)
    with broken():
        sql("DELETE FROM diplomacy_involvement WHERE id = %s", [involvement.pk])
        status, report = integrity()

    assert status == 1
    assert set(failed(report)) == {
        "involvements.detaining_power_involved",
        "history.chain_has_its_record",
    }
    assert failed(report)["involvements.detaining_power_involved"]["examples"] == [
        f"cases.Captive#{captive.pk}"
    ]


def test_a_duplicate_link_without_its_decision_is_named(whole):
    captive = whole["excluded"]
    with broken():
        rewrite(type(captive), captive.pk, duplicate_of=whole["kept"].pk)
        status, report = integrity()

    assert status == 1
    assert set(failed(report)) == {"duplicates.links_decided"}
    assert failed(report)["duplicates.links_decided"]["examples"] == [f"cases.Captive#{captive.pk}"]
