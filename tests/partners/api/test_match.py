"""POST /api/v1/captives/match/: a partner's list matched against the captives it may see,
creating nothing, telling nothing about the captives it may not see."""

import json
from datetime import date
from typing import Any

import pytest

from cases.choices import InvolvementRole
from cases.models import Captive, CaptiveName, Involvement
from partners.models import DisclosureRecord
from tests.factories import CaptiveFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/captives/match/"
PEOPLE = [
    {"reference": "row 1", "family_name": "Pak", "given_names": ""},
    {"reference": "row 2", "name_original": "Ким Чхоль Су", "birth_year": 1998},
    {"reference": "row 3", "family_name": "Kim", "given_names": "Chul-soo", "service_number": ""},
    {"reference": "row 4", "name_original": "김철수"},
    {"reference": "row 5", "family_name": "Nobody", "given_names": "Atall"},
]


def soldier(world: dict[str, Any], **names: Any) -> Captive:
    """A North Korean soldier held by Ukraine, involving Ukraine and the DPRK."""
    s = world["states"]
    captive = CaptiveFactory(
        detaining_power=s["UKR"], nationality=s["PRK"], power_depended_on=s["PRK"], **names
    )
    for code, role in [
        ("UKR", InvolvementRole.DETAINING_POWER),
        ("PRK", InvolvementRole.POWER_DEPENDED_ON),
    ]:
        Involvement.objects.get_or_create(captive=captive, state=s[code], role=role)
    return captive


def test_a_partner_finds_a_captive_it_sees_by_a_spelling_in_another_script(world, partners):
    kim = soldier(
        world,
        family_name="Kim",
        given_names="Cheol-su",
        name_original="김철수",
        birth_year=1998,
    )
    captives_before = Captive.objects.count()

    response = partners["power_depended_on"].post(URL, {"people": PEOPLE})

    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert [r["reference"] for r in results] == [p["reference"] for p in PEOPLE]
    found = results[1]["candidates"]
    assert [c["captive"]["case_number"] for c in found] == [kim.case_number]
    assert found[0]["score"] >= 80
    assert "same year of birth" in found[0]["reasons"]
    assert set(found[0]["captive"]) == {
        "id",
        "case_number",
        "family_name",
        "given_names",
        "name_original",
        "birth_date",
        "birth_year",
        "service_number",
    }
    assert results[4]["candidates"] == []
    # Nothing was created; what was shown is in the ledger.
    assert Captive.objects.count() == captives_before
    assert DisclosureRecord.objects.filter(
        partner=partners["power_depended_on"].partner, captive=kim
    ).exists()


def test_matching_needs_the_cases_read_scope_and_at_most_100_people(world, partners, client):
    from tests.partners.api.conftest import make_partner

    no_read = make_partner(client, "Writer", state=world["states"]["UKR"], scopes=["cases:write"])
    assert no_read.post(URL, {"people": PEOPLE}).status_code == 403
    assert partners["anonymous"].post(URL, {"people": PEOPLE}).status_code == 401
    too_many = {"people": [{"family_name": "Kim"}] * 101}
    response = partners["power_depended_on"].post(URL, too_many)
    assert response.status_code == 400
    no_name = partners["power_depended_on"].post(URL, {"people": [{"birth_year": 1990}]})
    assert no_name.status_code == 400


def test_the_answer_does_not_depend_on_captives_the_partner_may_not_see(world, partners):
    """Two worlds differ only in a captive no partner here may see (held by Ukraine, involving
    no other state), who would match every person sent: Kim Cheol-su, born 1998, with renderings
    in Hangul and Cyrillic and the service number sent. Every partner's answer is the same, byte
    for byte — and the bureau's own matching does find him."""
    soldier(world, family_name="Kim", given_names="Chol-su", name_original="김철수")
    readers = ["power_depended_on", "ally", "receiving_state", "tracing_agency", "unrelated"]
    people = [*PEOPLE, {"family_name": "Kim", "given_names": "Chol-su", "service_number": "KPA-77"}]

    def answers() -> list[tuple[int, bytes]]:
        return [
            (response.status_code, response.content)
            for reader in readers
            for response in [partners[reader].post(URL, {"people": people})]
        ]

    before = answers()
    hidden = CaptiveFactory(
        family_name="Kim",
        given_names="Cheol-su",
        name_original="김철수",
        birth_date=date(1998, 3, 1),
        birth_year=1998,
        service_number="KPA-77",
        detaining_power=world["states"]["UKR"],
        nationality=world["states"]["MNG"],
        power_depended_on=world["states"]["MNG"],
        names=[("cyrillic", "Ким Чхоль Су"), ("alias", "Pak Jin")],
    )
    Involvement.objects.get_or_create(
        captive=hidden, state=world["states"]["UKR"], role=InvolvementRole.DETAINING_POWER
    )

    after = answers()
    assert after == before
    assert any(json.loads(body)["results"][1]["candidates"] for _status, body in after)
    from cases.duplicates import duplicate_candidates

    assert hidden in [c.captive for c in duplicate_candidates(name_original="Ким Чхоль Су")]
    assert CaptiveName.objects.filter(captive=hidden).count() == 2


def test_a_match_is_ledgered_at_the_identity_level_it_shows(world, partners):
    """Found by the outside attack: the ledger said a full-level partner read the candidates in
    full, though a match shows identity-level fields only."""
    from partners.models import DisclosureRecord

    kim = soldier(world, family_name="Kim", given_names="Cheol-su", name_original="김철수")
    partners["power_depended_on"].post(URL, {"people": [{"name_original": "김철수"}]})
    levels = set(DisclosureRecord.objects.filter(captive=kim).values_list("level", flat=True))
    assert levels == {"identity"}


def test_an_invalid_person_is_named_by_its_place_and_field(world, partners):
    """Found by the outside attack: the errors of one person came back as Python's repr."""
    response = partners["power_depended_on"].post(
        URL,
        {"people": [{"family_name": "Pak"}, {"family_name": "Pak", "birth_date": "0000-00-00"}]},
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert list(fields) == ["people.1.birth_date"]
    assert "ErrorDetail" not in str(fields)
