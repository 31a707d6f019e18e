"""Steps as buttons on a record's admin page: the one mechanism of the admin's step buttons.

Each button is a step declared once (powtracker.steps, next to its app's table): its permission,
the words of a refusal, its label and title. A page offers a step only to a role that holds its
permission, and the service decides again when it is taken: a refusal is shown in its words, and
nothing is written. Two kinds of page share it:

- a record with a status (a proposal, a transfer request) shows the steps the transition table
  allows from where it stands (StepButtonsMixin). Each button POSTs to its own URL, which runs
  the service and comes back to the page saying what was done; a step that needs a reason has a
  small form page of its own.
- a record whose buttons each open a form (a captive's case page) declares each action with its
  step, its form and its service (StepAction; cases.admin.case_actions).

A page carries what it showed (the record's version, or the record a form acts on); a step is
refused when that has changed since (page_changed): an agreement on a list the user did not see,
an assessment of a statement that is no longer the latest. Every form page is one template,
admin/step_page.html.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from powtracker.errors import ErrorCode, RuleError
from powtracker.ids import record_id
from powtracker.steps import Step

STEP_PAGE_TEMPLATE = "admin/step_page.html"


def page_changed(request: HttpRequest, field: str, now: str) -> bool:
    """The stale-page guard: whether what the page showed (posted back as `field`) is no longer
    what stands now (`now`: the record's version, or the pk of what the form acts on)."""
    return request.POST.get(field, "") != now


def record_version(record: Any) -> str:
    """The version a step is based on: when the record (or its lists) last changed."""
    return record.updated_at.isoformat()


def step_title(step: Step) -> str:
    """The step's label without the ellipsis that says its button opens a page."""
    return str(step.label).rstrip("…").rstrip(".")


@dataclass(frozen=True)
class StepAction:
    """A button that opens a form page of its own: its step (permission, verb, label, title), its
    form, its service, and what it acts on besides the record (`target`, or None)."""

    step: Step
    # (request, record, target, data) -> the form, bound when data is posted.
    form: Callable[[HttpRequest, Any, Any, Any], forms.Form]
    # (request, record, target, form) -> what the page says was recorded; calls the service.
    run: Callable[[HttpRequest, Any, Any, forms.Form], str]
    # (record) -> what it acts on; an action with a target has nothing to do without one.
    target: Callable[[Any], Any] | None = None
    # What the page says when there is no target.
    no_target: Promise | None = None
    # (target) -> how the page names the target.
    target_text: Callable[[Any], str] | None = None

    @property
    def name(self) -> str:
        return self.step.name

    @property
    def label(self) -> Promise | None:
        return self.step.label

    @property
    def title(self) -> Promise | None:
        return self.step.title

    @property
    def permission(self) -> str:
        return self.step.permission


class ReasonForm(forms.Form):
    """The reason of a step that needs one (reopening an agreement)."""

    reason = forms.CharField(
        label=_l("Reason"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )


class StepPagesMixin:
    """What every step page of a model admin shares: the record from its URL, its change page,
    and the one form page template."""

    # Stylesheets of the form page, besides the admin's forms.css.
    step_page_stylesheets: tuple[str, ...] = ()

    def step_record(self, request: HttpRequest, object_id: str) -> Any:
        number = record_id(unquote(object_id))
        return None if number is None else self.get_object(request, str(number))  # type: ignore[attr-defined]

    def step_record_or_redirect(
        self, request: HttpRequest, object_id: str
    ) -> tuple[Any, HttpResponse | None]:
        """The record and None, or None and the admin's answer when it does not exist; refuses
        a user who may not see it."""
        record = self.step_record(request, object_id)
        if record is None:
            opts = self.model._meta  # type: ignore[attr-defined]
            return None, self._get_obj_does_not_exist_redirect(request, opts, object_id)  # type: ignore[attr-defined]
        if not self.has_view_or_change_permission(request, record):  # type: ignore[attr-defined]
            raise PermissionDenied
        return record, None

    def change_url(self, record: Any) -> str:
        opts = self.model._meta  # type: ignore[attr-defined]
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk])

    def step_page(
        self,
        request: HttpRequest,
        record: Any,
        *,
        title: Any,
        form: forms.Form,
        submit_label: Any,
        **extra: Any,
    ) -> TemplateResponse:
        """A step's form page (admin/step_page.html). `extra` may give `action_url` (where the
        form posts; the page itself when empty), `hidden` (name, value pairs: what the page
        showed), and above the form `step_status` and `step_explanation` (the record's status
        and what the step does to it), `who` and `target_text` (whom and what it acts on)."""
        context = {
            **self.admin_site.each_context(request),  # type: ignore[attr-defined]
            "opts": self.model._meta,  # type: ignore[attr-defined]
            "original": record,
            "title": title,
            "form": form,
            "media": self.media + form.media,  # type: ignore[attr-defined]
            "change_url": self.change_url(record),
            "submit_label": submit_label,
            "stylesheets": self.step_page_stylesheets,
            **extra,
        }
        return TemplateResponse(request, STEP_PAGE_TEMPLATE, context)


class StepButtonsMixin(StepPagesMixin):
    """A model admin whose records' pages show their steps as buttons (see the module).

    Subclasses set `steps` and implement `next_statuses`, `take_step` and, for a step with a
    reason, `reason_check`."""

    steps: tuple[Step, ...] = ()
    # The record's transition table (diplomacy.choices): whether any step follows its status.
    transitions: dict[str, frozenset[str]] = {}
    status_field = "status"

    # --- what the subclass says -----------------------------------------------------------

    def next_statuses(self, request: HttpRequest, record: Any) -> list[str]:
        """The statuses the user may move the record to now (the service's answer)."""
        raise NotImplementedError

    def take_step(self, request: HttpRequest, record: Any, step: Step, reason: str) -> None:
        """Take the step through the record's service; a refusal is a RuleError."""
        raise NotImplementedError

    def reason_check(self, request: HttpRequest, record: Any, step: Step) -> None:
        """Refuse (RuleError) to ask for a reason for a step the user may not take now."""
        raise NotImplementedError

    def step_done_message(self, record: Any, step: Step) -> str:
        """What the page says once the step is taken (`record` as it is now)."""
        return str(step.done)

    def step_context(self, request: HttpRequest, record: Any) -> dict[str, Any]:
        """More for the page's steps panel (the gate's decisions, say)."""
        return {}

    # --- the page ---------------------------------------------------------------------------

    def steps_offered(self, request: HttpRequest, record: Any) -> list[Step]:
        """The steps the page shows: allowed from the record's status, for the user's role."""
        status = getattr(record, self.status_field)
        wanted = set(self.next_statuses(request, record))
        return [step for step in self.steps if step.to_status in wanted and step.leads_from(status)]

    def step_url(self, record: Any, step: Step) -> str:
        opts = self.model._meta  # type: ignore[attr-defined]
        if step.needs_reason:
            name = f"admin:{opts.app_label}_{opts.model_name}_step_reason"
        else:
            name = f"admin:{opts.app_label}_{opts.model_name}_step"
        return reverse(name, args=[record.pk, step.name])

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        extra_context = dict(extra_context or {})
        record = self.step_record(request, object_id)
        if record is not None and self.has_view_or_change_permission(request, record):  # type: ignore[attr-defined]
            offered = self.steps_offered(request, record)
            extra_context.update(
                step_panel=True,
                step_version=record_version(record),
                step_status=getattr(record, f"get_{self.status_field}_display")(),
                step_buttons=[
                    {"step": step, "url": self.step_url(record, step)}
                    for step in offered
                    if not step.closing
                ],
                step_closing_buttons=[
                    {"step": step, "url": self.step_url(record, step)}
                    for step in offered
                    if step.closing
                ],
                step_final=not self.transitions[getattr(record, self.status_field)],
                **self.step_context(request, record),
            )
        return super().change_view(request, object_id, form_url, extra_context)  # type: ignore[misc]

    # --- the URLs ---------------------------------------------------------------------------

    def get_urls(self) -> list[Any]:
        opts = self.model._meta  # type: ignore[attr-defined]
        prefix = f"{opts.app_label}_{opts.model_name}"
        site = self.admin_site  # type: ignore[attr-defined]
        return [
            path(
                "<path:object_id>/step/<slug:step_name>/",
                site.admin_view(self.step_view),
                name=f"{prefix}_step",
            ),
            path(
                "<path:object_id>/step/<slug:step_name>/reason/",
                site.admin_view(self.step_reason_view),
                name=f"{prefix}_step_reason",
            ),
            *super().get_urls(),  # type: ignore[misc]
        ]

    def _step_named(self, name: str) -> Step | None:
        return next((step for step in self.steps if step.name == name), None)

    def step_view(self, request: HttpRequest, object_id: str, step_name: str) -> HttpResponse:
        """Take one step (POST only) and go back to the record's page with what was done."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        record, missing = self.step_record_or_redirect(request, object_id)
        if missing is not None:
            return missing
        step = self._step_named(step_name)
        if step is None:
            messages.error(request, _("There is no such step."))
            return HttpResponseRedirect(self.change_url(record))
        reason = request.POST.get("reason", "")
        model = type(record)
        try:
            with transaction.atomic():
                locked = model.objects.select_for_update().get(pk=record.pk)
                if page_changed(request, "version", record_version(locked)):
                    messages.error(
                        request,
                        _(
                            "%(step)s — refused. It has changed since its page was opened: "
                            "look at it again before you take the step."
                        )
                        % {"step": step_title(step)},
                    )
                    return HttpResponseRedirect(self.change_url(record))
                self.take_step(request, locked, step, reason)
        except RuleError as refusal:
            messages.error(
                request,
                _("%(step)s — refused. %(reason)s")
                % {"step": step_title(step), "reason": " ".join(refusal.messages)},
            )
            if step.needs_reason and refusal.error_code == ErrorCode.REASON_REQUIRED:
                return HttpResponseRedirect(self.step_url(record, step))
            return HttpResponseRedirect(self.change_url(record))
        record = model.objects.get(pk=record.pk)
        messages.success(request, self.step_done_message(record, step))
        return HttpResponseRedirect(self.change_url(record))

    def step_reason_view(
        self, request: HttpRequest, object_id: str, step_name: str
    ) -> HttpResponse:
        """The small page asking for the reason of a step; its form posts to the step's URL."""
        if request.method not in {"GET", "HEAD"}:
            return HttpResponseNotAllowed(["GET", "HEAD"])
        record, missing = self.step_record_or_redirect(request, object_id)
        if missing is not None:
            return missing
        step = self._step_named(step_name)
        if step is None or not step.needs_reason:
            messages.error(request, _("There is no such step."))
            return HttpResponseRedirect(self.change_url(record))
        try:
            self.reason_check(request, record, step)
        except RuleError as refusal:
            messages.error(request, " ".join(refusal.messages))
            return HttpResponseRedirect(self.change_url(record))
        status = getattr(record, f"get_{self.status_field}_display")()
        opts = self.model._meta  # type: ignore[attr-defined]
        return self.step_page(
            request,
            record,
            title=step_title(step),
            form=ReasonForm(),
            submit_label=step_title(step),
            action_url=reverse(
                f"admin:{opts.app_label}_{opts.model_name}_step", args=[record.pk, step.name]
            ),
            hidden=[("version", record_version(record))],
            step_status=status,
            step_explanation=step.explanation,
        )
