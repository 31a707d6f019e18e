"""integrity_check on the partners app: the disclosure ledger. Each break, made with raw SQL as a
bad restore would make it, is named with its ledger row."""

from datetime import timedelta
from typing import Any

import pytest

from partners.models import DisclosureRecord
from tests.helpers import loaded_once
from tests.integrity import broken, failed, integrity, register, sql

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def whole(django_db_setup: Any, django_db_blocker: Any) -> Any:
    yield from loaded_once(django_db_blocker, register)


def first_read(whole: dict[str, Any]) -> DisclosureRecord:
    return DisclosureRecord.objects.get(partner=whole["partner"], captive=whole["wounded"])


def test_the_ledger_is_whole(whole):
    status, report = integrity("--only", "ledger.")

    assert status == 0
    assert [c["status"] for c in report["checks"]] == ["ok", "ok", "ok"]


@pytest.mark.parametrize("column", ["captive_id", "partner_id"])
def test_a_ledger_row_naming_no_record_is_named(whole, column):
    read = first_read(whole)
    with broken():
        # Foreign keys are checked at commit, which a restore with its triggers off skips.
        sql(f"UPDATE partners_disclosurerecord SET {column} = 999999 WHERE id = %s", [read.pk])  # noqa: S608
        status, report = integrity()

    assert status == 1
    assert set(failed(report)) == {"ledger.names_partner_and_captive"}
    assert failed(report)["ledger.names_partner_and_captive"]["examples"] == [
        f"partners.DisclosureRecord#{read.pk}"
    ]


def test_a_level_that_does_not_exist_is_named(whole):
    read = first_read(whole)
    with broken():
        sql("UPDATE partners_disclosurerecord SET level = 'secret' WHERE id = %s", [read.pk])
        status, report = integrity()

    assert status == 1
    assert set(failed(report)) == {"ledger.levels_valid"}
    assert failed(report)["ledger.levels_valid"]["examples"] == [
        f"partners.DisclosureRecord#{read.pk}"
    ]


def test_a_read_older_than_its_captive_is_named(whole):
    read = first_read(whole)
    with broken():
        DisclosureRecord.objects.filter(pk=read.pk).update(
            read_at=whole["wounded"].created_at - timedelta(days=1)
        )
        status, report = integrity()

    assert status == 1
    assert set(failed(report)) == {"ledger.read_after_registration"}
    assert failed(report)["ledger.read_after_registration"]["examples"] == [
        f"partners.DisclosureRecord#{read.pk}"
    ]


def test_a_read_seconds_before_by_another_servers_clock_is_allowed(whole):
    read = first_read(whole)
    with broken():
        DisclosureRecord.objects.filter(pk=read.pk).update(
            read_at=whole["wounded"].created_at - timedelta(seconds=20)
        )
        status, report = integrity("--only", "ledger.")

    assert status == 0, failed(report)
