"""The one name search (cases.selectors.captive_search): across scripts and romanizations, in the
admin as in the API, on PostgreSQL and on SQLite."""

import pytest
from django.urls import reverse

from cases import services
from cases.choices import NameSystem
from cases.models import Captive
from cases.names import name_skeleton
from cases.selectors import captive_search
from tests.factories import CaptiveFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(states):
    """A North Korean soldier recorded as RR "Kim Cheol-su", a Russian one, and a near-miss."""
    kim = CaptiveFactory(
        family_name="Kim",
        given_names="Cheol-su",
        name_original="김철수",
        service_number="KPA-4711",
        nationality=states["PRK"],
        names=[(NameSystem.CYRILLIC, "Ким Чхоль Су")],
    )
    ivanov = CaptiveFactory(
        family_name="Ivanov",
        given_names="Yevgeny",
        name_original="Иванов Евгений",
        names=[(NameSystem.LATIN_PASSPORT, "Ivanoff Evgeniy")],
    )
    paek = CaptiveFactory(family_name="Paek", given_names="Chul-min", name_original="백출민")
    return {"kim": kim, "ivanov": ivanov, "paek": paek}


def found(text: str) -> set[str]:
    return set(captive_search(Captive.objects.all(), text).values_list("family_name", flat=True))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Chol", {"Kim"}),  # McCune–Reischauer for his RR "Cheol"
        ("Ch'ŏl-su", {"Kim"}),
        ("Kim Chol Su", {"Kim"}),
        ("Ri Chol", set()),  # a different surname
        ("철수", {"Kim"}),  # two Hangul syllables
        ("김철", {"Kim"}),
        ("Чхоль", {"Kim"}),
        ("ким", {"Kim"}),
        ("kpa-47", {"Kim"}),
        ("Jewgeni", {"Ivanov"}),
        ("Iwanow", {"Ivanov"}),
        ("Евгений Иванов", {"Ivanov"}),
        ("Evgeniy Ivanoff", {"Ivanov"}),
        ("Paek", {"Paek"}),
        ("Pak", set()),
        ("", {"Kim", "Ivanov", "Paek"}),
    ],
)
def test_search_finds_a_captive_by_any_rendering_of_his_name(people, text, expected):
    assert found(text) == expected


def test_a_case_number_prefix_finds_his_case(people):
    number = people["kim"].case_number
    assert found(number[:-1]) >= {"Kim"}
    assert found(number) == {"Kim"}


def test_search_narrows_the_queryset_it_is_given(people):
    others = Captive.objects.exclude(pk=people["kim"].pk)
    assert not captive_search(others, "Chol").exists()


def test_a_captive_with_several_matching_renderings_is_listed_once(people):
    services.captive_name_add(
        acting_user=None, captive=people["kim"], system=NameSystem.ALIAS, full_name="Chol"
    )
    assert list(captive_search(Captive.objects.all(), "Chol")) == [people["kim"]]


def test_the_skeleton_follows_a_corrected_name(people, caseworker):
    kim = people["kim"]
    services.captive_update(acting_user=caseworker, captive=kim, family_name="Ri")
    kim.refresh_from_db()

    assert name_skeleton("Ri Chol-su") in kim.name_skeleton.split()
    assert found("Lee Cheol") == {"Ri"}


def test_the_admin_search_is_the_one_search(client, caseworker, people):
    client.force_login(caseworker)

    response = client.get(reverse("admin:cases_captive_changelist"), {"q": "Chol"})

    assert [c.family_name for c in response.context["cl"].result_list] == ["Kim"]
    assert response.context["cl"].result_count == 1
