"""The diplomacy admin: proposals, offers and transfers go through the services."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services as case_services
from cases.choices import CustodyEventKind, Voluntariness, Wish, WishMode
from diplomacy import services
from diplomacy.choices import TransferStatus
from diplomacy.models import ExchangeProposal, TransferRequest
from tests.admin_forms import admin_form_data, admin_step, page_messages
from tests.factories import CaptiveFactory

pytestmark = pytest.mark.django_db


def test_offering_a_captive_not_held_is_refused_in_the_form(client, caseworker, states):
    client.force_login(caseworker)
    dead = CaptiveFactory(captured_on=date(2025, 1, 1))
    case_services.custody_event_record(
        acting_user=None,
        captive=dead,
        kind=CustodyEventKind.DECEASED,
        occurred_at=timezone.now() - timezone.timedelta(days=1),
    )
    proposal = services.exchange_proposal_create(
        acting_user=None,
        title="Swap",
        proposing_state=states["UKR"],
        counterpart_state=states["RUS"],
    )
    url = reverse("admin:diplomacy_exchangeproposal_change", args=[proposal.pk])
    data = admin_form_data(client.get(url).content.decode())
    data.update(
        {
            "offered_captives-TOTAL_FORMS": "1",
            "offered_captives-0-captive": str(dead.pk),
            "offered_captives-0-inclusion_status": "included",
        }
    )

    response = client.post(url, data)

    assert response.status_code == 200
    assert f"{dead.case_number} is not held by UKR" in response.content.decode()
    assert not proposal.offered_captives.exists()


def test_offering_and_excluding_through_the_proposal_page(client, caseworker, states):
    client.force_login(caseworker)
    captive = CaptiveFactory()
    proposal = services.exchange_proposal_create(
        acting_user=None,
        title="Swap",
        proposing_state=states["UKR"],
        counterpart_state=states["RUS"],
    )
    url = reverse("admin:diplomacy_exchangeproposal_change", args=[proposal.pk])
    data = admin_form_data(client.get(url).content.decode())
    data.update(
        {
            "offered_captives-TOTAL_FORMS": "1",
            "offered_captives-0-captive": str(captive.pk),
            "offered_captives-0-inclusion_status": "excluded",
            "offered_captives-0-reason": "Seriously ill; goes home separately",
        }
    )

    response = client.post(url, data)

    assert response.status_code == 302
    offer = proposal.offered_captives.get()
    assert (offer.inclusion_status, offer.reason) == (
        "excluded",
        "Seriously ill; goes home separately",
    )
    assert [h.history_user for h in offer.history.order_by("history_id")] == [
        caseworker,
        caseworker,
    ]


def test_adding_a_proposal_in_the_admin_drafts_it(client, caseworker, states):
    client.force_login(caseworker)
    url = reverse("admin:diplomacy_exchangeproposal_add")
    data = admin_form_data(client.get(url).content.decode())
    data.update(
        title="New swap",
        proposing_state=str(states["UKR"].pk),
        counterpart_state=str(states["RUS"].pk),
    )

    assert client.post(url, data).status_code == 302
    proposal = ExchangeProposal.objects.get(title="New swap")
    assert proposal.status == "draft"
    assert proposal.history.get().history_change_reason == "Drafted"


def test_a_transfer_is_approved_and_completed_by_a_supervisor_on_its_page(
    client, caseworker, supervisor, states
):
    captive = CaptiveFactory(nationality=states["PRK"])
    case_services.wish_statement_record(
        acting_user=None,
        captive=captive,
        wish=Wish.DEFECT,
        destination=states["KOR"],
        stated_at=timezone.now() - timezone.timedelta(days=2),
        mode=WishMode.WRITTEN_REQUEST,
        voluntariness=Voluntariness.FREE,
    )
    transfer = services.transfer_request_create(
        acting_user=None, captive=captive, requesting_state=states["KOR"]
    )
    page_url = reverse("admin:diplomacy_transferrequest_change", args=[transfer.pk])
    approve_url = reverse("admin:diplomacy_transferrequest_step", args=[transfer.pk, "approve"])

    client.force_login(caseworker)
    # Formally requested, in bulk from the list (one note verbale may name many).
    client.post(
        reverse("admin:diplomacy_transferrequest_changelist"),
        {"action": "to_requested", "_selected_action": [transfer.pk]},
    )
    caseworker_page = client.get(page_url).content.decode()
    by_hand = page_messages(admin_step(client, transfer, "approve"))
    after_caseworker = TransferRequest.objects.get(pk=transfer.pk).status
    client.force_login(supervisor)
    supervisor_page = client.get(page_url).content.decode()
    approved = page_messages(admin_step(client, transfer, "approve"))
    completed = page_messages(admin_step(client, transfer, "complete"))

    transfer = TransferRequest.objects.get(pk=transfer.pk)
    captive.refresh_from_db()
    assert after_caseworker == TransferStatus.REQUESTED  # approving is not a caseworker's
    assert approve_url not in caseworker_page and approve_url in supervisor_page
    assert by_hand == ["Approve — refused. Your role does not allow you to approve a transfer."]
    assert "Repatriation gate: cleared for handover to KOR" in supervisor_page
    assert approved == ["Transfer approved."]
    assert completed == [f"Transfer completed: {captive.case_number} handed over to KOR."]
    assert transfer.status == TransferStatus.COMPLETED
    assert (captive.custody_status, captive.custodian.code) == ("resettled", "KOR")


def test_a_supervisor_records_a_review_on_the_captive_page(client, supervisor, caseworker, states):
    captive = CaptiveFactory(nationality=states["PRK"])
    url = reverse("admin:cases_captive_change", args=[captive.pk])
    client.force_login(caseworker)
    assert "Record a non-refoulement review" not in client.get(url).content.decode()

    client.force_login(supervisor)
    data = admin_form_data(client.get(url).content.decode())
    prefix = next(n for n in data if n.endswith("-0-decision")).removesuffix("-0-decision")
    data.update(
        {
            f"{prefix}-0-destination": str(states["KOR"].pk),
            f"{prefix}-0-decision": "cleared",
            f"{prefix}-0-reasons": "Asked for asylum in writing.",
        }
    )
    assert client.post(url, data).status_code == 302

    page = client.get(url).content.decode()
    assert "KOR</strong>: cleared — non-refoulement review by sup" in page
