"""GC III deadlines: which events create which duties, when they fall due, when they are late."""

from datetime import date, datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from cases import services
from cases.choices import (
    CustodyEventKind,
    Health,
    ObligationKind,
    ObligationState,
    Voluntariness,
    Wish,
    WishMode,
)
from cases.selectors import obligations_open
from powtracker.errors import RuleError
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


def duties(captive, **filters) -> list[tuple[str, date]]:
    return list(
        captive.obligations.active()
        .filter(**filters)
        .order_by("due_on", "kind")
        .values_list("kind", "due_on")
    )


@freeze_time("2025-03-01 12:00:00")
def test_capture_creates_the_notification_due_a_week_later(states):
    captive = CaptiveFactory(captured_on=date(2025, 2, 20))
    assert duties(captive) == [(NIB, date(2025, 2, 27))]


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (K.INTERNED, [CARD]),
        (K.HOSPITALIZED, [CARD, NIB]),
        (K.TRANSFERRED, [CARD, NIB]),
        (K.RELEASED, [NIB]),
        (K.ESCAPED, [NIB]),
        (K.DECEASED, [DEATH, NIB]),
        (K.IN_TRANSIT, []),
    ],
)
@freeze_time("2025-03-01 12:00:00")
def test_each_event_creates_the_duties_the_convention_sets(states, kind, expected):
    captive = CaptiveFactory(captured_on=date(2025, 2, 1))
    services.wish_statement_record(
        acting_user=None,
        captive=captive,
        wish=Wish.RETURN,
        stated_at=at(date(2025, 2, 2)),
        mode=WishMode.PRIVATE_INTERVIEW,
        voluntariness=Voluntariness.FREE,
    )
    custodian = states["RUS"] if kind == K.TRANSFERRED else None
    event = services.custody_event_record(
        acting_user=None,
        captive=captive,
        kind=kind,
        occurred_at=at(date(2025, 2, 10)),
        custodian=custodian,
    )

    created = sorted(event.obligations.values_list("kind", flat=True))

    assert created == sorted(expected)
    assert set(event.obligations.values_list("due_on", flat=True)) <= {date(2025, 2, 17)}


@freeze_time("2025-03-01 12:00:00")
def test_a_new_capture_card_after_each_hospitalization_and_transfer(states):
    captive = CaptiveFactory(captured_on=date(2025, 2, 1))
    for day, kind in [(3, K.INTERNED), (10, K.HOSPITALIZED), (20, K.INTERNED)]:
        services.custody_event_record(
            acting_user=None, captive=captive, kind=kind, occurred_at=at(date(2025, 2, day))
        )
    assert [due for kind, due in duties(captive, kind=CARD)] == [
        date(2025, 2, 10),
        date(2025, 2, 17),
        date(2025, 2, 27),
    ]


def test_overdue_follows_the_clock(states):
    with freeze_time("2025-02-01 12:00:00"):
        captive = CaptiveFactory(captured_on=date(2025, 2, 1))
    duty = captive.obligations.get()

    with freeze_time("2025-02-08 23:00:00"):
        assert duty.state_on() == ObligationState.DUE
        assert [d.state for d in obligations_open()] == [ObligationState.DUE]
    with freeze_time("2025-02-09 00:30:00"):
        assert duty.state_on() == ObligationState.OVERDUE
        assert [d.state for d in obligations_open()] == [ObligationState.OVERDUE]


def test_periods_come_from_settings(states, settings):
    settings.OBLIGATION_PERIOD_DAYS = {**settings.OBLIGATION_PERIOD_DAYS, "nib_notification": 2}
    with freeze_time("2025-02-01 12:00:00"):
        captive = CaptiveFactory(captured_on=date(2025, 2, 1))
    assert duties(captive) == [(NIB, date(2025, 2, 3))]


def test_weekly_health_reports_recur_while_seriously_wounded(states, caseworker):
    with freeze_time("2025-02-01 12:00:00"):
        captive = CaptiveFactory(captured_on=date(2025, 2, 1), health=Health.SERIOUSLY_WOUNDED)
        first = captive.obligations.get(kind=HEALTH)
        assert first.due_on == date(2025, 2, 8)

    with freeze_time("2025-02-08 12:00:00"):
        services.obligation_fulfil(
            acting_user=caseworker,
            obligation=first,
            fulfilled_on=date(2025, 2, 8),
            reference="HR-1",
        )
    assert duties(captive, kind=HEALTH, fulfilled_on__isnull=True) == [(HEALTH, date(2025, 2, 15))]

    with freeze_time("2025-02-10 12:00:00"):
        services.captive_update(acting_user=caseworker, captive=captive, health=Health.WOUNDED)
    assert duties(captive, kind=HEALTH, fulfilled_on__isnull=True) == []
    cancelled = captive.obligations.get(kind=HEALTH, voided_at__isnull=False)
    assert "No longer seriously wounded" in cancelled.void_reason


def test_no_health_reports_once_he_has_left_custody(states):
    captive = CaptiveFactory(captured_on=date(2025, 2, 1), health=Health.SERIOUSLY_SICK)
    services.custody_event_record(
        acting_user=None, captive=captive, kind=K.DECEASED, occurred_at=at(date(2025, 2, 5))
    )
    assert duties(captive, kind=HEALTH, fulfilled_on__isnull=True) == []


def test_voiding_an_event_cancels_its_open_duties_but_keeps_fulfilled_ones(states, caseworker):
    captive = CaptiveFactory(captured_on=date(2025, 2, 1))
    event = services.custody_event_record(
        acting_user=None, captive=captive, kind=K.HOSPITALIZED, occurred_at=at(date(2025, 2, 3))
    )
    card = event.obligations.get(kind=CARD)
    services.obligation_fulfil(
        acting_user=caseworker, obligation=card, fulfilled_on=date(2025, 2, 4), reference="CC-9"
    )

    services.custody_event_void(acting_user=caseworker, event=event, reason="Wrong captive")

    card.refresh_from_db()
    notification = event.obligations.get(kind=NIB)
    assert card.voided_at is None and card.reference == "CC-9"
    assert notification.void_reason == "The event that created it was voided"
    assert notification.state_on() == ObligationState.CANCELLED


def test_fulfilment_needs_a_reference_and_happens_once(states, caseworker):
    duty = CaptiveFactory().obligations.get()

    with pytest.raises(RuleError) as no_reference:
        services.obligation_fulfil(
            acting_user=caseworker, obligation=duty, fulfilled_on=date(2025, 2, 4), reference=" "
        )
    services.obligation_fulfil(
        acting_user=caseworker, obligation=duty, fulfilled_on=date(2025, 2, 4), reference="N-1"
    )
    with pytest.raises(RuleError) as twice:
        services.obligation_fulfil(
            acting_user=caseworker, obligation=duty, fulfilled_on=date(2025, 2, 5), reference="N-2"
        )

    assert (no_reference.value.code, twice.value.code) == (
        "reference_required",
        "already_fulfilled",
    )
    duty.refresh_from_db()
    assert (duty.fulfilled_on, duty.reference) == (date(2025, 2, 4), "N-1")


def test_obligations_due_prints_overdue_and_due_soon(states):
    with freeze_time("2025-02-01 12:00:00"):
        late = CaptiveFactory(captured_on=date(2025, 1, 20))
        soon = CaptiveFactory(captured_on=date(2025, 1, 30))
        out = StringIO()
        call_command("obligations_due", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0].startswith(f"2025-01-27  OVERDUE  {late.case_number}")
    assert lines[1].startswith(f"2025-02-06  due      {soon.case_number}")
    assert lines[-1] == "1 overdue, 1 due within 7 days."
    with freeze_time("2025-02-01 12:00:00"), pytest.raises(SystemExit):
        call_command("obligations_due", "--fail-if-overdue", stdout=StringIO())


def test_caseworkers_see_overdue_duties_on_the_front_page_and_fulfil_them(
    client, caseworker, states
):
    with freeze_time("2025-01-20 12:00:00"):
        captive = CaptiveFactory(captured_on=date(2025, 1, 20))
    client.force_login(caseworker)
    duty = captive.obligations.get()

    front = client.get(reverse("admin:index")).content.decode()
    listing = client.get(reverse("admin:cases_obligation_changelist"), {"state": "overdue"})
    confirm = client.post(
        reverse("admin:cases_obligation_changelist"),
        {"action": "fulfil", "_selected_action": [duty.pk]},
    )
    done = client.post(
        reverse("admin:cases_obligation_changelist"),
        {
            "action": "fulfil",
            "_selected_action": [duty.pk],
            "apply": "1",
            "fulfilled_on": "2025-02-02",
            "reference": "NIB/2025/77",
        },
    )

    assert "1 overdue" in front and captive.case_number in front
    assert [o.pk for o in listing.context["cl"].result_list] == [duty.pk]
    assert "Mark fulfilled" in confirm.content.decode()
    assert done.status_code == 302
    duty.refresh_from_db()
    assert (duty.fulfilled_on, duty.reference) == (date(2025, 2, 2), "NIB/2025/77")
    assert duty.history.latest("history_id").history_user == caseworker
