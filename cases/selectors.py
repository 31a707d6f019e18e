"""Reads about cases that more than one screen needs."""

from datetime import date, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from cases.models import Obligation


def obligations_open(*, today: date | None = None, within_days: int = 7) -> QuerySet[Obligation]:
    """Duties not yet fulfilled: every overdue one, and those due within `within_days`."""
    today = today or timezone.localdate()
    return (
        Obligation.objects.active()
        .filter(fulfilled_on__isnull=True, due_on__lte=today + timedelta(days=within_days))
        .with_state(today)
        .select_related("captive")
        .order_by("due_on", "captive__case_number", "id")
    )
