"""The admin's front page at a glance: the captives by custody status, each count linked to the
captive list filtered to it."""

from typing import Any
from urllib.parse import urlencode

from django import template
from django.urls import reverse

from cases.choices import CustodyEventKind
from cases.models import Captive
from cases.selectors import captives_by_custody_status

register = template.Library()


@register.inclusion_tag("admin/cases/captives_at_a_glance.html", takes_context=True)
def captives_at_a_glance(context: dict[str, Any]) -> dict[str, Any]:
    """Counted as the statistics page counts them (cases.selectors.captives_by_custody_status),
    in the order of the custody timeline; a status nobody is in is left out."""
    user = context["request"].user
    if not user.has_perm("cases.view_captive"):
        return {"visible": False}
    counts = {
        row["custody_status"]: row["count"]
        for row in captives_by_custody_status(Captive.objects.all())
    }
    changelist = reverse("admin:cases_captive_changelist")
    rows = [
        {
            "label": label,
            "count": counts[status],
            "url": f"{changelist}?{urlencode({'custody_status__exact': status})}",
        }
        for status, label in CustodyEventKind.choices
        if counts.get(status)
    ]
    return {
        "visible": True,
        "rows": rows,
        "unrecorded": counts.get("", 0),
        "total": sum(counts.values()),
        "changelist": changelist,
    }
