"""The admin for states and what passes between them."""

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from diplomacy import services
from diplomacy.choices import (
    PROPOSAL_OPEN_STATUSES,
    PROPOSAL_REOPENING,
    InclusionStatus,
    ProposalStatus,
    TransferStatus,
)
from diplomacy.models import (
    DiplomaticContact,
    ExchangeProposal,
    Involvement,
    OfferedCaptive,
    RequestedPerson,
    State,
    TransferRequest,
)
from diplomacy.selectors import PRIORITY_HEALTH, exchange_proposal_balance
from powtracker.admin import PermanentAdmin, ServiceInlineMixin, check_form, step_action
from reports.admin_documents import DocumentButtonsMixin
from reports.admin_exports import ExportAdminMixin
from reports.choices import DocumentKind
from reports.columns import (
    PROPOSAL_COLUMNS,
    PROPOSAL_PREFETCH,
    PROPOSAL_RELATED,
    TRANSFER_REQUEST_COLUMNS,
    TRANSFER_REQUEST_RELATED,
)


@admin.register(State)
class StateAdmin(PermanentAdmin):
    list_display = ["code", "name", "gc3_party", "language"]
    list_filter = ["gc3_party"]
    search_fields = ["code", "name"]


@admin.register(Involvement)
class InvolvementAdmin(PermanentAdmin):
    list_display = ["captive", "state", "role", "started_on", "ended_on"]
    list_select_related = ["captive", "state"]
    list_filter = ["role", "state"]
    search_fields = ["captive__case_number", "captive__family_name", "state__code", "position"]
    autocomplete_fields = ["captive", "state"]


class OfferedCaptiveForm(forms.ModelForm):
    class Meta:
        model = OfferedCaptive
        fields = ["captive", "inclusion_status", "reason"]
        widgets = {"reason": forms.TextInput(attrs={"size": 40})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and "captive" in self.fields:
            # Who is offered is fixed once on the list; his inclusion may change, with a reason.
            self.fields["captive"].disabled = True

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.instance.pk is None:
            if cleaned.get("captive") and self.instance.proposal_id:
                check_form(
                    self,
                    services.exchange_offer_check,
                    proposal=self.instance.proposal,
                    captive=cleaned["captive"],
                )
        elif self.has_changed():
            check_form(
                self,
                services.exchange_inclusion_check,
                offer=OfferedCaptive.objects.select_related("proposal").get(pk=self.instance.pk),
                inclusion_status=cleaned.get("inclusion_status", ""),
                reason=cleaned.get("reason", ""),
            )
        return cleaned


class FrozenAfterAgreementInline:
    """A proposal's list, added to and changed only while the proposal is open."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _proposal_open(obj) and super().has_add_permission(request, obj)  # type: ignore[misc]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _proposal_open(obj) and super().has_change_permission(request, obj)  # type: ignore[misc]


def _proposal_open(proposal: Any) -> bool:
    return proposal is None or proposal.status in PROPOSAL_OPEN_STATUSES


class OfferedCaptiveInline(FrozenAfterAgreementInline, ServiceInlineMixin, admin.TabularInline):
    model = OfferedCaptive
    form = OfferedCaptiveForm
    extra = 0
    can_delete = False
    autocomplete_fields = ["captive"]
    fields = ["captive", "inclusion_status", "reason", "health"]
    readonly_fields = ["health"]
    verbose_name_plural = "Captives offered"

    def get_queryset(self, request: HttpRequest) -> QuerySet[OfferedCaptive]:
        return super().get_queryset(request).select_related("captive")

    @admin.display(description="health")
    def health(self, offer: OfferedCaptive) -> str:
        if offer.pk is None:
            return ""
        priority = offer.captive.health in PRIORITY_HEALTH
        label = offer.captive.get_health_display()
        return f"{label} — goes home regardless of numbers (Arts. 109-110)" if priority else label

    def save_entry(self, *, request: HttpRequest, parent: Any, form: Any, fk_name: str) -> Any:
        data = form.cleaned_data
        if form.instance.pk is None:
            offer = services.exchange_offer_add(
                acting_user=request.user, proposal=parent, captive=data["captive"]
            )
            if data["inclusion_status"] == InclusionStatus.INCLUDED:
                return offer
        else:
            offer = form.instance
        return services.exchange_offer_set_inclusion(
            acting_user=request.user,
            offer=offer,
            inclusion_status=data["inclusion_status"],
            reason=data.get("reason", ""),
        )


class RequestedPersonInline(FrozenAfterAgreementInline, ServiceInlineMixin, admin.TabularInline):
    model = RequestedPerson
    extra = 0
    can_delete = False
    fields = ["name", "count", "description", "held_by"]
    autocomplete_fields = ["held_by"]
    verbose_name_plural = "Persons requested in return"

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Requests are added while the terms are open; a correction is a new proposal.
        return False

    def save_entry(self, *, request: HttpRequest, parent: Any, form: Any, fk_name: str) -> Any:
        person = {k: v for k, v in form.cleaned_data.items() if k in self.fields}
        return services.exchange_request_add(acting_user=request.user, proposal=parent, **person)


class ExchangeProposalForm(forms.ModelForm):
    reopen_with_reason = forms.CharField(
        label=_("Reopen negotiation, with reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Sends the agreed proposal back to negotiation so that its parties, terms and "
            "lists may change again. The reason is kept in its history."
        ),
    )

    class Meta:
        model = ExchangeProposal
        fields: list[str] = []


@admin.register(ExchangeProposal)
class ExchangeProposalAdmin(DocumentButtonsMixin, ExportAdminMixin, PermanentAdmin):
    export_columns = PROPOSAL_COLUMNS
    export_select_related = PROPOSAL_RELATED
    export_prefetch_related = PROPOSAL_PREFETCH
    form = ExchangeProposalForm
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
    readonly_fields = ["status", "balance", "decided_on", "executed_on", "created_at", "updated_at"]
    inlines = [OfferedCaptiveInline, RequestedPersonInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "status",
                    ("proposing_state", "counterpart_state", "mediator"),
                    "balance",
                ]
            },
        ),
        (
            "Terms and dates",
            {"fields": ["terms", ("proposed_on", "expires_on"), ("decided_on", "executed_on")]},
        ),
        ("Notes", {"fields": ["notes", ("created_at", "updated_at")]}),
    ]
    actions = [
        step_action(ProposalStatus.PROPOSED, "Submit to the counterpart", "change"),
        step_action(ProposalStatus.UNDER_NEGOTIATION, "Mark under negotiation", "change"),
        step_action(ProposalStatus.AGREED, "Agree (supervisors)", "agree"),
        step_action(ProposalStatus.EXECUTED, "Execute: hand over the included captives", "execute"),
        step_action(ProposalStatus.REJECTED, "Mark rejected", "change"),
        step_action(ProposalStatus.WITHDRAWN, "Withdraw", "change"),
        step_action(ProposalStatus.EXPIRED, "Mark expired", "change"),
    ]

    def document_buttons(
        self, proposal: ExchangeProposal
    ) -> list[tuple[str, str, list[tuple[str, Any]]]]:
        return [(_("Exchange roster"), DocumentKind.EXCHANGE_ROSTER, [("proposal", proposal.pk)])]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ExchangeProposal]:
        return (
            super()
            .get_queryset(request)
            .annotate(offered=Count("offered_captives", distinct=True))
            .prefetch_related("offered_captives__captive", "requested_persons")
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is not None and not _proposal_open(obj):
            # Agreed or final: the parties, terms and lists are frozen.
            return [
                *self.readonly_fields,
                "proposing_state",
                *sorted(services.PROPOSAL_TERMS_FIELDS),
            ]
        if obj is not None:
            return [*self.readonly_fields, "proposing_state"]
        return self.readonly_fields

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = list(super().get_fieldsets(request, obj))
        if (
            obj is not None
            and obj.status == PROPOSAL_REOPENING[0]
            and request.user.has_perm(services.PROPOSAL_REOPEN_PERMISSION[0])
        ):
            fieldsets.append((_("Reopen (supervisors)"), {"fields": ["reopen_with_reason"]}))
        return fieldsets

    def step(self, request: HttpRequest, record: ExchangeProposal, to_status: str) -> None:
        services.exchange_proposal_transition(
            acting_user=request.user, proposal=record, to_status=to_status
        )

    def has_agree_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("diplomacy.agree_exchangeproposal")

    def has_execute_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("diplomacy.execute_exchangeproposal")

    @admin.display(description="captives offered", ordering="offered")
    def offered_count(self, proposal: Any) -> int:
        return proposal.offered

    @admin.display(description="balance")
    def balance(self, proposal: ExchangeProposal) -> str:
        return str(exchange_proposal_balance(proposal)) if proposal.pk else "—"

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            reason = form.cleaned_data.get("reopen_with_reason", "")
            if reason:
                services.exchange_proposal_reopen(
                    acting_user=request.user, proposal=obj, reason=reason
                )
                return
            changes = {
                name: form.cleaned_data[name]
                for name in form.changed_data
                if name in services.PROPOSAL_TERMS_FIELDS
            }
            if changes:
                services.exchange_proposal_update(acting_user=request.user, proposal=obj, **changes)
            return
        fields = {
            name: form.cleaned_data[name]
            for name in form.fields
            if name in form.cleaned_data and name != "reopen_with_reason"
        }
        created = services.exchange_proposal_create(acting_user=request.user, **fields)
        obj.pk = created.pk
        obj.refresh_from_db()


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
class TransferRequestAdmin(ExportAdminMixin, PermanentAdmin):
    export_columns = TRANSFER_REQUEST_COLUMNS
    export_select_related = TRANSFER_REQUEST_RELATED
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
    actions = [
        step_action(TransferStatus.REQUESTED, "Mark formally requested", "change"),
        step_action(TransferStatus.APPROVED, "Approve (supervisors)", "approve"),
        step_action(TransferStatus.REJECTED, "Reject (supervisors)", "approve"),
        step_action(TransferStatus.COMPLETED, "Complete: hand him over (supervisors)", "approve"),
        step_action(TransferStatus.WITHDRAWN, "Mark withdrawn", "change"),
    ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is not None:
            return [*self.readonly_fields, "captive", "requesting_state", "kind"]
        return self.readonly_fields

    def step(self, request: HttpRequest, record: TransferRequest, to_status: str) -> None:
        services.transfer_request_transition(
            acting_user=request.user, transfer=record, to_status=to_status
        )

    def has_approve_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("diplomacy.approve_transferrequest")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        fields = {
            name: form.cleaned_data[name] for name in form.fields if name in form.cleaned_data
        }
        created = services.transfer_request_create(acting_user=request.user, **fields)
        obj.pk = created.pk
        obj.refresh_from_db()
