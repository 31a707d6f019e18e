"""The admin for states and what passes between them."""

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

# The captives' admin registers first: CaptiveProposals below is layered over it.
import cases.admin  # noqa: F401
from cases.gate import repatriation_clearance
from cases.models import Captive
from diplomacy import services
from diplomacy.choices import (
    FINAL_TRANSFER_STATUSES,
    PROPOSAL_OPEN_STATUSES,
    PROPOSAL_STEPS,
    PROPOSAL_TRANSITIONS,
    TRANSFER_STEPS,
    TRANSFER_TRANSITIONS,
    InclusionStatus,
    ProposalStatus,
    TransferStatus,
)
from diplomacy.models import (
    DiplomaticContact,
    ExchangeProposal,
    OfferedCaptive,
    RequestedPerson,
    TransferRequest,
)
from diplomacy.selectors import (
    PRIORITY_HEALTH,
    ExchangeClearances,
    captive_proposals_open,
    exchange_proposal_balance,
    exchange_proposal_clearances,
)
from powtracker.admin import (
    CHANGE_LIST_WITH_PARTS,
    PermanentAdmin,
    ServiceInlineMixin,
    admin_extend,
    check_form,
    step_action,
)
from powtracker.admin_steps import StepButtonsMixin
from powtracker.steps import Step


class OfferedCaptiveForm(forms.ModelForm):
    class Meta:
        model = OfferedCaptive
        fields = ["captive", "inclusion_status", "reason"]
        widgets = {"reason": forms.TextInput(attrs={"size": 24})}

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
    fields = ["captive", "inclusion_status", "reason", "health", "clearance"]
    readonly_fields = ["health", "clearance"]
    verbose_name_plural = _("Captives offered")

    def get_queryset(self, request: HttpRequest) -> QuerySet[OfferedCaptive]:
        return super().get_queryset(request).select_related("captive")

    def proposal_clearances(self, proposal: ExchangeProposal) -> ExchangeClearances | None:
        """The gate's decisions for the proposal's list, asked once per page (an inline is
        made afresh for each request)."""
        cache = self.__dict__.setdefault("_clearances", {})
        if proposal.pk not in cache:
            cache[proposal.pk] = exchange_proposal_clearances(proposal)
        return cache[proposal.pk]

    @admin.display(description=_("cleared for the counterpart"))
    def clearance(self, offer: OfferedCaptive) -> str:
        if offer.pk is None:
            return ""
        if offer.inclusion_status == InclusionStatus.HANDED_OVER:
            return _g("Handed over")
        clearances = self.proposal_clearances(offer.proposal)
        decided = clearances.by_offer.get(offer.pk) if clearances else None
        if decided is None:
            return "—"
        verdict = (
            _g("Cleared for %(state)s") if decided.cleared else _g("NOT cleared for %(state)s")
        )
        return format_html(
            '<strong class="{}">{}</strong> — {}',
            "gate-cleared" if decided.cleared else "gate-refused",
            verdict % {"state": clearances.state.code},
            decided.reason,
        )

    @admin.display(description=_("health"))
    def health(self, offer: OfferedCaptive) -> str:
        if offer.pk is None:
            return ""
        priority = offer.captive.health in PRIORITY_HEALTH
        label = offer.captive.get_health_display()
        if priority:
            return _g("%(health)s — goes home regardless of numbers (Arts. 109-110)") % {
                "health": label
            }
        return label

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
    verbose_name_plural = _("Persons requested in return")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Requests are added while the terms are open; a correction is a new proposal.
        return False

    def save_entry(self, *, request: HttpRequest, parent: Any, form: Any, fk_name: str) -> Any:
        person = {k: v for k, v in form.cleaned_data.items() if k in self.fields}
        return services.exchange_request_add(acting_user=request.user, proposal=parent, **person)


@admin.register(ExchangeProposal)
class ExchangeProposalAdmin(StepButtonsMixin, PermanentAdmin):
    """The proposals' list and a proposal's page, with its steps. Reports adds the list's Export
    button and the page's Exchange roster button (reports.admin.parts)."""

    change_form_template = "admin/diplomacy/exchangeproposal/change_form.html"
    change_list_template = CHANGE_LIST_WITH_PARTS
    step_page_stylesheets = ("diplomacy/steps.css",)
    steps = PROPOSAL_STEPS
    transitions = PROPOSAL_TRANSITIONS
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
            _("Terms and dates"),
            {"fields": ["terms", ("proposed_on", "expires_on"), ("decided_on", "executed_on")]},
        ),
        (_("Notes"), {"fields": ["notes", ("created_at", "updated_at")]}),
    ]
    # In bulk only what needs no reading of each proposal: that its time ran out. Every other
    # step is a decision about one proposal, its list and its clearances: its page's buttons.
    actions = [step_action(ProposalStatus.EXPIRED, _("Mark expired"), "change")]

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

    def step(self, request: HttpRequest, record: ExchangeProposal, to_status: str) -> None:
        services.exchange_proposal_transition(
            acting_user=request.user, proposal=record, to_status=to_status
        )

    def next_statuses(self, request: HttpRequest, record: ExchangeProposal) -> list[str]:
        return services.exchange_proposal_next_statuses(acting_user=request.user, proposal=record)

    def take_step(
        self, request: HttpRequest, record: ExchangeProposal, step: Step, reason: str
    ) -> None:
        if step.needs_reason:
            services.exchange_proposal_reopen(
                acting_user=request.user, proposal=record, reason=reason
            )
        elif step.to_status == ProposalStatus.EXECUTED:
            services.exchange_proposal_execute(acting_user=request.user, proposal=record)
        else:
            services.exchange_proposal_transition(
                acting_user=request.user, proposal=record, to_status=step.to_status
            )

    def reason_check(self, request: HttpRequest, record: ExchangeProposal, step: Step) -> None:
        services.exchange_proposal_reopen_check(acting_user=request.user, proposal=record)

    def step_done_message(self, record: ExchangeProposal, step: Step) -> str:
        if step.to_status == ProposalStatus.EXECUTED and record.status == step.to_status:
            count = record.offered_captives.filter(
                inclusion_status=InclusionStatus.HANDED_OVER
            ).count()
            return ngettext(
                "Proposal executed: %(count)d captive handed over to %(state)s.",
                "Proposal executed: %(count)d captives handed over to %(state)s.",
                count,
            ) % {"count": count, "state": record.counterpart_state.code}
        return str(step.done)

    def step_context(self, request: HttpRequest, record: ExchangeProposal) -> dict[str, Any]:
        return {"clearances": exchange_proposal_clearances(record)}

    @admin.display(description=_("captives offered"), ordering="offered")
    def offered_count(self, proposal: Any) -> int:
        return proposal.offered

    @admin.display(description=_("balance"))
    def balance(self, proposal: ExchangeProposal) -> str:
        return str(exchange_proposal_balance(proposal)) if proposal.pk else "—"

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            changes = {
                name: form.cleaned_data[name]
                for name in form.changed_data
                if name in services.PROPOSAL_TERMS_FIELDS
            }
            if changes:
                services.exchange_proposal_update(acting_user=request.user, proposal=obj, **changes)
            return
        fields = {
            name: form.cleaned_data[name] for name in form.fields if name in form.cleaned_data
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
        data = dict(form.cleaned_data)
        if change:
            changes = {name: data[name] for name in form.changed_data if name != "captives"}
            services.diplomatic_contact_update(
                acting_user=request.user, contact=obj, captives=data.pop("captives"), **changes
            )
            return
        created = services.diplomatic_contact_record(acting_user=request.user, **data)
        obj.pk = created.pk


@admin.register(TransferRequest)
class TransferRequestAdmin(StepButtonsMixin, PermanentAdmin):
    """Reports adds the list's Export button (reports.admin.parts)."""

    change_form_template = "admin/diplomacy/transferrequest/change_form.html"
    change_list_template = CHANGE_LIST_WITH_PARTS
    step_page_stylesheets = ("diplomacy/steps.css",)
    steps = TRANSFER_STEPS
    transitions = TRANSFER_TRANSITIONS
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
    # In bulk only what a state says of many at once (one note verbale requests, or withdraws,
    # a list of names). Approving, rejecting and completing are decisions about one person,
    # completing through the gate: its page's buttons.
    actions = [
        step_action(TransferStatus.REQUESTED, _("Mark formally requested"), "change"),
        step_action(TransferStatus.WITHDRAWN, _("Mark withdrawn"), "change"),
    ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is not None:
            return [*self.readonly_fields, "captive", "requesting_state", "kind"]
        return self.readonly_fields

    def step(self, request: HttpRequest, record: TransferRequest, to_status: str) -> None:
        services.transfer_request_transition(
            acting_user=request.user, transfer=record, to_status=to_status
        )

    def next_statuses(self, request: HttpRequest, record: TransferRequest) -> list[str]:
        return services.transfer_request_next_statuses(acting_user=request.user, transfer=record)

    def take_step(
        self, request: HttpRequest, record: TransferRequest, step: Step, reason: str
    ) -> None:
        services.transfer_request_transition(
            acting_user=request.user, transfer=record, to_status=step.to_status
        )

    def step_done_message(self, record: TransferRequest, step: Step) -> str:
        if step.to_status == TransferStatus.COMPLETED and record.status == step.to_status:
            return _g("Transfer completed: %(case)s handed over to %(state)s.") % {
                "case": record.captive.case_number,
                "state": record.requesting_state.code,
            }
        return str(step.done)

    def step_context(self, request: HttpRequest, record: TransferRequest) -> dict[str, Any]:
        if record.status in FINAL_TRANSFER_STATUSES:
            return {}
        return {
            "transfer_clearance": repatriation_clearance(
                captive=record.captive, destination=record.requesting_state
            )
        }

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            changes = {name: form.cleaned_data[name] for name in form.changed_data}
            services.transfer_request_update(acting_user=request.user, transfer=obj, **changes)
            return
        fields = {
            name: form.cleaned_data[name] for name in form.fields if name in form.cleaned_data
        }
        created = services.transfer_request_create(acting_user=request.user, **fields)
        obj.pk = created.pk
        obj.refresh_from_db()


# --- the case page (cases.admin.captives.CaptiveAdmin) -----------------------------------------


class CaptiveProposals:
    """The case page's summary flags the open exchange proposals he is included in."""

    def case_summary_context(self, request: HttpRequest, captive: Captive) -> dict[str, Any]:
        context = super().case_summary_context(request, captive)  # type: ignore[misc]
        context["case_proposals"] = [
            {
                "title": proposal.title,
                "url": reverse("admin:diplomacy_exchangeproposal_change", args=[proposal.pk]),
                "status": proposal.get_status_display(),
            }
            for proposal in captive_proposals_open(captive)
        ]
        return context


admin_extend(Captive, CaptiveProposals)
