"""The admin's page titles with the model named as the sentence needs it: Ukrainian puts the
object of "select", "add" or "change" in the accusative ("Виберіть полоненого, щоб змінити"),
where Django's titles put the model's name as it is (the nominative, "полонений")."""

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext_lazy

# Every model the admin shows (and every inline's that offers "Add another"), named as the object
# of a verb. In English and Korean it is the model's name itself; in Ukrainian, its accusative.
OBJECT_NAMES: dict[str, Promise] = {
    "auth.group": pgettext_lazy("object of a verb", "group"),
    "auth.user": pgettext_lazy("object of a verb", "user"),
    "axes.accessattempt": pgettext_lazy("object of a verb", "access attempt"),
    "axes.accessfailurelog": pgettext_lazy("object of a verb", "access failure"),
    "axes.accesslog": pgettext_lazy("object of a verb", "access log"),
    "cases.captive": pgettext_lazy("object of a verb", "captive"),
    "cases.involvement": pgettext_lazy("object of a verb", "involvement"),
    "cases.custodyevent": pgettext_lazy("object of a verb", "custody event"),
    "cases.mediarecord": pgettext_lazy("object of a verb", "media record"),
    "cases.nonrefoulementreview": pgettext_lazy("object of a verb", "non-refoulement review"),
    "cases.obligation": pgettext_lazy("object of a verb", "obligation"),
    "cases.wishstatement": pgettext_lazy("object of a verb", "wish statement"),
    "diplomacy.diplomaticcontact": pgettext_lazy("object of a verb", "diplomatic contact"),
    "diplomacy.exchangeproposal": pgettext_lazy("object of a verb", "exchange proposal"),
    "diplomacy.offeredcaptive": pgettext_lazy("object of a verb", "offered captive"),
    "diplomacy.requestedperson": pgettext_lazy("object of a verb", "requested person"),
    "diplomacy.transferrequest": pgettext_lazy("object of a verb", "transfer request"),
    "imports.importbatch": pgettext_lazy("object of a verb", "import"),
    "partners.caseshare": pgettext_lazy("object of a verb", "case share"),
    "partners.disclosurerecord": pgettext_lazy("object of a verb", "disclosure record"),
    "partners.lockoutlift": pgettext_lazy("object of a verb", "lockout lift"),
    "partners.partner": pgettext_lazy("object of a verb", "partner"),
    "jobs.job": pgettext_lazy("object of a verb", "job"),
    "reports.exportjob": pgettext_lazy("object of a verb", "export job"),
    "reports.exportrecord": pgettext_lazy("object of a verb", "export record"),
    "reports.generateddocument": pgettext_lazy("object of a verb", "generated document"),
    "states.state": pgettext_lazy("object of a verb", "state"),
    "webhooks.webhookendpoint": pgettext_lazy("object of a verb", "webhook endpoint"),
    "webhooks.webhookdelivery": pgettext_lazy("object of a verb", "webhook delivery"),
    "webhooks.webhookattempt": pgettext_lazy("object of a verb", "delivery attempt"),
}


# Django's titles, in our catalogues too: ours put the object's name where the language wants it.
SELECT_TO_CHANGE = gettext_noop("Select %s to change")
SELECT_TO_VIEW = gettext_noop("Select %s to view")
ADD = gettext_noop("Add %s")
CHANGE = gettext_noop("Change %s")
VIEW = gettext_noop("View %s")


def object_name(opts: Any) -> str:
    """The model named as the object of a verb; its own name where none is given."""
    return str(OBJECT_NAMES.get(opts.label_lower, opts.verbose_name))


class ObjectTitlesMixin:
    """A model admin whose list and form titles (and the list's Add button) name the model as
    the object of their verb. A title an admin passes itself is kept."""

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        name = object_name(self.model._meta)  # type: ignore[attr-defined]
        if self.has_change_permission(request):  # type: ignore[attr-defined]
            title = _(SELECT_TO_CHANGE) % name
        else:
            title = _(SELECT_TO_VIEW) % name
        context = {"title": title, "model_object_name": name, **(extra_context or {})}
        return super().changelist_view(request, context)  # type: ignore[misc]

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Any = None,
    ) -> HttpResponse:
        opts = self.model._meta  # type: ignore[attr-defined]
        if add:
            template = ADD
        elif self.has_change_permission(request, obj):  # type: ignore[attr-defined]
            template = CHANGE
        else:
            template = VIEW
        # Django's own title (not one the admin passed): said again with the object's name.
        if context.get("title") == _(template) % opts.verbose_name:
            context["title"] = _(template) % object_name(opts)
        return super().render_change_form(request, context, add, change, form_url, obj)  # type: ignore[misc]

    def get_inline_formsets(
        self, request: HttpRequest, formsets: Any, inline_instances: Any, obj: Any = None
    ) -> list[Any]:
        """An inline's "Add another …" link names its model as the verb's object too ("Додати ще
        запропонованого полоненого"), where an inline keeps its model's own name."""
        inline_formsets = super().get_inline_formsets(  # type: ignore[misc]
            request, formsets, inline_instances, obj
        )
        for inline_formset in inline_formsets:
            model_opts = inline_formset.opts.model._meta
            if str(inline_formset.opts.verbose_name) == str(model_opts.verbose_name):
                inline_formset.inline_formset_data = _add_another_data(inline_formset, model_opts)
        return inline_formsets


def _add_another_data(inline_formset: Any, model_opts: Any) -> Any:
    data = json.loads(type(inline_formset).inline_formset_data(inline_formset))
    data["options"]["addText"] = _("Add another %(verbose_name)s") % {
        "verbose_name": object_name(model_opts)
    }
    text = json.dumps(data)
    return lambda: text
