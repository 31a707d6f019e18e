"""The steps of a proposal and of a transfer request as buttons on their admin pages: only the
steps the table allows from where it stands, only for a role that takes them; everything else is
absent and refused by hand, in words, never a 500."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from cases import services as case_services
from cases.choices import CustodyEventKind, Voluntariness
from cases.models import Captive
from diplomacy import services
from diplomacy.choices import InclusionStatus, ProposalStatus
from diplomacy.models import ExchangeProposal
from powtracker.admin_steps import record_version
from states.models import State
from tests.admin_forms import admin_form_data, admin_step, page_messages

pytestmark = pytest.mark.django_db

P = ProposalStatus
PROPOSAL_STEPS = ["submit", "negotiate", "agree", "execute", "reject", "withdraw", "expire"]


@pytest.fixture
def kursk(demo_loaded, db):
    """The demo's Kursk proposal (proposed: two KPA soldiers offered to PRK, neither's wish
    assessed yet) and the demo's logins; the demo is loaded once for the module."""
    users = {u.username: u for u in get_user_model().objects.all()}
    return {
        "proposal": ExchangeProposal.objects.get(proposing_state__code="UKR"),
        "first": Captive.objects.get(case_number="UKR-2025-00001"),
        "second": Captive.objects.get(case_number="UKR-2025-00002"),
        **{name: users[name] for name in ["caseworker", "supervisor", "analyst"]},
    }


def page_of(client: Client, proposal: ExchangeProposal) -> str:
    url = reverse("admin:diplomacy_exchangeproposal_change", args=[proposal.pk])
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def step_url(proposal: ExchangeProposal, name: str) -> str:
    return reverse("admin:diplomacy_exchangeproposal_step", args=[proposal.pk, name])


def reopen_url(proposal: ExchangeProposal) -> str:
    return reverse("admin:diplomacy_exchangeproposal_step_reason", args=[proposal.pk, "reopen"])


def offered(page: str, proposal: ExchangeProposal) -> set[str]:
    """The steps the page offers as buttons (and the reopen link)."""
    names = {name for name in PROPOSAL_STEPS if f'action="{step_url(proposal, name)}"' in page}
    if f'href="{reopen_url(proposal)}"' in page:
        names.add("reopen")
    return names


def test_a_supervisor_agrees_and_executes_the_kursk_proposal_from_its_page(client, kursk):
    proposal, supervisor = kursk["proposal"], kursk["supervisor"]
    client.force_login(supervisor)
    before = page_of(client, proposal)
    # The rules allow it once the first soldier's wish to return is assessed as free and the
    # second, who wishes to remain, is excluded with the reason.
    case_services.wish_statement_assess(
        acting_user=supervisor,
        statement=kursk["first"].latest_wish_statement,
        voluntariness=Voluntariness.FREE,
        notes="Confirmed in a private interview without witnesses (Art. 126).",
    )
    services.exchange_offer_set_inclusion(
        acting_user=supervisor,
        offer=proposal.offered_captives.get(captive=kursk["second"]),
        inclusion_status=InclusionStatus.EXCLUDED,
        reason="Wishes to remain; decision left to the authorities.",
    )
    ready = page_of(client, proposal)

    agreed = admin_step(client, proposal, "agree")
    executed = admin_step(client, proposal, "execute")

    proposal.refresh_from_db()
    first, second = (Captive.objects.get(pk=kursk[n].pk) for n in ["first", "second"])
    assert offered(before, proposal) == {"negotiate", "agree", "reject", "withdraw", "expire"}
    assert "Repatriation gate: 1 of 1 cleared for handover to PRK." in ready
    assert agreed.redirect_chain[-1][0] == reverse(
        "admin:diplomacy_exchangeproposal_change", args=[proposal.pk]
    )
    assert page_messages(agreed) == ["Proposal agreed."]
    assert offered(agreed.content.decode(), proposal) == {
        "execute",
        "reopen",
        "withdraw",
        "expire",
    }
    assert page_messages(executed) == ["Proposal executed: 1 captive handed over to PRK."]
    assert proposal.status == P.EXECUTED
    assert (first.custody_status, first.custodian.code) == (CustodyEventKind.EXCHANGED, "PRK")
    assert second.custody_status == CustodyEventKind.INTERNED
    after = executed.content.decode()
    assert offered(after, proposal) == set()
    assert "It is final: no step follows." in after
    assert "Repatriation gate" not in after  # nobody more is handed over by it
    assert proposal.history.latest("history_id").history_user == supervisor


def test_each_offered_captive_shows_his_clearance_for_the_counterpart(client, kursk):
    proposal, supervisor = kursk["proposal"], kursk["supervisor"]
    client.force_login(supervisor)
    neither = page_of(client, proposal)
    case_services.wish_statement_assess(
        acting_user=supervisor,
        statement=kursk["first"].latest_wish_statement,
        voluntariness=Voluntariness.FREE,
        notes="Private interview.",
    )

    one = page_of(client, proposal)

    assert "Repatriation gate: 0 of 2 cleared for handover to PRK." in neither
    assert "Not cleared: UKR-2025-00001, UKR-2025-00002" in neither
    assert "Repatriation gate: 1 of 2 cleared for handover to PRK." in one
    assert "Not cleared: UKR-2025-00002 " in one
    assert "Cleared for PRK</strong> — his free wish is to return" in one
    assert (
        "NOT cleared for PRK</strong> — no statement of his has been assessed as free, "
        "and no non-refoulement review clears it" in one
    )


def test_a_caseworker_submits_but_is_offered_no_agreement_or_execution(client, kursk):
    caseworker, supervisor, kursk_proposal = (
        kursk["caseworker"],
        kursk["supervisor"],
        kursk["proposal"],
    )
    client.force_login(caseworker)
    draft = services.exchange_proposal_create(
        acting_user=caseworker,
        title="A second swap",
        proposing_state=kursk_proposal.proposing_state,
        counterpart_state=kursk_proposal.counterpart_state,
    )
    services.exchange_offer_add(acting_user=caseworker, proposal=draft, captive=kursk["first"])
    draft_page = page_of(client, draft)

    submitted = admin_step(client, draft, "submit")
    by_hand = admin_step(client, draft, "agree")
    services.exchange_proposal_transition(
        acting_user=supervisor, proposal=draft, to_status=P.AGREED
    )
    agreed_page = page_of(client, draft)
    execute_by_hand = admin_step(client, draft, "execute")
    reopen_by_hand = client.get(reopen_url(draft), follow=True)

    draft.refresh_from_db()
    assert offered(draft_page, draft) == {"submit", "withdraw"}
    assert page_messages(submitted) == ["Proposal submitted to the counterpart."]
    assert offered(submitted.content.decode(), draft) == {
        "negotiate",
        "reject",
        "withdraw",
        "expire",
    }
    assert page_messages(by_hand) == [
        "Agree — refused. Your role does not allow you to agree an exchange."
    ]
    assert offered(agreed_page, draft) == {"withdraw", "expire"}
    assert page_messages(execute_by_hand) == [
        "Execute: hand over the included captives — refused. "
        "Your role does not allow you to execute an exchange."
    ]
    assert page_messages(reopen_by_hand) == [
        "Your role does not allow you to reopen an agreed exchange."
    ]
    assert draft.status == P.AGREED


def test_an_analyst_sees_no_buttons_and_is_refused_when_posting_by_hand(client, kursk):
    proposal = kursk["proposal"]
    client.force_login(kursk["analyst"])

    page = page_of(client, proposal)
    refusals = {name: page_messages(admin_step(client, proposal, name)) for name in PROPOSAL_STEPS}
    reopen_form = client.get(reopen_url(proposal))

    proposal.refresh_from_db()
    assert offered(page, proposal) == set()
    assert "/step/" not in page
    assert "No step from here is one your role takes." in page
    assert refusals["agree"] == [
        "Agree — refused. Your role does not allow you to agree an exchange."
    ]
    assert refusals["execute"] == [
        "Execute: hand over the included captives — refused. "
        "Your role does not allow you to execute an exchange."
    ]
    for name, label in [
        ("submit", "Submit to the counterpart"),
        ("negotiate", "Mark under negotiation"),
        ("reject", "Mark rejected"),
        ("withdraw", "Withdraw"),
        ("expire", "Mark expired"),
    ]:
        assert refusals[name] == [
            f"{label} — refused. Your role does not allow you to change an exchange."
        ], name
    assert reopen_form.status_code == 302
    assert proposal.status == P.PROPOSED
    assert not proposal.history.filter(history_user=kursk["analyst"]).exists()


def test_executing_a_proposed_proposal_says_it_must_be_agreed_first(client, kursk):
    proposal = kursk["proposal"]
    client.force_login(kursk["supervisor"])

    by_hand = admin_step(client, proposal, "execute")
    api = f"/api/v1/exchange-proposals/{proposal.pk}/"
    etag = client.get(api)["ETag"]
    through_api = client.post(f"{api}execute/", HTTP_IF_MATCH=etag)

    proposal.refresh_from_db()
    said = "It is “Proposed”: it must be agreed before it is executed."
    assert page_messages(by_hand) == [f"Execute: hand over the included captives — refused. {said}"]
    assert "may not be handed to" not in by_hand.content.decode()
    assert through_api.status_code == 409, through_api.content
    assert through_api.json()["error"]["message"] == said
    assert proposal.status == P.PROPOSED


def test_a_supervisor_reopens_with_a_reason_on_its_own_page(client, kursk):
    proposal, supervisor = kursk["proposal"], kursk["supervisor"]
    services.exchange_proposal_transition(
        acting_user=supervisor, proposal=proposal, to_status=P.AGREED
    )
    client.force_login(supervisor)
    form = client.get(reopen_url(proposal))
    data = admin_form_data(form.content.decode())

    blank = client.post(step_url(proposal, "reopen"), {**data, "reason": "  "}, follow=True)
    reopened = client.post(
        step_url(proposal, "reopen"),
        {**data, "reason": "PRK asks for a third soldier"},
        follow=True,
    )

    proposal.refresh_from_db()
    assert form.status_code == 200
    assert 'name="reason"' in form.content.decode()
    assert blank.redirect_chain[-1][0] == reopen_url(proposal)
    assert page_messages(blank) == [
        "Reopen negotiation — refused. Say why the agreement is reopened."
    ]
    assert page_messages(reopened) == ["Proposal reopened for negotiation."]
    assert proposal.status == P.UNDER_NEGOTIATION
    assert proposal.history.latest("history_id").history_change_reason == (
        "Reopened: PRK asks for a third soldier"
    )


def test_a_step_is_refused_if_the_proposal_changed_since_its_page_was_read(client, kursk):
    proposal, supervisor = kursk["proposal"], kursk["supervisor"]
    client.force_login(supervisor)
    version = record_version(proposal)
    # Meanwhile a caseworker excludes one of the two soldiers.
    services.exchange_offer_set_inclusion(
        acting_user=kursk["caseworker"],
        offer=proposal.offered_captives.get(captive=kursk["second"]),
        inclusion_status=InclusionStatus.EXCLUDED,
        reason="Wishes to remain.",
    )

    stale = client.post(step_url(proposal, "agree"), {"version": version}, follow=True)
    without = client.post(step_url(proposal, "agree"), follow=True)

    proposal.refresh_from_db()
    changed = (
        "Agree — refused. It has changed since its page was opened: "
        "look at it again before you take the step."
    )
    assert page_messages(stale) == [changed]
    assert page_messages(without) == [changed]
    assert proposal.status == P.PROPOSED


def test_the_step_urls_answer_get_with_405_and_junk_without_a_500(client, kursk):
    proposal = kursk["proposal"]
    client.force_login(kursk["supervisor"])

    got = client.get(step_url(proposal, "agree"))
    unknown = admin_step(client, proposal, "promote")
    missing = client.post(reverse("admin:diplomacy_exchangeproposal_step", args=[10**30, "agree"]))
    reason_by_post = client.post(reopen_url(proposal))

    assert got.status_code == 405
    assert page_messages(unknown) == ["There is no such step."]
    assert missing.status_code == 302
    assert reason_by_post.status_code == 405
    proposal.refresh_from_db()
    assert proposal.status == P.PROPOSED


def test_the_lists_keep_only_the_steps_that_make_sense_in_bulk(client, kursk):
    client.force_login(kursk["supervisor"])

    def actions(model: str) -> set[str]:
        response = client.get(reverse(f"admin:diplomacy_{model}_changelist"))
        return {name for name, _label in response.context["action_form"].fields["action"].choices}

    assert actions("exchangeproposal") - {"", "export"} == {"to_expired"}
    assert actions("transferrequest") - {"", "export"} == {"to_requested", "to_withdrawn"}


def test_a_transfer_page_offers_each_role_its_steps(client, kursk):
    transfer = services.transfer_request_create(
        acting_user=None, captive=kursk["second"], requesting_state=State.objects.get(code="KOR")
    )
    url = reverse("admin:diplomacy_transferrequest_change", args=[transfer.pk])

    def steps(username: str) -> set[str]:
        client.force_login(kursk[username])
        page = client.get(url).content.decode()
        return {
            name
            for name in ["request", "approve", "complete", "reject", "withdraw"]
            if reverse("admin:diplomacy_transferrequest_step", args=[transfer.pk, name]) in page
        }

    at_intent = {role: steps(role) for role in ["caseworker", "supervisor", "analyst"]}
    services.transfer_request_transition(acting_user=None, transfer=transfer, to_status="requested")
    at_request = {role: steps(role) for role in ["caseworker", "supervisor", "analyst"]}
    client.force_login(kursk["supervisor"])
    refused = admin_step(client, transfer, "complete")

    assert at_intent == {
        "caseworker": {"request", "withdraw"},
        "supervisor": {"request", "withdraw"},
        "analyst": set(),
    }
    assert at_request == {
        "caseworker": {"withdraw"},
        "supervisor": {"approve", "reject", "withdraw"},
        "analyst": set(),
    }
    assert page_messages(refused) == [
        "Complete: hand him over — refused. "
        "It is “Formally requested”: it cannot become “Completed”. "
        "Allowed next: Approved, Rejected, Withdrawn."
    ]
