"""Exports as jobs: `POST /api/v1/captives/exports/` queues the captive list's export for a
worker and answers 202 with its address; `GET /api/v1/exports/{id}/` shows how far it has come;
`GET /api/v1/exports/{id}/download/` serves the file once ready — written to the disclosure
ledger at the first download, and refused if the reader may now see less than it shows."""

from types import SimpleNamespace
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import StreamingHttpResponse
from django.test import RequestFactory
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, MethodNotAllowed
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from jobs.models import JobState
from jobs.services import JobRun
from partners.api.captives import CaptiveListMixin
from partners.api.idempotency import IDEMPOTENCY_KEY, idempotent
from partners.disclosure import Viewer, captive_level, viewer_for
from powtracker.api.errors import APIError
from powtracker.errors import ErrorCode, RuleError
from powtracker.sealing import unseal
from reports.admin.exports import EXPORT_PARAMETER
from reports.api.exports import (
    EXPORT_PARAMETERS,
    EXPORT_SCOPE,
    PASSWORD_HEADER,
    CaptiveExportViewSet,
    export_plan,
    export_rows,
)
from reports.exports import (
    CONTENT_TYPES,
    Outcome,
    export_chunks,
    export_filename,
    export_method_allowed,
    export_writable_check,
    file_chunks_sent,
)
from reports.models import ExportJob
from reports.services import (
    EXPORT_CHUNK_BYTES,
    ExportAudit,
    export_chunk_write,
    export_job_attempt_begin,
    export_job_create,
    export_job_disclose,
    export_job_file,
    export_job_gave_up,
    export_job_narrowed,
    export_job_publish,
    export_subjects_write,
)

HANDLER = "reports.api.export_jobs.captive_export_run"
LIST_NAME = "api.captives"


# --- the worker's side -------------------------------------------------------------------------


def job_request(export: ExportJob) -> Request:
    """The request the export was asked with, as the list's filters read it: its query string
    and its reader (the partner and its token's scopes, or the staff user)."""
    query = export.filters + ("&" if export.filters else "") + f"{EXPORT_PARAMETER}="
    django_request = RequestFactory().get(
        f"/api/v1/captives/exports/?{query}{export.export_format}"
    )
    request = Request(django_request, authenticators=[])
    request.user = export.user or AnonymousUser()
    request.auth = (
        SimpleNamespace(partner=export.partner, scope=export.scopes)
        if export.partner is not None
        else None
    )
    return request


def job_view(request: Request) -> CaptiveExportViewSet:
    view = CaptiveExportViewSet()
    view.request = request
    view.format_kwarg = None
    view.action = "export"
    view.args = ()
    view.kwargs = {}
    return view


class ChunkWriter:
    """Bytes gathered into pieces of EXPORT_CHUNK_BYTES, each written in its own transaction."""

    def __init__(self, export: ExportJob, attempt: int):
        self.export = export
        self.attempt = attempt
        self.buffer = bytearray()
        self.seq = 0
        self.size = 0

    def write(self, data: bytes) -> None:
        self.buffer += data
        self.size += len(data)
        if len(self.buffer) >= EXPORT_CHUNK_BYTES:
            self.flush()

    def flush(self) -> None:
        if self.buffer:
            export_chunk_write(self.export, self.attempt, self.seq, bytes(self.buffer))
            self.seq += 1
            self.buffer.clear()


def captive_export_run(run: JobRun) -> None:
    """Write the export into the database, piece by piece, then publish it: the worker's part.

    Every batch of captives is recorded (with the level he was shown at) before its rows are
    written; the ledger is written from those records when the file is first downloaded."""
    export = ExportJob.objects.select_related("partner", "user").get(job=run.job)
    password = unseal(export.password_sealed)
    request = job_request(export)
    view = job_view(request)
    try:
        plan = export_plan(view, request, password=password)
    except APIException as refusal:
        # Refused now as it would be in a request (the user lost the right to export): it would
        # be refused again at every attempt.
        raise RuleError(ErrorCode.PERMISSION_DENIED, str(refusal.detail)) from refusal
    export_job_attempt_begin(export, run.attempt)
    run.heartbeat(progress=0, total=plan.queryset.count(), force=True)
    viewer: Viewer = plan.viewer
    written = 0

    def recorded(batch: list[Any]) -> None:
        nonlocal written
        export_subjects_write(
            export,
            run.attempt,
            [
                (captive.pk, captive_level(viewer, captive), bool(captive.viewer_hostile))
                for captive in batch
            ],
        )
        run.heartbeat(progress=written)
        written += len(batch)

    outcome = Outcome()

    def ended(result: Outcome) -> None:
        outcome.rows, outcome.sha256, outcome.completed = (
            result.rows,
            result.sha256,
            result.completed,
        )

    filename = export_filename("captives", plan.export_format)
    writer = ChunkWriter(export, run.attempt)
    for chunk in export_chunks(
        plan.export_format,
        plan.headers,
        export_rows(view, plan, recorded),
        on_start=lambda: None,
        on_end=ended,
        password=password,
        inner_name=filename,
    ):
        writer.write(chunk)
    writer.flush()
    run.heartbeat(progress=outcome.rows, force=True)
    run.finish(
        lambda: export_job_publish(
            export,
            attempt=run.attempt,
            outcome=outcome,
            size=writer.size,
            filename=f"{filename}.zip" if password else filename,
        )
    )


captive_export_run.gave_up = export_job_gave_up  # type: ignore[attr-defined]


# --- the partner's side ------------------------------------------------------------------------


def export_status(export: ExportJob) -> str:
    """queued, running, ready, failed or expired."""
    if export.file_purged_at is not None or (
        export.expires_at is not None and export.expires_at <= timezone.now()
    ):
        return "expired"
    return {
        JobState.QUEUED: "queued",
        JobState.RUNNING: "running",
        JobState.SUCCEEDED: "ready",
        JobState.FAILED: "failed",
    }[export.job.state]


class ExportJobSerializer(serializers.ModelSerializer):
    status = serializers.SerializerMethodField(
        help_text="queued, running, ready (download it), failed, or expired (ask again)"
    )
    format = serializers.CharField(source="export_format")
    rows_written = serializers.IntegerField(source="job.progress")
    rows_total = serializers.IntegerField(
        source="job.total", allow_null=True, help_text="Known once a worker has started it."
    )
    attempts = serializers.IntegerField(source="job.attempts")
    finished_at = serializers.DateTimeField(source="job.finished_at", allow_null=True)
    download = serializers.SerializerMethodField(help_text="The file's address, once ready.")
    error = serializers.SerializerMethodField()

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "status",
            "format",
            "filters",
            "protected",
            "rows_written",
            "rows_total",
            "attempts",
            "created_at",
            "ready_at",
            "finished_at",
            "expires_at",
            "row_count",
            "size",
            "sha256",
            "download",
            "error",
        ]

    def get_status(self, export: ExportJob) -> str:
        return export_status(export)

    def get_download(self, export: ExportJob) -> str | None:
        if export_status(export) != "ready":
            return None
        return reverse(
            "export-job-download", kwargs={"pk": export.pk}, request=self.context.get("request")
        )

    def get_error(self, export: ExportJob) -> dict[str, str] | None:
        if export.job.state != JobState.FAILED:
            return None
        return {"code": export.job.error_code, "message": export.job.error}


def export_job_answer(view: Any, request: Request) -> Response:
    """POST /captives/exports/: check everything the stream checks, then queue the job."""
    viewer = viewer_for(request)
    plan = export_plan(view, request, password=request.headers.get(PASSWORD_HEADER, ""))
    export = export_job_create(
        acting_user=request.user,
        partner=viewer.partner,
        scopes=viewer.scopes,
        list_name=LIST_NAME,
        filters=plan.filters,
        export_format=plan.export_format,
        password=plan.password,
        handler=HANDLER,
    )
    body = ExportJobSerializer(export, context={"request": request}).data
    location = reverse("export-job-detail", kwargs={"pk": export.pk})
    return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": location})


@extend_schema_view(
    list=extend_schema(summary="List your exports (newest first)"),
    retrieve=extend_schema(summary="How far an export has come; its download link once ready"),
)
class ExportJobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ExportJobSerializer
    # The list is the reader's own exports, newest first: no search, filter or ordering.
    filter_backends: list[Any] = []
    lookup_value_regex = "[0-9]+"
    scope_area = "reports"
    required_scopes = {"list": EXPORT_SCOPE, "retrieve": EXPORT_SCOPE, "download": EXPORT_SCOPE}

    def get_queryset(self) -> Any:
        """Only the reader's own: a partner's, or a staff user's."""
        if getattr(self, "swagger_fake_view", False):
            return ExportJob.objects.none()
        viewer = viewer_for(self.request)
        mine = ExportJob.objects.select_related("job")
        if viewer.partner is not None:
            return mine.filter(partner=viewer.partner)
        return mine.filter(partner__isnull=True, user=self.request.user)

    @extend_schema(
        summary="Download a finished export (written to the disclosure ledger once)",
        description=(
            "The file as the job wrote it (a ZIP when a password was given). The first download "
            "writes every captive in it to the disclosure ledger. 409 `export_not_ready` before "
            "it is ready; 410 `export_expired` after EXPORT_FILE_HOURS; 409 `export_outdated` if "
            "you may now see less of its captives than it shows (ask for a new export)."
        ),
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
    )
    @action(detail=True, methods=["get"], url_path="download", url_name="download")
    def download(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        if not export_method_allowed(request.method):
            # A HEAD would take the first download's place in the ledger and the audit, and
            # send nothing.
            raise MethodNotAllowed(request.method)
        export_writable_check()
        export = self.get_object()
        state = export_status(export)
        if state == "expired":
            raise APIError(410, "export_expired", _("This export has expired; ask for a new one."))
        if state != "ready":
            raise APIError(409, "export_not_ready", _("This export is not ready yet."))
        viewer = viewer_for(request)
        if export_job_narrowed(export, viewer):
            raise APIError(
                409,
                "export_outdated",
                _(
                    "You may now see less of the captives in this export than it shows; "
                    "ask for a new export."
                ),
            )
        # Before the first byte leaves: nothing is disclosed without its record.
        export_job_disclose(export, method=request.method, path=request.get_full_path())
        audit = ExportAudit(
            acting_user=request.user if viewer.is_staff else None,
            partner=viewer.partner,
            list_name=f"{LIST_NAME}.job",
            filters=export.filters,
            export_format=export.export_format,
        )
        outcome = Outcome(rows=export.row_count or 0)
        chunks = file_chunks_sent(
            export_job_file(export), outcome, on_start=audit.start, on_end=audit.end
        )
        content_type = (
            "application/zip" if export.protected else CONTENT_TYPES[export.export_format]
        )
        response = StreamingHttpResponse(chunks, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
        response["Content-Length"] = str(export.size)
        response["X-Content-Type-Options"] = "nosniff"
        return response


# POST /api/v1/captives/exports/, beside the captive list (no docstring: DRF would show it).
class CaptiveExportJobViewSet(CaptiveListMixin, viewsets.GenericViewSet):
    required_scopes = {"exports": EXPORT_SCOPE}

    @extend_schema(
        summary="Export the captives you may see as a job, for any size (202, then download)",
        description=(
            "The same parameters, filters, password header and redaction as "
            "`GET /captives/export/`, for a list of any length: a worker writes the file and "
            "`Location` names the export's resource (`/api/v1/exports/{id}/`), which shows the "
            "rows written so far and, once ready, its `download` link. The file is kept for "
            "EXPORT_FILE_HOURS; its captives are written to the disclosure ledger when you "
            "first download it. Needs the scope `reports:export`. Send an `Idempotency-Key` to "
            "retry safely."
        ),
        parameters=[*EXPORT_PARAMETERS, IDEMPOTENCY_KEY],
        request=None,
        responses={202: ExportJobSerializer},
    )
    @action(detail=False, methods=["post"], url_path="exports", url_name="exports")
    @idempotent
    def exports(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return export_job_answer(self, request)
