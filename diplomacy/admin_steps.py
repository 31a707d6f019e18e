"""The steps of a proposal or a transfer request as buttons on its admin page.

The page offers only the steps the transition table allows from where the record stands, and
only those the user's role may take (diplomacy.services.*_next_statuses, from the services' own
tables). Each button POSTs to its own URL, which runs the service and comes back to the page
saying what was done, or the service's refusal. A step that needs a reason has a small form page
of its own. The buttons carry the version of the record the page showed: a step is refused if
the record changed since (an agreement on a list the user did not see).
"""

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from powtracker.errors import ErrorCode, RuleError
from powtracker.ids import record_id


@dataclass(frozen=True)
class Step:
    """One step a record's page may offer: the button's label, the URL's `name`, the status it
    leads to (from `from_statuses`, or from any status the table allows when empty), and what
    the page says once it is done."""

    name: str
    to_status: str
    label: Promise
    done: Promise
    from_statuses: frozenset[str] = field(default_factory=frozenset)
    # A step that closes the record without carrying it forward: shown apart from the others.
    closing: bool = False
    # A step that asks for a reason on a page of its own.
    needs_reason: bool = False

    def leads_from(self, status: str) -> bool:
        return not self.from_statuses or status in self.from_statuses


class StepButtonsMixin:
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

    def change_url(self, record: Any) -> str:
        opts = self.model._meta  # type: ignore[attr-defined]
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk])

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        extra_context = dict(extra_context or {})
        record = self._step_record(request, object_id)
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

    def _step_record(self, request: HttpRequest, object_id: str) -> Any:
        number = record_id(unquote(object_id))
        return None if number is None else self.get_object(request, str(number))  # type: ignore[attr-defined]

    def _step_named(self, name: str) -> Step | None:
        return next((step for step in self.steps if step.name == name), None)

    def _record_or_redirect(
        self, request: HttpRequest, object_id: str
    ) -> tuple[Any, HttpResponse | None]:
        record = self._step_record(request, object_id)
        if record is None:
            opts = self.model._meta  # type: ignore[attr-defined]
            return None, self._get_obj_does_not_exist_redirect(request, opts, object_id)  # type: ignore[attr-defined]
        if not self.has_view_or_change_permission(request, record):  # type: ignore[attr-defined]
            raise PermissionDenied
        return record, None

    def step_view(self, request: HttpRequest, object_id: str, step_name: str) -> HttpResponse:
        """Take one step (POST only) and go back to the record's page with what was done."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        record, missing = self._record_or_redirect(request, object_id)
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
                if request.POST.get("version", "") != record_version(locked):
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
        record, missing = self._record_or_redirect(request, object_id)
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
        opts = self.model._meta  # type: ignore[attr-defined]
        context = {
            **self.admin_site.each_context(request),  # type: ignore[attr-defined]
            "opts": opts,
            "original": record,
            "title": step_title(step),
            "step": step,
            "step_status": getattr(record, f"get_{self.status_field}_display")(),
            "step_version": record_version(record),
            "action_url": reverse(
                f"admin:{opts.app_label}_{opts.model_name}_step", args=[record.pk, step.name]
            ),
            "change_url": self.change_url(record),
        }
        return TemplateResponse(request, "admin/diplomacy/step_reason.html", context)


def record_version(record: Any) -> str:
    """The version a step is based on: when the record (or its lists) last changed."""
    return record.updated_at.isoformat()


def step_title(step: Step) -> str:
    """The step's label without the ellipsis that says its button opens a page."""
    return str(step.label).rstrip("…").rstrip(".")
