"""The dashboard list of GC III duties due and overdue, shown on the admin's front page."""

from typing import Any

from django import template

from cases.selectors import obligations_open

register = template.Library()


@register.inclusion_tag("admin/cases/obligations_dashboard.html", takes_context=True)
def obligations_dashboard(context: dict[str, Any], within_days: int = 7) -> dict[str, Any]:
    user = context["request"].user
    if not user.has_perm("cases.view_obligation"):
        return {"visible": False}
    duties = list(obligations_open(within_days=within_days)[:50])
    return {
        "visible": True,
        "duties": duties,
        "within_days": within_days,
        "overdue": sum(1 for d in duties if d.state == "overdue"),
    }
