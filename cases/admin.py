"""The caseworkers' admin for captives, their timeline, wishes, obligations and media."""

from dataclasses import dataclass
from typing import Any

from django import forms
from django.apps import apps
from django.contrib import admin, messages
from django.contrib.admin.options import FORMFIELD_FOR_DBFIELD_DEFAULTS
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AdminDateWidget
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.utils.translation import ngettext, pgettext_lazy

from cases import services
from cases.case_page import CasePageMixin, case_action_open, case_action_open_check
from cases.choices import (
    OBLIGATION_KIND_SHORT,
    DuplicateVerdict,
    ObligationState,
    ReviewDecision,
    Voluntariness,
    Wish,
    custody_final,
)
from cases.duplicates import Candidate, duplicate_candidates
from cases.gate import captive_clearances, pending_statement
from cases.models import (
    Captive,
    CaptiveName,
    CustodyEvent,
    MediaRecord,
    NonRefoulementReview,
    Obligation,
    WishStatement,
)
from cases.selectors import (
    CAPTIVE_SEARCH_FIELDS,
    CaseSummary,
    captive_search,
    case_summary,
    next_obligation,
)
from powtracker.admin import (
    PermanentAdmin,
    ReadOnlyInline,
    RecordInline,
    ServiceRowsInline,
    UsedRelatedFieldListFilter,
    VoidForm,
    check_form,
)
from powtracker.errors import ErrorCode, RuleError
from powtracker.roles import role_require
from reports.admin.documents import DocumentButtonsMixin, PrintActionsMixin, print_action
from reports.admin.exports import ExportAdminMixin
from reports.choices import DocumentFormat, DocumentKind
from reports.columns import (
    CAPTIVE_COLUMNS,
    CUSTODY_EVENT_COLUMNS,
    CUSTODY_EVENT_RELATED,
    OBLIGATION_COLUMNS,
    OBLIGATION_RELATED,
    WISH_STATEMENT_COLUMNS,
    WISH_STATEMENT_RELATED,
    captive_export_queryset,
)
from reports.models import GeneratedDocument

# A wish in one word, as the lists and the captive's page show it.
WISH_SHORT = {
    Wish.RETURN: pgettext_lazy("wish", "Return"),
    Wish.REMAIN: pgettext_lazy("wish", "Remain"),
    Wish.DEFECT: pgettext_lazy("wish", "Defect"),
    Wish.UNDECIDED: pgettext_lazy("wish", "Undecided"),
}
# How far a statement counts as his wish, in one sign (the captive list's legend explains them).
VOLUNTARINESS_MARKS = {
    Voluntariness.FREE: "✓",
    Voluntariness.NOT_ASSESSED: "?",
    Voluntariness.DOUBTFUL: "~",
    Voluntariness.COERCION_SUSPECTED: "✗",
}


# The captive form's fields that are his involvements (diplomacy.services.captive_powers_set).
POWER_FIELDS = ("power_depended_on", "allied_power")


def wish_label(wish: str, destination: Any) -> str:
    """A wish as a caseworker reads it: 'Return', 'Defect → KOR'."""
    if not wish:
        return "—"
    if wish == Wish.DEFECT and destination is not None:
        return _("Defect → %(state)s") % {"state": destination.code}
    return str(WISH_SHORT[Wish(wish)])


# What each sign means, for the titles of the wish cells and the list's legend.
VOLUNTARINESS_TEXT = {
    Voluntariness.FREE: _l("assessed as free"),
    Voluntariness.NOT_ASSESSED: _l("not yet assessed"),
    Voluntariness.DOUBTFUL: _l("assessed as doubtful"),
    Voluntariness.COERCION_SUSPECTED: _l("coercion suspected"),
}


def wish_marked(wish: str, destination: Any, voluntariness: str) -> str:
    """A wish in one word with the sign of how far it counts: 'Return ✓', 'Remain ?'."""
    return f"{wish_label(wish, destination)} {VOLUNTARINESS_MARKS[Voluntariness(voluntariness)]}"


def wish_text(wish: str, destination: Any) -> str:
    """A wish in full words: 'Return to the power depended on', 'Defect to another state
    (Republic of Korea)'."""
    text = str(Wish(wish).label)
    if wish == Wish.DEFECT and destination is not None:
        return _("%(wish)s (%(state)s)") % {"wish": text, "state": destination.local_name}
    return text


def local_day(moment: Any) -> str:
    """The day of a moment where the register is kept (TIME_ZONE), as the admin writes dates."""
    return date_format(timezone.localtime(moment), "DATE_FORMAT") if moment else "—"


def captive_cell(captive: Captive) -> str:
    """A captive in a list of his records: his case number, and his name beneath it."""
    return format_html(
        '<span class="cell-line">{}</span><span class="cell-line cell-quiet" title="{}">{}</span>',
        captive.case_number,
        captive.name_latin,
        captive.name_latin,
    )


def state_cell(state: Any) -> str:
    """A state by its code, its name on hover."""
    if state is None:
        return "—"
    return format_html('<span title="{}">{}</span>', state.local_name, state.code)


def fictional_records_exist(request: HttpRequest) -> bool:
    """Whether any captive is fictional (the demo, a synthetic register): demo-only filters and
    fields are shown only then. Asked once a request (an index holds only fictional rows)."""
    if not hasattr(request, "_fictional_records_exist"):
        request._fictional_records_exist = Captive.objects.filter(fictional=True).exists()  # type: ignore[attr-defined]
    return request._fictional_records_exist  # type: ignore[attr-defined]


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


# --- possible duplicates -------------------------------------------------------------------------

# The fields of the register form the duplicate candidates are looked up by.
DUPLICATE_LOOKUP_FIELDS = (
    "family_name",
    "given_names",
    "name_original",
    "birth_date",
    "birth_year",
    "service_number",
)


def captive_candidates(captive: Captive) -> list[Candidate]:
    """The possible duplicates a captive's page offers (and the only ones its buttons decide)."""
    return duplicate_candidates(
        **{name: getattr(captive, name) for name in DUPLICATE_LOOKUP_FIELDS}, exclude=captive
    )


def candidates_html(candidates: list[Candidate], buttons: Any) -> str:
    """The candidates as a list: case (linked), name, score, reasons, and the buttons
    `buttons(candidate)` gives (already escaped HTML)."""
    return format_html(
        '<ul class="possible-duplicates">{}</ul>',
        format_html_join(
            "",
            '<li><a href="{}">{}</a> {} {} — {}: {} {}</li>',
            (
                (
                    reverse("admin:cases_captive_change", args=[c.captive.pk]),
                    c.captive.case_number,
                    c.captive.name_latin,
                    c.captive.name_original,
                    _("score %(score)d") % {"score": c.score},
                    ", ".join(c.reasons),
                    buttons(c),
                )
                for c in candidates
            ),
        ),
    )


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
    only what it says and when it ended (what it is stays: diplomacy.services)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            for name in ("state", "role"):
                if name in self.fields:
                    self.fields[name].disabled = True


class InvolvementInline(ServiceRowsInline, admin.TabularInline):
    # The app registry, not an import: cases does not depend on diplomacy's models.
    model = apps.get_model("diplomacy", "Involvement")
    form = InvolvementForm
    extra = 0
    can_delete = False
    fields = ["state", "role", "position", "started_on", "ended_on"]
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2})}}
    verbose_name_plural = _l("Involved states")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).select_related("state")

    # The services are diplomacy's: the page is a door above both apps.
    def add(self, *, request: HttpRequest, parent: Captive, data: dict[str, Any]) -> Any:
        from diplomacy.services import involvement_record

        return involvement_record(acting_user=request.user, captive=parent, **data)

    def change(self, *, request: HttpRequest, record: Any, changes: dict[str, Any]) -> Any:
        from diplomacy.services import involvement_update

        return involvement_update(acting_user=request.user, involvement=record, **changes)


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


# --- the case page: its summary and its action buttons ------------------------------------------


@dataclass(frozen=True)
class CaseAction:
    """A button of the summary at the top of a captive's page. It opens a small form page of its
    own (GET shows the form, POST hands it to the service) that comes back to the captive's page
    saying what was recorded. `permission` and `verb` are those of the service's role_require:
    the button is shown only to a role that holds the permission, and the page refuses anyone
    else with the service's own words."""

    name: str
    label: Promise
    title: Promise
    permission: str
    verb: str
    # The submit button's label, when not "Record".
    submit: Promise | None = None


CASE_ACTIONS = (
    CaseAction(
        "custody-event",
        _l("Record custody event…"),
        _l("Record a custody event"),
        "cases.add_custodyevent",
        pgettext_lazy("your role does not allow you to …", "record a custody event"),
    ),
    CaseAction(
        "wish",
        _l("Record wish statement…"),
        _l("Record a wish statement"),
        "cases.add_wishstatement",
        pgettext_lazy("your role does not allow you to …", "record a wish statement"),
    ),
    CaseAction(
        "assess",
        _l("Assess latest statement…"),
        _l("Assess the latest statement not yet assessed"),
        "cases.assess_wishstatement",
        pgettext_lazy("your role does not allow you to …", "assess the voluntariness of a wish"),
        _l("Record the assessment"),
    ),
    CaseAction(
        "review",
        _l("Record non-refoulement review…"),
        _l("Record a non-refoulement review"),
        "cases.add_nonrefoulementreview",
        pgettext_lazy("your role does not allow you to …", "record a non-refoulement review"),
    ),
    CaseAction(
        "fulfil",
        _l("Fulfil next obligation…"),
        _l("Fulfil the next obligation"),
        "cases.change_obligation",
        pgettext_lazy("your role does not allow you to …", "fulfil an obligation"),
        _l("Mark fulfilled"),
    ),
)
CASE_ACTIONS_BY_NAME = {action.name: action for action in CASE_ACTIONS}


def admin_formfield(db_field: Any, **kwargs: Any) -> Any:
    """A model field's form field with the admin's widgets (the calendar and the clock of a date
    and time), without a model admin's links to add or change related records."""
    if not db_field.choices and not db_field.is_relation:
        for klass in type(db_field).__mro__:
            if klass in FORMFIELD_FOR_DBFIELD_DEFAULTS:
                kwargs = {**FORMFIELD_FOR_DBFIELD_DEFAULTS[klass], **kwargs}
                break
    return db_field.formfield(**kwargs)


class AssessForm(forms.Form):
    """A supervisor's assessment of how freely a statement was made."""

    voluntariness = forms.ChoiceField(
        label=_l("Voluntariness"),
        choices=[
            (value, label)
            for value, label in Voluntariness.choices
            if value != Voluntariness.NOT_ASSESSED
        ],
        widget=forms.RadioSelect,
        help_text=_l("Only a statement assessed as free counts as his wish."),
    )
    notes = forms.CharField(
        label=_l("Assessment notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


def statement_text(statement: WishStatement) -> str:
    """A statement in a line: 'Remain, stated 2025-01-11 (Published video), not yet assessed'."""
    text = _("%(wish)s, stated %(day)s (%(mode)s), %(assessment)s") % {
        "wish": wish_label(statement.wish, statement.destination),
        "day": local_day(statement.stated_at),
        "mode": statement.get_mode_display(),
        "assessment": VOLUNTARINESS_TEXT[Voluntariness(statement.voluntariness)],
    }
    if statement.voluntariness != Voluntariness.NOT_ASSESSED and statement.assessed_by:
        text = _("%(statement)s by %(user)s") % {
            "statement": text,
            "user": statement.assessed_by.get_username(),
        }
    return text


def custody_text(captive: Captive) -> str:
    """'Interned since 2025-02-20 at Prisoner of war camp'."""
    if not captive.custody_status:
        return _("No custody event recorded")
    text = _("%(status)s since %(day)s") % {
        "status": captive.get_custody_status_display(),
        "day": local_day(captive.custody_since),
    }
    if captive.custody_place:
        text = _("%(status)s at %(place)s") % {"status": text, "place": captive.custody_place}
    return text


def clearance_groups(summary: CaseSummary) -> list[dict[str, Any]]:
    """The gate's decisions, the states with the same answer and reason together: 'PRK, RUS: not
    cleared — no statement of his has been assessed as free, …'."""
    groups: dict[tuple[bool, str], list[Any]] = {}
    for clearance in summary.clearances:
        groups.setdefault((clearance.cleared, clearance.reason), []).append(clearance.destination)
    return [
        {
            "cleared": cleared,
            "states": states,
            "codes": ", ".join(state.code if state else "—" for state in states),
            "names": ", ".join(state.local_name if state else "—" for state in states),
            "reason": reason,
        }
        for (cleared, reason), states in sorted(groups.items(), key=lambda item: not item[0][0])
    ]


def obligation_text(duty: Obligation, *, overdue: bool) -> str:
    """'Capture card (Art. 70), due 2026-12-01' or '…, overdue since 2026-11-20'."""
    day = date_format(duty.due_on, "DATE_FORMAT")
    if overdue:
        return _("%(kind)s, overdue since %(day)s") % {"kind": duty.get_kind_display(), "day": day}
    return _("%(kind)s, due %(day)s") % {"kind": duty.get_kind_display(), "day": day}


class CaseActionsMixin:
    """The summary at the top of a captive's page and the pages its buttons open (see
    CaseAction). Each page runs the service's own checks before it shows a form (his role, a
    linked duplicate), and the service again decides when the form is posted: a refusal is shown
    in its words, and nothing is written."""

    def case_action_urls(self) -> list[Any]:
        return [
            path(
                "<path:object_id>/case/<slug:action>/",
                self.admin_site.admin_view(self.case_action_view),  # type: ignore[attr-defined]
                name="cases_captive_case_action",
            )
        ]

    def case_summary_context(self, request: HttpRequest, captive: Captive) -> dict[str, Any]:
        """What the summary's template shows (admin/cases/captive/case_summary.html)."""
        summary = case_summary(captive)
        actions = []
        if captive.duplicate_of_id is None:
            targets = {
                "assess": summary.awaiting,
                "fulfil": summary.next_obligation,
            }
            actions = [
                {
                    "label": action.label,
                    "url": reverse(
                        "admin:cases_captive_case_action", args=[captive.pk, action.name]
                    ),
                    "name": action.name,
                }
                for action in CASE_ACTIONS
                if request.user.has_perm(action.permission)
                and (action.name not in targets or targets[action.name] is not None)
                and case_action_open(action, captive)
            ]
        latest = summary.latest
        return {
            "case_summary": summary,
            "case_custody": custody_text(captive),
            "case_effective": statement_text(summary.effective) if summary.effective else "",
            "case_latest": (
                statement_text(latest)
                if latest is not None and latest.pk != captive.effective_wish_statement_id
                else ""
            ),
            "case_awaiting": statement_text(summary.awaiting) if summary.awaiting else "",
            "case_awaiting_day": local_day(summary.awaiting.stated_at) if summary.awaiting else "",
            "case_clearances": clearance_groups(summary),
            "case_next_obligation": (
                obligation_text(summary.next_obligation, overdue=summary.next_obligation_overdue)
                if summary.next_obligation
                else ""
            ),
            "case_proposals": [
                {
                    "title": proposal.title,
                    "url": reverse("admin:diplomacy_exchangeproposal_change", args=[proposal.pk]),
                    "status": proposal.get_status_display(),
                }
                for proposal in summary.proposals
            ],
            "case_actions": actions,
        }

    # --- the pages of the buttons -----------------------------------------------------------

    def case_action_target(self, action: CaseAction, captive: Captive) -> Any:
        """What the action acts on besides him: the statement to assess, the duty to fulfil."""
        if action.name == "assess":
            return pending_statement(captive)
        if action.name == "fulfil":
            return next_obligation(captive)
        return None

    def case_action_form(
        self,
        request: HttpRequest,
        action: CaseAction,
        captive: Captive,
        target: Any,
        data: Any,
    ) -> forms.Form:
        if action.name == "custody-event":
            form_class = forms.modelform_factory(
                CustodyEvent,
                form=CustodyEventRecordForm,
                fields=CustodyEventRecordForm.Meta.fields,
                formfield_callback=admin_formfield,
            )
            return form_class(data, instance=CustodyEvent(captive=captive))
        if action.name == "wish":
            fields = list(WishStatementRecordForm.Meta.fields)
            if not request.user.has_perm("cases.assess_wishstatement"):
                # Assessing voluntariness is a supervisor's decision; a caseworker records words.
                fields = [f for f in fields if f not in WishStatementRecordInline.assessment_fields]
            form_class = forms.modelform_factory(
                WishStatement,
                form=WishStatementRecordForm,
                fields=fields,
                formfield_callback=admin_formfield,
            )
            return form_class(data, instance=WishStatement(captive=captive))
        if action.name == "assess":
            return AssessForm(data)
        if action.name == "review":
            form_class = forms.modelform_factory(
                NonRefoulementReview,
                fields=["destination", "decision", "reasons"],
                formfield_callback=admin_formfield,
            )
            return form_class(data, instance=NonRefoulementReview(captive=captive))
        return FulfilForm(data, obligations=Obligation.objects.filter(pk=target.pk))

    def case_action_run(
        self,
        request: HttpRequest,
        action: CaseAction,
        captive: Captive,
        target: Any,
        form: forms.Form,
    ) -> str:
        """Hand the form to the service; say what was recorded."""
        data = form.cleaned_data
        user = request.user
        if action.name == "custody-event":
            event = services.custody_event_record(acting_user=user, captive=captive, **data)
            return _("Custody event recorded: %(kind)s on %(day)s") % {
                "kind": event.get_kind_display(),
                "day": local_day(event.occurred_at),
            }
        if action.name == "wish":
            statement = services.wish_statement_record(acting_user=user, captive=captive, **data)
            return _("Wish statement recorded: %(wish)s, %(assessment)s") % {
                "wish": wish_label(statement.wish, statement.destination),
                "assessment": VOLUNTARINESS_TEXT[Voluntariness(statement.voluntariness)],
            }
        if action.name == "assess":
            statement = services.wish_statement_assess(
                acting_user=user,
                statement=target,
                voluntariness=data["voluntariness"],
                notes=data["notes"],
            )
            return _("Wish statement assessed: %(wish)s of %(day)s, %(assessment)s") % {
                "wish": wish_label(statement.wish, statement.destination),
                "day": local_day(statement.stated_at),
                "assessment": VOLUNTARINESS_TEXT[Voluntariness(statement.voluntariness)],
            }
        if action.name == "review":
            review = services.non_refoulement_review_record(
                acting_user=user, captive=captive, **data
            )
            decision = (
                _("cleared") if review.decision == ReviewDecision.CLEARED else _("not cleared")
            )
            return _("Non-refoulement review recorded: %(state)s, %(decision)s") % {
                "state": review.destination.code,
                "decision": decision,
            }
        duty = services.obligation_fulfil(acting_user=user, obligation=target, **data)
        return _("Obligation fulfilled: %(kind)s, reference %(reference)s") % {
            "kind": duty.get_kind_display(),
            "reference": duty.reference,
        }

    def case_action_view(self, request: HttpRequest, object_id: str, action: str) -> HttpResponse:
        """One button's page: GET shows its form (and writes nothing), POST records through the
        service and goes back to his page with what was recorded, or shows the refusal."""
        case_action = CASE_ACTIONS_BY_NAME.get(action)
        if case_action is None:
            raise Http404
        if request.method not in {"GET", "HEAD", "POST"}:
            return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
        opts = self.opts  # type: ignore[attr-defined]
        captive = self.get_object(request, unquote(object_id))  # type: ignore[attr-defined]
        if captive is None:
            return self._get_obj_does_not_exist_redirect(request, opts, object_id)  # type: ignore[attr-defined]
        if not self.has_view_permission(request, captive):  # type: ignore[attr-defined]
            raise PermissionDenied
        back = reverse("admin:cases_captive_change", args=[captive.pk])
        try:
            # The service's own first checks, before any form is shown or read.
            role_require(request.user, case_action.permission, case_action.verb)
            services.captive_writable_check(captive)
            case_action_open_check(case_action, captive)
        except RuleError as refusal:
            return self.case_action_refused(request, refusal, back)
        target = self.case_action_target(case_action, captive)
        if case_action.name in {"assess", "fulfil"} and target is None:
            messages.warning(
                request,
                _("No statement awaits assessment.")
                if case_action.name == "assess"
                else _("He has no open obligation."),
            )
            return HttpResponseRedirect(back)
        form = self.case_action_form(
            request,
            case_action,
            captive,
            target,
            request.POST if request.method == "POST" else None,
        )
        if request.method == "POST":
            if target is not None and request.POST.get("target") != str(target.pk):
                messages.error(
                    request,
                    _(
                        "Nothing was recorded: the case has changed since this page was opened. "
                        "Look at it again."
                    ),
                )
                return HttpResponseRedirect(request.path)
            if form.is_valid():
                try:
                    with transaction.atomic():
                        done = self.case_action_run(request, case_action, captive, target, form)
                except RuleError as refusal:
                    if refusal.error_code in {
                        ErrorCode.PERMISSION_DENIED,
                        ErrorCode.LINKED_DUPLICATE,
                    }:
                        return self.case_action_refused(request, refusal, back)
                    form.add_error(None, refusal)
                else:
                    messages.success(request, done)
                    return HttpResponseRedirect(back)
        context = {
            **self.admin_site.each_context(request),  # type: ignore[attr-defined]
            "opts": opts,
            "original": captive,
            "title": case_action.title,
            "form": form,
            "target": target,
            "target_text": self.case_action_target_text(case_action, target),
            "media": self.media + form.media,  # type: ignore[attr-defined]
            "change_url": back,
            "submit_label": case_action.submit or _("Record"),
        }
        return TemplateResponse(request, "admin/cases/captive/case_action.html", context)

    def case_action_target_text(self, action: CaseAction, target: Any) -> str:
        if target is None:
            return ""
        if action.name == "assess":
            words = target.statement.strip()
            text = statement_text(target)
            return (
                _("%(statement)s: “%(words)s”") % {"statement": text, "words": words}
                if words
                else text
            )
        return obligation_text(target, overdue=target.due_on < timezone.localdate())

    def case_action_refused(
        self, request: HttpRequest, refusal: RuleError, back: str
    ) -> HttpResponse:
        messages.error(
            request,
            _("Nothing was recorded: %(reason)s") % {"reason": " ".join(refusal.messages)},
        )
        return HttpResponseRedirect(back)


# --- captives ----------------------------------------------------------------------------------


class CaptiveAdmin(
    CasePageMixin, CaseActionsMixin, DocumentButtonsMixin, ExportAdminMixin, PermanentAdmin
):
    export_columns = CAPTIVE_COLUMNS
    actions = [
        print_action(DocumentKind.CAPTURE_CARD, _l("Print capture cards (Art. 70)")),
        print_action(DocumentKind.NIB_NOTIFICATION, _l("Notify the Information Bureau (PDF)")),
        print_action(
            DocumentKind.NIB_NOTIFICATION,
            _l("Notify the Information Bureau (XLSX)"),
            file_format=DocumentFormat.XLSX,
        ),
    ]
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

    def document_buttons(self, captive: Captive) -> list[tuple[str, str, list[tuple[str, Any]]]]:
        return [
            (_("Capture card"), DocumentKind.CAPTURE_CARD, [("captive", captive.pk)]),
            (_("Case file"), DocumentKind.CASE_FILE, [("captive", captive.pk)]),
        ]

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

    def export_queryset(self, request: HttpRequest) -> QuerySet[Captive]:
        return captive_export_queryset(super().export_queryset(request))

    def get_list_filter(self, request: HttpRequest) -> list[Any]:
        # The demo's flag is offered only where the demo (or a synthetic register) was loaded.
        filters = list(super().get_list_filter(request))
        if fictional_records_exist(request):
            filters.append("fictional")
        return filters

    @admin.display(description=_l("case"), ordering="case_number")
    def case_number_column(self, captive: Captive) -> str:
        return captive.case_number

    @admin.display(description=_l("name"), ordering="family_name")
    def name_column(self, captive: Captive) -> str:
        """His name in Latin letters, and beneath it in his own script."""
        latin = captive.name_latin
        original = captive.name_original
        if not original or original == latin:
            return format_html('<span class="cell-line" title="{}">{}</span>', latin, latin)
        return format_html(
            '<span class="cell-line" title="{0}">{0}</span>'
            '<span class="cell-line cell-quiet" title="{1}">{1}</span>',
            latin,
            original,
        )

    @admin.display(description=_l("nationality · held by"), ordering="nationality__code")
    def states_column(self, captive: Captive) -> str:
        nationality = captive.nationality
        power = captive.detaining_power
        return format_html(
            '<span title="{}">{} · {}</span>',
            _("Nationality: %(nationality)s; detaining power: %(power)s")
            % {
                "nationality": nationality.local_name if nationality else _("unknown"),
                "power": power.local_name,
            },
            nationality.code if nationality else "—",
            power.code,
        )

    @admin.display(description=_l("custody"), ordering="custody_status")
    def custody_column(self, captive: Captive) -> str:
        if not captive.custody_status:
            return "—"
        label = captive.get_custody_status_display()
        since = _("%(status)s since %(day)s") % {
            "status": label,
            "day": local_day(captive.custody_since),
        }
        if captive.custody_place:
            since = _("%(status)s at %(place)s") % {"status": since, "place": captive.custody_place}
        return format_html('<span class="cell-line" title="{}">{}</span>', since, label)

    @admin.display(description=_l("wish"), ordering="effective_wish")
    def wish_column(self, captive: Captive) -> str:
        """His effective wish with ✓ (else his latest statement with the sign of how far it
        counts), and a newer statement than the effective wish on a second line; the whole
        text is the cell's title, shown on hover."""
        effective = captive.effective_wish_statement
        latest = captive.latest_wish_statement
        lines: list[tuple[str, str]] = []
        if captive.effective_wish:
            wish, destination = captive.effective_wish, captive.effective_wish_destination
            lines.append(
                (
                    wish_marked(wish, destination, Voluntariness.FREE),
                    _("Effective wish: %(wish)s, stated %(day)s, assessed as free")
                    % {
                        "wish": wish_text(wish, destination),
                        "day": local_day(effective.stated_at if effective else None),
                    },
                )
            )
        if latest is not None and latest.pk != captive.effective_wish_statement_id:
            lines.append(
                (
                    wish_marked(latest.wish, latest.destination, latest.voluntariness),
                    _("%(which)s: %(wish)s, stated %(day)s, %(voluntariness)s — not consent")
                    % {
                        "which": _("Newer statement") if lines else _("Latest statement"),
                        "wish": wish_text(latest.wish, latest.destination),
                        "day": local_day(latest.stated_at),
                        "voluntariness": VOLUNTARINESS_TEXT[Voluntariness(latest.voluntariness)],
                    },
                )
            )
        if not lines:
            return format_html('<span title="{}">—</span>', _("No wish statement recorded"))
        shown = [(" cell-quiet" if index else "", text) for index, (text, _t) in enumerate(lines)]
        return format_html(
            '<span class="wish-cell" title="{}">{}</span>',
            ". ".join(full for _text, full in lines) + ".",
            format_html_join("", '<span class="cell-line{}">{}</span>', shown),
        )

    @admin.display(description=_l("health"), ordering="health")
    def health_column(self, captive: Captive) -> str:
        return captive.get_health_display()

    @admin.display(description=_l("captured"), ordering="captured_on")
    def captured_column(self, captive: Captive) -> str:
        return date_format(captive.captured_on, "DATE_FORMAT")

    @admin.display(description=_l("linked duplicate"))
    def duplicate_banner(self, captive: Captive) -> str:
        if captive.duplicate_of_id is None:
            return "—"
        kept = captive.duplicate_of
        link = format_html(
            '<a href="{}">{}</a>', reverse("admin:cases_captive_change", args=[kept.pk]), kept
        )
        return format_html(
            '<strong class="errornote">{}</strong>',
            format_html(
                _(
                    "This record is a linked duplicate of {case} — read-only: record everything "
                    "on the case kept."
                ),
                case=link,
            ),
        )

    @admin.display(description=_l("possible duplicates"))
    def possible_duplicates(self, captive: Captive) -> str:
        if captive.pk is None or captive.duplicate_of_id is not None:
            return "—"
        candidates = captive_candidates(captive)
        if not candidates:
            return _("None: no other captive is likely to be him.")
        url = reverse("admin:cases_captive_duplicate_decide", args=[captive.pk])

        def buttons(candidate: Candidate) -> str:
            # The buttons submit the page's own form (forms do not nest) to the decision view; a
            # role that may not decide is refused there by the service, with the reason.
            return format_html(
                '<button type="submit" formaction="{0}" name="duplicate_decision" '
                'value="same_person:{1}">{2}</button> '
                '<button type="submit" formaction="{0}" name="duplicate_decision" '
                'value="not_same:{1}">{3}</button>',
                url,
                candidate.captive.pk,
                _("Same person as %(case)s") % {"case": candidate.captive.case_number},
                _("Not the same"),
            )

        return candidates_html(candidates, buttons)

    @admin.display(description=_l("demo data"))
    def fictional_warning(self, captive: Captive) -> str:
        if captive.fictional:
            return _("Demo record: every name and identity item is fictional.")
        return "—"

    @admin.display(description=_l("custody"))
    def custody_summary(self, captive: Captive) -> str:
        if not captive.custody_status:
            return _("No custody event recorded.")
        values = {
            "status": captive.get_custody_status_display(),
            "day": timezone.localtime(captive.custody_since).strftime("%Y-%m-%d"),
            "place": captive.custody_place,
            "custodian": captive.custodian.local_name if captive.custodian else _("no state"),
        }
        if captive.custody_place:
            return _("%(status)s since %(day)s at %(place)s; custodian: %(custodian)s") % values
        return _("%(status)s since %(day)s; custodian: %(custodian)s") % values

    @admin.display(description=_l("wish"))
    def wish_summary(self, captive: Captive) -> str:
        effective = captive.effective_wish_statement
        latest = captive.latest_wish_statement
        lines = []
        if effective:
            lines.append(
                (
                    _("Effective wish"),
                    _("%(wish)s, stated %(day)s, assessed free by %(user)s")
                    % {
                        "wish": wish_label(effective.wish, effective.destination),
                        "day": f"{effective.stated_at:%Y-%m-%d}",
                        "user": effective.assessed_by or _("unknown"),
                    },
                )
            )
        else:
            lines.append((_("Effective wish"), _("none: no statement has been assessed as free")))
        if latest and latest != effective:
            values = {
                "wish": wish_label(latest.wish, latest.destination),
                "day": f"{latest.stated_at:%Y-%m-%d}",
                "mode": latest.get_mode_display(),
                "voluntariness": latest.get_voluntariness_display().lower(),
            }
            lines.append(
                (
                    _("Latest statement"),
                    (
                        _("%(wish)s, stated %(day)s (%(mode)s), %(voluntariness)s — verified")
                        if latest.is_verified
                        else _(
                            "%(wish)s, stated %(day)s (%(mode)s), %(voluntariness)s — NOT verified"
                        )
                    )
                    % values,
                )
            )
        pending = pending_statement(captive) if effective else None
        if pending is not None:
            lines.append(
                (
                    _("Suspended"),
                    _(
                        "his statement of %(day)s (“%(wish)s”) is newer and not yet assessed: "
                        "until a supervisor assesses it, the effective wish clears no handover"
                    )
                    % {"day": f"{pending.stated_at:%Y-%m-%d}", "wish": pending.get_wish_display()},
                )
            )
        return format_html_join(mark_safe("<br>"), "<strong>{}</strong>: {}", lines)

    @admin.display(description=_l("may be handed to"))
    def clearance(self, captive: Captive) -> str:
        if captive.pk is None:
            return "—"
        lines = [
            (_("cleared") if c.cleared else _("NOT cleared"), c.destination.code, c.reason)
            for c in captive_clearances(captive)
        ]
        if not lines:
            return _("No other state is involved.")
        return format_html_join(mark_safe("<br>"), "<strong>{1}</strong>: {0} — {2}", lines)

    @admin.display(description=_l("disclosed to partners"))
    def disclosures(self, captive: Captive) -> str:
        if captive.pk is None:
            return "—"
        reads = captive.disclosures.count()
        url = reverse("admin:partners_disclosurerecord_changelist")
        return format_html(
            '<a href="{}?captive__id__exact={}">{}</a> {}',
            url,
            captive.pk,
            ngettext("%(count)d read by partners", "%(count)d reads by partners", reads)
            % {"count": reads},
            _("(the disclosure ledger)"),
        )

    def save_model(self, request: HttpRequest, obj: Captive, form: Any, change: bool) -> None:
        if change:
            changes = {name: form.cleaned_data[name] for name in form.changed_data}
            # His power and its ally are involvements, changed by the one service that keeps
            # them (the states involved section shows when each began and ended).
            powers = {name: changes.pop(name) for name in POWER_FIELDS if name in changes}
            if powers:
                from diplomacy.services import captive_powers_set

                captive_powers_set(acting_user=request.user, captive=obj, **powers)
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


# --- custody events, wish statements: read, and void with a reason ------------------------------


class CustodyEventVoidForm(VoidForm):
    void_check = staticmethod(services.custody_event_void_check)
    record_kwarg = "event"

    class Meta(VoidForm.Meta):
        model = CustodyEvent


class RecordAdmin(PermanentAdmin):
    """Recorded facts: added from the captive's page, never edited, only voided with a reason."""

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
class CustodyEventAdmin(PrintActionsMixin, ExportAdminMixin, RecordAdmin):
    export_columns = CUSTODY_EVENT_COLUMNS
    actions = [
        print_action(
            DocumentKind.NIB_NOTIFICATION,
            _l("Notify the Information Bureau (PDF)"),
            records="events",
        ),
        print_action(
            DocumentKind.NIB_NOTIFICATION,
            _l("Notify the Information Bureau (XLSX)"),
            records="events",
            file_format=DocumentFormat.XLSX,
        ),
    ]
    export_select_related = CUSTODY_EVENT_RELATED
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
class WishStatementAdmin(ExportAdminMixin, RecordAdmin):
    export_columns = WISH_STATEMENT_COLUMNS
    export_select_related = WISH_STATEMENT_RELATED
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
            f"{timezone.localtime(document.generated_at):%Y-%m-%d %H:%M}"
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not cleaned.get("document") and not (cleaned.get("reference") or "").strip():
            raise forms.ValidationError(
                _("Give the reference of what was sent, or choose the document sent.")
            )
        return cleaned


@admin.register(Obligation)
class ObligationAdmin(DocumentButtonsMixin, ExportAdminMixin, PermanentAdmin):
    export_columns = OBLIGATION_COLUMNS
    export_select_related = OBLIGATION_RELATED
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

    def document_buttons(self, duty: Obligation) -> list[tuple[str, str, list[tuple[str, Any]]]]:
        """The documents that fulfil this duty, printed for its captive."""
        fields = [("captive", duty.captive_id)]
        kinds = services.DOCUMENTS_FULFILLING.get(duty.kind, set())
        buttons = []
        if DocumentKind.CAPTURE_CARD in kinds:
            buttons.append((_("Capture card"), DocumentKind.CAPTURE_CARD, fields))
        if DocumentKind.NIB_NOTIFICATION in kinds:
            buttons.append((_("Notification (PDF)"), DocumentKind.NIB_NOTIFICATION, fields))
            buttons.append(
                (
                    _("Notification (XLSX)"),
                    DocumentKind.NIB_NOTIFICATION,
                    [*fields, ("as", "xlsx")],
                )
            )
        return buttons

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
