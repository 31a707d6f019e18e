"""POST /api/v1/captives/: a partner state's agency registers a captive its state holds; the
answer lists the possible duplicates it may see, and depends on no captive it may not see."""

import json
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from cases.choices import InvolvementRole
from cases.models import Captive, Involvement
from partners.choices import DisclosureLevel, PartnerKind
from partners.models import DisclosureRecord
from tests.factories import CaptiveFactory
from tests.partners.api.conftest import ALL_SCOPES, make_partner

pytestmark = pytest.mark.django_db

URL = "/api/v1/captives/"
KIM = {
    "family_name": "Kim",
    "given_names": "Chol-su",
    "name_original": "김철수",
    "birth_year": 1998,
    "nationality": "PRK",
    "power_depended_on": "PRK",
    "captured_on": "2025-01-05",
    "capture_place": "Kursk oblast",
    "names": [{"system": "mccune_reischauer", "full_name": "Kim Ch'ŏl-su"}],
}


@pytest.fixture
def bureau(client: Any, world: dict[str, Any]) -> Any:
    """Ukraine's prisoner bureau as a partner system, allowed to register."""
    return make_partner(
        client,
        "UKR bureau",
        state=world["states"]["UKR"],
        default_level=DisclosureLevel.FULL,
        scopes=[*ALL_SCOPES, "cases:register"],
    )


def held(world: dict[str, Any], holder: str, **fields: Any) -> Captive:
    captive = CaptiveFactory(detaining_power=world["states"][holder], **fields)
    Involvement.objects.get_or_create(
        captive=captive, state=world["states"][holder], role=InvolvementRole.DETAINING_POWER
    )
    return captive


def test_the_bureau_registers_a_captive_and_sees_his_possible_duplicates(world, bureau):
    known = held(world, "UKR", family_name="Kim", given_names="Cheol-su", name_original="김철수")
    before = Captive.objects.count()

    response = bureau.post(URL, KIM, headers={"Idempotency-Key": "reg-1"})

    assert response.status_code == 201, response.content
    body = response.json()
    captive = Captive.objects.get(pk=body["captive"]["id"])
    assert body["captive"]["case_number"] == captive.case_number
    assert captive.case_number.startswith("UKR-2025-")
    assert captive.detaining_power.code == "UKR" and captive.original_script == "hangul"
    assert captive.custody_status == "captured"
    assert captive.names.get().full_name == "Kim Ch'ŏl-su"
    assert Involvement.objects.filter(
        captive=captive, state__code="UKR", role=InvolvementRole.DETAINING_POWER
    ).exists()
    assert [d["captive"]["case_number"] for d in body["possible_duplicates"]] == [known.case_number]
    assert set(body["possible_duplicates"][0]["captive"]) == {
        "id",
        "case_number",
        "family_name",
        "given_names",
        "name_original",
        "birth_date",
        "birth_year",
        "service_number",
    }
    assert response.headers["ETag"]
    first = captive.history.earliest()
    assert (first.history_change_reason, first.history_user) == (
        "Registered",
        bureau.partner.service_user,
    )
    ledger = DisclosureRecord.objects.filter(partner=bureau.partner)
    assert ledger.get(captive=known).level == DisclosureLevel.IDENTITY
    assert ledger.filter(captive=captive).exists()

    # A retry with the same key registers no one twice.
    again = bureau.post(URL, KIM, headers={"Idempotency-Key": "reg-1"})
    assert again.status_code == 201 and again.json()["captive"]["id"] == captive.pk
    assert Captive.objects.count() == before + 1


def test_only_a_state_agency_with_the_scope_registers(world, partners, client):
    tracing = make_partner(
        client,
        "ICRC registrar",
        kind=PartnerKind.TRACING_AGENCY,
        scopes=[*ALL_SCOPES, "cases:register"],
    )
    response = tracing.post(URL, KIM)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert partners["power_depended_on"].post(URL, KIM).status_code == 403  # no such scope
    assert partners["anonymous"].post(URL, KIM).status_code == 401
    assert not Captive.objects.filter(family_name="Kim").exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"captured_on": "2030-01-01"}, "captured_on"),
        ({"captured_on": "1940-01-01"}, "captured_on"),
        ({"birth_date": "2026-01-01"}, "birth_date"),
        ({"nationality": "XXX"}, "nationality"),
        ({"family_name": ""}, "family_name"),
        ({"height": 180}, "height"),
        ({"family_name": "\u200b"}, "family_name"),
        ({"family_name": "Ctl\u0001\u001b[31mRed"}, "family_name"),
        ({"given_names": "Ivan\u202e"}, "given_names"),
        ({"birth_year": 2030}, "birth_year"),
        ({"birth_date": "1800-01-01"}, "birth_date"),
        ({"captured_at": "2025-01-06T10:00:00Z"}, "captured_at"),
        (
            {
                "names": [
                    {"system": "alias", "full_name": "A"},
                    {"system": "alias", "full_name": "A"},
                ]
            },
            "unique_together",
        ),
    ],
)
def test_bad_registrations_are_refused_field_by_field(world, bureau, change, field):
    response = bureau.post(URL, {**KIM, **change})
    assert response.status_code == 400, response.content
    assert field in json.dumps(response.json())
    assert not Captive.objects.filter(family_name="Kim").exists()


def test_the_answer_does_not_depend_on_captives_the_bureau_may_not_see(world, bureau, client):
    """Two worlds that differ only in a Kim Cheol-su the bureau may not see (held by Russia,
    involving only Russia): the bureau's answers are the same but for the new captive's id."""

    def register(key: str) -> dict[str, Any]:
        response = bureau.post(URL, KIM, headers={"Idempotency-Key": key})
        assert response.status_code == 201
        body = response.json()
        body["captive"].pop("id")
        body["captive"].pop("case_number")
        return body

    first = register("a")
    held(
        world,
        "RUS",
        family_name="Kim",
        given_names="Cheol-su",
        name_original="김철수",
        birth_date=date(1998, 2, 1),
        birth_year=1998,
    )
    second = register("b")
    # The second registration finds the first (the bureau sees it), in both worlds alike.
    assert [d["captive"]["family_name"] for d in second["possible_duplicates"]] == ["Kim"]
    assert all(
        d["captive"]["case_number"].startswith("UKR-") for d in second["possible_duplicates"]
    )
    assert first["possible_duplicates"] == []


def test_a_capture_dated_tomorrow_is_refused_with_the_rules_code(world, bureau):
    tomorrow = timezone.localdate() + timedelta(days=1)

    response = bureau.post(URL, {**KIM, "captured_on": tomorrow.isoformat()})

    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "event_in_future"
    assert error["fields"]["captured_on"] == ["The capture date is in the future."]
    assert not Captive.objects.filter(family_name="Kim").exists()
