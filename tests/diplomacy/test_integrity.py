"""integrity_check on the diplomacy app: an executed exchange handed its captives over, on their
timelines; a completed transfer likewise. Each break is named with its record."""

from typing import Any

import pytest

from cases.choices import CustodyEventKind
from cases.models import CustodyEvent
from diplomacy.choices import InclusionStatus, ProposalStatus
from diplomacy.models import ExchangeProposal, OfferedCaptive, TransferRequest
from tests.helpers import loaded_once
from tests.integrity import broken, failed, integrity, register, rewrite

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def whole(django_db_setup: Any, django_db_blocker: Any) -> Any:
    yield from loaded_once(django_db_blocker, register)


def offer(whole: dict[str, Any], who: str) -> OfferedCaptive:
    return OfferedCaptive.objects.get(proposal=whole["proposal"], captive=whole[who])


def test_the_exchange_and_the_transfer_are_whole(whole):
    status, report = integrity("--only", "proposals.", "--only", "transfers.")

    assert status == 0
    assert [c["status"] for c in report["checks"]] == ["ok", "ok", "ok"]


def test_an_executed_exchange_that_handed_nobody_over_is_named(whole):
    with broken():
        rewrite(OfferedCaptive, offer(whole, "returned").pk, inclusion_status="included")
        status, report = integrity()

    assert status == 1
    assert set(failed(report)) == {"proposals.executed_handed_over"}
    assert failed(report)["proposals.executed_handed_over"]["examples"] == [
        f"diplomacy.ExchangeProposal#{whole['proposal'].pk}"
    ]


def test_a_handover_by_an_exchange_not_executed_is_named(whole):
    with broken():
        rewrite(ExchangeProposal, whole["proposal"].pk, status=ProposalStatus.AGREED)
        status, report = integrity()

    assert status == 1
    assert set(failed(report)) == {"proposals.executed_handed_over"}


def test_a_handover_missing_from_the_timeline_is_named(whole):
    excluded = offer(whole, "excluded")
    with broken():
        rewrite(OfferedCaptive, excluded.pk, inclusion_status=InclusionStatus.HANDED_OVER)
        status, report = integrity()

    assert status == 1
    assert set(failed(report)) == {"proposals.handover_on_timeline"}
    assert failed(report)["proposals.handover_on_timeline"]["examples"] == [
        f"diplomacy.OfferedCaptive#{excluded.pk}"
    ]


def test_an_exchange_to_another_state_than_its_counterpart_is_named(whole):
    exchanged = CustodyEvent.objects.get(captive=whole["returned"], kind=CustodyEventKind.EXCHANGED)
    with broken():
        rewrite(CustodyEvent, exchanged.pk, custodian=whole["states"]["KOR"].pk)
        status, report = integrity()

    assert status == 1
    # His custodian, copied from that event, no longer matches it either.
    assert set(failed(report)) == {
        "proposals.handover_on_timeline",
        "custody.status_follows_timeline",
    }


def test_a_completed_transfer_without_its_date_is_named(whole):
    transfer = whole["transfer"]
    with broken():
        rewrite(TransferRequest, transfer.pk, completed_on=None)
        status, report = integrity()

    assert status == 1
    assert set(failed(report)) == {"transfers.completion_on_timeline"}
    assert failed(report)["transfers.completion_on_timeline"]["examples"] == [
        f"diplomacy.TransferRequest#{transfer.pk}"
    ]
