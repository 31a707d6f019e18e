"""Shared fixtures: the states of the Kursk case and a user for each role."""

from datetime import date, datetime
from typing import Any

import pytest
from django.utils import timezone, translation

from cases import services
from cases.choices import InvolvementRole, NameSystem, Wish, WishMode
from cases.models import Involvement, MediaRecord, Obligation
from demo.scenario import demo_load
from diplomacy.choices import ContactChannel
from diplomacy.models import (
    DiplomaticContact,
    ExchangeProposal,
    OfferedCaptive,
    RequestedPerson,
    TransferRequest,
)
from partners.choices import DisclosureLevel, PartnerKind
from partners.services import case_share_grant, partner_create
from powtracker.roles import ROLE_ANALYST, ROLE_CASEWORKER, ROLE_SUPERVISOR
from tests.factories import CaptiveFactory, StateFactory, UserFactory
from tests.helpers import MD5_HASHER, loaded_once


@pytest.fixture
def states(db: Any) -> dict[str, Any]:
    return {
        code: StateFactory(code=code, name=name)
        for code, name in [
            ("UKR", "Ukraine"),
            ("RUS", "Russian Federation"),
            ("PRK", "Democratic People's Republic of Korea"),
            ("KOR", "Republic of Korea"),
        ]
    }


@pytest.fixture
def caseworker(db: Any) -> Any:
    return UserFactory(username="cw", role=ROLE_CASEWORKER)


@pytest.fixture
def supervisor(db: Any) -> Any:
    return UserFactory(username="sup", role=ROLE_SUPERVISOR)


@pytest.fixture
def analyst(db: Any) -> Any:
    return UserFactory(username="an", role=ROLE_ANALYST)


@pytest.fixture(autouse=True)
def english_unless_asked() -> Any:
    """Each test starts in English: a request in Korean or Ukrainian leaves its language active
    in the test's thread (LocaleMiddleware sets it per request), which would otherwise speak to
    the next test's direct calls."""
    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """Hash passwords and client secrets cheaply in tests; production keeps PBKDF2."""
    settings.PASSWORD_HASHERS = [MD5_HASHER]


@pytest.fixture(scope="module")
def demo_loaded(django_db_setup: Any, django_db_blocker: Any) -> Any:
    """The demo scenario, loaded once for the module whose tests ask for it (not for each test)
    and rolled back after its last test; each test's own writes are rolled back at its end.
    Only for tests that are not transactional (tests.helpers.loaded_once)."""
    yield from loaded_once(django_db_blocker, demo_load)


@pytest.fixture
def one_of_each(states: dict[str, Any]) -> Any:
    """A record of every model the admin shows, each with a history; returns the captive."""
    captive = CaptiveFactory(names=[(NameSystem.CYRILLIC, "Тестов Иван")])
    services.wish_statement_record(
        acting_user=None,
        captive=captive,
        wish=Wish.RETURN,
        stated_at=timezone.make_aware(datetime(2025, 1, 10, 12)),
        mode=WishMode.PUBLISHED_VIDEO,
    )
    Obligation.objects.create(captive=captive, kind="capture_card", due_on=date(2025, 1, 12))
    services.non_refoulement_review_record(
        acting_user=None,
        captive=captive,
        destination=states["KOR"],
        decision="cleared",
        reasons="No risk found.",
    )
    MediaRecord.objects.create(kind="video", title="Video").captives.add(captive)
    Involvement.objects.get_or_create(
        captive=captive, state=states["KOR"], role=InvolvementRole.VERIFIER
    )
    proposal = ExchangeProposal.objects.create(
        title="Swap", proposing_state=states["UKR"], counterpart_state=states["PRK"]
    )
    OfferedCaptive.objects.create(proposal=proposal, captive=captive)
    RequestedPerson.objects.create(proposal=proposal, description="Ukrainian POWs")
    DiplomaticContact.objects.create(
        from_state=states["KOR"],
        to_state=states["UKR"],
        channel=ContactChannel.CALL,
        occurred_on=date(2025, 1, 20),
        summary="Call",
    ).captives.add(captive)
    TransferRequest.objects.create(captive=captive, requesting_state=states["KOR"])
    partner, _ = partner_create(
        acting_user=None,
        name="KOR ministry",
        kind=PartnerKind.STATE_AGENCY,
        scopes=["cases:read"],
        state=states["KOR"],
    )
    case_share_grant(
        acting_user=None,
        partner=partner,
        captive=captive,
        level=DisclosureLevel.CASE,
        reason="Tracing request",
    )
    from webhooks.services import webhook_subscribe

    # A public address, given as a number (nothing resolves here, and nothing is sent to it).
    webhook_subscribe(acting_user=None, partner=partner, url="https://93.184.215.14/hook")
    from imports.services import import_upload

    import_upload(
        acting_user=UserFactory(username="importer", role=ROLE_CASEWORKER),
        data=b"Surname,Captured on\nTestov,2025-01-05\n",
        file_name="list.csv",
        source="NIB",
        detaining_power=states["UKR"],
    )
    return captive


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Says at the end of the run, where everyone looks, that the browser tests did not run
    and how to have them run: their skip is otherwise one line among many."""
    from pathlib import Path

    from tests.browser import CHROMIUM

    if not Path(CHROMIUM).exists():
        terminalreporter.write_sep("=", "browser tests skipped", yellow=True)
        terminalreporter.write_line(
            f"The browser tests were skipped: Debian's chromium is not installed ({CHROMIUM} is "
            "missing). Install it with `sudo apt-get install chromium` to run them."
        )
