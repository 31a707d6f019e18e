"""A record's steps belong to the state that made it (and to supervisors); reopening an agreed
proposal is a supervisor's decision with a reason."""

from datetime import date

import pytest
from django.test import Client

from diplomacy import services
from diplomacy.choices import ProposalStatus, TransferStatus
from diplomacy.models import TransferRequest
from tests.partners.api.conftest import make_partner

pytestmark = pytest.mark.django_db


def transfer_path(transfer: TransferRequest, step: str = "") -> str:
    return f"/api/v1/transfer-requests/{transfer.pk}/{step + '/' if step else ''}"


def test_only_the_requesting_states_partners_step_a_transfer_request(world, partners):
    s = world["states"]
    by_rus = services.transfer_request_create(
        acting_user=None,
        captive=world["first"],
        requesting_state=s["RUS"],
        stated_on=date(2025, 2, 1),
    )
    by_kor = services.transfer_request_create(
        acting_user=None,
        captive=world["first"],
        requesting_state=s["KOR"],
        stated_on=date(2025, 2, 1),
    )
    kor = partners["receiving_state"]
    etag = kor.get(transfer_path(by_rus))["ETag"]

    foreign = kor.post(transfer_path(by_rus, "withdraw"), headers={"If-Match": etag})
    own = kor.post(
        transfer_path(by_kor, "withdraw"),
        headers={"If-Match": kor.get(transfer_path(by_kor))["ETag"]},
    )

    assert (foreign.status_code, foreign.json()["error"]["code"]) == (403, "permission_denied")
    by_rus.refresh_from_db()
    assert by_rus.status == TransferStatus.INTENT_STATED
    assert by_rus.history.count() == 1
    assert own.status_code == 200 and own.json()["status"] == "withdrawn"


@pytest.fixture
def agreed(world):
    proposal = world["proposal"]
    for step in [ProposalStatus.PROPOSED, ProposalStatus.AGREED]:
        services.exchange_proposal_transition(acting_user=None, proposal=proposal, to_status=step)
    return proposal


def test_a_supervisor_reopens_an_agreed_proposal_with_a_reason(client, agreed, supervisor):
    staff = Client()
    staff.force_login(supervisor)
    url = f"/api/v1/exchange-proposals/{agreed.pk}/"
    etag = staff.get(url)["ETag"]

    no_version = staff.post(
        f"{url}reopen/", {"reason": "PRK asks"}, content_type="application/json"
    )
    no_reason = staff.post(f"{url}reopen/", {}, content_type="application/json", HTTP_IF_MATCH=etag)
    reopened = staff.post(
        f"{url}reopen/", {"reason": "PRK asks"}, content_type="application/json", HTTP_IF_MATCH=etag
    )

    assert (no_version.status_code, no_version.json()["error"]["code"]) == (
        428,
        "if_match_required",
    )
    assert no_reason.status_code == 400
    assert reopened.status_code == 200, reopened.content
    assert reopened.json()["status"] == "under_negotiation"
    assert reopened["ETag"] != etag
    agreed.refresh_from_db()
    assert agreed.history.latest("history_id").history_change_reason == "Reopened: PRK asks"


def test_a_partner_may_not_reopen_an_agreement(client, world, agreed, partners):
    proposer = make_partner(client, "UKR bureau", state=world["states"]["UKR"])
    url = f"/api/v1/exchange-proposals/{agreed.pk}/"
    etag = proposer.get(url)["ETag"]

    by_proposer = proposer.post(f"{url}reopen/", {"reason": "Ask"}, headers={"If-Match": etag})
    by_counterpart = partners["power_depended_on"].post(
        f"{url}reopen/", {"reason": "Ask"}, headers={"If-Match": etag}
    )
    by_step = proposer.post(f"{url}negotiate/", headers={"If-Match": etag})

    for refused in (by_proposer, by_counterpart, by_step):
        assert (refused.status_code, refused.json()["error"]["code"]) == (403, "permission_denied")
    agreed.refresh_from_db()
    assert agreed.status == ProposalStatus.AGREED
