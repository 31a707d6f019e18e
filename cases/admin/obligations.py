"""Obligations: the list with its state filter, and fulfilling one with a document."""

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminDateWidget
from django.db.models import QuerySet
from django.http import (
    HttpRequest,
)
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.utils.translation import pgettext_lazy

from cases import services
from cases.admin.display import captive_cell
from cases.choices import (
    OBLIGATION_KIND_SHORT,
    ObligationState,
)
from cases.dates import local_moment
from cases.models import (
    Obligation,
)
from powtracker.admin import (
    CHANGE_FORM_WITH_PARTS,
    CHANGE_LIST_WITH_PARTS,
    PermanentAdmin,
)

# The printed documents (reports.GeneratedDocument), through the foreign key that names them:
# reports stands above cases.
GeneratedDocument = Obligation.document.field.related_model

# --- obligations and media ---------------------------------------------------------------------


class ObligationStateFilter(admin.SimpleListFilter):
    """Due, overdue, fulfilled, cancelled — and, when nothing is chosen, the open duties (due or
    overdue): the list a caseworker works from. *All* is a choice of its own (`?state=all`)."""

    title = pgettext_lazy("obligation", "state")
    parameter_name = "state"
    OPEN = "open"
    ALL = "all"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            (self.OPEN, _("Open (due or overdue)")),
            *ObligationState.choices,
            (self.ALL, _("All")),
        ]

    def value(self) -> str:
        return super().value() or self.OPEN

    def choices(self, changelist: Any) -> Any:
        # Django's own "All" removes the parameter, which here means the open duties.
        facets = self.get_facet_queryset(changelist) if changelist.add_facets else None
        for index, (lookup, title) in enumerate(self.lookup_choices):
            if facets is not None:
                title = f"{title} ({facets.get(f'{index}__c', '-')})"
            yield {
                "selected": self.value() == str(lookup),
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[Obligation]
    ) -> QuerySet[Obligation]:
        value = self.value()
        if value == self.ALL:
            return queryset
        if value == self.OPEN:
            return queryset.filter(fulfilled_on__isnull=True, voided_at__isnull=True)
        return queryset.with_state().filter(state=value)  # type: ignore[attr-defined]


class FulfilForm(forms.Form):
    fulfilled_on = forms.DateField(label=_l("Fulfilled on"), widget=AdminDateWidget)
    document = forms.ModelChoiceField(
        label=_l("Document sent"),
        queryset=GeneratedDocument.objects.none(),
        required=False,
        help_text=_l(
            "A capture card or notification printed here that covers the captives; its "
            "reference (DOC-…) stands for the reference below when that is left empty."
        ),
    )
    reference = forms.CharField(
        label=_l("Reference"),
        max_length=200,
        required=False,
        help_text=_l("Reference of the card, notification or report sent."),
    )

    def __init__(self, *args: Any, obligations: QuerySet[Obligation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kinds = set().union(
            *(
                services.DOCUMENTS_FULFILLING.get(kind, set())
                for kind in obligations.values_list("kind", flat=True)
            )
        )
        self.fields["document"].queryset = GeneratedDocument.objects.filter(
            kind__in=kinds, captives__obligations__in=obligations
        ).distinct()
        self.fields["document"].label_from_instance = lambda document: (
            f"{document.reference} — {document.get_kind_display()}, "
            f"{local_moment(document.generated_at)}"
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not cleaned.get("document") and not (cleaned.get("reference") or "").strip():
            raise forms.ValidationError(
                _("Give the reference of what was sent, or choose the document sent.")
            )
        return cleaned


@admin.register(Obligation)
class ObligationAdmin(PermanentAdmin):
    """The duties' list and a duty's page. Reports adds the list's Export button and the page's
    buttons printing the documents that fulfil it (reports.admin.parts.ObligationReports)."""

    change_form_template = CHANGE_FORM_WITH_PARTS
    change_list_template = CHANGE_LIST_WITH_PARTS
    list_display = ["captive_column", "kind_column", "due_on", "state", "fulfilled_on", "reference"]
    list_select_related = ["captive"]
    list_filter = [ObligationStateFilter, "kind"]
    # Open duties first by their deadline (ObligationStateFilter shows the open ones by default).
    ordering = ["due_on", "id"]
    search_fields = ["captive__case_number", "captive__family_name", "reference"]
    date_hierarchy = "due_on"
    autocomplete_fields = ["captive"]
    readonly_fields = [
        "state",
        "fulfilled_on",
        "reference",
        "document",
        "triggered_by",
        "void_reason",
    ]
    fields = [
        "captive",
        "kind",
        "due_on",
        "state",
        "fulfilled_on",
        "reference",
        "document",
        "triggered_by",
        "notes",
        "void_reason",
    ]
    actions = ["fulfil"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fixed = ["captive", "kind", "due_on"] if obj is not None else []
        return [*fixed, *self.readonly_fields]

    def save_model(self, request: HttpRequest, obj: Obligation, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if change:
            if "notes" in form.changed_data:
                services.obligation_notes_update(
                    acting_user=request.user, obligation=obj, notes=data["notes"]
                )
            return
        created = services.obligation_record(
            acting_user=request.user,
            captive=data["captive"],
            kind=data["kind"],
            due_on=data["due_on"],
            notes=data.get("notes", ""),
        )
        obj.pk = created.pk

    @admin.display(description=_l("captive"), ordering="captive__case_number")
    def captive_column(self, duty: Obligation) -> str:
        return captive_cell(duty.captive)

    @admin.display(description=_l("kind"), ordering="kind")
    def kind_column(self, duty: Obligation) -> str:
        return format_html(
            '<span title="{}">{}</span>',
            duty.get_kind_display(),
            OBLIGATION_KIND_SHORT.get(duty.kind, duty.kind),
        )

    @admin.display(description=pgettext_lazy("obligation", "state"))
    def state(self, obligation: Obligation) -> str:
        if obligation.pk is None:
            return "—"
        return ObligationState(obligation.state_on()).label

    @admin.action(description=_l("Fulfil the selected obligations…"), permissions=["change"])
    def fulfil(self, request: HttpRequest, queryset: QuerySet[Obligation]) -> Any:
        form = FulfilForm(request.POST if "apply" in request.POST else None, obligations=queryset)
        if form.is_valid():
            self.service_action_run(
                request,
                queryset,
                _("Fulfilled"),
                lambda duty: services.obligation_fulfil(
                    acting_user=request.user, obligation=duty, **form.cleaned_data
                ),
            )
            return None
        return TemplateResponse(
            request,
            "admin/cases/obligation/fulfil.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Fulfil obligations"),
                "opts": self.model._meta,
                "form": form,
                # The admin's calendar for the date, written as every date is (ISO 8601).
                "media": self.media + form.media,
                "obligations": queryset.select_related("captive"),
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )
