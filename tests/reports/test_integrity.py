"""integrity_check on the reports app: a duty fulfilled by a printed document cites one that
fulfils it and covers its captive. Each break is named with the duty."""

from typing import Any

import pytest

from cases.choices import ObligationKind
from cases.models import Obligation
from tests.helpers import loaded_once
from tests.integrity import broken, failed, integrity, register, sql

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def whole(django_db_setup: Any, django_db_blocker: Any) -> Any:
    yield from loaded_once(django_db_blocker, register)


def card(whole: dict[str, Any]) -> Obligation:
    return Obligation.objects.get(captive=whole["returned"], kind=ObligationKind.CAPTURE_CARD)


def test_a_duty_fulfilled_by_its_document_is_whole(whole):
    assert card(whole).document == whole["printed"]

    status, report = integrity("--only", "documents.")

    assert status == 0, failed(report)


def test_a_document_of_another_kind_is_named(whole):
    with broken():
        sql(
            "UPDATE reports_generateddocument SET kind = 'case_file' WHERE id = %s",
            [whole["printed"].pk],
        )
        status, report = integrity()

    assert status == 1
    assert set(failed(report)) == {"documents.fulfil_their_duties"}
    assert failed(report)["documents.fulfil_their_duties"]["examples"] == [
        f"cases.Obligation#{card(whole).pk}"
    ]


def test_a_document_that_no_longer_covers_the_captive_is_named(whole):
    with broken():
        sql(
            "DELETE FROM reports_generateddocument_captives WHERE generateddocument_id = %s",
            [whole["printed"].pk],
        )
        status, report = integrity()

    assert status == 1
    assert set(failed(report)) == {"documents.fulfil_their_duties"}
