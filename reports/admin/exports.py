"""The admin's Export button: any change list, as filtered and searched, every page of it."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied
from django.db.models import QuerySet
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
    QueryDict,
)
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from powtracker.admin import page_parts_add
from powtracker.errors import RuleError
from reports.choices import ExportFormat
from reports.exports import (
    Column,
    export_filename,
    export_method_allowed,
    export_password_check,
    export_response,
    export_writable_check,
    queryset_export_chunks,
)
from reports.services import ExportAudit

# The query parameter naming the format (DRF keeps `format` for its renderers).
EXPORT_PARAMETER = "as"
EXPORT_PERMISSION = "reports.export"


def may_export(request: HttpRequest) -> bool:
    return request.user.has_perm(EXPORT_PERMISSION)


def export_format_read(value: str | None) -> str:
    """The format asked for, or a 400 naming the ones offered."""
    if value not in ExportFormat.values:
        raise BadRequest(
            _("Choose a format: %(formats)s.") % {"formats": ", ".join(ExportFormat.values)}
        )
    return value


class ExportAdminMixin:
    """Give a model admin an Export button (CSV, XLSX, JSON Lines) for users with
    `reports.export`. Subclasses set `export_columns` and may narrow `export_queryset`. The
    list's template is one with room for the button (powtracker.admin.CHANGE_LIST_WITH_PARTS,
    or one extending it)."""

    export_columns: list[Column]
    # What the columns read, fetched with each chunk of rows (queries never grow per row).
    export_select_related: list[str] = []
    export_prefetch_related: list[str] = []

    def get_urls(self) -> list[Any]:
        opts = self.model._meta  # type: ignore[attr-defined]
        view = self.admin_site.admin_view(self.export_view)  # type: ignore[attr-defined]
        name = f"{opts.app_label}_{opts.model_name}_export"
        return [path("export/", view, name=name), *super().get_urls()]  # type: ignore[misc]

    def export_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        """Exactly the change list's rows: its filters, search and ordering, every page."""
        changelist = self.get_changelist_instance(request)  # type: ignore[attr-defined]
        queryset = changelist.get_queryset(request)
        if self.export_select_related:
            queryset = queryset.select_related(*self.export_select_related)
        if self.export_prefetch_related:
            queryset = queryset.prefetch_related(*self.export_prefetch_related)
        return queryset

    def export_view(self, request: HttpRequest) -> HttpResponse:
        # Read-only mode first: it takes the export right away with every other write (503).
        export_writable_check()
        if not (self.has_view_permission(request) and may_export(request)):  # type: ignore[attr-defined]
            raise PermissionDenied
        if not export_method_allowed(request.method or ""):
            return HttpResponseNotAllowed(["GET", "POST"])
        export_format = export_format_read(
            request.POST.get(EXPORT_PARAMETER) or request.GET.get(EXPORT_PARAMETER)
        )
        # A password comes only in a POST body: never in a URL, a log or the audit.
        password = request.POST.get("password", "") if request.method == "POST" else ""
        try:
            # Staff exports hold everything: they are full-level.
            export_password_check(password, full_level=True)
        except RuleError as refusal:
            messages.error(request, " ".join(refusal.messages))
            return HttpResponseRedirect(f"{self.changelist_url()}?{self.list_query(request)}")
        # The change list refuses parameters it does not know: it sees the list's own only.
        request.GET = QueryDict(self.list_query(request))
        filters = self.list_query(request)
        queryset = self.export_queryset(request)
        opts = self.model._meta  # type: ignore[attr-defined]
        audit = ExportAudit(
            acting_user=request.user,
            list_name=f"{opts.app_label}.{opts.model_name}",
            filters=filters,
            export_format=export_format,
        )
        chunks = queryset_export_chunks(
            export_format,
            queryset,
            self.export_columns,
            on_start=audit.start,
            on_end=audit.end,
            password=password,
            inner_name=export_filename(str(opts.model_name), export_format),
        )
        return export_response(
            chunks,
            export_format,
            export_filename(str(opts.verbose_name_plural), export_format),
            protected=bool(password),
        )

    def changelist_url(self) -> str:
        opts = self.model._meta  # type: ignore[attr-defined]
        return reverse(f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_changelist")  # type: ignore[attr-defined]

    @staticmethod
    def list_query(request: HttpRequest) -> str:
        """The list's own query string, without the export's parameter."""
        kept = request.GET.copy()
        kept.pop(EXPORT_PARAMETER, None)
        return kept.urlencode()

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        extra_context = dict(extra_context or {})
        if may_export(request):
            opts = self.model._meta  # type: ignore[attr-defined]
            url = reverse(
                f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_export"  # type: ignore[attr-defined]
            )
            kept = [
                (key, value)
                for key, values in request.GET.lists()
                for value in values
                if key != EXPORT_PARAMETER
            ]
            extra_context["export_action"] = f"{url}?{urlencode(kept)}"
            extra_context["export_formats"] = ExportFormat.choices
            extra_context["export_password_required"] = settings.EXPORT_FULL_LEVEL_REQUIRES_PASSWORD
            page_parts_add(extra_context, "object_tools_forms", "admin/reports/export_form.html")
        return super().changelist_view(request, extra_context)  # type: ignore[misc]
