"""GET /api/v1/statistics/: only the cases a partner sees, small counts suppressed, and never a
wish breakdown that a hostile partner could read anything from."""

# ruff: noqa: F811

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.choices import InvolvementRole
from cases.models import Involvement
from partners.choices import DisclosureLevel
from tests.factories import CaptiveFactory

# The partner API's test world, shared as fixtures: the tests take them by these names.
from tests.partners.api.conftest import defect, make_partner, partners, share, world  # noqa: F401

URL = "/api/v1/statistics/"


def counts(body: dict, key: str) -> dict:
    return {row["key"]: row["count"] for row in body[key]}


def test_a_hostile_partner_reads_the_same_statistics_whatever_anyone_said(partners, world):
    """PRK speaks for the power both soldiers depend on: his wish to defect changes nothing."""
    prk = partners["power_depended_on"]
    before = prk.get(URL)
    assert before.status_code == 200, before.content
    assert set(counts(before.json(), "effective_wish").values()) == {0}

    defect(world["second"], world["states"]["KOR"])
    assert prk.get(URL).content == before.content


def test_a_partner_who_may_read_the_wishes_sees_them_suppressed(partners, world):
    """KOR sees both soldiers in full and is hostile to neither; their wishes, made on video and
    never assessed, are not yet anyone's effective wish — until one asks, freely, to defect."""
    kor = partners["receiving_state"]
    body = kor.get(URL).json()
    assert body["captives"] == "<5"
    no_wish = {"none": "<5", "return": 0, "remain": 0, "defect": 0, "undecided": 0}
    assert counts(body, "effective_wish") == no_wish

    defect(world["second"], world["states"]["KOR"])
    body = kor.get(URL).json()
    assert counts(body, "effective_wish") == {**no_wish, "defect": "<5"}
    assert counts(body, "nationality") == {"PRK": "<5"}
    assert counts(body, "health") == {
        "unharmed": "<5",
        "wounded": 0,
        "seriously_wounded": 0,
        "sick": 0,
        "seriously_sick": 0,
    }


def test_a_partner_sees_only_its_cases(partners, world):
    """The unrelated captive (a CUB national held by UKR) is no case of PRK's."""
    body = partners["power_depended_on"].get(URL).json()
    assert counts(body, "nationality") == {"PRK": "<5"}
    assert "CUB" not in str(body)

    nothing = partners["tracing_agency"].get(URL).json()
    assert nothing["captives"] == 0
    assert nothing["nationality"] == [] and nothing["captures_per_month"] == []


def test_case_level_counts_cover_only_the_captives_seen_at_case_level(partners, world):
    tracing = partners["tracing_agency"]
    share(tracing, world["other"], level=DisclosureLevel.IDENTITY)
    identity = tracing.get(URL).json()
    assert identity["captives"] == "<5"
    assert counts(identity, "nationality") == {"MNG": "<5"}
    assert set(counts(identity, "health").values()) == {0}
    assert identity["captures_per_month"] == []

    share(tracing, world["first"], level=DisclosureLevel.CASE)
    case = tracing.get(URL).json()
    assert counts(case, "health")["unharmed"] == "<5"
    assert case["captures_per_month"] == [{"month": "2025-01", "count": "<5"}]


def test_five_is_shown_and_four_is_not(client, partners, world):
    cub = world["states"]["CUB"]
    captives = [CaptiveFactory(nationality=cub, captured_on=date(2025, 2, 3)) for _ in range(4)]
    for captive in captives:
        Involvement.objects.get_or_create(
            captive=captive, state=cub, role=InvolvementRole.POWER_DEPENDED_ON
        )
    reader = partners["unrelated"]
    assert counts(reader.get(URL).json(), "nationality") == {"CUB": "<5"}

    fifth = CaptiveFactory(nationality=cub, captured_on=date(2025, 2, 3))
    Involvement.objects.get_or_create(
        captive=fifth, state=cub, role=InvolvementRole.POWER_DEPENDED_ON
    )
    body = reader.get(URL).json()
    assert body["captives"] == 5
    assert counts(body, "nationality") == {"CUB": 5}
    assert counts(body, "custody_status")["captured"] == 5
    assert body["captures_per_month"] == [{"month": "2025-02", "count": 5}]
    # Hostile to every one of them: the wish table is there, and empty.
    assert set(counts(body, "effective_wish").values()) == {0}


def test_the_scope_cases_read_is_needed(client, world):
    without = make_partner(client, "Diplomats only", scopes=["diplomacy:read"])
    assert without.get(URL).status_code == 403
    assert client.get(URL).status_code == 401


@pytest.mark.django_db
def test_the_endpoint_is_in_the_schema(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    operation = schema["paths"]["/api/v1/statistics/"]["get"]
    assert "200" in operation["responses"]


def test_the_number_of_queries_does_not_grow_with_the_cases(partners, world):
    reader = partners["receiving_state"]
    reader.get(URL)  # warm the token's cache, if any
    with CaptureQueriesContext(connection) as few:
        reader.get(URL)
    for _ in range(3):
        captive = CaptiveFactory(nationality=world["states"]["PRK"], captured_on=date(2025, 3, 1))
        Involvement.objects.get_or_create(
            captive=captive, state=world["states"]["KOR"], role=InvolvementRole.RECEIVING_STATE
        )
    with CaptureQueriesContext(connection) as more:
        body = reader.get(URL).json()
    assert body["captives"] == 5
    assert len(more) == len(few)


def test_the_rows_where_nothing_is_recorded_have_the_key_none(partners, world):
    """A client matches rows by key: the captives with no custody event (and with no wish) are
    the row `none`, labelled in words, never an empty key."""
    body = partners["receiving_state"].get(URL).json()
    custody = {row["key"]: row["label"] for row in body["custody_status"]}
    assert custody["none"] == "No custody event recorded"
    wishes = {row["key"]: row["label"] for row in body["effective_wish"]}
    assert wishes["none"] == "No wish stated"
    for table in ["custody_status", "nationality", "detaining_power", "health", "effective_wish"]:
        assert all(row["key"] for row in body[table]), table
