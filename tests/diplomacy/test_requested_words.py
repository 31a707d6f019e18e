"""A proposal's requested persons and its balance read as sentences in English, Ukrainian and
Korean: a group of unspecified size is said as such, never "0 and an unspecified number"."""

import pytest
from django.utils import translation

from diplomacy import services
from diplomacy.selectors import exchange_proposal_balance
from tests.diplomacy.test_services import proposal_with, soldier

pytestmark = pytest.mark.django_db

GROUP = "Ukrainian prisoners of war held by Russia"


@pytest.fixture
def unspecified_only(states):
    proposal = proposal_with(states, [soldier(states)])
    group = services.exchange_request_add(
        acting_user=None, proposal=proposal, description=GROUP, held_by=states["RUS"]
    )
    return proposal, group


@pytest.mark.parametrize(
    ("language", "group_words", "requested"),
    [
        ("en", f"{GROUP} (number unspecified)", "Requested: a group of unspecified size."),
        ("uk", f"{GROUP} (кількість не вказано)", "Запитано: групу невизначеної чисельності."),
        ("ko", f"{GROUP} (인원 미정)", "요청: 인원이 정해지지 않은 집단."),
    ],
)
def test_a_group_of_unspecified_size_is_said_as_such(
    unspecified_only, language, group_words, requested
):
    proposal, group = unspecified_only
    with translation.override(language):
        assert str(group) == group_words
        balance = str(exchange_proposal_balance(proposal))
    assert requested in balance
    assert "0" not in balance.split(".", 1)[1]  # no count of nobody on the requested side
    assert "—" not in str(group)


@pytest.mark.parametrize(
    ("language", "requested"),
    [
        ("en", "Requested: 11 (1 named) and a group of unspecified size."),
        ("uk", "Запитано: 11 (поіменно 1) і групу невизначеної чисельності."),
        ("ko", "요청: 11명(실명 1명) 및 인원이 정해지지 않은 집단."),
    ],
)
def test_counted_named_and_unspecified_requests_read_as_one_sentence(
    unspecified_only, language, requested
):
    proposal, _group = unspecified_only
    services.exchange_request_add(acting_user=None, proposal=proposal, name="Ivan Petrenko")
    marines = services.exchange_request_add(
        acting_user=None, proposal=proposal, count=10, description="Marines"
    )
    with translation.override(language):
        assert requested in str(exchange_proposal_balance(proposal))
    assert str(marines) == "Marines (10 persons)"


def test_a_proposal_asking_for_nobody_yet_says_so(states):
    proposal = proposal_with(states, [soldier(states)])
    assert "Requested: nobody yet." in str(exchange_proposal_balance(proposal))
