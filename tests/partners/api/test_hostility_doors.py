"""Who is hostile, whichever door his facts came in by (rule 4; issue 16).

The release before this one decided hostility from the captive's own power and ally fields, and
visibility from involvements. A North Korean registered by import, with PRK and RUS then named
through the involvement form, had his `defect` wish read by both. Here the same case is built
through each registration door (the admin's form, the API, an import), his power and its ally are
named through the admin's involvement form, and two worlds that differ only in his free wish to
defect are crawled as PRK and as RUS: every answer must be the same bytes — and every
notification their webhook endpoints are sent.
"""

from datetime import date, timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from cases import services as case_services
from cases.choices import InvolvementRole, Voluntariness, Wish, WishMode
from cases.models import Captive, Involvement
from imports import services as import_services
from imports.choices import BatchStatus
from partners.choices import DisclosureLevel, PartnerKind
from tests.admin_forms import admin_form_data
from tests.partners.api.conftest import ALL_SCOPES, make_partner
from tests.partners.api.test_non_interference import ids_kept
from webhooks.models import WebhookDelivery
from webhooks.services import webhook_subscribe

pytestmark = pytest.mark.django_db


# --- the three registration doors: Hwang Chol-jin, a PRK national held by UKR, no power named ---


def register_in_admin(client: Any, caseworker: Any, states: dict[str, Any]) -> Captive:
    client.force_login(caseworker)
    url = reverse("admin:cases_captive_add")
    data = admin_form_data(client.get(url).content.decode())
    data.update(
        family_name="Hwang",
        given_names="Chol-jin",
        captured_on="2025-02-01",
        detaining_power=str(states["UKR"].pk),
        nationality=str(states["PRK"].pk),
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Captive.objects.get(family_name="Hwang")


def register_by_api(client: Any, caseworker: Any, states: dict[str, Any]) -> Captive:
    agency = make_partner(client, "UKR bureau", state=states["UKR"], scopes=["cases:register"])
    response = agency.post(
        "/api/v1/captives/",
        {
            "family_name": "Hwang",
            "given_names": "Chol-jin",
            "nationality": "PRK",
            "captured_on": "2025-02-01",
        },
        headers={"Idempotency-Key": "hwang"},
    )
    assert response.status_code == 201, response.content
    return Captive.objects.get(family_name="Hwang")


def register_by_import(client: Any, caseworker: Any, states: dict[str, Any]) -> Captive:
    data = "Surname,Given names,Nationality,Capture date\nHwang,Chol-jin,PRK,2025-02-01\n"
    batch = import_services.import_upload(
        acting_user=caseworker,
        data=data.encode(),
        file_name="list.csv",
        source="NIB Ukraine",
        detaining_power=states["UKR"],
    )
    batch = import_services.import_map(acting_user=caseworker, batch=batch, mapping=batch.mapping)
    while batch.status == BatchStatus.ANALYSING:
        batch = import_services.import_analyse(acting_user=caseworker, batch=batch)
    batch = import_services.import_confirm(acting_user=caseworker, batch=batch)
    while batch.status == BatchStatus.WRITING:
        batch = import_services.import_write(acting_user=caseworker, batch=batch)
    return Captive.objects.get(family_name="Hwang")


DOORS = {"admin": register_in_admin, "api": register_by_api, "import": register_by_import}


def saved(response: Any, url: str) -> bool:
    """An admin form saved: it leads on (a refusal in words comes back to the same page)."""
    return response.status_code == 302 and response.url != url


def involve_in_admin(
    client: Any, user: Any, captive: Captive, state: Any, role: str, **fields: str
) -> Any:
    """A caseworker names a state's role in his case on the involvement form. Saved, it leads
    to the list of involvements (a refusal comes back to the form, or to the page it was on)."""
    client.force_login(user)
    url = reverse("admin:cases_involvement_add")
    data = admin_form_data(client.get(url).content.decode())
    data.update(captive=str(captive.pk), state=str(state.pk), role=role, **fields)
    response = client.post(url, data)
    response.saved = saved(response, url)
    return response


@pytest.fixture
def readers(client: Any, states: dict[str, Any]) -> dict[str, Any]:
    full = {"default_level": DisclosureLevel.FULL, "scopes": [*ALL_SCOPES, "reports:export"]}
    return {
        "PRK": make_partner(client, "PRK agency", state=states["PRK"], **full),
        "RUS": make_partner(client, "RUS agency", state=states["RUS"], **full),
    }


def answer(response: Any) -> tuple[int, list[tuple[str, str]], bytes]:
    """Status, headers and body bytes (streamed or not)."""
    if getattr(response, "streaming", False):
        body = b"".join(response.streaming_content)
    else:
        body = response.content
    return response.status_code, sorted(response.items()), body


def crawl(api: Any, captive: Captive) -> list[Any]:
    path = f"/api/v1/captives/{captive.pk}/"
    reads = [
        (path, {}),
        (f"{path}wishes/", {}),
        (f"{path}involvements/", {}),
        ("/api/v1/captives/", {}),
        ("/api/v1/captives/", {"search": "Hwang"}),
        ("/api/v1/captives/", {"effective_wish": "defect"}),
        ("/api/v1/captives/", {"updated_since": "2025-01-01T00:00:00Z"}),
        ("/api/v1/captives/export/", {"as": "jsonl"}),
        ("/api/v1/captives/export/", {"as": "csv"}),
        ("/api/v1/statistics/", {}),
    ]
    return [answer(api.get(url, **params)) for url, params in reads]


@pytest.mark.parametrize("door", DOORS)
def test_his_power_and_its_ally_never_read_his_wish_whatever_the_door(
    door, client, caseworker, supervisor, states, readers, settings
):
    hwang = DOORS[door](client, caseworker, states)
    # Registration recorded his nationality as his power: the form has nothing to add for PRK.
    refused = involve_in_admin(
        client, caseworker, hwang, states["PRK"], InvolvementRole.POWER_DEPENDED_ON
    )
    assert refused.status_code == 200
    added = involve_in_admin(client, caseworker, hwang, states["RUS"], InvolvementRole.ALLIED_POWER)
    assert added.saved
    hwang.refresh_from_db()
    assert (hwang.power_depended_on, hwang.allied_power) == (states["PRK"], states["RUS"])

    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = True  # never sent: their notifications are read
    endpoints = {
        name: webhook_subscribe(
            acting_user=supervisor, partner=api.partner, url=f"https://127.0.0.1:9/{name}"
        )[0]
        for name, api in readers.items()
    }
    t0 = timezone.now().replace(microsecond=0) + timedelta(minutes=5)
    worlds = {}
    told = {}
    for said in (True, False):
        with ids_kept(), freeze_time(t0) as clock:
            if said:
                case_services.wish_statement_record(
                    acting_user=supervisor,
                    captive=hwang,
                    wish=Wish.DEFECT,
                    destination=states["KOR"],
                    stated_at=timezone.now() - timedelta(seconds=5),
                    mode=WishMode.PRIVATE_INTERVIEW,
                    statement="Asks to go to Seoul; fears for his mother in Hamhung.",
                    voluntariness=Voluntariness.FREE,
                )
            clock.move_to(t0 + timedelta(minutes=1))
            # A change both may see, so that their endpoints are told something.
            case_services.captive_update(acting_user=supervisor, captive=hwang, rank="Sergeant")
            clock.move_to(t0 + timedelta(minutes=2))
            worlds[said] = {name: crawl(api, hwang) for name, api in readers.items()}
            told[said] = {
                name: [
                    (d.event_type, d.version, bytes(d.payload))
                    for d in WebhookDelivery.objects.filter(endpoint=endpoint).order_by("id")
                ]
                for name, endpoint in endpoints.items()
            }

    for name in readers:
        for seen, unseen in zip(worlds[True][name], worlds[False][name], strict=True):
            assert seen == unseen, name
        assert told[True][name] == told[False][name], name
        assert [event_type for event_type, _v, _b in told[True][name]] == ["captive.changed"]
        statuses = [status for status, _headers, _body in worlds[True][name]]
        assert statuses[0] == 200 and statuses.count(200) == 9, statuses
        everything = b"".join(body for _status, _headers, body in worlds[True][name])
        assert b"Hamhung" not in everything
        detail = worlds[True][name][0][2]
        assert b"effective_wish" not in detail and b"KOR" not in detail


def test_the_wish_does_reach_a_reader_who_may_read_it(client, caseworker, supervisor, states):
    """The crawl above hides something: KOR, his intended receiver, reads the defect wish."""
    hwang = register_by_api(client, caseworker, states)
    kor = make_partner(
        client, "KOR ministry", state=states["KOR"], default_level=DisclosureLevel.FULL
    )
    involve_in_admin(client, caseworker, hwang, states["KOR"], InvolvementRole.VERIFIER)
    case_services.wish_statement_record(
        acting_user=supervisor,
        captive=hwang,
        wish=Wish.DEFECT,
        destination=states["KOR"],
        stated_at=timezone.now() - timedelta(minutes=1),
        mode=WishMode.PRIVATE_INTERVIEW,
        voluntariness=Voluntariness.FREE,
    )
    assert kor.get(f"/api/v1/captives/{hwang.pk}/").json()["effective_wish"] == "defect"


# --- hostility by any record, failing closed ----------------------------------------------------


def said_defect(captive: Captive, supervisor: Any, destination: Any) -> None:
    case_services.wish_statement_record(
        acting_user=supervisor,
        captive=captive,
        wish=Wish.DEFECT,
        destination=destination,
        stated_at=timezone.now() - timedelta(minutes=1),
        mode=WishMode.PRIVATE_INTERVIEW,
        voluntariness=Voluntariness.FREE,
    )


def wish_of(api: Any, captive: Captive) -> Any:
    return api.get(f"/api/v1/captives/{captive.pk}/").json().get("effective_wish", "absent")


def test_an_ally_whose_involvement_ended_still_reads_nothing(
    client, caseworker, supervisor, states, readers
):
    hwang = register_by_api(client, caseworker, states)
    involve_in_admin(client, caseworker, hwang, states["RUS"], InvolvementRole.ALLIED_POWER)
    said_defect(hwang, supervisor, states["KOR"])
    ally = Involvement.objects.get(captive=hwang, role=InvolvementRole.ALLIED_POWER)
    url = reverse("admin:cases_involvement_change", args=[ally.pk])
    client.force_login(caseworker)
    data = admin_form_data(client.get(url).content.decode())
    data["ended_on"] = timezone.localdate().isoformat()
    assert saved(client.post(url, data), url)

    hwang.refresh_from_db()
    assert hwang.allied_power is None  # no longer his ally today …
    assert wish_of(readers["RUS"], hwang) == "absent"  # … but a record says it was


def test_his_nationality_is_hostile_even_when_another_power_is_named(
    client, caseworker, supervisor, states
):
    """A PRK national recorded as depending on RUS: PRK still never reads his wish."""
    agency = make_partner(client, "UKR bureau", state=states["UKR"], scopes=["cases:register"])
    body = {"family_name": "Ri", "nationality": "PRK", "power_depended_on": "RUS"}
    response = agency.post("/api/v1/captives/", {**body, "captured_on": "2025-02-01"})
    assert response.status_code == 201
    ri = Captive.objects.get(family_name="Ri")
    prk = make_partner(client, "PRK agency", state=states["PRK"], default_level="full")
    involve_in_admin(client, caseworker, ri, states["PRK"], InvolvementRole.VERIFIER)
    said_defect(ri, supervisor, states["KOR"])

    assert ri.involvements.filter(role=InvolvementRole.POWER_DEPENDED_ON).get().state.code == "RUS"
    assert wish_of(prk, ri) == "absent"


def test_with_neither_power_nor_nationality_only_a_humanitarian_body_reads_his_wish(
    client, caseworker, supervisor, states
):
    """Fails closed: a stateless record, nobody can say who is hostile, so no state agency
    reads his wish; a humanitarian partner at full level still may."""
    unknown = case_services.captive_register(
        acting_user=caseworker,
        detaining_power=states["UKR"],
        captured_on=date(2025, 2, 1),
        family_name="Nameless",
    )
    assert unknown.power_depended_on is None and unknown.nationality is None
    kor = make_partner(client, "KOR ministry", state=states["KOR"], default_level="full")
    icrc = make_partner(
        client, "ICRC", kind=PartnerKind.HUMANITARIAN, state=None, default_level="full"
    )
    involve_in_admin(client, caseworker, unknown, states["KOR"], InvolvementRole.RECEIVING_STATE)
    from partners.services import case_share_grant

    case_share_grant(
        acting_user=supervisor,
        partner=icrc.partner,
        captive=unknown,
        level=DisclosureLevel.FULL,
        reason="Tracing",
    )
    said_defect(unknown, supervisor, states["KOR"])

    assert wish_of(kor, unknown) == "absent"
    assert wish_of(icrc, unknown) == "defect"


# --- one truth: the captive's fields follow his involvements ----------------------------------


def test_changing_his_power_on_his_page_ends_the_old_involvement(
    client, caseworker, supervisor, states, readers
):
    hwang = register_by_api(client, caseworker, states)
    url = reverse("admin:cases_captive_change", args=[hwang.pk])
    client.force_login(caseworker)
    data = admin_form_data(client.get(url).content.decode())
    data["power_depended_on"] = str(states["RUS"].pk)
    assert saved(client.post(url, data), url)

    powers = Involvement.objects.filter(captive=hwang, role=InvolvementRole.POWER_DEPENDED_ON)
    assert {(i.state.code, i.ended_on is None) for i in powers} == {
        ("PRK", False),
        ("RUS", True),
    }
    hwang.refresh_from_db()
    assert hwang.power_depended_on == states["RUS"]
    said_defect(hwang, supervisor, states["KOR"])
    # PRK was his power by a record (and is his nationality): still hostile.
    assert wish_of(readers["PRK"], hwang) == "absent"


def test_a_second_power_is_refused_while_the_first_holds(client, caseworker, states):
    hwang = register_by_api(client, caseworker, states)
    response = involve_in_admin(
        client, caseworker, hwang, states["RUS"], InvolvementRole.POWER_DEPENDED_ON
    )
    assert response.status_code == 200
    assert "end that involvement first" in response.content.decode()
    assert (
        Involvement.objects.filter(captive=hwang, role=InvolvementRole.POWER_DEPENDED_ON).count()
        == 1
    )


def test_an_involvement_added_in_the_admin_moves_the_version_his_power_reads(
    client, caseworker, states, readers
):
    """A verifier named in the admin shows in his involvements: PRK's sync must see a change."""
    hwang = register_by_api(client, caseworker, states)
    prk = readers["PRK"]
    path = f"/api/v1/captives/{hwang.pk}/"
    before = prk.get(path)
    mark = timezone.now().isoformat()
    assert prk.get("/api/v1/captives/", updated_since=mark).json()["results"] == []

    assert (
        involve_in_admin(
            client, caseworker, hwang, states["KOR"], InvolvementRole.VERIFIER
        ).status_code
        == 302
    )

    after = prk.get(path)
    assert after["ETag"] != before["ETag"]
    assert after.json()["updated_at"] > before.json()["updated_at"]
    changed = prk.get("/api/v1/captives/", updated_since=mark).json()["results"]
    assert [c["case_number"] for c in changed] == [hwang.case_number]


# --- what the outside attack on this release found ------------------------------------------


def test_a_nationality_corrected_away_still_counts(client, caseworker, supervisor, states):
    """A PRK national recorded as depending on RUS, then his nationality corrected to RUS: PRK
    was his nationality by a record, and never reads his wish, even through a full share."""
    agency = make_partner(client, "UKR bureau", state=states["UKR"], scopes=["cases:register"])
    body = {"family_name": "Natfix", "nationality": "PRK", "power_depended_on": "RUS"}
    assert (
        agency.post("/api/v1/captives/", {**body, "captured_on": "2025-03-05"}).status_code == 201
    )
    natfix = Captive.objects.get(family_name="Natfix")
    prk = make_partner(client, "PRK agency", state=states["PRK"], default_level="full")
    from partners.services import case_share_grant

    case_share_grant(
        acting_user=supervisor, partner=prk.partner, captive=natfix, level="full", reason="Asked"
    )
    said_defect(natfix, supervisor, states["KOR"])
    url = reverse("admin:cases_captive_change", args=[natfix.pk])
    client.force_login(caseworker)
    data = admin_form_data(client.get(url).content.decode())
    data["nationality"] = str(states["RUS"].pk)
    assert saved(client.post(url, data), url)

    assert wish_of(prk, natfix) == "absent"
    assert prk.get(f"/api/v1/captives/{natfix.pk}/wishes/").status_code == 404


@pytest.mark.parametrize("door", ["admin", "import"])
def test_the_detaining_state_sees_the_captives_it_holds_whatever_the_door(
    door, client, caseworker, states
):
    hwang = DOORS[door](client, caseworker, states)
    ukr = make_partner(client, "UKR bureau", state=states["UKR"])

    assert ukr.get(f"/api/v1/captives/{hwang.pk}/").status_code == 200
    roles = set(hwang.involvements.values_list("state__code", "role"))
    assert ("UKR", InvolvementRole.DETAINING_POWER) in roles


def test_reopening_a_power_while_another_holds_it_is_refused_in_words(client, caseworker, states):
    hwang = register_by_api(client, caseworker, states)
    prk = Involvement.objects.get(captive=hwang, role=InvolvementRole.POWER_DEPENDED_ON)
    client.force_login(caseworker)
    url = reverse("admin:cases_involvement_change", args=[prk.pk])
    data = admin_form_data(client.get(url).content.decode())
    data.update(started_on="2025-02-01", ended_on="2025-03-01")
    assert saved(client.post(url, data), url)
    assert involve_in_admin(
        client, caseworker, hwang, states["RUS"], "power_depended_on", started_on="2025-03-01"
    ).saved

    data = admin_form_data(client.get(url).content.decode())
    data["ended_on"] = ""
    response = client.post(url, data, follow=True)

    assert response.status_code == 200
    assert "end that involvement first" in response.content.decode()
    prk.refresh_from_db()
    assert prk.ended_on == date(2025, 3, 1)


def test_a_second_power_added_on_his_page_is_refused_in_words(client, caseworker, states):
    hwang = register_by_api(client, caseworker, states)
    url = reverse("admin:cases_captive_change", args=[hwang.pk])
    client.force_login(caseworker)
    data = admin_form_data(client.get(url).content.decode())
    index = int(data["involvements-TOTAL_FORMS"])
    data.update(
        {
            f"involvements-{index}-state": str(states["RUS"].pk),
            f"involvements-{index}-role": "power_depended_on",
            "involvements-TOTAL_FORMS": str(index + 1),
        }
    )

    response = client.post(url, data, follow=True)

    assert response.status_code == 200
    assert "Nothing was saved" in response.content.decode()
    assert hwang.involvements.filter(role="power_depended_on").count() == 1


def test_powers_cannot_overlap_in_time_nor_end_in_the_future(client, caseworker, states):
    hwang = register_by_api(client, caseworker, states)
    prk = Involvement.objects.get(captive=hwang, role=InvolvementRole.POWER_DEPENDED_ON)
    from powtracker.errors import RuleError

    with pytest.raises(RuleError) as future:
        case_services.involvement_update(
            acting_user=caseworker, involvement=prk, ended_on=date(2099, 1, 1)
        )
    assert future.value.error_code == "event_in_future"
    case_services.involvement_update(
        acting_user=caseworker, involvement=prk, ended_on=date(2025, 6, 1)
    )
    with pytest.raises(RuleError) as overlap:
        case_services.involvement_record(
            acting_user=caseworker,
            captive=hwang,
            state=states["RUS"],
            role=InvolvementRole.POWER_DEPENDED_ON,
            started_on=date(2025, 5, 1),
        )
    assert overlap.value.error_code == "power_already_recorded"
    with pytest.raises(RuleError) as before_capture:
        case_services.involvement_record(
            acting_user=caseworker,
            captive=hwang,
            state=states["KOR"],
            role=InvolvementRole.VERIFIER,
            started_on=date(1900, 1, 1),
        )
    assert before_capture.value.error_code == "date_before_gc3"
    # From the day the first ended, a second may hold the role.
    case_services.involvement_record(
        acting_user=caseworker,
        captive=hwang,
        state=states["RUS"],
        role=InvolvementRole.POWER_DEPENDED_ON,
        started_on=date(2025, 6, 1),
    )
    hwang.refresh_from_db()
    assert hwang.power_depended_on == states["RUS"]


def test_his_ally_is_not_his_power_and_his_captor_is_not_his_power(client, caseworker, states):
    agency = make_partner(client, "UKR bureau", state=states["UKR"], scopes=["cases:register"])
    same = {"family_name": "Same", "power_depended_on": "PRK", "allied_power": "PRK"}
    refused = agency.post("/api/v1/captives/", {**same, "captured_on": "2025-03-05"})
    assert refused.status_code == 400
    assert "allied_power" in refused.json()["error"]["fields"]
    # A Ukrainian who fought for the other side, held by Ukraine: he does not depend on it.
    own = {"family_name": "Own", "nationality": "UKR", "captured_on": "2025-03-05"}
    assert agency.post("/api/v1/captives/", own).status_code == 201
    assert Captive.objects.get(family_name="Own").power_depended_on is None


def test_an_end_before_the_start_is_refused_in_words(client, caseworker, states):
    hwang = register_by_api(client, caseworker, states)
    prk = Involvement.objects.get(captive=hwang, role=InvolvementRole.POWER_DEPENDED_ON)
    client.force_login(caseworker)
    url = reverse("admin:cases_involvement_change", args=[prk.pk])
    data = admin_form_data(client.get(url).content.decode())
    data["ended_on"] = "2025-01-01"

    page = client.post(url, data).content.decode()

    assert "An involvement cannot end before it started." in page
    assert "diplomacy_involvement_ends_after_start" not in page


def test_what_no_partner_reads_moves_no_partners_version(client, caseworker, states, readers):
    """A rendering's note and an involvement's notes are the bureau's: PRK's ETag stays."""
    hwang = register_by_api(client, caseworker, states)
    rendering = case_services.captive_name_add(
        acting_user=caseworker, captive=hwang, system="alias", full_name="Hwang Cholchin"
    )
    verifier = Involvement.objects.get(captive=hwang, role=InvolvementRole.DETAINING_POWER)
    prk = readers["PRK"]
    path = f"/api/v1/captives/{hwang.pk}/"
    before = prk.get(path)["ETag"]

    case_services.captive_name_update(acting_user=caseworker, rendering=rendering, note="Typed")

    case_services.involvement_update(
        acting_user=caseworker, involvement=verifier, notes="Called them"
    )
    assert prk.get(path)["ETag"] == before

    case_services.captive_name_update(
        acting_user=caseworker, rendering=rendering, full_name="Hwang Chol-chin"
    )
    assert prk.get(path)["ETag"] != before


def test_what_partners_read_of_an_involvement_is_what_the_service_counts():
    from partners.api.captive_serializers import InvolvementSerializer

    assert tuple(InvolvementSerializer().fields) == Involvement.PARTNER_FIELDS
