"""What the admin's captive list does differently to stay quick at 100,000 captives answers as
Django's own would: the date drill-down's years and months, and the state filters' choices."""

from datetime import date
from typing import Any

import pytest
from django.db import models
from django.test import Client

from cases.models import Captive
from tests.factories import CaptiveFactory, StateFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def captives(states: dict[str, Any]) -> list[Captive]:
    days = [date(2024, 12, 31), date(2025, 1, 1), date(2025, 3, 15), date(2025, 3, 20)]
    made = [CaptiveFactory(captured_on=day, nationality=states["RUS"]) for day in days]
    made.append(CaptiveFactory(captured_on=date(2022, 6, 1), nationality=states["PRK"]))
    return made


@pytest.mark.parametrize("kind", ["year", "month"])
@pytest.mark.parametrize("order", ["ASC", "DESC"])
def test_the_drill_down_lists_the_periods_django_would(
    captives: Any, kind: str, order: str
) -> None:
    for queryset in (
        Captive.objects.all(),
        Captive.objects.filter(nationality__code="RUS"),
        Captive.objects.filter(captured_on__year=2025),
        Captive.objects.none(),
    ):
        ours = list(queryset.dates("captured_on", kind, order))
        django = list(models.QuerySet.dates(queryset, "captured_on", kind, order))
        assert ours == django


def test_the_state_filters_offer_the_states_in_use(
    captives: Any, caseworker: Any, client: Client
) -> None:
    StateFactory(code="NOR", name="Nowhere")  # a state no captive is linked to
    client.force_login(caseworker)
    page = client.get("/admin/cases/captive/").content.decode()
    assert "nationality__id__exact=" in page
    nationality_choices = {choice for choice in ("RUS", "PRK", "NOR") if f"{choice} — " in page}
    assert {"RUS", "PRK"} <= nationality_choices
    assert "Nowhere" not in page
    filtered = client.get("/admin/cases/captive/", {"captured_on__year": "2025"})
    assert filtered.status_code == 200
    years = {
        day.year for day in filtered.context["cl"].result_list.values_list("captured_on", flat=True)
    }
    assert years == {2025}
