"""The caseworkers' admin: every page loads, rules hold through its forms, lists stay cheap."""

from datetime import date, datetime, timedelta

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.choices import CustodyEventKind, NameSystem, Voluntariness, Wish, WishMode
from cases.models import Captive, CustodyEvent, WishStatement
from tests.admin_forms import admin_form_data, inline_prefix
from tests.factories import CaptiveFactory

pytestmark = pytest.mark.django_db

K = CustodyEventKind
REGISTERED = sorted(
    (model._meta.app_label, model._meta.model_name)
    for model in admin.site._registry
    if model._meta.app_label in {"states", "cases", "diplomacy"}
)


def at(day: date) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, 12))


@pytest.mark.parametrize(("app", "model"), REGISTERED)
def test_every_admin_page_loads_for_a_caseworker(client, caseworker, one_of_each, app, model):
    client.force_login(caseworker)
    model_class = next(m for m in admin.site._registry if m._meta.model_name == model)
    obj = model_class.objects.first()

    changelist = client.get(reverse(f"admin:{app}_{model}_changelist"))
    change = client.get(reverse(f"admin:{app}_{model}_change", args=[obj.pk]))
    history = client.get(reverse(f"admin:{app}_{model}_history", args=[obj.pk]))

    assert changelist.status_code == 200
    assert change.status_code == 200
    assert history.status_code == 200
    assert b'class="deletelink"' not in change.content


@pytest.mark.parametrize(("app", "model"), REGISTERED)
def test_every_admin_page_is_refused_to_an_anonymous_user(client, one_of_each, app, model):
    response = client.get(reverse(f"admin:{app}_{model}_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_nobody_can_delete_from_the_admin(admin_client, one_of_each):
    response = admin_client.get(reverse("admin:cases_captive_delete", args=[one_of_each.pk]))
    listing = admin_client.get(reverse("admin:cases_captive_changelist"))

    assert response.status_code == 403
    assert b"delete_selected" not in listing.content
    assert Captive.objects.filter(pk=one_of_each.pk).exists()


def test_an_analyst_reads_but_cannot_change(client, analyst, one_of_each):
    client.force_login(analyst)
    url = reverse("admin:cases_captive_change", args=[one_of_each.pk])

    assert client.get(url).status_code == 200
    assert client.get(reverse("admin:cases_captive_add")).status_code == 403
    assert client.post(url, {"family_name": "Changed"}).status_code == 403
    one_of_each.refresh_from_db()
    assert one_of_each.family_name != "Changed"


def test_the_captive_list_uses_a_fixed_number_of_queries(client, caseworker, states):
    client.force_login(caseworker)
    url = reverse("admin:cases_captive_changelist")
    for _ in range(3):
        captive = CaptiveFactory(names=[(NameSystem.CYRILLIC, "Тестов")])
        services.wish_statement_record(
            acting_user=None,
            captive=captive,
            wish=Wish.DEFECT,
            destination=states["KOR"],
            stated_at=at(date(2025, 1, 10)),
            mode=WishMode.WRITTEN_REQUEST,
            voluntariness=Voluntariness.FREE,
        )
    client.get(url)  # warm the session and content-type caches

    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for _ in range(30):
        CaptiveFactory(nationality=states["PRK"])
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)

    assert response.context["cl"].result_count == 33
    assert len(many) == len(few), "\n".join(q["sql"] for q in many.captured_queries)
    assert len(many) <= 12


@pytest.mark.parametrize(
    "term", ["UKR-2025-00001", "박성일", "Pak Sŏng-il", "Пак Сон Иль", "KPA-77", "Song-il"]
)
def test_search_covers_case_number_every_name_rendering_and_service_number(
    client, caseworker, states, term
):
    client.force_login(caseworker)
    CaptiveFactory(
        family_name="Pak",
        given_names="Song-il",
        name_original="박성일",
        service_number="KPA-77",
        names=[(NameSystem.MCCUNE_REISCHAUER, "Pak Sŏng-il"), (NameSystem.CYRILLIC, "Пак Сон Иль")],
    )
    CaptiveFactory(family_name="Other")

    response = client.get(reverse("admin:cases_captive_changelist"), {"q": term})

    assert [c.family_name for c in response.context["cl"].result_list] == ["Pak"]


def test_adding_a_captive_registers_him_with_a_case_number(client, caseworker, states):
    client.force_login(caseworker)
    url = reverse("admin:cases_captive_add")
    data = admin_form_data(client.get(url).content.decode())
    data.update(
        family_name="Kim",
        given_names="Chol",
        captured_on="2025-01-09",
        detaining_power=str(states["UKR"].pk),
        nationality=str(states["PRK"].pk),
        **{"names-TOTAL_FORMS": "1", "names-0-system": "hangul", "names-0-full_name": "김철"},
    )
    data["names-0-system"] = NameSystem.MCCUNE_REISCHAUER

    response = client.post(url, data)

    assert response.status_code == 302, response.context["errors"] if response.context else ""
    captive = Captive.objects.get(family_name="Kim")
    assert captive.case_number == "UKR-2025-00001"
    assert captive.custody_status == K.CAPTURED
    assert list(captive.names.values_list("full_name", flat=True)) == ["김철"]
    assert captive.history.earliest("history_id").history_user == caseworker


def test_a_declined_item_with_a_value_is_refused_in_the_form(client, caseworker, states):
    client.force_login(caseworker)
    captive = CaptiveFactory()
    url = reverse("admin:cases_captive_change", args=[captive.pk])
    data = admin_form_data(client.get(url).content.decode())
    data.update(rank="Private", rank_declined="on")

    response = client.post(url, data)

    assert response.status_code == 200
    assert "Rank is marked declined" in response.content.decode()
    captive.refresh_from_db()
    assert captive.rank == ""


def _post_record(client, captive, **fields):
    url = reverse("admin:cases_captive_change", args=[captive.pk])
    data = admin_form_data(client.get(url).content.decode())
    key = next(iter(fields))
    prefix = inline_prefix(data, key)
    for name, value in fields.items():
        data[f"{prefix}-0-{name}"] = value
    return client.post(url, data)


def test_a_forbidden_custody_event_shows_why_and_writes_nothing(client, caseworker, states):
    client.force_login(caseworker)
    captive = CaptiveFactory(captured_on=date(2025, 1, 1))
    services.custody_event_record(
        acting_user=None, captive=captive, kind=K.HOSPITALIZED, occurred_at=at(date(2025, 1, 2))
    )
    history_rows = captive.history.count()

    response = _post_record(
        client, captive, kind=K.CAPTURED, occurred_at_0="2025-01-05", occurred_at_1="10:00"
    )

    assert response.status_code == 200
    assert "“Captured” cannot follow “Hospitalized”" in response.content.decode()
    assert captive.custody_events.count() == 2
    assert captive.history.count() == history_rows


def test_a_closed_case_offers_no_blank_custody_event_and_takes_none_by_hand(
    client, caseworker, states
):
    """Once his status ends the case, the page has no blank custody event (the transition
    table lets nothing follow); the same form posted by hand writes nothing."""
    client.force_login(caseworker)
    living = CaptiveFactory(captured_on=date(2025, 1, 1))
    dead = CaptiveFactory(captured_on=date(2025, 1, 1))
    services.custody_event_record(
        acting_user=None, captive=dead, kind=K.DECEASED, occurred_at=at(date(2025, 1, 3))
    )
    url = reverse("admin:cases_captive_change", args=[dead.pk])
    page = admin_form_data(client.get(url).content.decode())
    prefix = inline_prefix(
        admin_form_data(
            client.get(reverse("admin:cases_captive_change", args=[living.pk])).content.decode()
        ),
        "kind",
    )
    assert not any(name.startswith(f"{prefix}-0-") for name in page)
    history_rows = dead.history.count()

    forged = {
        **page,
        f"{prefix}-TOTAL_FORMS": "1",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-0-kind": K.EXCHANGED,
        f"{prefix}-0-occurred_at_0": "2025-01-05",
        f"{prefix}-0-occurred_at_1": "10:00",
    }
    client.post(url, forged)

    assert dead.custody_events.count() == 2
    assert dead.history.count() == history_rows


def test_an_allowed_custody_event_is_recorded_through_the_service(client, caseworker, states):
    client.force_login(caseworker)
    captive = CaptiveFactory(captured_on=date(2025, 1, 1))

    response = _post_record(
        client,
        captive,
        kind=K.HOSPITALIZED,
        occurred_at_0="2025-01-02",
        occurred_at_1="10:00",
        place="Hospital 3",
    )

    assert response.status_code == 302
    captive.refresh_from_db()
    event = captive.custody_events.latest("occurred_at")
    assert (captive.custody_status, captive.custody_place) == (K.HOSPITALIZED, "Hospital 3")
    assert event.recorded_by == caseworker
    assert (
        captive.history.latest("history_id").history_change_reason == "Custody event: Hospitalized"
    )


def test_a_caseworker_records_words_and_only_a_supervisor_assesses_them(
    client, caseworker, supervisor, states
):
    captive = CaptiveFactory()
    url = reverse("admin:cases_captive_change", args=[captive.pk])
    client.force_login(caseworker)
    caseworker_form = admin_form_data(client.get(url).content.decode())
    client.force_login(supervisor)
    supervisor_form = admin_form_data(client.get(url).content.decode())

    assert not any(name.endswith("-0-voluntariness") for name in caseworker_form)
    assert any(name.endswith("-0-voluntariness") for name in supervisor_form)


def test_a_wish_recorded_in_the_admin_supersedes_and_updates_the_effective_wish(
    client, supervisor, states
):
    client.force_login(supervisor)
    captive = CaptiveFactory()

    refused = _post_record(
        client,
        captive,
        wish=Wish.DEFECT,
        stated_at_0="2025-02-01",
        stated_at_1="10:00",
        mode=WishMode.PRIVATE_INTERVIEW,
        voluntariness=Voluntariness.FREE,
    )
    accepted = _post_record(
        client,
        captive,
        wish=Wish.DEFECT,
        destination=str(states["KOR"].pk),
        stated_at_0="2025-02-01",
        stated_at_1="10:00",
        mode=WishMode.PRIVATE_INTERVIEW,
        voluntariness=Voluntariness.FREE,
    )

    assert refused.status_code == 200
    assert "A wish to defect names the state" in refused.content.decode()
    assert accepted.status_code == 302
    captive.refresh_from_db()
    assert captive.effective_wish == Wish.DEFECT
    assert captive.effective_wish_destination == states["KOR"]
    assert captive.wish_statements.get().assessed_by == supervisor


def test_voiding_from_the_event_page_keeps_the_event_and_says_why(client, caseworker, states):
    client.force_login(caseworker)
    captive = CaptiveFactory(captured_on=date(2025, 1, 1))
    escape = services.custody_event_record(
        acting_user=None, captive=captive, kind=K.ESCAPED, occurred_at=at(date(2025, 1, 2))
    )
    services.custody_event_record(
        acting_user=None, captive=captive, kind=K.CAPTURED, occurred_at=at(date(2025, 1, 3))
    )
    recapture = captive.custody_events.latest("occurred_at")

    refused = client.post(
        reverse("admin:cases_custodyevent_change", args=[escape.pk]),
        {"void_with_reason": "Typo"},
    )
    voided = client.post(
        reverse("admin:cases_custodyevent_change", args=[recapture.pk]),
        {"void_with_reason": "Entered twice"},
    )

    assert refused.status_code == 200
    assert "impossible timeline" in refused.content.decode()
    assert voided.status_code == 302
    recapture.refresh_from_db()
    captive.refresh_from_db()
    assert (recapture.void_reason, recapture.voided_by) == ("Entered twice", caseworker)
    assert captive.custody_status == K.ESCAPED
    page = client.get(reverse("admin:cases_captive_change", args=[captive.pk])).content.decode()
    assert "VOID: Entered twice" in page


def test_voiding_a_wish_from_its_page(client, supervisor, states):
    # The statement is assessed: voiding it is a supervisor's decision.
    client.force_login(supervisor)
    captive = CaptiveFactory()
    statement = services.wish_statement_record(
        acting_user=None,
        captive=captive,
        wish=Wish.RETURN,
        stated_at=at(date(2025, 1, 10)),
        mode=WishMode.PUBLISHED_VIDEO,
        voluntariness=Voluntariness.FREE,
    )

    response = client.post(
        reverse("admin:cases_wishstatement_change", args=[statement.pk]),
        {"void_with_reason": "Recorded for the wrong captive"},
    )

    assert response.status_code == 302
    captive.refresh_from_db()
    assert captive.effective_wish == ""
    assert (
        WishStatement.objects.get(pk=statement.pk).void_reason == "Recorded for the wrong captive"
    )
    assert CustodyEvent.objects.filter(captive=captive).count() == 1


def test_the_captive_page_shows_timeline_wishes_involvements_media_and_obligations(
    client, caseworker, one_of_each
):
    client.force_login(caseworker)
    page = client.get(reverse("admin:cases_captive_change", args=[one_of_each.pk])).content.decode()

    for heading in [
        "Custody timeline",
        "Record a custody event",
        "Wish statements",
        "Record a wish statement",
        "Involved states",
        "Media",
        "Obligations",
        "Other renderings of the name",
    ]:
        assert heading in page, heading
    assert "NOT verified" in page
    assert reverse("admin:cases_captive_history", args=[one_of_each.pk]) in page


def test_the_captive_page_says_a_newer_unassessed_statement_suspends_his_consent(
    client, caseworker, states
):
    captive = CaptiveFactory(nationality=states["PRK"], power_depended_on=states["PRK"])
    for wish, voluntariness, day in [
        (Wish.RETURN, Voluntariness.FREE, date(2025, 1, 10)),
        (Wish.REMAIN, Voluntariness.NOT_ASSESSED, date(2025, 2, 10)),
    ]:
        services.wish_statement_record(
            acting_user=None,
            captive=captive,
            wish=wish,
            stated_at=at(day),
            mode=WishMode.CASEWORKER_INTERVIEW,
            voluntariness=voluntariness,
        )
    client.force_login(caseworker)

    page = client.get(reverse("admin:cases_captive_change", args=[captive.pk])).content.decode()

    assert (
        "his statement of 2025-02-10 (“Remain in the detaining state”) is newer and not yet "
        "assessed" in page
    )
    # The summary at the top says it for each state (the old "may be handed to" field is gone).
    assert "PRK</strong>: not cleared — his newer statement of 2025-02-10" in page


def test_adding_a_captive_captured_tomorrow_is_refused_in_words(client, caseworker, states):
    client.force_login(caseworker)
    url = reverse("admin:cases_captive_add")
    data = admin_form_data(client.get(url).content.decode())
    data.update(
        family_name="Kim",
        given_names="Chol",
        captured_on=(timezone.localdate() + timedelta(days=1)).isoformat(),
        detaining_power=str(states["UKR"].pk),
        nationality=str(states["PRK"].pk),
    )

    response = client.post(url, data)

    assert response.status_code == 200
    assert "The capture date is in the future." in response.content.decode()
    refusals = response.context["adminform"].form.errors.as_data()["captured_on"]
    assert [refusal.code for refusal in refusals] == ["event_in_future"]
    assert not Captive.objects.filter(family_name="Kim").exists()
