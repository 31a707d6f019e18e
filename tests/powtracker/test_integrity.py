"""manage.py integrity_check: a whole database passes; each break of a history chain (or, on
PostgreSQL, of an id counter) is named, with its record, and the exit status says so."""

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command, load_command_class
from django.db import connection

from cases.choices import InvolvementRole
from cases.models import Captive, CustodyEvent, Involvement
from powtracker.integrity import check_groups
from tests.helpers import loaded_once
from tests.integrity import broken, failed, integrity, register, sql

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def whole(django_db_setup: Any, django_db_blocker: Any) -> Any:
    yield from loaded_once(django_db_blocker, register)


def names() -> list[str]:
    return [check.name for group in check_groups() for check in group.checks]


def test_a_whole_register_passes_every_check(whole):
    status, report = integrity()

    assert status == 0
    assert report["whole"] is True
    assert [c["name"] for c in report["checks"]] == names()
    assert not failed(report)
    skipped = {c["name"] for c in report["checks"] if c["status"] == "skipped"}
    assert skipped == (
        set() if connection.vendor == "postgresql" else {"database.id_counters_ahead"}
    )


def test_the_report_has_one_line_per_check_and_a_verdict(whole):
    out = StringIO()
    call_command("integrity_check", stdout=out)

    lines = out.getvalue().splitlines()
    assert len(lines) == len(names()) + 1
    assert lines[0].split() == ["history.every_record_has_history", "OK"]
    assert lines[-1].startswith(f"Whole: all {len(names())} checks passed")


def test_help_says_what_each_check_proves(whole):
    parser = load_command_class("powtracker", "integrity_check").create_parser(
        "manage.py", "integrity_check"
    )
    text = parser.format_help()

    for group in check_groups():
        for check in group.checks:
            assert check.name in text
    assert "Every ledger row names a partner and a captive that exist." in text
    assert "Exit status: 0" in text


def test_a_chain_without_its_creation_is_named(whole):
    captive = whole["returned"]
    with broken():
        sql(
            "DELETE FROM cases_historicalcaptive WHERE id = %s AND history_type = '+'", [captive.pk]
        )
        status, report = integrity()

    assert status == 1 and report["whole"] is False
    assert set(failed(report)) == {"history.chain_starts_with_creation"}
    found = failed(report)["history.chain_starts_with_creation"]
    assert found["count"] == 1 and found["examples"] == [f"cases.Captive#{captive.pk}"]


def test_a_record_without_history_is_named(whole):
    event = whole["mistaken_event"]
    with broken():
        sql("DELETE FROM cases_historicalcustodyevent WHERE id = %s", [event.pk])
        status, report = integrity()

    assert status == 1
    assert set(failed(report)) == {"history.every_record_has_history"}
    assert failed(report)["history.every_record_has_history"]["examples"] == [
        f"cases.CustodyEvent#{event.pk}"
    ]


def test_a_deletion_in_a_chain_is_named(whole):
    captive = whole["returned"]
    latest = Captive.history.filter(id=captive.pk).order_by("-history_id").first()
    with broken():
        sql(
            "UPDATE cases_historicalcaptive SET history_type = '-' WHERE history_id = %s",
            [latest.history_id],
        )
        status, report = integrity()

    assert status == 1
    assert set(failed(report)) == {"history.chain_has_no_deletion"}
    assert failed(report)["history.chain_has_no_deletion"]["examples"] == [
        f"cases.Captive#{captive.pk}"
    ]


def test_a_record_changed_without_history_is_named(whole):
    captive = whole["excluded"]
    with broken():
        sql("UPDATE cases_captive SET notes = 'changed behind history' WHERE id = %s", [captive.pk])
        status, report = integrity()

    assert status == 1
    assert set(failed(report)) == {"history.latest_entry_matches_record"}
    assert failed(report)["history.latest_entry_matches_record"]["examples"] == [
        f"cases.Captive#{captive.pk}"
    ]


def test_a_chain_whose_record_is_gone_is_named(whole):
    verifier = Involvement.objects.get(captive=whole["wounded"], role=InvolvementRole.VERIFIER)
    with broken():
        sql("DELETE FROM diplomacy_involvement WHERE id = %s", [verifier.pk])
        status, report = integrity()

    assert status == 1
    assert set(failed(report)) == {"history.chain_has_its_record"}
    assert failed(report)["history.chain_has_its_record"]["examples"] == [
        f"cases.Involvement#{verifier.pk}"
    ]


def test_examples_are_cut_but_the_count_is_whole(whole):
    with broken():
        sql("DELETE FROM cases_historicalcustodyevent")
        status, report = integrity("--examples", "2")

    found = failed(report)["history.every_record_has_history"]
    assert status == 1
    assert found["count"] == CustodyEvent.objects.count()
    assert len(found["examples"]) == 2


def test_only_runs_the_checks_asked_for(whole):
    status, report = integrity("--only", "history.", "--only", "ledger.")

    assert status == 0
    assert {c["name"].split(".")[0] for c in report["checks"]} == {"history", "ledger"}


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--only", "nothing."], "No check's name starts with ['nothing.']."),
        (["--database", "elsewhere"], "No database is named elsewhere in DATABASES."),
        (["--examples", "0"], "--examples must be at least 1."),
    ],
)
def test_bad_arguments_are_refused_in_words(arguments, message):
    with pytest.raises(CommandError) as refusal:
        call_command("integrity_check", *arguments, stdout=StringIO())

    assert str(refusal.value) == message


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's sequences")
def test_an_id_counter_behind_its_table_is_named(whole):
    top = Captive.objects.order_by("-pk").values_list("pk", flat=True).first()
    # A sequence is not rolled back with the transaction: it is put back by hand.
    sql("SELECT setval(pg_get_serial_sequence('cases_captive', 'id'), 1)")
    try:
        status, report = integrity("--only", "database.")
    finally:
        sql("SELECT setval(pg_get_serial_sequence('cases_captive', 'id'), %s)", [top])

    assert status == 1
    assert failed(report)["database.id_counters_ahead"]["examples"] == [
        f"cases.Captive (counter 1, highest id {top})"
    ]


def test_a_table_that_cannot_be_read_fails_its_checks_and_the_others_run(whole):
    with broken():
        sql("ALTER TABLE partners_disclosurerecord RENAME TO partners_disclosurerecord_lost")
        status, report = integrity()

    assert status == 1
    ledger = {
        "ledger.names_partner_and_captive",
        "ledger.levels_valid",
        "ledger.read_after_registration",
    }
    # On PostgreSQL the id counters read every table too.
    counters = {"database.id_counters_ahead"} if connection.vendor == "postgresql" else set()
    assert set(failed(report)) == ledger | counters
    assert "could not run" in failed(report)["ledger.levels_valid"]["note"]
