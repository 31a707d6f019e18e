"""Who may void: a partner only what it recorded itself; an assessed statement only a
supervisor — in the services, so the admin and the API obey alike."""

from datetime import date, datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.choices import CustodyEventKind, Voluntariness, Wish, WishMode
from cases.models import CustodyEvent, WishStatement
from powtracker.errors import RuleError
from tests.admin_forms import admin_form_data

pytestmark = pytest.mark.django_db


def at(day: date) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, 12))


def wishes_path(captive, nested=""):
    return f"/api/v1/captives/{captive.pk}/wishes/{nested}"


def assessed_wish(captive, supervisor) -> WishStatement:
    return services.wish_statement_record(
        acting_user=supervisor,
        captive=captive,
        wish=Wish.RETURN,
        stated_at=at(date(2025, 1, 20)),
        mode=WishMode.PRIVATE_INTERVIEW,
        voluntariness=Voluntariness.FREE,
    )


def test_a_foreign_partner_cannot_void_a_supervisors_assessed_wish(world, partners, supervisor):
    first = world["first"]
    statement = assessed_wish(first, supervisor)
    first.refresh_from_db()
    assert first.effective_wish_statement == statement
    prk_user = partners["power_depended_on"].partner.service_user

    with pytest.raises(RuleError) as refusal:
        services.wish_statement_void(
            acting_user=prk_user, statement=statement, reason="Not what he said"
        )

    assert refusal.value.code == "permission_denied"
    statement.refresh_from_db()
    first.refresh_from_db()
    assert statement.voided_at is None
    assert first.effective_wish_statement == statement


def test_over_the_api_a_partner_voids_only_its_own_wishes(world, partners, supervisor):
    first = world["first"]
    kor = partners["receiving_state"]
    bureaus = first.wish_statements.get()  # recorded by the bureau, not assessed
    assessed = assessed_wish(first, supervisor)
    own = kor.post(
        wishes_path(first),
        {
            "wish": "undecided",
            "stated_at": "2025-02-01T10:00:00Z",
            "mode": "private_interview",
        },
    )
    assert own.status_code == 201, own.content

    refused = [
        kor.post(wishes_path(first, f"{record.pk}/void/"), {"reason": "Mistake"})
        for record in (bureaus, assessed)
    ]
    voided = kor.post(wishes_path(first, f"{own.json()['id']}/void/"), {"reason": "Mistake"})

    for response in refused:
        assert (response.status_code, response.json()["error"]["code"]) == (
            403,
            "permission_denied",
        )
    assert voided.status_code == 200
    assert WishStatement.objects.filter(voided_at__isnull=False).count() == 1
    first.refresh_from_db()
    assert first.effective_wish_statement == assessed


def test_over_the_api_a_partner_voids_only_its_own_custody_events(world, partners):
    first = world["first"]
    kor = partners["receiving_state"]
    bureaus = services.custody_event_record(
        acting_user=None,
        captive=first,
        kind=CustodyEventKind.HOSPITALIZED,
        occurred_at=at(date(2025, 1, 6)),
    )
    own = kor.post(
        f"/api/v1/captives/{first.pk}/events/",
        {"kind": "interned", "occurred_at": "2025-01-08T10:00:00Z"},
    )
    assert own.status_code == 201, own.content

    refused = kor.post(
        f"/api/v1/captives/{first.pk}/events/{bureaus.pk}/void/", {"reason": "Mistake"}
    )
    voided = kor.post(
        f"/api/v1/captives/{first.pk}/events/{own.json()['id']}/void/", {"reason": "Mistake"}
    )

    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "permission_denied")
    assert voided.status_code == 200
    assert list(CustodyEvent.objects.filter(voided_at__isnull=False)) == [
        CustodyEvent.objects.get(pk=own.json()["id"])
    ]


def test_only_a_supervisor_voids_an_assessed_statement(world, caseworker, supervisor, client):
    first = world["first"]
    statement = assessed_wish(first, supervisor)
    client.force_login(caseworker)
    url = reverse("admin:cases_wishstatement_change", args=[statement.pk])
    data = admin_form_data(client.get(url).content.decode())
    data["void_with_reason"] = "Wrong interview"

    in_admin = client.post(url, data)
    with pytest.raises(RuleError) as by_service:
        services.wish_statement_void(
            acting_user=caseworker, statement=statement, reason="Wrong interview"
        )
    statement.refresh_from_db()
    assert statement.voided_at is None
    assert in_admin.status_code == 200
    assert "may not" in in_admin.content.decode() or "does not allow" in in_admin.content.decode()
    assert by_service.value.code == "permission_denied"

    services.wish_statement_void(
        acting_user=supervisor, statement=statement, reason="Wrong interview"
    )
    statement.refresh_from_db()
    assert statement.voided_at is not None
