"""The case page's action buttons: what each one does, its form and the views that serve it."""

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.admin.options import FORMFIELD_FOR_DBFIELD_DEFAULTS
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
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
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.utils.translation import pgettext_lazy

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
from powtracker.errors import ErrorCode, RuleError
from powtracker.roles import role_require

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
