"""Admin pieces every app shares: no deletion anywhere, history on every page, void forms."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import flatten_fieldsets, get_fields_from_path, unquote
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import (
    BadRequest,
    FieldDoesNotExist,
    ImproperlyConfigured,
    ValidationError,
)
from django.db.models import Exists, OuterRef
from django.forms.formsets import TOTAL_FORM_COUNT
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import HistoricalRecords

from powtracker.admin_titles import ObjectTitlesMixin
from powtracker.errors import RuleError

# Records are permanent: the bulk "delete selected" action is gone from every list.
admin.site.disable_action("delete_selected")


# The lookups Django's own list filters put in the query string, after the filter's field path.
FILTER_LOOKUPS = ("exact", "isnull", "isempty", "gte", "lt")
DRILL_DOWN_PARTS = ("year", "month", "day")
# No inline takes more rows in one submission: a formset claiming more builds no form at all.
INLINE_FORMS_MAX = 1000


class UsedRelatedFieldListFilter(admin.RelatedFieldListFilter):
    """The related objects some row of the list uses (like RelatedOnlyFieldListFilter), found by
    asking each of them whether a row uses it — an index probe each, for a few hundred states —
    instead of reading the related id of every row (50 ms a filter at 100,000 captives)."""

    def field_choices(self, field: Any, request: HttpRequest, model_admin: Any) -> list[Any]:
        rows = model_admin.get_queryset(request).order_by()
        used = field.remote_field.model._default_manager.filter(
            Exists(rows.filter(**{field.name: OuterRef("pk")}))
        )
        ordering = self.field_admin_ordering(field, request, model_admin)
        if ordering:
            used = used.order_by(*ordering)
        return [(related.pk, str(related)) for related in used]


class StrictChangeList(ChangeList):
    """A change list whose date drill-down refuses dates past the calendar's end (year 9999)."""

    def get_filters(self, request: HttpRequest) -> Any:
        try:
            return super().get_filters(request)
        except (ValueError, OverflowError) as error:
            raise IncorrectLookupParameters(error) from error


def _capped_formset(formset: Any) -> Any:
    """The formset class, refusing (with Django's own "at most" message) more than
    INLINE_FORMS_MAX forms before it builds any of them."""

    class Capped(formset):  # type: ignore[misc, valid-type]
        max_num = min(formset.max_num, INLINE_FORMS_MAX)
        absolute_max = INLINE_FORMS_MAX

        def total_form_count(self) -> int:
            if self.is_bound and (
                not self.management_form.is_valid()
                or self.management_form.cleaned_data[TOTAL_FORM_COUNT] > self.absolute_max
            ):
                return 0
            return super().total_form_count()

    Capped.__name__ = formset.__name__
    return Capped


class StrictParametersMixin:
    """Refuse junk in an admin's query string and POST data with a 400 instead of a crash.

    Only the lookups the admin itself offers (its list filters, its date drill-down and the
    `extra_lookups` its own links use) may filter a change list: `family_name__regex=(` and the
    like are refused. Drill-down dates past 9999, selected ids that are no id, and formsets
    claiming a million forms are refused too.
    """

    extra_lookups: tuple[str, ...] = ()

    def offered_lookups(self, request: HttpRequest | None) -> set[str]:
        offered = set(self.extra_lookups)
        hierarchy = self.date_hierarchy  # type: ignore[attr-defined]
        if hierarchy:
            offered.update(f"{hierarchy}__{part}" for part in DRILL_DOWN_PARTS)
        list_filter = (
            self.get_list_filter(request)  # type: ignore[attr-defined]
            if request is not None
            else self.list_filter  # type: ignore[attr-defined]
        )
        for item in list_filter:
            if isinstance(item, type) and issubclass(item, admin.SimpleListFilter):
                offered.add(item.parameter_name)
                continue
            path = item[0] if isinstance(item, list | tuple) else item
            offered.update(f"{path}__{lookup}" for lookup in FILTER_LOOKUPS)
            field = get_fields_from_path(self.model, path)[-1]  # type: ignore[attr-defined]
            if field.is_relation:
                offered.add(f"{path}__{field.target_field.name}__exact")
        return offered

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        return lookup in self.offered_lookups(request)

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return StrictChangeList

    def get_changelist_instance(self, request: HttpRequest) -> ChangeList:
        try:
            return super().get_changelist_instance(request)  # type: ignore[misc]
        except IncorrectLookupParameters as error:
            # Django would redirect to "?e=1" and then show a "database error" page.
            raise BadRequest(_("These list filters are not valid.")) from error

    def response_action(self, request: HttpRequest, queryset: Any) -> HttpResponse | None:
        pk = self.model._meta.pk  # type: ignore[attr-defined]
        for value in request.POST.getlist(ACTION_CHECKBOX_NAME):
            try:
                pk.clean(value, None)
            except (ValidationError, FieldDoesNotExist) as error:
                raise BadRequest(_("The selected records are not valid.")) from error
        return super().response_action(request, queryset)  # type: ignore[misc]

    def get_formsets_with_inlines(self, request: HttpRequest, obj: Any = None) -> Any:
        for formset, inline in super().get_formsets_with_inlines(request, obj):  # type: ignore[misc]
            yield _capped_formset(formset), inline


class RecordsAdmin(ObjectTitlesMixin, StrictParametersMixin, admin.ModelAdmin):
    """A list kept by the system (the disclosure ledger, the sign-in audit): read, never added
    to, changed or deleted here, whoever asks (superusers included)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class UserAdmin(ObjectTitlesMixin, StrictParametersMixin, DjangoUserAdmin):
    """Django's user admin, without deletion: a user is deactivated, never deleted, so that
    every history keeps naming who made each change."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class GroupAdmin(ObjectTitlesMixin, DjangoGroupAdmin):
    """Django's group admin, its titles naming a group as the sentence needs."""


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), UserAdmin)
admin.site.unregister(Group)
admin.site.register(Group, GroupAdmin)

_readonly_admin_url = helpers.AdminReadonlyField.get_admin_url


def _readonly_admin_url_if_permitted(
    self: helpers.AdminReadonlyField, remote_field: Any, remote_obj: Any
) -> str:
    """A record named in a read-only field links to its page only for a reader who may open it.

    Django links every read-only foreign key to the related record's admin page without asking
    (helpers.AdminReadonlyField.get_admin_url): every "recorded by" named a user and linked to
    a 403, since users' pages are for superusers alone. The request is the one the history
    middleware keeps for the history's "who" (every admin page passes through it); without one,
    nothing links."""
    request = getattr(HistoricalRecords.context, "request", None)
    related = self.model_admin.admin_site._registry.get(remote_field.model)
    if (
        request is None
        or related is None
        or not related.has_view_or_change_permission(request, remote_obj)
    ):
        return str(remote_obj)
    return _readonly_admin_url(self, remote_field, remote_obj)


helpers.AdminReadonlyField.get_admin_url = _readonly_admin_url_if_permitted  # type: ignore[method-assign]


class PermanentAdmin(ObjectTitlesMixin, StrictParametersMixin, SimpleHistoryAdmin):
    """A model admin that never deletes and links every record to its change history.

    History is read-only: an old version is shown, never put back. simple-history's revert
    view checks only the view permission and saves the old row whole, past every service;
    SIMPLE_HISTORY_REVERT_DISABLED only hides its button, so the view itself refuses here.

    Formsets of a RecordInline are handed to that inline's service instead of being saved.
    """

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        # A new class each call: the form's checks know who is acting.
        form.acting_user = request.user
        return form

    def revert_disabled(self, request: HttpRequest, obj: Any = None) -> bool:
        return True

    def history_form_view(
        self,
        request: HttpRequest,
        object_id: str,
        version_id: str,
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """Show one old version, read-only; any other method than GET is refused."""
        if request.method not in {"GET", "HEAD"}:
            return HttpResponseNotAllowed(["GET", "HEAD"])
        if not version_id.isascii() or not version_id.isdigit():
            raise Http404
        self.object_id_check(object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """simple-history's list of versions, for a record id that can be one (it filters by the
        id as given, so `…/abc/history/` or `…/2/change/history/` was a 500)."""
        self.object_id_check(object_id)
        return super().history_view(request, object_id, extra_context)

    def object_id_check(self, object_id: str) -> None:
        """404 for an id from the URL that no record of this model can have."""
        try:
            self.model._meta.pk.to_python(unquote(object_id))
        except ValidationError as invalid:
            raise Http404 from invalid

    def render_history_view(
        self, request: HttpRequest, template: str, context: dict[str, Any], **kwargs: Any
    ) -> HttpResponse:
        shown = context.get("adminform")
        if shown is not None:
            # Every field of the old version is shown as text: there is nothing to submit.
            form = shown.form
            fieldsets = [
                (name, {**options, "fields": _without(options["fields"], form.declared_fields)})
                for name, options in shown.fieldsets
            ]
            context["adminform"] = helpers.AdminForm(
                form, fieldsets, {}, flatten_fieldsets(fieldsets), model_admin=self
            )
        return super().render_history_view(request, template, context, **kwargs)

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        # Forms run the services' checks, so a refusal here means the case changed between the
        # check and the save, or two parts of one form asked for what the rules forbid together
        # (his power changed and another added in his involvements). The admin's transaction is
        # rolled back whole: nothing is kept.
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as refusal:  # a RuleError, or a service's full_clean()
            messages.error(
                request,
                _("Nothing was saved: %(problems)s") % {"problems": " ".join(refusal.messages)},
            )
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """Every admin that writes hands its form to a service (powtracker.writes): Django's
        own save would write past every rule, so an admin that names no service writes nothing."""
        raise ImproperlyConfigured(f"{type(self).__name__} names no service to save through.")

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # No form.save_m2m(): the service given the form's data wrote its related records.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        inline = getattr(formset, "service_inline", None)
        if inline is None:
            if any(entry.has_changed() for entry in formset.forms):
                raise ImproperlyConfigured(
                    f"{type(formset).__name__} names no service to save through."
                )
            return
        for entry in formset.forms:
            if not entry.has_changed():
                continue
            is_new = entry.instance.pk is None
            saved = inline.save_entry(
                request=request, parent=form.instance, form=entry, fk_name=formset.fk.name
            )
            if is_new:
                formset.new_objects.append(saved)
            else:
                formset.changed_objects.append((saved, entry.changed_data))

    def service_action_run(
        self, request: HttpRequest, queryset: Any, done: str, call: Callable[[Any], Any]
    ) -> None:
        """Run a service on each selected record; report what it did and each refusal."""
        succeeded = 0
        for record in queryset:
            try:
                call(record)
            except RuleError as refusal:
                messages.error(
                    request,
                    _("%(record)s: %(problems)s")
                    % {"record": record, "problems": " ".join(refusal.messages)},
                )
            else:
                succeeded += 1
        if succeeded:
            messages.success(
                request,
                _("%(done)s: %(succeeded)d of %(total)d.")
                % {"done": done, "succeeded": succeeded, "total": len(queryset)},
            )


def _without(fields: Any, hidden: Any) -> list[Any]:
    """The fieldset's fields minus form-only ones (a void reason, an assessment): they are
    not part of any version."""
    kept = []
    for entry in fields:
        if isinstance(entry, (list, tuple)):
            row = [name for name in entry if name not in hidden]
            if row:
                kept.append(tuple(row))
        elif entry not in hidden:
            kept.append(entry)
    return kept


def step_action(to_status: str, description: str, permission: str) -> Any:
    """An admin action `to_<status>` that moves each selected record through the model admin's
    `step(request, record, to_status)` service call, reporting each refusal in plain words."""

    @admin.action(description=description, permissions=[permission])
    def action(modeladmin: Any, request: HttpRequest, queryset: Any) -> None:
        modeladmin.service_action_run(
            request,
            queryset,
            description,
            lambda record: modeladmin.step(request, record, to_status),
        )

    action.__name__ = f"to_{to_status}"
    return action


class ServiceInlineMixin:
    """An inline whose changed rows are handed to services, never saved raw.

    Its form's clean() runs the service's own check, so the user sees the same refusal the
    service would give, and nothing is written.
    """

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)  # type: ignore[misc]
        formset.service_inline = self
        return formset

    def save_entry(self, *, request: HttpRequest, parent: Any, form: Any, fk_name: str) -> Any:
        """Hand one changed row to its service and return the record."""
        raise NotImplementedError


class ServiceRowsInline(ServiceInlineMixin):
    """Rows added and changed on a parent's page: a new row goes to `add`, a changed one's
    changed fields to `change`, each a service."""

    def save_entry(self, *, request: HttpRequest, parent: Any, form: Any, fk_name: str) -> Any:
        skipped = {fk_name, "id", "DELETE"}
        if form.instance.pk is None:
            data = {name: value for name, value in form.cleaned_data.items() if name not in skipped}
            return self.add(request=request, parent=parent, data=data)
        changes = {
            name: form.cleaned_data[name] for name in form.changed_data if name not in skipped
        }
        # The form's instance holds the new values already: the service reads the stored row.
        record = type(form.instance)._default_manager.get(pk=form.instance.pk)
        return self.change(request=request, record=record, changes=changes)

    def add(self, *, request: HttpRequest, parent: Any, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def change(self, *, request: HttpRequest, record: Any, changes: dict[str, Any]) -> Any:
        raise NotImplementedError


class ReadOnlyInline(admin.TabularInline):
    """Rows shown on a parent's page, changed only through their own page or a service."""

    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RecordInline(ServiceInlineMixin, admin.StackedInline):
    """One blank form on a parent's page whose entry records a new fact through a service."""

    extra = 1
    max_num = 1
    can_delete = False

    def get_queryset(self, request: HttpRequest):  # type: ignore[no-untyped-def]
        return super().get_queryset(request).none()

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_add_permission(request, obj)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A blank form is no use to someone who may not fill it: hide it altogether.
        return self.has_add_permission(request, obj)

    def save_entry(self, *, request: HttpRequest, parent: Any, form: Any, fk_name: str) -> Any:
        skipped = {fk_name, "id", "DELETE"}
        data = {name: value for name, value in form.cleaned_data.items() if name not in skipped}
        return self.record(request=request, parent=parent, data=data)

    def record(self, *, request: HttpRequest, parent: Any, data: dict[str, Any]) -> Any:
        """Hand one filled form's data to the service and return what it recorded."""
        raise NotImplementedError


def check_form(form: forms.ModelForm, check: Callable[..., None], **kwargs: Any) -> None:
    """Run a service's check and show its refusal on the form."""
    try:
        check(**kwargs)
    except RuleError as refusal:
        form.add_error(None, refusal)


class VoidForm(forms.ModelForm):
    """The only change a recorded event or statement allows: voiding it with a reason."""

    void_with_reason = forms.CharField(
        label=_l("Void with reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_l(
            "To correct a mistake, give the reason; the record stays, marked void, "
            "and is ignored from then on."
        ),
    )
    # Set by subclasses: the service's check, and the name it gives the record.
    void_check: Callable[..., None]
    record_kwarg: str
    # Set by PermanentAdmin.get_form: who is voiding, for the check.
    acting_user: Any = None

    class Meta:
        fields: list[str] = []

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        reason = cleaned.get("void_with_reason", "")
        if reason:
            check_form(
                self,
                self.void_check,
                acting_user=self.acting_user,
                reason=reason,
                **{self.record_kwarg: self.instance},
            )
        return cleaned


# The admin's page templates with room for the parts a higher app adds through admin_extend
# (their buttons, forms and stylesheets): an admin that is extended names them, or its own
# templates extend them.
CHANGE_FORM_WITH_PARTS = "admin/powtracker/change_form.html"
CHANGE_LIST_WITH_PARTS = "admin/powtracker/change_list.html"


def page_parts_add(context: dict[str, Any], room: str, *parts: str) -> None:
    """Add parts (template names, or stylesheets for `page_stylesheets`) to a room of the page
    templates above: `object_tools_parts`, `object_tools_forms` or `page_stylesheets`."""
    context[room] = [*context.get(room, ()), *parts]


def admin_extend(model: type, *parts: type, site: admin.AdminSite = admin.site) -> type:
    """Layer a higher app's admin parts over the admin a lower app registered for `model`.

    The layer order (README, Layout) lets an app's admin import only the apps below it, yet the
    apps above add to its pages: reports adds its Export button and print buttons and actions,
    diplomacy the proposals on the case page. Each calls this from its own admin module, after
    importing the lower admin (so that its model is registered). The model's admin becomes
    `class <Same name>(*parts, registered admin)`: the parts come first, override what they
    name and call `super()` to reach the page below. A part names no template: the page's own
    templates leave room for it (e.g. `object-tools-items`). `extended_by` lists the parts, so
    that a reader of the page can find where each of its pieces comes from."""
    if model not in site._registry:
        raise ImproperlyConfigured(
            f"admin_extend({model.__name__}): register its admin first (import its admin module)."
        )
    below = type(site._registry[model])
    extended = type(
        below.__name__,
        (*parts, below),
        {
            "__module__": below.__module__,
            "__qualname__": below.__qualname__,
            "__doc__": below.__doc__,
            "extended_by": (*parts, *getattr(below, "extended_by", ())),
        },
    )
    site.unregister(model)
    site.register(model, extended)
    return extended
