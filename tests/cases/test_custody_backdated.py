"""An event entered late goes where its date puts it: the custodian of that moment, and only
the duties GC III still demands of it (tester's report: captive 31 of the demo)."""

from datetime import date, datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.choices import (
    CustodyEventKind,
    Health,
    ObligationKind,
    Voluntariness,
    Wish,
    WishMode,
)
from cases.models import Captive, CustodyEvent
from powtracker.errors import RuleError
from tests.admin_forms import admin_form_data, inline_prefix
from tests.factories import CaptiveFactory

pytestmark = pytest.mark.django_db

K = CustodyEventKind
CARD, NIB, HEALTH, DEATH = (
    ObligationKind.CAPTURE_CARD,
    ObligationKind.NIB_NOTIFICATION,
    ObligationKind.HEALTH_REPORT,
    ObligationKind.DEATH_RECORD,
)


def at(day: date, hour: int = 12) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def record(captive: Captive, kind: str, when: datetime, **kwargs) -> CustodyEvent:
    return services.custody_event_record(
        acting_user=None, captive=captive, kind=kind, occurred_at=when, **kwargs
    )


def wish(captive: Captive, what: str, when: datetime, **kwargs) -> None:
    services.wish_statement_record(
        acting_user=None,
        captive=captive,
        wish=what,
        stated_at=when,
        mode=WishMode.PRIVATE_INTERVIEW,
        voluntariness=Voluntariness.FREE,
        **kwargs,
    )


def custodians(captive: Captive) -> list[tuple[str, str | None]]:
    return [
        (e.kind, e.custodian.code if e.custodian else None)
        for e in captive.custody_events.active()
        .select_related("custodian")
        .order_by("occurred_at", "id")
    ]


def open_duties(captive: Captive) -> set[int]:
    return set(captive.obligations.active().filter(fulfilled_on__isnull=True).values_list("pk"))


def repatriated(states, **kwargs) -> Captive:
    """Like captive 31 of the demo: interned by UKR, then sent home to RUS."""
    captive = CaptiveFactory(
        detaining_power=states["UKR"],
        nationality=states["RUS"],
        captured_on=date(2025, 1, 5),
        **kwargs,
    )
    record(captive, K.INTERNED, at(date(2025, 2, 17)), place="Camp 1")
    wish(captive, Wish.RETURN, at(date(2025, 3, 1)))
    record(captive, K.REPATRIATED, at(date(2025, 3, 22)))
    captive.refresh_from_db()
    return captive


def test_a_back_dated_hospitalisation_takes_the_custodian_of_its_moment(states):
    captive = repatriated(states)

    event = record(captive, K.HOSPITALIZED, at(date(2025, 3, 1)), place="backdated test")

    assert event.custodian.code == "UKR"
    assert custodians(captive) == [
        (K.CAPTURED, "UKR"),
        (K.INTERNED, "UKR"),
        (K.HOSPITALIZED, "UKR"),
        (K.REPATRIATED, "RUS"),
    ]
    captive.refresh_from_db()
    assert (captive.custody_status, captive.custodian.code) == (K.REPATRIATED, "RUS")


def test_a_back_dated_event_on_a_closed_case_opens_no_duty(states):
    captive = repatriated(states, health=Health.SERIOUSLY_WOUNDED)
    before = open_duties(captive)

    event = record(captive, K.HOSPITALIZED, at(date(2025, 3, 1)))

    assert not event.obligations.exists()
    assert open_duties(captive) == before
    # He is home: no weekly health report either (Art. 122 asks it while he is held).
    assert not captive.obligations.active().filter(kind=HEALTH, fulfilled_on__isnull=True)


def test_a_back_dated_event_before_a_handover_is_held_by_the_state_that_held_him(states):
    captive = CaptiveFactory(detaining_power=states["UKR"], captured_on=date(2025, 1, 1))
    wish(captive, Wish.DEFECT, at(date(2025, 1, 2)), destination=states["KOR"])
    record(captive, K.TRANSFERRED, at(date(2025, 1, 10)), custodian=states["KOR"])
    record(captive, K.INTERNED, at(date(2025, 1, 20)))

    before = record(captive, K.HOSPITALIZED, at(date(2025, 1, 5)))
    between = record(captive, K.IN_TRANSIT, at(date(2025, 1, 15)))

    assert (before.custodian.code, between.custodian.code) == ("UKR", "KOR")
    captive.refresh_from_db()
    assert (captive.custody_status, captive.custodian.code) == (K.INTERNED, "KOR")


def test_a_back_dated_handover_names_its_destination(states):
    captive = CaptiveFactory(detaining_power=states["UKR"], captured_on=date(2025, 1, 1))
    wish(captive, Wish.DEFECT, at(date(2025, 1, 2)), destination=states["KOR"])
    record(captive, K.INTERNED, at(date(2025, 1, 20)))

    transfer = record(captive, K.TRANSFERRED, at(date(2025, 1, 10)), custodian=states["KOR"])

    assert transfer.custodian.code == "KOR"


def test_a_move_within_custody_naming_another_custodian_is_refused(states):
    captive = repatriated(states)
    events = captive.custody_events.count()

    with pytest.raises(RuleError) as refusal:
        record(captive, K.HOSPITALIZED, at(date(2025, 3, 1)), custodian=states["RUS"])

    assert refusal.value.code == "invalid"
    assert "held by Ukraine" in refusal.value.messages[0]
    assert captive.custody_events.count() == events


def test_the_same_custodian_named_is_accepted(states):
    captive = repatriated(states)

    event = record(captive, K.HOSPITALIZED, at(date(2025, 3, 1)), custodian=states["UKR"])

    assert event.custodian.code == "UKR"


def test_a_back_dated_event_on_an_open_case_notifies_but_brings_no_capture_card(states):
    """He is still held: the NIB must still learn of the admission to hospital (Art. 122),
    but the card giving his address (Art. 70) is the later move's, not a hospital he left."""
    captive = CaptiveFactory(detaining_power=states["UKR"], captured_on=date(2025, 1, 1))
    record(captive, K.INTERNED, at(date(2025, 1, 20)))

    event = record(captive, K.HOSPITALIZED, at(date(2025, 1, 10)))

    assert list(event.obligations.values_list("kind", flat=True)) == [NIB]


def test_the_latest_event_opens_all_its_duties(states):
    captive = CaptiveFactory(detaining_power=states["UKR"], captured_on=date(2025, 1, 1))

    event = record(captive, K.HOSPITALIZED, at(date(2025, 1, 10)))

    assert sorted(event.obligations.values_list("kind", flat=True)) == sorted([CARD, NIB])


@pytest.mark.parametrize(
    ("kind", "later", "duties"),
    [
        (K.HOSPITALIZED, [], (CARD, NIB)),
        (K.HOSPITALIZED, [K.INTERNED], (NIB,)),
        (K.HOSPITALIZED, [K.INTERNED, K.REPATRIATED], ()),
        (K.INTERNED, [K.ESCAPED], ()),
        (K.INTERNED, [K.DECEASED], ()),
        (K.TRANSFERRED, [K.IN_TRANSIT], (NIB,)),
        (K.DECEASED, [], (NIB, DEATH)),
    ],
)
def test_event_duty_kinds_is_the_one_rule(kind, later, duties):
    assert services.event_duty_kinds(kind, later=later) == duties


def test_recording_many_at_once_follows_the_same_rules(states):
    closed = repatriated(states)
    held = CaptiveFactory(
        detaining_power=states["UKR"], nationality=states["RUS"], captured_on=date(2025, 1, 5)
    )
    record(held, K.INTERNED, at(date(2025, 3, 22)))

    events = services.custody_events_record(
        acting_user=None,
        captive_ids=[closed.pk, held.pk],
        kind=K.HOSPITALIZED,
        occurred_at=at(date(2025, 3, 1)),
    )

    by_captive = {event.captive_id: event for event in events}
    assert by_captive[closed.pk].custodian.code == "UKR"
    assert by_captive[held.pk].custodian.code == "UKR"
    assert not by_captive[closed.pk].obligations.exists()
    assert list(by_captive[held.pk].obligations.values_list("kind", flat=True)) == [NIB]
    closed.refresh_from_db()
    held.refresh_from_db()
    assert (closed.custody_status, closed.custodian.code) == (K.REPATRIATED, "RUS")
    assert held.custody_status == K.INTERNED


def test_the_admin_records_a_back_dated_event_through_the_same_rule(client, caseworker, states):
    client.force_login(caseworker)
    captive = CaptiveFactory(detaining_power=states["UKR"], captured_on=date(2025, 1, 1))
    wish(captive, Wish.DEFECT, at(date(2025, 1, 2)), destination=states["KOR"])
    record(captive, K.TRANSFERRED, at(date(2025, 1, 10)), custodian=states["KOR"])
    url = reverse("admin:cases_captive_change", args=[captive.pk])
    data = admin_form_data(client.get(url).content.decode())
    prefix = inline_prefix(data, "kind")
    data.update(
        {
            f"{prefix}-0-kind": K.HOSPITALIZED,
            f"{prefix}-0-occurred_at_0": "2025-01-05",
            f"{prefix}-0-occurred_at_1": "10:00",
            f"{prefix}-0-place": "Hospital 3",
        }
    )

    response = client.post(url, data)

    assert response.status_code == 302
    assert custodians(captive) == [
        (K.CAPTURED, "UKR"),
        (K.HOSPITALIZED, "UKR"),
        (K.TRANSFERRED, "KOR"),
    ]
