"""Imports in the admin: upload a list, map its columns, watch the analysis, read the preview
(errors by row and column, possible duplicates), decide, confirm, watch the writing.

Every step is a POST to its own URL that goes through imports.services (which checks the role);
the batch's page shows what its status allows, and only to a role that may do it.
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import BadRequest, PermissionDenied
from django.core.paginator import Paginator
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.utils.translation import ngettext

from imports import services
from imports.choices import PERMISSION, TARGETS, BatchStatus, RowDecision, RowStatus
from imports.models import ImportBatch
from imports.reading import ENCODINGS, MAX_BYTES
from powtracker.admin import PermanentAdmin
from powtracker.errors import ErrorCode, RuleError
from powtracker.ids import record_id
from states.models import State

ROWS_PER_PAGE = 100
HISTORY_SHOWN = 20
SAMPLE_ROWS = 3
# The filters of the rows' table: a status, or the rows with possible duplicates.
ROW_FILTERS = {
    "": _l("All"),
    "invalid": _l("Errors"),
    "candidates": _l("Possible duplicates"),
    RowStatus.READY: _l("Ready"),
    RowStatus.HELD: _l("Held"),
    RowStatus.REPEATED: _l("Repeated in this file"),
    RowStatus.IMPORTED_BEFORE: _l("Imported before"),
    RowStatus.WRITTEN: _l("Written"),
}


class UploadForm(forms.Form):
    file = forms.FileField(label=_l("List (CSV or XLSX)"))
    source = forms.CharField(
        label=_l("source"),
        max_length=200,
        help_text=_l("Who sent the list, e.g. “NIB Ukraine, list 14 of 2026-11-20” or “ICRC CTA”."),
    )
    detaining_power = forms.ModelChoiceField(
        State.objects.all(),
        label=_l("detaining power"),
        help_text=_l("For the rows that do not name one."),
    )
    encoding = forms.ChoiceField(
        label=_l("encoding"),
        choices=list(ENCODINGS.items()),
        initial="utf-8",
        help_text=_l("Of a CSV file; an XLSX file needs none."),
    )
    sheet = forms.CharField(
        label=_l("sheet"),
        max_length=100,
        required=False,
        help_text=_l("Of an XLSX workbook; the first sheet if left empty."),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(max)d MB: split it into several files."),
                params={"max": MAX_BYTES // (1024 * 1024)},
                code="invalid",
            )
        return upload


def _may_import(request: HttpRequest) -> bool:
    return request.user.has_perm(PERMISSION)


@admin.register(ImportBatch)
class ImportBatchAdmin(PermanentAdmin):
    """Imports are made by their own pages (upload, columns, steps), never by a model form; their
    history is read-only like every other."""

    list_display = [
        "reference_column",
        "file_name",
        "source",
        "status",
        "row_count",
        "written_count",
        "uploaded_by",
        "uploaded_at",
    ]
    list_filter = ["status"]
    search_fields = ["file_name", "source", "file_sha256"]
    date_hierarchy = "uploaded_at"
    list_select_related = ["uploaded_by"]
    change_list_template = "admin/imports/importbatch/change_list.html"

    @admin.display(description=_l("import"), ordering="id")
    def reference_column(self, batch: ImportBatch) -> str:
        return batch.reference

    def get_urls(self) -> list[Any]:
        def view(function: Any) -> Any:
            return self.admin_site.admin_view(function)

        return [
            path("upload/", view(self.upload_view), name="imports_importbatch_upload"),
            path("<int:batch_id>/map/", view(self.map_view), name="imports_importbatch_map"),
            path("<int:batch_id>/step/", view(self.step_view), name="imports_importbatch_step"),
            path(
                "<int:batch_id>/decide/", view(self.decide_view), name="imports_importbatch_decide"
            ),
            path(
                "<int:batch_id>/confirm/",
                view(self.confirm_view),
                name="imports_importbatch_confirm",
            ),
            path(
                "<int:batch_id>/cancel/", view(self.cancel_view), name="imports_importbatch_cancel"
            ),
            *super().get_urls(),
        ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        extra_context = {**(extra_context or {}), "may_import": _may_import(request)}
        return super().changelist_view(request, extra_context)

    # --- the batch's page ------------------------------------------------------------------------

    def _page(self, request: HttpRequest, batch: ImportBatch) -> TemplateResponse:
        row_filter = request.GET.get("rows", "")
        if row_filter not in ROW_FILTERS:
            raise BadRequest(_("Unknown filter of the rows."))
        rows = batch.rows.order_by("number").select_related(
            "captive", "decided_same_as", "decided_by", "earlier__batch"
        )
        if row_filter == "candidates":
            rows = rows.filter(status__in=[RowStatus.READY, RowStatus.HELD]).exclude(candidates=[])
        elif row_filter:
            rows = rows.filter(status=row_filter)
        page_number = request.GET.get("page", "1")
        if not page_number.isdigit():
            page_number = "1"
        page = Paginator(rows, ROWS_PER_PAGE).get_page(page_number)
        may_import = _may_import(request)
        sample = list(batch.rows.order_by("number").values_list("cells", flat=True)[:SAMPLE_ROWS])
        columns = [
            {
                "index": str(index),
                "header": header,
                "field": batch.mapping.get(str(index), ""),
                "samples": [
                    cells[index] for cells in sample if index < len(cells) and cells[index]
                ],
            }
            for index, header in enumerate(batch.headers)
        ]
        counts = services.import_counts(batch)
        history = batch.history.select_related("history_user").order_by("-history_date", "-pk")
        history_total = history.count()
        earlier_uploads = ImportBatch.objects.filter(
            file_sha256=batch.file_sha256, sheet=batch.sheet, pk__lt=batch.pk
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"{batch.reference} — {batch.file_name}",
            "batch": batch,
            "counts": counts,
            "columns": columns,
            "targets": TARGETS,
            "page": page,
            "row_filter": row_filter,
            "row_filters": [
                (key, label, self._filter_count(key, counts)) for key, label in ROW_FILTERS.items()
            ],
            "may_import": may_import,
            "mappable": may_import
            and batch.status in {BatchStatus.UPLOADED, BatchStatus.ANALYSING, BatchStatus.PREVIEW},
            "running": batch.status in {BatchStatus.ANALYSING, BatchStatus.WRITING},
            "deciding": may_import
            and batch.status in {BatchStatus.PREVIEW, BatchStatus.WRITING, BatchStatus.DONE},
            "progress": services.import_progress(batch),
            "decisions": RowDecision,
            "statuses": RowStatus,
            "batch_statuses": BatchStatus,
            "earlier_uploads": earlier_uploads,
            "history": history[:HISTORY_SHOWN],
            "history_more": max(0, history_total - HISTORY_SHOWN),
            "will_write": counts[RowStatus.READY] - counts["undecided"],
            "page_decidable": may_import
            and batch.status in {BatchStatus.PREVIEW, BatchStatus.WRITING, BatchStatus.DONE}
            and any(
                row.candidates and row.status in {RowStatus.READY, RowStatus.HELD}
                for row in page.object_list
            ),
        }
        return TemplateResponse(request, "admin/imports/importbatch/batch.html", context)

    @staticmethod
    def _filter_count(key: str, counts: dict[str, int]) -> int | None:
        if key == "":
            return None
        if key == "candidates":
            return counts["with_candidates"]
        return counts.get(key, 0)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        if not object_id.isdigit():
            raise PermissionDenied
        batch = get_object_or_404(ImportBatch, pk=int(object_id))
        if not self.has_view_permission(request, batch):
            raise PermissionDenied
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        return self._page(request, batch)

    # --- the steps -------------------------------------------------------------------------------

    def _batch(self, request: HttpRequest, batch_id: int) -> ImportBatch:
        batch = get_object_or_404(ImportBatch, pk=batch_id)
        if not _may_import(request):
            raise PermissionDenied
        return batch

    def _back(self, batch: ImportBatch, query: str = "") -> HttpResponseRedirect:
        url = reverse("admin:imports_importbatch_change", args=[batch.pk])
        return HttpResponseRedirect(f"{url}?{query}" if query else url)

    def upload_view(self, request: HttpRequest) -> HttpResponse:
        if not _may_import(request):
            raise PermissionDenied
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                batch = services.import_upload(
                    acting_user=request.user,
                    data=upload.read(),
                    file_name=upload.name,
                    source=form.cleaned_data["source"],
                    detaining_power=form.cleaned_data["detaining_power"],
                    encoding=form.cleaned_data["encoding"],
                    sheet=form.cleaned_data["sheet"],
                )
            except RuleError as refusal:
                form.add_error("file", refusal)
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(reference)s: %(rows)d row read. Check how the columns are mapped, "
                        "then analyse.",
                        "%(reference)s: %(rows)d rows read. Check how the columns are mapped, "
                        "then analyse.",
                        batch.row_count,
                    )
                    % {"reference": batch.reference, "rows": batch.row_count},
                )
                return self._back(batch)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Import a list of names"),
            "form": form,
            "targets": TARGETS,
        }
        return TemplateResponse(request, "admin/imports/importbatch/upload.html", context)

    def map_view(self, request: HttpRequest, batch_id: int) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        batch = self._batch(request, batch_id)
        mapping = {
            str(index): request.POST.get(f"column-{index}", "")
            for index in range(len(batch.headers))
        }
        try:
            services.import_map(acting_user=request.user, batch=batch, mapping=mapping)
        except RuleError as refusal:
            messages.error(request, " ".join(refusal.messages))
        return self._back(batch)

    def step_view(self, request: HttpRequest, batch_id: int) -> HttpResponse:
        """One slice of analysis or writing; JSON for the page's script, else back to the page."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        batch = self._batch(request, batch_id)
        wants_json = "application/json" in request.headers.get("Accept", "")
        phase = batch.status
        try:
            if batch.status == BatchStatus.ANALYSING:
                batch = services.import_analyse(acting_user=request.user, batch=batch)
            elif batch.status == BatchStatus.WRITING:
                batch = services.import_write(acting_user=request.user, batch=batch)
        except RuleError as refusal:
            if wants_json:
                return JsonResponse(
                    {"code": refusal.code, "detail": " ".join(refusal.messages)}, status=400
                )
            messages.error(request, " ".join(refusal.messages))
            return self._back(batch)
        if wants_json:
            # The phase this slice belonged to, though it may have ended with it.
            done, total = services.import_progress(batch, phase)
            return JsonResponse(
                {
                    "status": batch.status,
                    "running": batch.status in {BatchStatus.ANALYSING, BatchStatus.WRITING},
                    "done": done,
                    "total": total,
                }
            )
        return self._back(batch)

    def decide_view(self, request: HttpRequest, batch_id: int) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        batch = self._batch(request, batch_id)
        query = request.POST.get("back", "")
        if not all(part.isalnum() or part in "=&_" for part in query):
            query = ""
        try:
            if "best" in request.POST:
                score = request.POST.get("min_score", "")
                if not score.isdigit() or int(score) > 100:
                    return HttpResponseBadRequest(_("A score is a whole number up to 100."))
                count = services.import_decide_best(
                    acting_user=request.user, batch=batch, min_score=int(score)
                )
            else:
                count = services.import_decide(
                    acting_user=request.user, batch=batch, decisions=self._decisions(request)
                )
        except RuleError as refusal:
            messages.error(request, " ".join(refusal.messages))
            return self._back(batch, query)
        messages.success(
            request,
            ngettext(
                "Decision recorded for %(count)d row.",
                "Decisions recorded for %(count)d rows.",
                count,
            )
            % {"count": count},
        )
        return self._back(batch, query)

    @staticmethod
    def _decisions(request: HttpRequest) -> dict[int, tuple[str, int | None]]:
        """`decision-<row id>`: "hold", "new", "not_same" or "same:<captive id>"."""
        decisions: dict[int, tuple[str, int | None]] = {}
        for key, value in request.POST.items():
            if not key.startswith("decision-"):
                continue
            row_id = record_id(key.removeprefix("decision-"))
            verdict, _sep, other = value.partition(":")
            other_id = record_id(other) if other else None
            if verdict == "hold":
                verdict = RowDecision.UNDECIDED
            if row_id is None or (other and other_id is None) or verdict not in RowDecision.values:
                raise RuleError(ErrorCode.INVALID, _("A decision could not be read."))
            decisions[row_id] = (verdict, other_id)
        return decisions

    def confirm_view(self, request: HttpRequest, batch_id: int) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        batch = self._batch(request, batch_id)
        try:
            services.import_confirm(acting_user=request.user, batch=batch)
        except RuleError as refusal:
            messages.error(request, " ".join(refusal.messages))
        return self._back(batch)

    def cancel_view(self, request: HttpRequest, batch_id: int) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        batch = self._batch(request, batch_id)
        try:
            services.import_cancel(acting_user=request.user, batch=batch)
        except RuleError as refusal:
            messages.error(request, " ".join(refusal.messages))
        else:
            messages.success(
                request,
                _("%(reference)s is cancelled: no more of its rows will be written.")
                % {"reference": batch.reference},
            )
        return self._back(batch)
