"""Registration asks the database less, and refuses exactly what it refused before."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.choices import IdentityStatus, NameSystem
from cases.models import Captive, CaptiveName, CaseNumberSequence, CustodyEvent
from cases.services import captive_register
from states.models import State
from tests.factories import CaptiveFactory
from tests.helpers import error_codes

pytestmark = pytest.mark.django_db


def nothing_written() -> bool:
    return not (
        Captive.objects.exists()
        or CaptiveName.objects.exists()
        or CustodyEvent.objects.exists()
        or Captive.history.exists()
        or CaseNumberSequence.objects.filter(last_value__gt=0).exists()
    )


def test_a_constraint_left_to_the_database_is_refused_with_its_code_and_writes_nothing(states):
    with pytest.raises(ValidationError) as refusal:
        CaptiveFactory(identity_status=IdentityStatus.VERIFIED)

    assert error_codes(refusal.value) == ["verification_incomplete"]
    assert refusal.value.messages == ["A verified identity says who verified it, and when."]
    assert nothing_written()


def test_a_rendering_given_twice_is_refused_and_writes_nothing(states):
    twice = [(NameSystem.CYRILLIC, "Ким Чол"), (NameSystem.CYRILLIC, "Ким Чол")]
    with pytest.raises(ValidationError) as refusal:
        CaptiveFactory(names=twice)

    assert error_codes(refusal.value) == ["unique_together"]
    assert nothing_written()


def test_a_state_that_does_not_exist_is_refused_on_its_field(states):
    ghost = State(pk=987654, code="XXX", name="Nowhere")
    with pytest.raises(ValidationError) as refusal:
        CaptiveFactory(nationality=ghost, power_depended_on=states["PRK"])

    assert list(refusal.value.message_dict) == ["nationality"]
    assert error_codes(refusal.value) == ["invalid"]
    assert nothing_written()


def test_a_form_still_hears_of_every_constraint_broken_in_one_query(states):
    """Validation outside the registration (the admin's forms) still reports each broken CHECK
    constraint, now asked about in a single query."""
    captive = Captive(
        detaining_power=states["UKR"],
        family_name="Kim",
        captured_on=date(2025, 1, 5),
        rank="Private",
        rank_declined=True,
        unit="94th Brigade",
        unit_declined=True,
        case_number="UKR-2025-99999",
    )
    with CaptureQueriesContext(connection) as queries, pytest.raises(ValidationError) as refusal:
        captive.validate_constraints(exclude={"case_number"})

    assert error_codes(refusal.value) == ["declined_item_has_value"] * 2
    assert len(queries) == 1


def test_registration_costs_a_fixed_and_small_number_of_queries(states):
    CaptiveFactory()  # the case number's first row for that power and year
    with CaptureQueriesContext(connection) as queries:
        captive_register(
            acting_user=None,
            detaining_power=states["UKR"],
            nationality=states["PRK"],
            power_depended_on=states["PRK"],
            family_name="Kim",
            captured_on=date(2025, 1, 5),
            names=[(NameSystem.REVISED_ROMANIZATION, "Kim Chol")],
        )
    # 20, and the outbox asking which webhook endpoints receive notifications (none here).
    assert len(queries) <= 21, "\n".join(q["sql"][:80] for q in queries.captured_queries)
