"""Custody events, wish statements, non-refoulement reviews and media records: read, and void
with a reason.
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import (
    HttpRequest,
)
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from cases import services
from cases.admin.display import VOLUNTARINESS_TEXT, captive_cell, state_cell, wish_marked, wish_text
from cases.choices import (
    Voluntariness,
)
from cases.models import (
    CustodyEvent,
    MediaRecord,
    NonRefoulementReview,
    WishStatement,
)
from powtracker.admin import (
    CHANGE_LIST_WITH_PARTS,
    PermanentAdmin,
    VoidForm,
)

# --- custody events, wish statements: read, and void with a reason ------------------------------


class CustodyEventVoidForm(VoidForm):
    void_check = staticmethod(services.custody_event_void_check)
    record_kwarg = "event"

    class Meta(VoidForm.Meta):
        model = CustodyEvent


class RecordAdmin(PermanentAdmin):
    """Recorded facts: added from the captive's page, never edited, only voided with a reason.

    Reports adds the Export button and print actions to their lists (reports.admin.parts)."""

    change_list_template = CHANGE_LIST_WITH_PARTS

    void_service: Any
    record_kwarg: str

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in self.model._meta.fields] + ["captive_link"]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = ["captive_link"] + [
            f.name for f in self.model._meta.fields if f.name not in {"id", "captive"}
        ]
        editable = [] if obj is None or obj.is_voided else ["void_with_reason"]
        return [(None, {"fields": fields}), (_("Correct a mistake"), {"fields": editable})]

    @admin.display(description=_l("captive"), ordering="captive__case_number")
    def captive_column(self, record: Any) -> str:
        return captive_cell(record.captive)

    @admin.display(description=_l("captive"))
    def captive_link(self, record: Any) -> str:
        url = reverse("admin:cases_captive_change", args=[record.captive_id])
        return format_html('<a href="{}">{}</a>', url, record.captive)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        reason = form.cleaned_data.get("void_with_reason")
        if reason:
            type(self).void_service(
                acting_user=request.user, reason=reason, **{self.record_kwarg: obj}
            )


@admin.register(CustodyEvent)
class CustodyEventAdmin(RecordAdmin):
    form = CustodyEventVoidForm
    void_service = staticmethod(services.custody_event_void)
    record_kwarg = "event"
    list_display = [
        "captive_column",
        "kind",
        "occurred_at",
        "place",
        "custodian_column",
        "voided_at",
    ]
    list_select_related = ["captive", "custodian"]
    list_filter = ["kind", ("voided_at", admin.EmptyFieldListFilter)]
    search_fields = ["captive__case_number", "captive__family_name", "place"]
    date_hierarchy = "occurred_at"

    @admin.display(description=_l("custodian"), ordering="custodian__code")
    def custodian_column(self, event: CustodyEvent) -> str:
        return state_cell(event.custodian)


class WishStatementForm(VoidForm):
    void_check = staticmethod(services.wish_statement_void_check)
    record_kwarg = "statement"

    assess_as = forms.ChoiceField(
        label=_l("Voluntariness"),
        required=False,
        choices=[("", _l("— keep as it is —")), *Voluntariness.choices],
        help_text=_l("Only a statement assessed as free counts as his wish."),
    )
    assessment_note = forms.CharField(
        label=_l("Assessment notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    class Meta(VoidForm.Meta):
        model = WishStatement

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("void_with_reason") and cleaned.get("assess_as"):
            self.add_error(None, _("Either void the statement or assess it, not both at once."))
        return cleaned


@admin.register(WishStatement)
class WishStatementAdmin(RecordAdmin):
    form = WishStatementForm
    void_service = staticmethod(services.wish_statement_void)
    record_kwarg = "statement"
    list_display = [
        "captive_column",
        "wish_column",
        "stated_at",
        "mode",
        "voluntariness",
        "voided_at",
    ]
    list_select_related = ["captive", "destination"]
    list_filter = ["wish", "voluntariness", "mode", ("voided_at", admin.EmptyFieldListFilter)]
    search_fields = ["captive__case_number", "captive__family_name", "statement"]
    date_hierarchy = "stated_at"

    @admin.display(description=_l("wish"), ordering="wish")
    def wish_column(self, statement: WishStatement) -> str:
        return format_html(
            '<span title="{} — {}">{}</span>',
            wish_text(statement.wish, statement.destination),
            VOLUNTARINESS_TEXT[Voluntariness(statement.voluntariness)],
            wish_marked(statement.wish, statement.destination, statement.voluntariness),
        )

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if (
            obj is not None
            and not obj.is_voided
            and request.user.has_perm("cases.assess_wishstatement")
        ):
            fieldsets.insert(
                1,
                (
                    _("Assess voluntariness (supervisors)"),
                    {"fields": ["assess_as", "assessment_note"]},
                ),
            )
        return fieldsets

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if form.cleaned_data.get("assess_as"):
            services.wish_statement_assess(
                acting_user=request.user,
                statement=obj,
                voluntariness=form.cleaned_data["assess_as"],
                notes=form.cleaned_data.get("assessment_note", ""),
            )
            return
        super().save_model(request, obj, form, change)


class ReviewVoidForm(VoidForm):
    void_check = staticmethod(services.non_refoulement_review_void_check)
    record_kwarg = "review"

    class Meta(VoidForm.Meta):
        model = NonRefoulementReview


@admin.register(NonRefoulementReview)
class NonRefoulementReviewAdmin(RecordAdmin):
    form = ReviewVoidForm
    void_service = staticmethod(services.non_refoulement_review_void)
    record_kwarg = "review"
    list_display = [
        "captive_column",
        "destination_column",
        "decision",
        "reviewed_by",
        "reviewed_at",
        "voided_at",
    ]
    list_select_related = ["captive", "destination", "reviewed_by"]
    list_filter = ["decision", "destination", ("voided_at", admin.EmptyFieldListFilter)]
    search_fields = ["captive__case_number", "captive__family_name", "reasons"]

    @admin.display(description=_l("destination"), ordering="destination__code")
    def destination_column(self, review: NonRefoulementReview) -> str:
        return state_cell(review.destination)


@admin.register(MediaRecord)
class MediaRecordAdmin(PermanentAdmin):
    list_display = [
        "title_column",
        "kind",
        "publisher",
        "published_on",
        "exposes_to_public_curiosity",
    ]
    list_filter = ["kind", "exposes_to_public_curiosity", "publisher_state"]
    search_fields = ["title", "publisher", "captives__case_number", "captives__family_name"]
    autocomplete_fields = ["captives", "publisher_state"]
    date_hierarchy = "published_on"

    @admin.display(description=_l("title"), ordering="title")
    def title_column(self, record: MediaRecord) -> str:
        # Cut to one line with an ellipsis in the list (powtracker/admin.css); whole on hover.
        return format_html('<span title="{}">{}</span>', record.title, record.title)

    def save_model(self, request: HttpRequest, obj: MediaRecord, form: Any, change: bool) -> None:
        data = dict(form.cleaned_data)
        if change:
            changes = {name: data[name] for name in form.changed_data if name != "captives"}
            services.media_record_update(
                acting_user=request.user, record=obj, captives=data.pop("captives"), **changes
            )
            return
        created = services.media_record_create(acting_user=request.user, **data)
        obj.pk = created.pk
