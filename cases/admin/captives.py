"""The captive's admin: the register form, the list and the case page."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db.models import QuerySet
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from cases import services
from cases.admin.captive_columns import CaptiveColumnsMixin
from cases.admin.case_actions import CaseActionsMixin
from cases.admin.display import (
    DUPLICATE_LOOKUP_FIELDS,
    POWER_FIELDS,
    candidates_html,
    captive_candidates,
    fictional_records_exist,
)
from cases.admin.inlines import (
    CaptiveNameInline,
    CaptiveNamesReadOnlyInline,
    CustodyEventRecordInline,
    CustodyTimelineInline,
    InvolvementInline,
    MediaInline,
    ObligationsInline,
    ReviewRecordInline,
    ReviewsInline,
    WishStatementRecordInline,
    WishStatementsInline,
)
from cases.case_page import CasePageMixin
from cases.choices import (
    DuplicateVerdict,
)
from cases.duplicates import Candidate, duplicate_candidates
from cases.models import (
    Captive,
)
from cases.selectors import (
    CAPTIVE_SEARCH_FIELDS,
    captive_search,
)
from powtracker.admin import (
    PermanentAdmin,
    UsedRelatedFieldListFilter,
)
from powtracker.errors import RuleError


class CaptiveRegisterForm(forms.ModelForm):
    """The register form: before a new case is opened, the captives who may be the same person
    are listed, and the caseworker says which he is — one of them, or a new case."""

    # Set by the buttons of the candidates' list (the list is part of this form's errors).
    duplicate_choice = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        candidates = duplicate_candidates(
            **{name: cleaned.get(name) or None for name in DUPLICATE_LOOKUP_FIELDS[3:5]},
            **{name: cleaned.get(name) or "" for name in DUPLICATE_LOOKUP_FIELDS[:3]},
            service_number=cleaned.get("service_number") or "",
        )
        cleaned["duplicate_candidates"] = candidates
        choice = cleaned.get("duplicate_choice") or ""
        allowed = {"new"} | {f"same:{c.captive.pk}" for c in candidates}
        if candidates and choice not in allowed:

            def buttons(candidate: Candidate) -> str:
                return format_html(
                    '<button type="submit" name="duplicate_choice" value="same:{}">{}</button>',
                    candidate.captive.pk,
                    _("Same person as %(case)s") % {"case": candidate.captive.case_number},
                )

            raise forms.ValidationError(
                format_html(
                    "{} {} {}",
                    _("Possible duplicates: he may be registered already."),
                    candidates_html(candidates, buttons),
                    format_html(
                        '<button type="submit" name="duplicate_choice" value="new">{}</button>',
                        _("Not the same: register a new case"),
                    ),
                ),
                code="possible_duplicates",
            )
        return cleaned


# --- captives ----------------------------------------------------------------------------------


class CaptiveAdmin(CaptiveColumnsMixin, CasePageMixin, CaseActionsMixin, PermanentAdmin):
    """The captives' list and the case page.

    The apps above cases add their parts to both (powtracker.admin.admin_extend, which layers
    them over this class; `extended_by` names them): reports the list's Export button and print
    actions, the page's print buttons and the documents printed for him
    (reports.admin.parts.CaptiveReports); diplomacy the open exchange proposals he is on
    (diplomacy.admin.CaptiveProposals). The templates leave room for them."""

    # The key columns fit a 1440 px screen with the navigation sidebar open: the names in Latin
    # letters and in his own script share a cell, as do his nationality and detaining power.
    list_display = [
        "case_number_column",
        "name_column",
        "states_column",
        "custody_column",
        "wish_column",
        "health_column",
        "captured_column",
    ]
    change_list_template = "admin/cases/captive/change_list.html"
    # The summary with its buttons at the top of his page, then the document buttons' form.
    change_form_template = "admin/cases/captive/change_form.html"
    list_select_related = [
        "nationality",
        "detaining_power",
        "effective_wish_destination",
        "latest_wish_statement",
        "latest_wish_statement__destination",
    ]
    list_filter = [
        "custody_status",
        "effective_wish",
        "health",
        "legal_status",
        "identity_status",
        ("nationality", UsedRelatedFieldListFilter),
        ("detaining_power", UsedRelatedFieldListFilter),
    ]
    # Shows the search box; the search itself is cases.selectors.captive_search.
    search_fields = [*CAPTIVE_SEARCH_FIELDS, "names__full_name"]
    search_help_text = _l(
        "Case number, service number, or a name in any script or romanization "
        "(Chol finds Cheol, 철 and Чхоль)."
    )
    date_hierarchy = "captured_on"
    list_per_page = 50
    # A filtered list says how many it holds, not also how many the whole register holds: a
    # second count of 100,000 captives on every page.
    show_full_result_count = False
    autocomplete_fields = [
        "nationality",
        "power_depended_on",
        "allied_power",
        "capture_territory_state",
        "detaining_power",
    ]
    readonly_fields = [
        "case_number",
        "duplicate_banner",
        "possible_duplicates",
        "fictional_warning",
        "custody_summary",
        "wish_summary",
        "clearance",
        "disclosures",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (
            _l("Case"),
            {
                "fields": [
                    "duplicate_banner",
                    "case_number",
                    "fictional_warning",
                    "custody_summary",
                    "wish_summary",
                    "clearance",
                    "disclosures",
                ]
            },
        ),
        (
            _l("Identity"),
            {
                "description": _l(
                    "Tick “declined” when he refused to give an item (GC III Art. 17); "
                    "leave the item empty when it is simply unknown."
                ),
                "fields": [
                    ("family_name", "given_names"),
                    ("name_original", "original_script"),
                    ("rank", "rank_declined"),
                    ("service_number", "service_number_declined"),
                    ("birth_date", "birth_year", "birth_date_declined"),
                    ("place_of_birth", "place_of_birth_declined"),
                    ("father_first_name", "father_first_name_declined"),
                    ("mother_maiden_name", "mother_maiden_name_declined"),
                    ("sex", "nationality"),
                    "languages",
                    ("identity_status", "identity_verified_by", "identity_verified_on"),
                    "identity_notes",
                ],
            },
        ),
        (
            _l("Service"),
            {
                "fields": [
                    "armed_force",
                    ("unit", "unit_declined"),
                    ("power_depended_on", "allied_power"),
                ]
            },
        ),
        (
            _l("Capture"),
            {
                "fields": [
                    ("captured_on", "detaining_power"),
                    ("capture_place", "capture_region", "capture_territory_state"),
                    "capture_circumstances",
                ]
            },
        ),
        (_l("Legal status and health"), {"fields": ["legal_status", "health", "health_notes"]}),
        (
            _l("Next of kin"),
            {"fields": [("next_of_kin_name", "next_of_kin_relationship"), "next_of_kin_address"]},
        ),
        (_l("Notes"), {"fields": ["notes", ("created_at", "updated_at")]}),
    ]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            kwargs["form"] = CaptiveRegisterForm
        form = super().get_form(request, obj, change, **kwargs)
        if "power_depended_on" in form.base_fields:
            # What registering does with a blank power, and how a recorded one changes.
            form.base_fields["power_depended_on"].help_text = (
                _l("Blank: his nationality is recorded as his power (GC III's usual case).")
                if obj is None
                else _l(
                    "Changing it ends the involvement of the state named before (kept on record) "
                    "and begins the new one's."
                )
            )
        return form

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is None or not obj.fictional:
            # The demo's warning is shown on the demo's records only.
            fieldsets = [
                (
                    name,
                    {
                        **options,
                        "fields": [f for f in options["fields"] if f != "fictional_warning"],
                    },
                )
                for name, options in fieldsets
            ]
        if obj is None:
            # Nothing is registered yet: the possible duplicates come as the form's errors.
            return [
                (
                    name,
                    {
                        **options,
                        "fields": [f for f in options["fields"] if f not in {"duplicate_banner"}],
                    },
                )
                for name, options in fieldsets
            ]
        if obj.duplicate_of_id is None:
            fieldsets.insert(1, (_l("Possible duplicates"), {"fields": ["possible_duplicates"]}))
        return fieldsets

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A linked duplicate is read-only: his case is the one kept.
        if obj is not None and obj.duplicate_of_id is not None:
            return False
        return super().has_change_permission(request, obj)

    def get_urls(self) -> list[Any]:
        return [
            *self.case_action_urls(),
            path(
                "<path:object_id>/duplicates/",
                self.admin_site.admin_view(self.duplicate_decide_view),
                name="cases_captive_duplicate_decide",
            ),
            *super().get_urls(),
        ]

    def duplicate_decide_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """One of the buttons of the possible duplicates: through duplicate_decide."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        captive = self.get_object(request, object_id)
        verdict, _sep, other_id = request.POST.get("duplicate_decision", "").partition(":")
        other = Captive.objects.filter(pk=other_id).first() if other_id.isdigit() else None
        # The buttons decide about the candidates the page offered, nobody else (a forged id
        # would link any two captives).
        offered = {c.captive.pk for c in captive_candidates(captive)} if captive else set()
        if captive is None or other is None or verdict not in DuplicateVerdict.values:
            messages.error(request, _("Nothing was decided: the request was not valid."))
        elif other.pk not in offered:
            messages.error(
                request,
                _("Nothing was decided: %(other)s is not one of his possible duplicates.")
                % {"other": other.case_number},
            )
        else:
            try:
                services.duplicate_decide(
                    acting_user=request.user,
                    captive=captive,
                    other=other,
                    decision=verdict,
                    note=request.POST.get("duplicate_note", ""),
                )
            except RuleError as refusal:
                messages.error(
                    request,
                    _("Nothing was decided: %(reason)s") % {"reason": " ".join(refusal.messages)},
                )
            else:
                decided = (
                    _("%(case)s: same person as %(other)s.")
                    if verdict == DuplicateVerdict.SAME_PERSON
                    else _("%(case)s: not the same person as %(other)s.")
                )
                messages.success(
                    request, decided % {"case": captive.case_number, "other": other.case_number}
                )
        return HttpResponseRedirect(reverse("admin:cases_captive_change", args=[object_id]))

    def get_inlines(self, request: HttpRequest, obj: Captive | None) -> list[type]:
        if obj is None:
            return [CaptiveNameInline]
        if obj.duplicate_of_id is not None:
            return [
                CaptiveNamesReadOnlyInline,
                CustodyTimelineInline,
                WishStatementsInline,
                ReviewsInline,
                MediaInline,
                ObligationsInline,
            ]
        return [
            CaptiveNameInline,
            CustodyTimelineInline,
            CustodyEventRecordInline,
            WishStatementsInline,
            WishStatementRecordInline,
            ReviewsInline,
            ReviewRecordInline,
            InvolvementInline,
            MediaInline,
            ObligationsInline,
        ]

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        extra_context = dict(extra_context or {})
        captive = self.get_object(request, unquote(object_id))
        if captive is not None and self.has_view_permission(request, captive):
            extra_context.update(self.case_summary_context(request, captive))
        return super().change_view(request, object_id, form_url, extra_context)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Captive]:
        # The change list skips list_select_related once a queryset selects related rows.
        return (
            super()
            .get_queryset(request)
            .select_related(
                *self.list_select_related, "custodian", "effective_wish_statement__assessed_by"
            )
        )

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Captive], search_term: str
    ) -> tuple[QuerySet[Captive], bool]:
        # One search for the admin, the API and import; it never duplicates rows.
        return captive_search(queryset, search_term), False

    def get_list_filter(self, request: HttpRequest) -> list[Any]:
        # The demo's flag is offered only where the demo (or a synthetic register) was loaded.
        filters = list(super().get_list_filter(request))
        if fictional_records_exist(request):
            filters.append("fictional")
        return filters

    def save_model(self, request: HttpRequest, obj: Captive, form: Any, change: bool) -> None:
        if change:
            changes = {name: form.cleaned_data[name] for name in form.changed_data}
            # His power and its ally are involvements, changed by the one service that keeps
            # them (the states involved section shows when each began and ended).
            powers = {name: changes.pop(name) for name in POWER_FIELDS if name in changes}
            if powers:
                services.captive_powers_set(acting_user=request.user, captive=obj, **powers)
            if changes:
                services.captive_update(acting_user=request.user, captive=obj, **changes)
            obj.refresh_from_db()
            return
        skipped = {"duplicate_choice", "duplicate_candidates"}
        data = {name: form.cleaned_data[name] for name in form.fields if name not in skipped}
        registered = services.captive_register(acting_user=request.user, **data)
        self.register_duplicates_decide(request, registered, form.cleaned_data)
        # The admin goes on to save the inlines against `obj`: make it the registered captive.
        obj.pk = registered.pk
        obj.refresh_from_db()

    def register_duplicates_decide(
        self, request: HttpRequest, registered: Captive, cleaned: dict[str, Any]
    ) -> None:
        """What the caseworker chose on registering: the same person as a candidate (the new
        record becomes his linked duplicate), or a new case (not the same as any candidate)."""
        choice = cleaned.get("duplicate_choice") or ""
        candidates = cleaned.get("duplicate_candidates") or []
        if choice.startswith("same:"):
            kept = next(c.captive for c in candidates if f"same:{c.captive.pk}" == choice)
            services.duplicate_decide(
                acting_user=request.user,
                captive=registered,
                other=kept,
                decision=DuplicateVerdict.SAME_PERSON,
                note=_("Decided on registering"),
            )
        elif choice == "new":
            for candidate in candidates:
                services.duplicate_decide(
                    acting_user=request.user,
                    captive=registered,
                    other=candidate.captive,
                    decision=DuplicateVerdict.NOT_SAME,
                    note=_("Decided on registering"),
                )


admin.site.register(Captive, CaptiveAdmin)
