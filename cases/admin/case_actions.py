"""The case page's action buttons: each declared once with its step, its form and its service
(powtracker.admin_steps.StepAction), and the views that serve them."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.admin.options import FORMFIELD_FOR_DBFIELD_DEFAULTS
from django.db import transaction
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from cases import services
from cases.admin.display import (
    VOLUNTARINESS_TEXT,
    clearance_groups,
    custody_text,
    local_day,
    obligation_text,
    statement_text,
    wish_label,
)
from cases.admin.inlines import (
    CustodyEventRecordForm,
    WishStatementRecordForm,
    WishStatementRecordInline,
)
from cases.admin.obligations import FulfilForm
from cases.case_page import case_action_open, case_action_open_check
from cases.choices import (
    CUSTODY_EVENT_RECORD,
    NON_REFOULEMENT_REVIEW_RECORD,
    OBLIGATION_FULFIL,
    WISH_STATEMENT_ASSESS,
    WISH_STATEMENT_RECORD,
    ReviewDecision,
    Voluntariness,
)
from cases.gate import pending_statement
from cases.models import (
    Captive,
    CustodyEvent,
    NonRefoulementReview,
    Obligation,
    WishStatement,
)
from cases.selectors import (
    case_summary,
    next_obligation,
)
from powtracker.admin_steps import StepAction, StepPagesMixin, page_changed
from powtracker.errors import ErrorCode, RuleError
from powtracker.steps import step_allowed, step_require


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


# --- each button: its form and its service ------------------------------------------------------


def custody_event_form(request: HttpRequest, captive: Captive, target: Any, data: Any) -> Any:
    form_class = forms.modelform_factory(
        CustodyEvent,
        form=CustodyEventRecordForm,
        fields=CustodyEventRecordForm.Meta.fields,
        formfield_callback=admin_formfield,
    )
    return form_class(data, instance=CustodyEvent(captive=captive))


def custody_event_run(request: HttpRequest, captive: Captive, target: Any, form: Any) -> str:
    event = services.custody_event_record(
        acting_user=request.user, captive=captive, **form.cleaned_data
    )
    return _("Custody event recorded: %(kind)s on %(day)s") % {
        "kind": event.get_kind_display(),
        "day": local_day(event.occurred_at),
    }


def wish_form(request: HttpRequest, captive: Captive, target: Any, data: Any) -> Any:
    fields = list(WishStatementRecordForm.Meta.fields)
    if not step_allowed(request.user, WISH_STATEMENT_ASSESS):
        # Assessing voluntariness is a supervisor's decision; a caseworker records words.
        fields = [f for f in fields if f not in WishStatementRecordInline.assessment_fields]
    form_class = forms.modelform_factory(
        WishStatement,
        form=WishStatementRecordForm,
        fields=fields,
        formfield_callback=admin_formfield,
    )
    return form_class(data, instance=WishStatement(captive=captive))


def wish_run(request: HttpRequest, captive: Captive, target: Any, form: Any) -> str:
    statement = services.wish_statement_record(
        acting_user=request.user, captive=captive, **form.cleaned_data
    )
    return _("Wish statement recorded: %(wish)s, %(assessment)s") % {
        "wish": wish_label(statement.wish, statement.destination),
        "assessment": VOLUNTARINESS_TEXT[Voluntariness(statement.voluntariness)],
    }


def assess_form(request: HttpRequest, captive: Captive, target: Any, data: Any) -> Any:
    return AssessForm(data)


def assess_run(request: HttpRequest, captive: Captive, target: Any, form: Any) -> str:
    statement = services.wish_statement_assess(
        acting_user=request.user,
        statement=target,
        voluntariness=form.cleaned_data["voluntariness"],
        notes=form.cleaned_data["notes"],
    )
    return _("Wish statement assessed: %(wish)s of %(day)s, %(assessment)s") % {
        "wish": wish_label(statement.wish, statement.destination),
        "day": local_day(statement.stated_at),
        "assessment": VOLUNTARINESS_TEXT[Voluntariness(statement.voluntariness)],
    }


def assess_target_text(statement: WishStatement) -> str:
    words = statement.statement.strip()
    text = statement_text(statement)
    return _("%(statement)s: “%(words)s”") % {"statement": text, "words": words} if words else text


def review_form(request: HttpRequest, captive: Captive, target: Any, data: Any) -> Any:
    form_class = forms.modelform_factory(
        NonRefoulementReview,
        fields=["destination", "decision", "reasons"],
        formfield_callback=admin_formfield,
    )
    return form_class(data, instance=NonRefoulementReview(captive=captive))


def review_run(request: HttpRequest, captive: Captive, target: Any, form: Any) -> str:
    review = services.non_refoulement_review_record(
        acting_user=request.user, captive=captive, **form.cleaned_data
    )
    decision = _("cleared") if review.decision == ReviewDecision.CLEARED else _("not cleared")
    return _("Non-refoulement review recorded: %(state)s, %(decision)s") % {
        "state": review.destination.code,
        "decision": decision,
    }


def fulfil_form(request: HttpRequest, captive: Captive, target: Any, data: Any) -> Any:
    return FulfilForm(data, obligations=Obligation.objects.filter(pk=target.pk))


def fulfil_run(request: HttpRequest, captive: Captive, target: Any, form: Any) -> str:
    duty = services.obligation_fulfil(
        acting_user=request.user, obligation=target, **form.cleaned_data
    )
    return _("Obligation fulfilled: %(kind)s, reference %(reference)s") % {
        "kind": duty.get_kind_display(),
        "reference": duty.reference,
    }


def fulfil_target_text(duty: Obligation) -> str:
    return obligation_text(duty, overdue=duty.due_on < timezone.localdate())


# The buttons of the summary at the top of a captive's page. Each opens a small form page of its
# own (GET shows the form, POST hands it to the service) that comes back to the captive's page
# saying what was recorded. The button is shown only to a role that holds its step's permission,
# and the page refuses anyone else with the service's own words.
CASE_ACTIONS = (
    StepAction(CUSTODY_EVENT_RECORD, form=custody_event_form, run=custody_event_run),
    StepAction(WISH_STATEMENT_RECORD, form=wish_form, run=wish_run),
    StepAction(
        WISH_STATEMENT_ASSESS,
        form=assess_form,
        run=assess_run,
        target=pending_statement,
        no_target=_l("No statement awaits assessment."),
        target_text=assess_target_text,
    ),
    StepAction(NON_REFOULEMENT_REVIEW_RECORD, form=review_form, run=review_run),
    StepAction(
        OBLIGATION_FULFIL,
        form=fulfil_form,
        run=fulfil_run,
        target=next_obligation,
        no_target=_l("He has no open obligation."),
        target_text=fulfil_target_text,
    ),
)
CASE_ACTIONS_BY_NAME = {action.name: action for action in CASE_ACTIONS}


class CaseActionsMixin(StepPagesMixin):
    """The summary at the top of a captive's page and the pages its buttons open (see
    CASE_ACTIONS). Each page runs the service's own checks before it shows a form (his role, a
    linked duplicate), and the service again decides when the form is posted: a refusal is shown
    in its words, and nothing is written."""

    step_page_stylesheets = ("cases/case_page.css",)

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
                if step_allowed(request.user, action.step)
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
            "case_actions": actions,
        }

    # --- the pages of the buttons -----------------------------------------------------------

    def case_action_view(self, request: HttpRequest, object_id: str, action: str) -> HttpResponse:
        """One button's page: GET shows its form (and writes nothing), POST records through the
        service and goes back to his page with what was recorded, or shows the refusal."""
        case_action = CASE_ACTIONS_BY_NAME.get(action)
        if case_action is None:
            raise Http404
        if request.method not in {"GET", "HEAD", "POST"}:
            return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
        captive, missing = self.step_record_or_redirect(request, object_id)
        if missing is not None:
            return missing
        back = self.change_url(captive)
        try:
            # The service's own first checks, before any form is shown or read.
            step_require(request.user, case_action.step)
            services.captive_writable_check(captive)
            case_action_open_check(case_action, captive)
        except RuleError as refusal:
            return self.case_action_refused(request, refusal, back)
        target = case_action.target(captive) if case_action.target else None
        if case_action.target and target is None:
            messages.warning(request, str(case_action.no_target))
            return HttpResponseRedirect(back)
        form = case_action.form(
            request, captive, target, request.POST if request.method == "POST" else None
        )
        if request.method == "POST":
            # What the page showed: the statement or the duty it acts on.
            if target is not None and page_changed(request, "target", str(target.pk)):
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
                        done = case_action.run(request, captive, target, form)
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
        who = format_html('<a href="{}">{}</a> — {}', back, captive.case_number, captive.name_latin)
        if captive.name_original and captive.name_original != captive.name_latin:
            who = format_html("{} · {}", who, captive.name_original)
        return self.step_page(
            request,
            captive,
            title=case_action.title,
            form=form,
            submit_label=case_action.step.submit or _("Record"),
            hidden=[("target", target.pk)] if target is not None else [],
            who=who,
            target_text=(
                case_action.target_text(target)
                if target is not None and case_action.target_text
                else ""
            ),
            body_class="case-action-page",
            novalidate=True,
        )

    def case_action_refused(
        self, request: HttpRequest, refusal: RuleError, back: str
    ) -> HttpResponse:
        messages.error(
            request,
            _("Nothing was recorded: %(reason)s") % {"reason": " ".join(refusal.messages)},
        )
        return HttpResponseRedirect(back)
