"""The inlines on the captive page: names, custody timeline, wishes, reviews, involvements,
media and obligations, and the forms that record a new row.
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import (
    HttpRequest,
)
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.utils.translation import pgettext_lazy

from cases import services
from cases.admin.display import wish_label
from cases.choices import (
    ObligationState,
    custody_final,
)
from cases.models import (
    Captive,
    CaptiveName,
    CustodyEvent,
    Involvement,
    MediaRecord,
    NonRefoulementReview,
    Obligation,
    WishStatement,
)
from powtracker.admin import (
    ReadOnlyInline,
    RecordInline,
    ServiceRowsInline,
    check_form,
)

# --- inlines on the captive page ---------------------------------------------------------------


class CaptiveNameInline(ServiceRowsInline, admin.TabularInline):
    model = CaptiveName
    extra = 0
    can_delete = False
    fields = ["system", "full_name", "note"]
    verbose_name = _l("other rendering of the name")
    verbose_name_plural = _l("Other renderings of the name")

    def add(self, *, request: HttpRequest, parent: Captive, data: dict[str, Any]) -> Any:
        return services.captive_name_add(acting_user=request.user, captive=parent, **data)

    def change(self, *, request: HttpRequest, record: Any, changes: dict[str, Any]) -> Any:
        return services.captive_name_update(acting_user=request.user, rendering=record, **changes)


class CaptiveNamesReadOnlyInline(ReadOnlyInline, CaptiveNameInline):
    """A linked duplicate's renderings: shown, never changed."""

    readonly_fields = CaptiveNameInline.fields
    show_change_link = False


class CustodyTimelineInline(ReadOnlyInline):
    model = CustodyEvent
    fields = ["kind", "occurred_at", "place", "custodian", "notes", "recorded_by", "void_note"]
    readonly_fields = fields
    verbose_name = _l("custody event")
    verbose_name_plural = _l("Custody timeline")
    ordering = ["occurred_at", "id"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[CustodyEvent]:
        return super().get_queryset(request).select_related("custodian", "recorded_by")

    @admin.display(description=_l("voided"))
    def void_note(self, event: CustodyEvent) -> str:
        return _("VOID: %(reason)s") % {"reason": event.void_reason} if event.is_voided else ""


class CustodyEventRecordForm(forms.ModelForm):
    class Meta:
        model = CustodyEvent
        fields = ["kind", "occurred_at", "place", "custodian", "notes"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.instance.captive_id and cleaned.get("kind") and cleaned.get("occurred_at"):
            check_form(
                self,
                services.custody_event_check,
                captive=self.instance.captive,
                kind=cleaned["kind"],
                occurred_at=cleaned["occurred_at"],
                custodian=cleaned.get("custodian"),
            )
        return cleaned


class CustodyEventRecordInline(RecordInline):
    model = CustodyEvent
    form = CustodyEventRecordForm
    verbose_name = verbose_name_plural = _l("Record a custody event")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """No blank event on a case whose status ends it (the button is gone too)."""
        if obj is not None and custody_final(obj.custody_status):
            return False
        return super().has_add_permission(request, obj)

    def record(self, *, request: HttpRequest, parent: Captive, data: dict[str, Any]) -> Any:
        return services.custody_event_record(acting_user=request.user, captive=parent, **data)


class WishStatementsInline(ReadOnlyInline):
    model = WishStatement
    fields = [
        "stated_at",
        "wish_display",
        "mode",
        "statement",
        "is_formal_request",
        "voluntariness",
        "assessed_by",
        "void_note",
    ]
    readonly_fields = fields
    verbose_name = _l("wish statement")
    verbose_name_plural = _l("Wish statements (the latest assessed as free is the effective wish)")
    ordering = ["stated_at", "id"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[WishStatement]:
        return super().get_queryset(request).select_related("destination", "assessed_by")

    @admin.display(description=_l("wish"))
    def wish_display(self, statement: WishStatement) -> str:
        return wish_label(statement.wish, statement.destination)

    @admin.display(description=_l("voided"))
    def void_note(self, statement: WishStatement) -> str:
        return (
            _("VOID: %(reason)s") % {"reason": statement.void_reason} if statement.is_voided else ""
        )


class WishStatementRecordForm(forms.ModelForm):
    class Meta:
        model = WishStatement
        fields = [
            "wish",
            "destination",
            "statement",
            "stated_at",
            "mode",
            "language",
            "interpreter",
            "persons_present",
            "is_formal_request",
            "voluntariness",
            "assessment_notes",
            "source_media",
        ]
        widgets = {
            "statement": forms.Textarea(attrs={"rows": 2}),
            "persons_present": forms.Textarea(attrs={"rows": 1}),
            "assessment_notes": forms.Textarea(attrs={"rows": 1}),
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("stated_at"):
            check_form(
                self,
                services.wish_statement_check,
                stated_at=cleaned["stated_at"],
                captive=self.instance.captive if self.instance.captive_id else None,
            )
        return cleaned


class WishStatementRecordInline(RecordInline):
    model = WishStatement
    form = WishStatementRecordForm
    assessment_fields = ("voluntariness", "assessment_notes")

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = list(WishStatementRecordForm.Meta.fields)
        if not request.user.has_perm("cases.assess_wishstatement"):
            # Assessing voluntariness is a supervisor's decision; a caseworker records words.
            fields = [f for f in fields if f not in self.assessment_fields]
        return fields

    verbose_name = verbose_name_plural = _l("Record a wish statement")

    def record(self, *, request: HttpRequest, parent: Captive, data: dict[str, Any]) -> Any:
        return services.wish_statement_record(acting_user=request.user, captive=parent, **data)


class ReviewsInline(ReadOnlyInline):
    model = NonRefoulementReview
    fields = ["destination", "decision", "reasons", "reviewed_by", "reviewed_at", "void_note"]
    readonly_fields = fields
    verbose_name_plural = _l("Non-refoulement reviews")

    @admin.display(description=_l("voided"))
    def void_note(self, review: NonRefoulementReview) -> str:
        return _("VOID: %(reason)s") % {"reason": review.void_reason} if review.is_voided else ""


class ReviewRecordInline(RecordInline):
    model = NonRefoulementReview
    fields = ["destination", "decision", "reasons"]
    verbose_name = verbose_name_plural = _l("Record a non-refoulement review (supervisors)")

    def record(self, *, request: HttpRequest, parent: Captive, data: dict[str, Any]) -> Any:
        return services.non_refoulement_review_record(
            acting_user=request.user, captive=parent, **data
        )


class InvolvementForm(forms.ModelForm):
    """An involvement on his page: a new row names its state and role; a recorded one changes
    only what it says and when it ended (what it is stays: cases.services.involvements)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            for name in ("state", "role"):
                if name in self.fields:
                    self.fields[name].disabled = True


class InvolvementInline(ServiceRowsInline, admin.TabularInline):
    model = Involvement
    form = InvolvementForm
    extra = 0
    can_delete = False
    fields = ["state", "role", "position", "started_on", "ended_on"]
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2})}}
    verbose_name_plural = _l("Involved states")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).select_related("state")

    def add(self, *, request: HttpRequest, parent: Captive, data: dict[str, Any]) -> Any:
        return services.involvement_record(acting_user=request.user, captive=parent, **data)

    def change(self, *, request: HttpRequest, record: Any, changes: dict[str, Any]) -> Any:
        return services.involvement_update(acting_user=request.user, involvement=record, **changes)


class MediaInline(ReadOnlyInline):
    model = MediaRecord.captives.through
    fields = ["media_record", "published", "art13"]
    readonly_fields = fields
    verbose_name = _l("media record")
    verbose_name_plural = _l("Media")
    show_change_link = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).select_related("mediarecord")

    @admin.display(description=_l("media"))
    def media_record(self, link: Any) -> str:
        record = link.mediarecord
        url = reverse("admin:cases_mediarecord_change", args=[record.pk])
        return format_html('<a href="{}">{}</a> ({})', url, record.title, record.get_kind_display())

    @admin.display(description=_l("published"))
    def published(self, link: Any) -> str:
        record = link.mediarecord
        return _("%(day)s by %(publisher)s") % {
            "day": record.published_on or "—",
            "publisher": record.publisher or _("unknown"),
        }

    @admin.display(description=_l("exposes to public curiosity (Art. 13)"), boolean=True)
    def art13(self, link: Any) -> bool:
        return link.mediarecord.exposes_to_public_curiosity


class ObligationsInline(ReadOnlyInline):
    model = Obligation
    fields = ["kind", "due_on", "state", "fulfilled_on", "reference"]
    readonly_fields = fields

    @admin.display(description=pgettext_lazy("obligation", "state"))
    def state(self, obligation: Obligation) -> str:
        return ObligationState(obligation.state_on()).label
