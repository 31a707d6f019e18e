"""The columns of each staff export (documented in the README). Codes, not labels: a
spreadsheet filters on them, and they read the same in every language."""

from django.db.models import Prefetch, QuerySet

from cases.models import CaptiveName
from reports.exports import Column, field, names_joined

CAPTIVE_COLUMNS = [
    field("case_number"),
    field("family_name"),
    field("given_names"),
    field("name_original"),
    field("original_script"),
    Column("other_names", names_joined),
    field("rank"),
    field("service_number"),
    field("birth_date"),
    field("birth_year"),
    field("sex"),
    field("nationality.code", "nationality"),
    field("power_depended_on.code", "power_depended_on"),
    field("detaining_power.code", "detaining_power"),
    field("captured_on"),
    field("capture_place"),
    field("legal_status"),
    field("health"),
    field("identity_status"),
    field("custody_status"),
    field("custody_place"),
    field("custodian.code", "custodian"),
    field("custody_since"),
    field("effective_wish"),
    field("effective_wish_destination.code", "effective_wish_destination"),
    field("updated_at"),
]


def captive_export_queryset(queryset: QuerySet) -> QuerySet:
    """The captives with what their columns read, in a fixed number of queries per chunk."""
    return queryset.select_related(
        "nationality",
        "power_depended_on",
        "detaining_power",
        "custodian",
        "effective_wish_destination",
    ).prefetch_related(Prefetch("names", queryset=CaptiveName.objects.order_by("system", "id")))
