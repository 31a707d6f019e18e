"""The demo scenario: the Kursk case as the brief tells it, loaded once however often it runs.
(Its refusal with DEBUG off, on an empty database: test_load_demo_refused.py.)"""

from datetime import date

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory, override_settings

from cases.choices import (
    CustodyEventKind,
    IdentityStatus,
    InvolvementRole,
    Voluntariness,
    Wish,
    WishMode,
)
from cases.models import Captive, CustodyEvent, Involvement, MediaRecord, WishStatement
from diplomacy.choices import ProposalStatus
from diplomacy.models import DiplomaticContact, ExchangeProposal
from states.models import State
from tests.helpers import loaded_once

pytestmark = pytest.mark.django_db


def snapshot() -> dict[str, object]:
    return {
        "captives": list(
            Captive.objects.order_by("case_number").values_list(
                "case_number", "family_name", "custody_status", "effective_wish"
            )
        ),
        "events": CustodyEvent.objects.count(),
        "wishes": WishStatement.objects.count(),
        "involvements": Involvement.objects.count(),
        "states": State.objects.count(),
        "proposals": ExchangeProposal.objects.count(),
        "contacts": DiplomaticContact.objects.count(),
        "media": MediaRecord.objects.count(),
    }


def load_demo_in_debug() -> None:
    with override_settings(DEBUG=True):
        call_command("load_demo", verbosity=0)


@pytest.fixture(scope="module")
def demo_by_command(django_db_setup, django_db_blocker):
    """`manage.py load_demo`, run once for the module; each test's writes are rolled back."""
    yield from loaded_once(django_db_blocker, load_demo_in_debug)


@pytest.fixture
def demo(demo_by_command, db, settings):
    """The demo as the command loaded it, and DEBUG on, so that it may be loaded again."""
    settings.DEBUG = True


def test_loading_twice_gives_the_same_data(demo):
    first = snapshot()
    call_command("load_demo", verbosity=0)
    assert snapshot() == first
    assert len(first["captives"]) >= 30


def test_the_kursk_case_is_there_under_fictional_names(demo):
    soldiers = list(Captive.objects.filter(nationality__code="PRK").order_by("case_number"))

    assert [s.case_number for s in soldiers] == ["UKR-2025-00001", "UKR-2025-00002"]
    assert all(s.fictional for s in soldiers)
    first, second = soldiers
    assert first.captured_on == date(2025, 1, 5)
    assert "3 to 5 January" in first.capture_circumstances
    for soldier in soldiers:
        assert soldier.capture_region == "Kursk Oblast"
        assert soldier.health == "wounded"
        assert (soldier.allied_power.code, soldier.power_depended_on.code) == ("RUS", "PRK")
        assert soldier.identity_status == IdentityStatus.VERIFIED
        assert "Republic of Korea" in soldier.identity_verified_by
        assert [e.kind for e in soldier.custody_events.all()] == [
            CustodyEventKind.CAPTURED,
            CustodyEventKind.HOSPITALIZED,
            CustodyEventKind.INTERNED,
        ]
        statement = soldier.latest_wish_statement
        assert statement.mode == WishMode.PUBLISHED_VIDEO
        assert statement.voluntariness == Voluntariness.NOT_ASSESSED
        assert soldier.effective_wish == ""  # nothing assessed as free yet
        roles = set(soldier.involvements.values_list("state__code", "role"))
        assert roles == {
            ("UKR", InvolvementRole.DETAINING_POWER),
            ("PRK", InvolvementRole.POWER_DEPENDED_ON),
            ("RUS", InvolvementRole.ALLIED_POWER),
            ("KOR", InvolvementRole.RECEIVING_STATE),
            ("KOR", InvolvementRole.VERIFIER),
        }
    assert first.latest_wish_statement.wish == Wish.RETURN
    assert second.latest_wish_statement.wish == Wish.REMAIN
    assert "decision to the authorities" in second.latest_wish_statement.statement
    receiving = first.involvements.get(role=InvolvementRole.RECEIVING_STATE)
    assert "no official request yet" in receiving.position


def test_the_video_proposal_and_contact_are_there(demo):
    video = MediaRecord.objects.get(kind="video")
    proposal = ExchangeProposal.objects.get()
    contact = DiplomaticContact.objects.get(from_state__code="KOR")

    assert video.exposes_to_public_curiosity
    assert video.captives.count() == 2
    assert (proposal.proposing_state.code, proposal.status) == ("UKR", ProposalStatus.PROPOSED)
    assert proposal.offered_captives.count() == 2
    requested = proposal.requested_persons.get()
    assert (requested.count, requested.held_by.code) == (None, "RUS")
    assert contact.to_state.code == "UKR"
    assert contact.captives.count() == 2


def test_demo_logins_work_for_each_role(demo, settings):
    for username in ["caseworker", "supervisor", "analyst"]:
        # The sign-in lockout (django-axes) needs the request: it counts by address too.
        request = RequestFactory().post("/admin/login/")
        user = authenticate(request, username=username, password=settings.DEMO_PASSWORD)
        assert user is not None
        assert user.groups.filter(name=username).exists()
