"""The columns of each staff export (documented in the README). Codes, not labels: a
spreadsheet filters on them, and they read the same in every language."""

from typing import Any

from django.contrib.postgres.aggregates import StringAgg
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery, Value
from django.db.models.functions import Concat

from cases.models import CaptiveName
from reports.exports import Column, field, names_joined

# names_joined in SQL (PostgreSQL): "name (system); …", in the same order.
NAMES_JOINED_SQL = Subquery(
    CaptiveName.objects.filter(captive=OuterRef("pk"))
    .order_by()
    .values("captive")
    .annotate(
        joined=StringAgg(
            Concat("full_name", Value(" ("), "system", Value(")")),
            "; ",
            order_by=("system", "id"),
        )
    )
    .values("joined")
)

CAPTIVE_COLUMNS = [
    field("case_number"),
    field("family_name"),
    field("given_names"),
    field("name_original"),
    field("original_script"),
    Column("other_names", names_joined, NAMES_JOINED_SQL),
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


def captive_columns(prefix: str = "captive.") -> list[Column]:
    """Who a record is about: his case number and his name in every script held."""
    return [
        field(f"{prefix}case_number", "case_number"),
        field(f"{prefix}family_name", "family_name"),
        field(f"{prefix}given_names", "given_names"),
        field(f"{prefix}name_original", "name_original"),
    ]


def offered_joined(proposal: Any) -> str:
    """The captives offered: "case number family name (inclusion status); …"."""
    return "; ".join(
        f"{offer.captive.case_number} {offer.captive.name_latin} ({offer.inclusion_status})"
        for offer in proposal.offered_captives.all()
    )


CUSTODY_EVENT_COLUMNS = [
    field("id"),
    *captive_columns(),
    field("kind"),
    field("occurred_at"),
    field("place"),
    field("custodian.code", "custodian"),
    field("notes"),
    field("recorded_by.username", "recorded_by"),
    field("recorded_at"),
    field("voided_at"),
    field("void_reason"),
]
CUSTODY_EVENT_RELATED = ["captive", "custodian", "recorded_by"]

WISH_STATEMENT_COLUMNS = [
    field("id"),
    *captive_columns(),
    field("wish"),
    field("destination.code", "destination"),
    field("statement"),
    field("stated_at"),
    field("mode"),
    field("language"),
    field("interpreter"),
    field("is_formal_request"),
    field("voluntariness"),
    field("assessed_by.username", "assessed_by"),
    field("assessed_at"),
    field("recorded_by.username", "recorded_by"),
    field("recorded_at"),
    field("voided_at"),
    field("void_reason"),
]
WISH_STATEMENT_RELATED = ["captive", "destination", "assessed_by", "recorded_by"]

OBLIGATION_COLUMNS = [
    field("id"),
    *captive_columns(),
    field("kind"),
    field("due_on"),
    field("fulfilled_on"),
    field("reference"),
    field("notes"),
    field("created_at"),
    field("voided_at"),
    field("void_reason"),
]
OBLIGATION_RELATED = ["captive"]

PROPOSAL_COLUMNS = [
    field("id"),
    field("title"),
    field("proposing_state.code", "proposing_state"),
    field("counterpart_state.code", "counterpart_state"),
    field("mediator.code", "mediator"),
    field("status"),
    field("proposed_on"),
    field("expires_on"),
    field("decided_on"),
    field("executed_on"),
    Column("offered_captives", offered_joined),
    field("terms"),
    field("updated_at"),
]
PROPOSAL_RELATED = ["proposing_state", "counterpart_state", "mediator"]
PROPOSAL_PREFETCH = ["offered_captives__captive"]

TRANSFER_REQUEST_COLUMNS = [
    field("id"),
    *captive_columns(),
    field("requesting_state.code", "requesting_state"),
    field("kind"),
    field("status"),
    field("basis"),
    field("stated_on"),
    field("requested_on"),
    field("decided_on"),
    field("completed_on"),
    field("updated_at"),
]
TRANSFER_REQUEST_RELATED = ["captive", "requesting_state"]

DISCLOSURE_COLUMNS = [
    field("id"),
    field("read_at"),
    field("partner.name", "partner"),
    *captive_columns(),
    field("level"),
    field("method"),
    field("path"),
]
DISCLOSURE_RELATED = ["partner", "captive"]
