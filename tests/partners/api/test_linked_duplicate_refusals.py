"""A write to a linked duplicate is refused (409 `linked_duplicate`); the refusal names the case
kept only to a reader who may see it, and otherwise says the same words whatever case was kept."""

from datetime import date
from typing import Any

import pytest

from cases import services as case_services
from cases.choices import DuplicateVerdict, InvolvementRole
from cases.models import Captive, Involvement
from partners.choices import DisclosureLevel
from powtracker.roles import ROLE_CASEWORKER
from tests.factories import CaptiveFactory, UserFactory
from tests.partners.api.conftest import ALL_SCOPES, Api, make_partner, share

pytestmark = pytest.mark.django_db

SOKOLOV = {
    "family_name": "Sokolov",
    "given_names": "Egor",
    "nationality": "RUS",
    "power_depended_on": "RUS",
    "captured_on": "2024-08-20",
    "capture_place": "Kursk oblast",
}


def path(captive: Captive, nested: str = "") -> str:
    return f"/api/v1/captives/{captive.pk}/{nested + '/' if nested else ''}"


def kept_case(world: dict[str, Any], **fields: Any) -> Captive:
    """Held by Ukraine, a case no KOR partner is involved in."""
    captive = CaptiveFactory(
        detaining_power=world["states"]["UKR"],
        nationality=world["states"]["RUS"],
        captured_on=date(2024, 8, 20),
        **fields,
    )
    Involvement.objects.get_or_create(
        captive=captive, state=world["states"]["UKR"], role=InvolvementRole.DETAINING_POWER
    )
    return captive


@pytest.fixture
def kor(client: Any, world: dict[str, Any]) -> Api:
    return make_partner(
        client,
        "KOR agency",
        state=world["states"]["KOR"],
        default_level=DisclosureLevel.FULL,
        scopes=[*ALL_SCOPES, "cases:register"],
    )


def registered_and_linked(world: dict[str, Any], kor: Api, kept: Captive) -> Captive:
    """KOR registers Sokolov Egor; a caseworker of the bureau links him to the case kept."""
    answer = kor.post("/api/v1/captives/", SOKOLOV, headers={"Idempotency-Key": "sokolov"})
    assert answer.status_code == 201, answer.content
    duplicate = Captive.objects.get(pk=answer.json()["captive"]["id"])
    case_services.duplicate_decide(
        acting_user=UserFactory(role=ROLE_CASEWORKER),
        captive=duplicate,
        other=kept,
        decision=DuplicateVerdict.SAME_PERSON,
    )
    return duplicate


def the_three_writes(api: Api, duplicate: Captive) -> list[Any]:
    etag = api.get(path(duplicate))["ETag"]
    return [
        api.patch(path(duplicate), {"rank": "Private"}, headers={"If-Match": etag}),
        api.post(
            path(duplicate, "events"),
            {"kind": "hospitalized", "occurred_at": "2024-09-01T10:00:00Z", "place": "Seoul"},
        ),
        api.post(
            path(duplicate, "wishes"),
            {
                "wish": "defect",
                "destination": "KOR",
                "stated_at": "2024-09-02T10:00:00Z",
                "mode": "private_interview",
                "statement": "Asks to stay in Seoul.",
            },
        ),
    ]


def test_a_partner_that_cannot_see_the_kept_case_is_not_told_its_number(world, kor):
    kept = kept_case(world, family_name="Sokolov", given_names="Egor")
    duplicate = registered_and_linked(world, kor, kept)
    assert kor.get(path(kept)).status_code == 404

    for refused in the_three_writes(kor, duplicate):
        assert refused.status_code == 409, refused.content
        error = refused.json()["error"]
        assert error["code"] == "linked_duplicate"
        assert kept.case_number not in refused.content.decode()
        assert error["message"] == (
            f"{duplicate.case_number} is a linked duplicate of another case and is read-only."
        )
        assert "fields" not in error
    duplicate.refresh_from_db()
    assert duplicate.rank == "" and duplicate.custody_events.count() == 1
    assert not duplicate.wish_statements.exists()


def test_the_refusal_is_the_same_whichever_hidden_case_was_kept(client, world, kor):
    """Two duplicates, each linked to a case KOR cannot see (differing in number, holder's
    records and name): the refusals differ only by the duplicate's own case number."""
    first_kept = kept_case(world, family_name="Sokolov", given_names="Egor")
    kept_case(world, family_name="Filler")  # moves the next kept case's number
    second_kept = kept_case(world, family_name="Sokolov", given_names="Yegor")
    first = registered_and_linked(world, kor, first_kept)
    second_answer = kor.post(
        "/api/v1/captives/", {**SOKOLOV, "given_names": "Yegor"}, headers={"Idempotency-Key": "2"}
    )
    second = Captive.objects.get(pk=second_answer.json()["captive"]["id"])
    case_services.duplicate_decide(
        acting_user=UserFactory(role=ROLE_CASEWORKER),
        captive=second,
        other=second_kept,
        decision=DuplicateVerdict.SAME_PERSON,
    )

    for one, other in zip(the_three_writes(kor, first), the_three_writes(kor, second), strict=True):
        assert one.status_code == other.status_code == 409
        assert (
            one.content.replace(first.case_number.encode(), second.case_number.encode())
            == other.content
        )
        assert sorted(one.headers.items()) == sorted(other.headers.items())


def test_a_partner_that_sees_the_kept_case_is_told_its_number(world, kor):
    kept = kept_case(world, family_name="Sokolov", given_names="Egor")
    duplicate = registered_and_linked(world, kor, kept)
    share(kor, kept, DisclosureLevel.IDENTITY)

    for refused in the_three_writes(kor, duplicate):
        assert refused.status_code == 409
        assert refused.json()["error"] == {
            "code": "linked_duplicate",
            "message": (
                f"{duplicate.case_number} is a linked duplicate of {kept.case_number} and is "
                "read-only: record it there."
            ),
        }


def test_staff_are_told_the_kept_case(client, world, kor):
    kept = kept_case(world, family_name="Sokolov", given_names="Egor")
    duplicate = registered_and_linked(world, kor, kept)
    client.force_login(UserFactory(role=ROLE_CASEWORKER))
    etag = client.get(path(duplicate))["ETag"]

    refused = client.patch(
        path(duplicate),
        {"rank": "Private"},
        content_type="application/json",
        HTTP_IF_MATCH=etag,
    )

    assert refused.status_code == 409
    assert kept.case_number in refused.json()["error"]["message"]
