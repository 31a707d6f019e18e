"""Names as long as their fields allow are registered through every door — the API, the admin's
add and change pages, an import — never a 500: the skeleton keys made of them always fit
their columns (a key can be several times longer than the name it is made of)."""

from typing import Any

import pytest
from django.urls import reverse

from cases.choices import NameSystem
from cases.duplicates import duplicate_candidates
from cases.models import Captive, CaptiveName, NameKey
from cases.names import captive_forms, name_skeleton
from imports import services as import_services
from imports.choices import BatchStatus, RowStatus
from partners.choices import DisclosureLevel
from tests.admin_forms import admin_form_data
from tests.factories import CaptiveFactory
from tests.partners.api.conftest import ALL_SCOPES, kursk_world, make_partner

pytestmark = pytest.mark.django_db

# The longest each field takes: 100, 150 and 200 characters. Each Hangul syllable spells out to
# three letters of the key, each "X" to two (K S).
FAMILY = "X" * 100
GIVEN = "Y" * 150
ORIGINAL = "김" * 200
RENDERING = "김" * 200


def test_the_keys_of_the_longest_names_are_longer_than_the_names() -> None:
    """Why the columns must be sized for the keys, not the names."""
    assert len(name_skeleton(RENDERING)) > 400
    assert len(name_skeleton(f"{FAMILY} {GIVEN}")) > 200


def _registered_in_full(captive: Captive) -> None:
    captive.refresh_from_db()
    assert (captive.family_name, captive.given_names, captive.name_original) == (
        FAMILY,
        GIVEN,
        ORIGINAL,
    )
    assert name_skeleton(ORIGINAL) in captive.name_skeleton.split()
    assert captive.names.get().skeleton == name_skeleton(RENDERING)
    assert NameKey.objects.filter(captive=captive).exists()
    # And he is found again under the same names: the keys written meet the keys asked for.
    found = duplicate_candidates(family_name=FAMILY, given_names=GIVEN, name_original=ORIGINAL)
    assert [candidate.captive.pk for candidate in found] == [captive.pk]


def test_the_api_registers_the_longest_names(client: Any) -> None:
    world = kursk_world()
    bureau = make_partner(
        client,
        "UKR bureau",
        state=world["states"]["UKR"],
        default_level=DisclosureLevel.FULL,
        scopes=[*ALL_SCOPES, "cases:register"],
    )
    response = bureau.post(
        "/api/v1/captives/",
        {
            "family_name": FAMILY,
            "given_names": GIVEN,
            "name_original": ORIGINAL,
            "nationality": "PRK",
            "power_depended_on": "PRK",
            "captured_on": "2025-01-05",
            "names": [{"system": NameSystem.ALIAS, "full_name": RENDERING}],
        },
        headers={"Idempotency-Key": "long-names"},
    )
    assert response.status_code == 201, response.content
    _registered_in_full(Captive.objects.get(pk=response.json()["captive"]["id"]))


def test_the_admin_adds_a_captive_with_the_longest_names(
    client: Any, caseworker: Any, states: dict[str, Any]
) -> None:
    client.force_login(caseworker)
    url = reverse("admin:cases_captive_add")
    data = admin_form_data(client.get(url).content.decode())
    data.update(
        family_name=FAMILY,
        given_names=GIVEN,
        name_original=ORIGINAL,
        captured_on="2025-01-09",
        detaining_power=str(states["UKR"].pk),
        nationality=str(states["PRK"].pk),
        **{
            "names-TOTAL_FORMS": "1",
            "names-0-system": NameSystem.ALIAS,
            "names-0-full_name": RENDERING,
        },
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    _registered_in_full(Captive.objects.get(family_name=FAMILY))


def test_the_admin_changes_a_captive_to_the_longest_names(
    client: Any, caseworker: Any, states: dict[str, Any]
) -> None:
    captive = CaptiveFactory(detaining_power=states["UKR"], nationality=states["PRK"])
    client.force_login(caseworker)
    url = reverse("admin:cases_captive_change", args=[captive.pk])
    data = admin_form_data(client.get(url).content.decode())
    data.update(
        family_name=FAMILY,
        given_names=GIVEN,
        name_original=ORIGINAL,
        **{
            "names-TOTAL_FORMS": "1",
            "names-0-system": NameSystem.ALIAS,
            "names-0-full_name": RENDERING,
        },
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    _registered_in_full(captive)


def test_an_import_writes_a_row_of_the_longest_names(
    states: dict[str, Any], caseworker: Any
) -> None:
    data = (
        "Surname,Given names,Name in original script,Other names,Captured on,Nationality\n"
        f"{FAMILY},{GIVEN},{ORIGINAL},{RENDERING},2025-01-05,PRK\n"
    ).encode()
    batch = import_services.import_upload(
        acting_user=caseworker,
        data=data,
        file_name="list.csv",
        source="NIB Ukraine, list 15",
        detaining_power=states["UKR"],
    )
    batch = import_services.import_map(acting_user=caseworker, batch=batch, mapping=batch.mapping)
    while batch.status == BatchStatus.ANALYSING:
        batch = import_services.import_analyse(acting_user=caseworker, batch=batch)
    assert batch.rows.get().status == RowStatus.READY, batch.rows.get().errors
    batch = import_services.import_confirm(acting_user=caseworker, batch=batch)
    for _slice in range(5):
        if batch.status != BatchStatus.WRITING:
            break
        batch = import_services.import_write(acting_user=caseworker, batch=batch)
    assert batch.status == BatchStatus.DONE
    row = batch.rows.get()
    assert row.status == RowStatus.WRITTEN, row.errors
    _registered_in_full(row.captive)


def test_the_lookup_keys_fit_their_index_and_are_cut_as_they_are_stored() -> None:
    """The duplicate lookup's keys stay bounded (PostgreSQL's unique index refuses a row of more
    than ~2,700 bytes): a form's keys are cut to the columns, whether stored or asked for."""
    forms = captive_forms(FAMILY, GIVEN, ORIGINAL) + captive_forms(
        "", "", f"{RENDERING} {RENDERING}"
    )
    family_max = NameKey._meta.get_field("family").max_length
    given_max = NameKey._meta.get_field("given").max_length
    assert max(len(form.family) for form in forms) == family_max
    assert max(len(form.given) for form in forms) == given_max
    assert CaptiveName._meta.get_field("skeleton").max_length is None
    assert Captive._meta.get_field("name_skeleton").max_length is None
