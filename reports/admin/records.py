"""The export audit and the register of printed documents in the admin: read, never added to,
changed or deleted here."""

import hashlib
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jobs.admin import progress_bar
from powtracker.admin import RecordsAdmin
from powtracker.errors import RuleError
from reports.admin.documents import document_response, may_print
from reports.models import ExportJob, ExportRecord, GeneratedDocument
from reports.services import document_rebuild, document_reprint


@admin.register(ExportRecord)
class ExportRecordAdmin(RecordsAdmin):
    list_display = [
        "exported_at",
        "user",
        "partner",
        "list_name",
        "export_format",
        "row_count",
        "completed",
        "sha256",
    ]
    list_filter = ["export_format", "list_name", "completed"]
    search_fields = ["sha256", "user__username", "filters"]
    date_hierarchy = "exported_at"
    list_select_related = ["user", "partner"]
    readonly_fields = [
        "exported_at",
        "user",
        "partner",
        "list_name",
        "filters",
        "export_format",
        "row_count",
        "sha256",
        "completed",
    ]


@admin.register(ExportJob)
class ExportJobAdmin(RecordsAdmin):
    """Exports made in the background: who asked, how far the worker has come, and whether the
    file was downloaded (the ledger) or has expired."""

    list_display = [
        "created_at",
        "partner",
        "user",
        "export_format",
        "state_column",
        "progress_column",
        "row_count",
        "expires_at",
        "disclosed_at",
    ]
    list_filter = ["export_format", "job__state"]
    search_fields = ["sha256", "user__username", "partner__name", "filters"]
    date_hierarchy = "created_at"
    list_select_related = ["job", "user", "partner"]
    readonly_fields = [
        "created_at",
        "partner",
        "user",
        "scopes",
        "list_name",
        "filters",
        "export_format",
        "protected",
        "state_column",
        "progress_column",
        "row_count",
        "size",
        "sha256",
        "ready_at",
        "expires_at",
        "disclosed_at",
        "file_purged_at",
        "job",
    ]
    exclude = ["password_sealed", "attempt", "filename"]

    @admin.display(description=_("state"), ordering="job__state")
    def state_column(self, export: ExportJob) -> str:
        return export.job.get_state_display()

    @admin.display(description=_("done"))
    def progress_column(self, export: ExportJob) -> str:
        return progress_bar(export.job)


@admin.register(GeneratedDocument)
class GeneratedDocumentAdmin(RecordsAdmin):
    """The register of printed documents. A document can be printed again from its records:
    the same file, byte for byte, unless something it shows has changed since."""

    list_display = [
        "reference_column",
        "kind",
        "file_format",
        "generated_at",
        "author",
        "captive_count",
        "proposal",
        "languages",
        "sha256",
    ]
    list_filter = ["kind", "file_format"]
    search_fields = ["sha256", "captives__case_number", "author__username", "proposal__title"]
    date_hierarchy = "generated_at"
    list_select_related = ["author", "proposal"]
    readonly_fields = [
        "reference_column",
        "kind",
        "file_format",
        "generated_at",
        "author",
        "captives_list",
        "events_list",
        "proposal",
        "proposal_version",
        "languages",
        "size",
        "sha256",
        "obligations_list",
        "reprints_list",
    ]
    fields = readonly_fields
    change_form_template = "admin/reports/generateddocument/change_form.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[GeneratedDocument]:
        return super().get_queryset(request).annotate(captive_total=Count("captives"))

    @admin.display(description=_("reference"), ordering="id")
    def reference_column(self, document: GeneratedDocument) -> str:
        return document.reference

    @admin.display(description=_("captives"), ordering="captive_total")
    def captive_count(self, document: GeneratedDocument) -> int:
        return document.captive_total  # type: ignore[attr-defined]

    @admin.display(description=_("captives"))
    def captives_list(self, document: GeneratedDocument) -> str:
        return format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            (
                (reverse("admin:cases_captive_change", args=[captive.pk]), captive.case_number)
                for captive in document.captives.order_by("case_number")
            ),
        )

    @admin.display(description=_("custody events"))
    def events_list(self, document: GeneratedDocument) -> str:
        return ", ".join(
            f"{event.captive.case_number} {event.get_kind_display()} {event.occurred_at:%Y-%m-%d}"
            for event in document.events.select_related("captive").order_by("occurred_at")
        )

    @admin.display(description=_("obligations it fulfilled"))
    def obligations_list(self, document: GeneratedDocument) -> str:
        return format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            (
                (reverse("admin:cases_obligation_change", args=[duty.pk]), str(duty))
                for duty in document.fulfilled_obligations.all()
            ),
        )

    @admin.display(description=_("copies printed again"))
    def reprints_list(self, document: GeneratedDocument) -> str:
        return format_html_join(
            "; ",
            "{} — {}",
            (
                (f"{timezone.localtime(copy.at):%Y-%m-%d %H:%M}", copy.by)
                for copy in document.reprints.select_related("by")
            ),
        )

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        extra_context = {**(extra_context or {}), "may_print": may_print(request)}
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self) -> list[Any]:
        return [
            path(
                "<int:document_id>/reprint/",
                self.admin_site.admin_view(self.reprint_view),
                name="reports_generateddocument_reprint",
            ),
            *super().get_urls(),
        ]

    def reprint_view(self, request: HttpRequest, document_id: int) -> HttpResponse:
        """POST: `verify` prints it again in memory and says whether it is the one issued (any
        reader of the register); otherwise a copy is sent and recorded (a role that prints)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        document = get_object_or_404(GeneratedDocument, pk=document_id)
        if not self.has_view_permission(request, document):
            raise PermissionDenied
        if "verify" not in request.POST:
            try:
                copy = document_reprint(acting_user=request.user, document=document)
            except RuleError as error:
                raise PermissionDenied from error
            return document_response(document, copy)
        content = document_rebuild(acting_user=request.user, document=document)
        digest = hashlib.sha256(content).hexdigest()
        if digest == document.sha256:
            messages.success(
                request,
                gettext("Printed again: identical to %(reference)s as issued (SHA-256 %(hash)s).")
                % {"reference": document.reference, "hash": digest[:16] + "…"},
            )
        else:
            messages.warning(
                request,
                gettext(
                    "Printed again, it differs from %(reference)s as issued: something it "
                    "shows has changed since. The history of its records says what."
                )
                % {"reference": document.reference},
            )
        return HttpResponseRedirect(
            reverse("admin:reports_generateddocument_change", args=[document.pk])
        )
