"""The statistics selectors, checked against a small register counted by hand."""

from datetime import date, datetime
from typing import Any

import pytest
from django.utils import timezone

from cases import services
from cases.choices import CustodyEventKind, Health, Voluntariness, Wish, WishMode
from cases.models import Captive, CustodyEvent, Obligation
from reports.statistics import captives_filtered, statistics_tables, suppressed
from tests.factories import CaptiveFactory

pytestmark = pytest.mark.django_db

TODAY = date(2025, 3, 10)


def at(day: date) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, 12))


def handover(captive: Captive, kind: str, day: date, *, voided: bool = False) -> None:
    """Recorded directly: the repatriation gate is not what these counts are about."""
    CustodyEvent.objects.create(
        captive=captive,
        kind=kind,
        occurred_at=at(day),
        voided_at=at(day) if voided else None,
        void_reason="Entered twice" if voided else "",
    )
    if not voided:
        Captive.objects.filter(pk=captive.pk).update(custody_status=kind)


@pytest.fixture
def register(states: dict[str, Any]) -> dict[str, Captive]:
    """Five captives:

    | | nationality | detained by | captured | health | custody | wish |
    |---|---|---|---|---|---|---|
    | A | RUS | UKR | 2025-01-05 | unharmed | interned 2025-01-08 | return |
    | B | RUS | UKR | 2025-01-20 | wounded | exchanged 2025-02-10 | return |
    | C | RUS | UKR | 2025-03-02 | unharmed | captured (a repatriation voided) | remain |
    | D | PRK | UKR | 2025-03-15 | seriously wounded | captured | — |
    | E | PRK | RUS | 2024-12-31 | sick | repatriated 2025-04-03 | — |

    Each capture brings a NIB notification due 7 days later (E's is fulfilled); A's internment a
    capture card due 2025-01-15; D's wounds a health report due a week from the real today.
    """
    ukr, rus, prk = states["UKR"], states["RUS"], states["PRK"]
    rows = {
        "A": dict(nationality=rus, detaining_power=ukr, captured_on=date(2025, 1, 5)),
        "B": dict(
            nationality=rus, detaining_power=ukr, captured_on=date(2025, 1, 20), health="wounded"
        ),
        "C": dict(nationality=rus, detaining_power=ukr, captured_on=date(2025, 3, 2)),
        "D": dict(
            nationality=prk,
            detaining_power=ukr,
            captured_on=date(2025, 3, 15),
            health=Health.SERIOUSLY_WOUNDED,
        ),
        "E": dict(
            nationality=prk, detaining_power=rus, captured_on=date(2024, 12, 31), health="sick"
        ),
    }
    captives = {name: CaptiveFactory(**fields) for name, fields in rows.items()}
    a, b, c, e = captives["A"], captives["B"], captives["C"], captives["E"]
    services.custody_event_record(
        acting_user=None,
        captive=a,
        kind=CustodyEventKind.INTERNED,
        occurred_at=at(date(2025, 1, 8)),
    )
    for captive, wish in [(a, Wish.RETURN), (b, Wish.RETURN), (c, Wish.REMAIN)]:
        services.wish_statement_record(
            acting_user=None,
            captive=captive,
            wish=wish,
            stated_at=at(date(2025, 3, 3)),
            mode=WishMode.PRIVATE_INTERVIEW,
            voluntariness=Voluntariness.FREE,
        )
    handover(b, CustodyEventKind.EXCHANGED, date(2025, 2, 10))
    handover(c, CustodyEventKind.REPATRIATED, date(2025, 3, 5), voided=True)
    handover(e, CustodyEventKind.REPATRIATED, date(2025, 4, 3))
    services.obligation_fulfil(
        acting_user=None,
        obligation=Obligation.objects.get(captive=e, kind="nib_notification"),
        fulfilled_on=date(2025, 1, 6),
        reference="NIB-1",
    )
    return captives


def tables(captives=None, **kwargs) -> dict[str, dict[str, tuple[int, ...]]]:
    captives = Captive.objects.all() if captives is None else captives
    return {
        table.key: {row.key: row.counts for row in table.rows}
        for table in statistics_tables(captives, today=TODAY, **kwargs)
    }


def test_the_counts_match_the_register_counted_by_hand(register):
    counted = tables()

    assert counted["custody_status"] == {
        "none": (0,),
        "captured": (2,),
        "in_transit": (0,),
        "hospitalized": (0,),
        "interned": (1,),
        "transferred": (0,),
        "exchanged": (1,),
        "repatriated": (1,),
        "released": (0,),
        "resettled": (0,),
        "escaped": (0,),
        "deceased": (0,),
    }
    assert counted["nationality"] == {"RUS": (3,), "PRK": (2,)}
    assert counted["detaining_power"] == {"UKR": (4,), "RUS": (1,)}
    assert counted["health"] == {
        "unharmed": (2,),
        "wounded": (1,),
        "seriously_wounded": (1,),
        "sick": (1,),
        "seriously_sick": (0,),
    }
    assert counted["effective_wish"] == {
        "none": (2,),
        "return": (2,),
        "remain": (1,),
        "defect": (0,),
        "undecided": (0,),
    }


def test_open_obligations_are_counted_due_or_overdue_by_kind(register):
    """On 2025-03-10 the NIB notifications of A, B and C are late, D's is not yet due, E's was
    sent; A's capture card is late; D's health report is due."""
    assert tables()["obligations"] == {
        "capture_card": (0, 1),
        "nib_notification": (1, 3),
        "health_report": (1, 0),
        "death_record": (0, 0),
        "trial_notice": (0, 0),
    }


def test_captures_and_handovers_are_counted_by_month_with_the_empty_months(register):
    counted = tables()
    assert counted["captures_per_month"] == {
        "2024-12": (1,),
        "2025-01": (2,),
        "2025-02": (0,),
        "2025-03": (2,),
    }
    # (exchanged, repatriated); C's voided repatriation is not counted.
    assert counted["handovers_per_month"] == {
        "2025-02": (1, 0),
        "2025-03": (0, 0),
        "2025-04": (0, 1),
    }


def test_the_filters_narrow_by_capture_date_and_detaining_power(register, states):
    by_power = tables(captives_filtered(Captive.objects.all(), detaining_power_id=states["UKR"].pk))
    assert by_power["detaining_power"] == {"UKR": (4,)}
    assert by_power["handovers_per_month"] == {"2025-02": (1, 0)}

    in_range = tables(
        captives_filtered(
            Captive.objects.all(),
            captured_from=date(2025, 1, 20),
            captured_to=date(2025, 3, 2),
        )
    )
    assert in_range["nationality"] == {"RUS": (2,)}
    assert in_range["captures_per_month"] == {"2025-01": (1,), "2025-02": (0,), "2025-03": (1,)}


def test_case_and_wish_counts_can_be_limited_to_other_captives(register):
    """A partner's health and wish counts cover fewer captives than its identity counts."""
    everyone = Captive.objects.all()
    counted = tables(
        everyone,
        case_captives=everyone.filter(pk=register["B"].pk),
        wish_captives=everyone.none(),
    )
    assert counted["nationality"] == {"RUS": (3,), "PRK": (2,)}
    assert sum(c for (c,) in counted["health"].values()) == 1
    assert counted["health"]["wounded"] == (1,)
    assert set(counted["effective_wish"].values()) == {(0,)}
    assert counted["captures_per_month"] == {"2025-01": (1,)}


@pytest.mark.parametrize(
    ("count", "shown"), [(0, 0), (1, "<5"), (2, "<5"), (4, "<5"), (5, 5), (38, 38)]
)
def test_counts_from_one_to_four_are_suppressed(count, shown):
    assert suppressed(count) == shown
