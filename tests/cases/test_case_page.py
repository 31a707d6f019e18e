"""The captive's page as a caseworker works it: a summary at the top (his custody, his wish
beside his latest statement and its assessment, what the repatriation gate says for each state
involved, his next duty, what needs attention) and, as buttons, the steps a caseworker records.
Each button opens a small form page; GET writes nothing, POST goes through the service and comes
back to his page saying what was recorded. A role that may not take a step sees no button for it
and is refused in words when it posts by hand; a linked duplicate gets no buttons at all."""

import html
import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.admin import CASE_ACTIONS
from cases.choices import (
    CUSTODY_TRANSITIONS,
    CustodyEventKind,
    Voluntariness,
    Wish,
    custody_final,
)
from cases.models import Captive, CustodyEvent, NonRefoulementReview, Obligation, WishStatement
from tests.admin_forms import admin_form_data, page_messages

pytestmark = pytest.mark.django_db

ACTION_NAMES = [action.name for action in CASE_ACTIONS]


@pytest.fixture
def demo(demo_loaded: Any, db: Any) -> dict[str, Any]:
    """The demo (loaded once for the module), its logins, and UKR-2025-00002: interned, his only
    statement (`remain`) not assessed, so that no state clears him; offered in Ukraine's open
    exchange proposal."""
    users = {u.username: u for u in get_user_model().objects.all()}
    return {
        "ri": Captive.objects.get(case_number="UKR-2025-00002"),
        **{name: users[name] for name in ["caseworker", "supervisor", "analyst"]},
    }


def login(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def change_url(captive: Captive) -> str:
    return reverse("admin:cases_captive_change", args=[captive.pk])


def action_url(captive: Captive, name: str) -> str:
    return reverse("admin:cases_captive_case_action", args=[captive.pk, name])


def summary_of(client: Client, captive: Captive) -> str:
    """The summary at the top of his page, its tags dropped and its spaces folded."""
    response = client.get(change_url(captive))
    assert response.status_code == 200
    page = response.content.decode()
    found = re.search(r'<section class="case-summary".*?</section>', page, re.S)
    assert found, "the page has no summary"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found.group(0))).split())


def buttons_on(client: Client, captive: Captive) -> set[str]:
    """The action buttons his page shows."""
    page = client.get(change_url(captive)).content.decode()
    return {name for name in ACTION_NAMES if f'href="{action_url(captive, name)}"' in page}


def writes() -> tuple[int, ...]:
    """Everything a button could write, counted (history included)."""
    return (
        CustodyEvent.history.count(),
        WishStatement.history.count(),
        NonRefoulementReview.history.count(),
        Obligation.history.count(),
        Captive.history.count(),
    )


def post_form(client: Client, captive: Captive, name: str, **changes: str) -> Any:
    """Open a button's page, fill in its form as it stands with `changes`, post it, follow."""
    page = client.get(action_url(captive, name))
    assert page.status_code == 200
    data = {**admin_form_data(page.content.decode()), **changes}
    return client.post(action_url(captive, name), data, follow=True)


# --- the summary -----------------------------------------------------------------------------


def test_the_summary_shows_his_wish_not_yet_assessed_and_that_no_state_clears_him(client, demo):
    ri = demo["ri"]
    summary = summary_of(login(client, demo["caseworker"]), ri)
    for expected in [
        "UKR-2025-00002",
        "RI Kwang-myong",
        "리광명",
        "PRK — Democratic People's Republic of Korea",
        "Interned since 2025-02-20 at Prisoner of war camp (location withheld)",
        "Custodian: Ukraine",
        "Effective: none — no statement has been assessed as free",
        "Latest statement: Remain, stated 2025-01-11 (Published video), not yet assessed",
        # The gate for every state involved, those with the same reason together.
        "KOR, PRK, RUS : not cleared — no statement of his has been assessed as free, "
        "and no non-refoulement review clears it",
        "No state clears him for handover.",
        "Next obligation None open",
        "Statement of 2025-01-11 awaiting assessment",
        "On a proposal: Korean People's Army soldiers for Ukrainians held by Russia (Proposed)",
    ]:
        assert expected in summary, expected
    page = client.get(change_url(ri)).content.decode()
    # Held in view by our own stylesheet; the document buttons stay.
    assert "cases/case_page.css" in page
    assert "Capture card" in page and "Case file" in page
    # The add page has no summary.
    add_page = client.get(reverse("admin:cases_captive_add")).content.decode()
    assert "case-summary" not in add_page


def test_the_summary_flags_the_seriously_wounded_and_names_the_next_duty(client, demo):
    supervisor = demo["supervisor"]
    ri = demo["ri"]
    services.captive_update(acting_user=supervisor, captive=ri, health="seriously_wounded")
    duty = Obligation.objects.active().filter(captive=ri, fulfilled_on__isnull=True).get()
    summary = summary_of(login(client, demo["caseworker"]), ri)
    assert "Seriously wounded: to be repatriated regardless of numbers" in summary
    assert (
        "Next obligation Health report, seriously wounded or sick (Art. 122), "
        f"due {duty.due_on:%Y-%m-%d}" in summary
    )


# --- a caseworker ----------------------------------------------------------------------------


def test_a_caseworker_records_a_wish_statement_through_its_button(client, demo):
    ri = demo["ri"]
    login(client, demo["caseworker"])
    assert buttons_on(client, ri) == {"custody-event", "wish"}
    before = writes()
    page = client.get(action_url(ri, "wish"))
    assert page.status_code == 200
    # A caseworker records words; assessing them is not his to do.
    assert 'name="wish"' in page.content.decode()
    assert 'name="voluntariness"' not in page.content.decode()
    assert writes() == before  # GET writes nothing
    when = timezone.localtime() - timedelta(hours=2)
    response = post_form(
        client,
        ri,
        "wish",
        wish=Wish.RETURN,
        stated_at_0=f"{when:%Y-%m-%d}",
        stated_at_1=f"{when:%H:%M:%S}",
        mode="private_interview",
        statement="Now asks to go home.",
        voluntariness="free",  # not a field of his form: ignored
    )
    assert response.redirect_chain[-1][0] == change_url(ri)
    assert page_messages(response) == ["Wish statement recorded: Return, not yet assessed"]
    ri.refresh_from_db()
    latest = ri.latest_wish_statement
    assert (latest.wish, latest.voluntariness) == (Wish.RETURN, Voluntariness.NOT_ASSESSED)
    assert latest.recorded_by == demo["caseworker"]
    summary = summary_of(client, ri)
    assert (
        f"Latest statement: Return, stated {when:%Y-%m-%d} (Private interview without "
        "witnesses (Art. 126)), not yet assessed" in summary
    )
    assert f"Statement of {when:%Y-%m-%d} awaiting assessment" in summary


def test_a_refused_statement_shows_the_services_words_on_its_form(client, demo):
    ri = demo["ri"]
    login(client, demo["caseworker"])
    before = writes()
    response = post_form(
        client,
        ri,
        "wish",
        wish=Wish.RETURN,
        stated_at_0="2024-12-01",  # before his capture
        stated_at_1="10:00:00",
        mode="private_interview",
    )
    assert response.status_code == 200
    assert response.redirect_chain == []
    assert "errornote" in response.content.decode()
    assert writes() == before


def test_a_caseworker_neither_assesses_nor_reviews_even_by_hand(client, demo):
    ri = demo["ri"]
    statement = ri.latest_wish_statement
    login(client, demo["caseworker"])
    assert not {"assess", "review"} & buttons_on(client, ri)
    before = writes()
    # Opening the pages by hand shows no form: the service's refusal, on his page.
    response = client.get(action_url(ri, "assess"), follow=True)
    assert response.redirect_chain[-1][0] == change_url(ri)
    assert page_messages(response) == [
        "Nothing was recorded: Your role does not allow you to assess the voluntariness of a wish."
    ]
    response = client.post(
        action_url(ri, "assess"),
        {"voluntariness": "free", "notes": "", "target": statement.pk},
        follow=True,
    )
    assert page_messages(response) == [
        "Nothing was recorded: Your role does not allow you to assess the voluntariness of a wish."
    ]
    response = client.post(
        action_url(ri, "review"),
        {"destination": ri.power_depended_on_id, "decision": "cleared", "reasons": "None."},
        follow=True,
    )
    assert response.status_code == 200
    assert page_messages(response) == [
        "Nothing was recorded: Your role does not allow you to record a non-refoulement review."
    ]
    statement.refresh_from_db()
    assert statement.voluntariness == Voluntariness.NOT_ASSESSED
    assert writes() == before


# --- a supervisor ----------------------------------------------------------------------------


def test_a_supervisor_assesses_the_latest_statement_and_records_a_review(client, demo):
    ri = demo["ri"]
    statement = ri.latest_wish_statement
    login(client, demo["supervisor"])
    assert buttons_on(client, ri) == {"custody-event", "wish", "assess", "review"}
    page = client.get(action_url(ri, "assess")).content.decode()
    assert "Remain, stated 2025-01-11 (Published video), not yet assessed" in page
    assert "Said he wished to stay in Ukraine" in page
    response = post_form(client, ri, "assess", voluntariness="free", notes="Private interview.")
    assert page_messages(response) == [
        "Wish statement assessed: Remain of 2025-01-11, assessed as free"
    ]
    statement.refresh_from_db()
    assert statement.voluntariness == Voluntariness.FREE
    assert statement.assessed_by == demo["supervisor"]
    summary = summary_of(client, ri)
    assert (
        "Effective: Remain, stated 2025-01-11 (Published video), assessed as free by supervisor"
        in summary
    )
    assert "Latest statement" not in summary
    assert "awaiting assessment" not in summary
    # Nothing awaits assessment now: no button, and the page says so.
    assert "assess" not in buttons_on(client, ri)
    response = client.get(action_url(ri, "assess"), follow=True)
    assert page_messages(response) == ["No statement awaits assessment."]

    kor = ri.involvements.get(state__code="KOR", role="receiving_state").state
    response = post_form(
        client,
        ri,
        "review",
        destination=str(kor.pk),
        decision="cleared",
        reasons="No risk of persecution found.",
    )
    assert page_messages(response) == ["Non-refoulement review recorded: KOR, cleared"]
    summary = summary_of(client, ri)
    assert (
        f"KOR : cleared — non-refoulement review by supervisor on {timezone.now():%Y-%m-%d}"
        in summary
    )
    assert "No state clears him" not in summary


def test_an_assessment_of_a_statement_no_longer_the_latest_is_refused(client, demo):
    ri = demo["ri"]
    old = ri.latest_wish_statement
    login(client, demo["supervisor"])
    page = client.get(action_url(ri, "assess")).content.decode()
    data = {**admin_form_data(page), "voluntariness": "free"}
    assert data["target"] == str(old.pk)
    services.wish_statement_record(
        acting_user=demo["caseworker"],
        captive=ri,
        wish=Wish.RETURN,
        stated_at=timezone.now() - timedelta(hours=1),
        mode="private_interview",
    )
    before = writes()
    response = client.post(action_url(ri, "assess"), data, follow=True)
    assert page_messages(response)[0].startswith(
        "Nothing was recorded: the case has changed since this page was opened."
    )
    assert writes() == before


# --- custody events and obligations ------------------------------------------------------------


def test_a_custody_event_and_the_duty_it_brings_are_recorded_through_their_pages(client, demo):
    ri = demo["ri"]
    login(client, demo["caseworker"])
    when = timezone.localtime() - timedelta(hours=3)
    response = post_form(
        client,
        ri,
        "custody-event",
        kind=CustodyEventKind.HOSPITALIZED,
        occurred_at_0=f"{when:%Y-%m-%d}",
        occurred_at_1=f"{when:%H:%M:%S}",
        place="Military hospital, Kyiv",
    )
    assert page_messages(response) == [f"Custody event recorded: Hospitalized on {when:%Y-%m-%d}"]
    ri.refresh_from_db()
    assert ri.custody_status == CustodyEventKind.HOSPITALIZED
    duty = Obligation.objects.active().filter(captive=ri, fulfilled_on__isnull=True).first()
    assert duty is not None
    summary = summary_of(client, ri)
    assert f"Hospitalized since {when:%Y-%m-%d} at Military hospital, Kyiv" in summary
    assert f"{duty.get_kind_display()}, due {duty.due_on:%Y-%m-%d}" in summary
    assert "fulfil" in buttons_on(client, ri)

    # An event the timeline does not allow is refused on its form, in the service's words.
    before = writes()
    response = post_form(
        client,
        ri,
        "custody-event",
        kind=CustodyEventKind.CAPTURED,
        occurred_at_0=f"{when:%Y-%m-%d}",
        occurred_at_1=f"{when:%H:%M:%S}",
    )
    assert response.redirect_chain == [] and "errornote" in response.content.decode()
    assert writes() == before

    page = client.get(action_url(ri, "fulfil")).content.decode()
    assert f"{duty.get_kind_display()}, due {duty.due_on:%Y-%m-%d}" in page
    response = post_form(
        client,
        ri,
        "fulfil",
        fulfilled_on=f"{timezone.localdate():%Y-%m-%d}",
        reference="NIB-2026-117",
    )
    assert page_messages(response) == [
        f"Obligation fulfilled: {duty.get_kind_display()}, reference NIB-2026-117"
    ]
    duty.refresh_from_db()
    assert (duty.fulfilled_on, duty.reference) == (timezone.localdate(), "NIB-2026-117")


# --- roles that may not, and a linked duplicate --------------------------------------------------


def test_an_analyst_sees_no_buttons_and_every_post_is_refused(client, demo):
    ri = demo["ri"]
    login(client, demo["analyst"])
    summary = summary_of(client, ri)
    assert "not yet assessed" in summary
    assert buttons_on(client, ri) == set()
    assert 'class="case-actions"' not in client.get(change_url(ri)).content.decode()
    before = writes()
    now = timezone.localtime() - timedelta(hours=1)
    posts = {
        "custody-event": {
            "kind": "hospitalized",
            "occurred_at_0": f"{now:%Y-%m-%d}",
            "occurred_at_1": f"{now:%H:%M:%S}",
        },
        "wish": {
            "wish": "return",
            "stated_at_0": f"{now:%Y-%m-%d}",
            "stated_at_1": f"{now:%H:%M:%S}",
            "mode": "private_interview",
        },
        "assess": {"voluntariness": "free", "target": ri.latest_wish_statement_id},
        "review": {"destination": ri.power_depended_on_id, "decision": "cleared", "reasons": "x"},
        "fulfil": {"fulfilled_on": f"{now:%Y-%m-%d}", "reference": "X"},
    }
    for name, data in posts.items():
        response = client.post(action_url(ri, name), data, follow=True)
        assert response.status_code == 200, name
        assert response.redirect_chain[-1][0] == change_url(ri), name
        [message] = page_messages(response)
        assert message.startswith("Nothing was recorded: Your role does not allow you to"), name
    assert writes() == before


def test_a_linked_duplicate_has_no_buttons_and_is_refused(client, demo):
    ri = demo["ri"]
    duplicate = services.captive_register(
        acting_user=None,
        detaining_power=ri.detaining_power,
        nationality=ri.nationality,
        power_depended_on=ri.power_depended_on,
        family_name="Ri",
        given_names="Kwang-myong",
        captured_on=ri.captured_on,
        service_number="DUP-0002",
    )
    services.duplicate_decide(acting_user=None, captive=duplicate, other=ri, decision="same_person")
    login(client, demo["supervisor"])
    assert duplicate.case_number in summary_of(client, duplicate)
    assert buttons_on(client, duplicate) == set()
    before = writes()
    for name in ACTION_NAMES:
        response = client.get(action_url(duplicate, name), follow=True)
        assert response.redirect_chain[-1][0] == change_url(duplicate), name
        [message] = page_messages(response)
        assert "is a linked duplicate of UKR-2025-00002 and is read-only" in message, name
    response = client.post(
        action_url(duplicate, "wish"),
        {
            "wish": "return",
            "stated_at_0": "2025-02-01",
            "stated_at_1": "10:00:00",
            "mode": "private_interview",
        },
        follow=True,
    )
    assert "is a linked duplicate" in page_messages(response)[0]
    assert writes() == before


def test_the_pages_answer_only_get_and_post_and_only_their_own_names(client, demo):
    ri = demo["ri"]
    login(client, demo["supervisor"])
    before = writes()
    for name in ACTION_NAMES:
        if name == "fulfil":
            continue  # he has no open duty
        assert client.get(action_url(ri, name)).status_code == 200, name
        assert client.put(action_url(ri, name)).status_code == 405, name
    assert client.get(action_url(ri, "delete")).status_code == 404
    assert writes() == before
    # Signed out: the admin's login page, nothing else.
    client.logout()
    response = client.post(action_url(ri, "wish"), {"wish": "return"})
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert writes() == before


def test_a_post_without_the_csrf_token_is_refused(demo):
    ri = demo["ri"]
    client = login(Client(enforce_csrf_checks=True), demo["caseworker"])
    before = writes()
    now = timezone.localtime() - timedelta(hours=1)
    response = client.post(
        action_url(ri, "wish"),
        {
            "wish": "return",
            "stated_at_0": f"{now:%Y-%m-%d}",
            "stated_at_1": f"{now:%H:%M:%S}",
            "mode": "private_interview",
        },
    )
    assert response.status_code == 403
    assert writes() == before


# --- a case that has ended --------------------------------------------------------------------


def test_no_custody_event_is_offered_or_taken_once_the_status_ends_the_case(client, demo):
    ri = demo["ri"]
    services.custody_event_record(
        acting_user=demo["caseworker"],
        captive=ri,
        kind=CustodyEventKind.DECEASED,
        occurred_at=timezone.now() - timedelta(hours=1),
    )
    ri.refresh_from_db()
    assert custody_final(ri.custody_status)
    login(client, demo["supervisor"])
    assert "custody-event" not in buttons_on(client, ri)
    assert "wish" in buttons_on(client, ri)  # the rest of his case is still recorded
    before = writes()
    refusal = "Nothing was recorded: “Deceased” ends the case: no custody event can follow it."
    response = client.get(action_url(ri, "custody-event"), follow=True)
    assert response.redirect_chain[-1][0] == change_url(ri)
    assert page_messages(response) == [refusal]
    when = timezone.localtime()
    response = client.post(
        action_url(ri, "custody-event"),
        {
            "kind": "repatriated",
            "occurred_at_0": f"{when:%Y-%m-%d}",
            "occurred_at_1": f"{when:%H:%M:%S}",
        },
        follow=True,
    )
    assert page_messages(response) == [refusal]
    assert writes() == before


def test_the_final_statuses_are_those_the_transition_table_lets_nothing_follow():
    assert {s for s in CustodyEventKind.values if custody_final(s)} == {
        status for status, following in CUSTODY_TRANSITIONS.items() if status and not following
    }
    assert not custody_final("") and not custody_final(CustodyEventKind.INTERNED)


# --- the page in sections ---------------------------------------------------------------------


def test_the_page_is_in_sections_in_order_with_a_menu_and_no_duplicated_summary(client, demo):
    ri = demo["ri"]
    login(client, demo["caseworker"])
    page = client.get(change_url(ri)).content.decode()
    anchors = re.findall(r'<section class="case-section[^"]*" id="([^"]+)"', page)
    assert anchors == [
        f"case-{name}"
        for name in [
            "identity",
            "timeline",
            "wishes",
            "reviews",
            "states",
            "media",
            "obligations",
            "documents",
            "history",
        ]
    ]
    menu = re.search(r'<nav class="case-menu".*?</nav>', page, re.S).group(0)
    assert re.findall(r'href="#([^"]+)"', menu) == anchors
    # The old fields that said what the summary says are gone from the form.
    for field in ["field-custody_summary", "field-clearance", "field-case_number"]:
        assert field not in page, field
    # Each inline sits under its section.
    sections = dict(
        re.findall(r'<section class="case-section[^"]*" id="case-(\w+)"(.*?)</section>', page, re.S)
    )
    assert "Custody timeline" in sections["timeline"]
    assert "Wish statements" in sections["wishes"]
    assert "Involved states" in sections["states"]
    assert "Other renderings of the name" in sections["identity"]
    assert 'name="family_name"' in sections["identity"]
    assert reverse("admin:cases_captive_history", args=[ri.pk]) in sections["history"]
    # The blank forms of the page itself are still there, folded away.
    assert '<details class="case-record">' in sections["wishes"]
