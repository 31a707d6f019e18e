"""The admin for states and what passes between them."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from diplomacy.models import (
    DiplomaticContact,
    ExchangeProposal,
    Involvement,
    OfferedCaptive,
    RequestedPerson,
    State,
    TransferRequest,
)
from powtracker.admin import PermanentAdmin


@admin.register(State)
class StateAdmin(PermanentAdmin):
    list_display = ["code", "name", "gc3_party"]
    list_filter = ["gc3_party"]
    search_fields = ["code", "name"]


@admin.register(Involvement)
class InvolvementAdmin(PermanentAdmin):
    list_display = ["captive", "state", "role", "started_on", "ended_on"]
    list_select_related = ["captive", "state"]
    list_filter = ["role", "state"]
    search_fields = ["captive__case_number", "captive__family_name", "state__code", "position"]
    autocomplete_fields = ["captive", "state"]


class OfferedCaptiveInline(admin.TabularInline):
    model = OfferedCaptive
    extra = 0
    can_delete = False
    autocomplete_fields = ["captive"]
    fields = ["captive", "inclusion_status", "reason"]


class RequestedPersonInline(admin.TabularInline):
    model = RequestedPerson
    extra = 0
    can_delete = False
    fields = ["name", "count", "description", "held_by"]
    autocomplete_fields = ["held_by"]


@admin.register(ExchangeProposal)
class ExchangeProposalAdmin(PermanentAdmin):
    list_display = [
        "title",
        "proposing_state",
        "counterpart_state",
        "mediator",
        "status",
        "proposed_on",
        "offered_count",
    ]
    list_select_related = ["proposing_state", "counterpart_state", "mediator"]
    list_filter = ["status", "proposing_state", "counterpart_state"]
    search_fields = ["title", "terms", "offered_captives__captive__case_number"]
    autocomplete_fields = ["proposing_state", "counterpart_state", "mediator"]
    readonly_fields = ["status", "decided_on", "executed_on", "created_at", "updated_at"]
    inlines = [OfferedCaptiveInline, RequestedPersonInline]
    fieldsets = [
        (
            None,
            {"fields": ["title", "status", ("proposing_state", "counterpart_state", "mediator")]},
        ),
        (
            "Terms and dates",
            {"fields": ["terms", ("proposed_on", "expires_on"), ("decided_on", "executed_on")]},
        ),
        ("Notes", {"fields": ["notes", ("created_at", "updated_at")]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ExchangeProposal]:
        from django.db.models import Count

        return super().get_queryset(request).annotate(offered=Count("offered_captives"))

    @admin.display(description="captives offered", ordering="offered")
    def offered_count(self, proposal: Any) -> int:
        return proposal.offered


@admin.register(DiplomaticContact)
class DiplomaticContactAdmin(PermanentAdmin):
    list_display = ["occurred_on", "from_state", "to_state", "channel", "classification", "summary"]
    list_select_related = ["from_state", "to_state"]
    list_filter = ["channel", "classification", "from_state", "to_state"]
    search_fields = ["summary", "from_party", "to_party", "captives__case_number"]
    autocomplete_fields = ["from_state", "to_state", "intermediary", "captives", "proposal"]
    date_hierarchy = "occurred_on"
    readonly_fields = ["recorded_by", "created_at", "updated_at"]

    def save_model(
        self, request: HttpRequest, obj: DiplomaticContact, form: Any, change: bool
    ) -> None:
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(TransferRequest)
class TransferRequestAdmin(PermanentAdmin):
    list_display = ["captive", "requesting_state", "kind", "status", "stated_on"]
    list_select_related = ["captive", "requesting_state"]
    list_filter = ["status", "kind", "requesting_state"]
    search_fields = ["captive__case_number", "captive__family_name", "basis"]
    autocomplete_fields = ["captive", "requesting_state"]
    readonly_fields = [
        "status",
        "requested_on",
        "decided_on",
        "completed_on",
        "created_at",
        "updated_at",
    ]
