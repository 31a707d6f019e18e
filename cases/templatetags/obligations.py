"""The dashboard list of GC III duties due and overdue, shown on the admin's front page."""

from datetime import timedelta
from typing import Any

from django import template
from django.utils import timezone

from cases.choices import OBLIGATION_KIND_SHORT
from cases.models import Obligation
from cases.selectors import obligations_open

register = template.Library()

# The dashboard lists at most this many duties; its heading counts them all.
DASHBOARD_DUTIES = 50


@register.inclusion_tag("admin/cases/obligations_dashboard.html", takes_context=True)
def obligations_dashboard(context: dict[str, Any], within_days: int = 7) -> dict[str, Any]:
    user = context["request"].user
    if not user.has_perm("cases.view_obligation"):
        return {"visible": False}
    today = timezone.localdate()
    duties = list(obligations_open(today=today, within_days=within_days)[:DASHBOARD_DUTIES])
    for duty in duties:
        duty.kind_short = OBLIGATION_KIND_SHORT.get(duty.kind, duty.get_kind_display())
    open_duties = Obligation.objects.active().filter(fulfilled_on__isnull=True)
    return {
        "visible": True,
        "duties": duties,
        "within_days": within_days,
        "overdue": open_duties.filter(due_on__lt=today).count(),
        "due_soon": open_duties.filter(
            due_on__gte=today, due_on__lte=today + timedelta(days=within_days)
        ).count(),
        "shown_all": len(duties) < DASHBOARD_DUTIES,
    }
