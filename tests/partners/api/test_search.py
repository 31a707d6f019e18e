"""The API's `search` is the one name search, over what the reader may see and only by what it
may see."""

import pytest

from cases import services as case_services
from cases.choices import NameSystem
from cases.models import Captive
from cases.selectors import CAPTIVE_SEARCH_FIELDS, captive_search
from partners.api.captive_serializers import IDENTITY_FIELDS

pytestmark = pytest.mark.django_db

SEARCHES = ["Chol", "Ri Chol", "Ch'ŏl", "Чхоль", "철수", "Pak", "Unrelated", "Cuba"]


def test_search_reads_only_fields_every_reader_of_a_captive_sees():
    assert set(CAPTIVE_SEARCH_FIELDS) | {"names"} <= set(IDENTITY_FIELDS)


def test_searching_chol_finds_a_captive_recorded_as_cheol(world, partners):
    case_services.captive_name_add(
        acting_user=None,
        captive=world["second"],
        system=NameSystem.REVISED_ROMANIZATION,
        full_name="Ri Cheol-su",
    )

    response = partners["power_depended_on"].get("/api/v1/captives/", search="Chol")

    assert [row["case_number"] for row in response.json()["results"]] == [
        world["second"].case_number
    ]


def test_a_partner_finds_no_one_by_a_rendering_it_may_not_see(world, partners):
    """Two worlds differ only in renderings of the case no partner here sees (the unrelated
    one): "Ri Chol", "철수" and Cuba's spelling of them. Every search answers alike."""
    readers = ["power_depended_on", "ally", "receiving_state", "tracing_agency"]

    def answers() -> list[tuple[int, bytes]]:
        return [
            (response.status_code, response.content)
            for reader in readers
            for text in SEARCHES
            for response in [partners[reader].get("/api/v1/captives/", search=text)]
        ]

    before = answers()
    for system, full_name in [
        (NameSystem.MCCUNE_REISCHAUER, "Ri Ch'ŏl"),
        (NameSystem.ALIAS, "김철수 Pak"),
        (NameSystem.CYRILLIC, "Ри Чхоль Cuba"),
    ]:
        case_services.captive_name_add(
            acting_user=None, captive=world["other"], system=system, full_name=full_name
        )

    assert answers() == before
    # The renderings are there: the bureau's own search finds him by them.
    assert world["other"] in captive_search(Captive.objects.all(), "Ri Chol")
