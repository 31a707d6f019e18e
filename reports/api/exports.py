"""The partner API's captive export: the list's filters, redacted exactly like the API, every
captive in it written to the disclosure ledger before his row leaves."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed, PermissionDenied, ValidationError
from rest_framework.request import Request

from cases.models import Captive
from cases.selectors import states_attach
from partners.api.captive_serializers import (
    LEVEL_FIELDS,
    WISH_FIELDS,
    CaptiveSerializer,
    WishBriefSerializer,
)
from partners.api.captives import CaptiveListMixin
from partners.choices import LEVEL_RANK, DisclosureLevel
from partners.disclosure import Viewer, captive_level, wishes_q
from partners.services import disclosure_record
from powtracker.api.errors import APIError
from reports.admin.exports import EXPORT_PARAMETER, EXPORT_PERMISSION
from reports.choices import ExportFormat
from reports.exports import (
    Column,
    export_chunks,
    export_filename,
    export_method_allowed,
    export_password_check,
    export_response,
    export_writable_check,
    queryset_rows,
)
from reports.services import ExportAudit

EXPORT_SCOPE = "reports:export"
PASSWORD_HEADER = "X-Export-Password"  # noqa: S105 (a header name)
# Nested fields that become one column per part in CSV and XLSX.
NESTED_PARTS = {"latest_wish": WishBriefSerializer.Meta.fields}


def export_fields(viewer: Viewer, queryset: QuerySet[Captive]) -> list[str]:
    """The fields of the export: those of the highest level at which the reader sees any of
    these captives, and the wish fields only if it may see some captive's wishes. Both depend
    on the reader's shares, scopes and hostility — never on what any captive said."""
    shared = set(queryset.order_by().values_list("shared_level", flat=True).distinct())
    default = DisclosureLevel.FULL if viewer.is_staff else viewer.partner.default_level
    levels = {level or default for level in shared} or {DisclosureLevel.IDENTITY}
    top = max(levels, key=LEVEL_RANK.__getitem__)
    fields = list(LEVEL_FIELDS[top])
    if queryset.filter(wishes_q(viewer)).exists():
        fields += WISH_FIELDS
    return fields


def export_headers(fields: list[str]) -> list[str]:
    headers = []
    for name in fields:
        parts = NESTED_PARTS.get(name)
        headers += [f"{name}.{part}" for part in parts] if parts else [name]
    return headers


def flat_value(value: Any) -> Any:
    """A represented value as one cell: a state by its code, names joined."""
    if isinstance(value, dict) and "code" in value:
        return value["code"]
    if isinstance(value, list):
        return "; ".join(f"{item['full_name']} ({item['system']})" for item in value)
    return value


def flat_row(data: dict[str, Any], headers: list[str]) -> list[Any]:
    row = []
    for header in headers:
        name, _dot, part = header.partition(".")
        value = data.get(name)
        if part:
            value = value.get(part) if isinstance(value, dict) else None
        row.append(flat_value(value))
    return row


@dataclass
class ExportPlan:
    """What an export of the captive list writes, checked before anything is read or sent: the
    format, the reader's rows (the list's filters, search and ordering) and their columns."""

    viewer: Viewer
    export_format: str
    queryset: QuerySet[Captive]
    fields: list[str]
    headers: list[str]
    password: str
    filters: str


def export_format_check(request: Any) -> str:
    """The format asked with `as`, after refusing a password sent in the URL."""
    if any("password" in name.lower() for name in request.query_params):
        # It would travel in the URL, into logs, the ledger and the audit, and protect nothing.
        raise ValidationError(
            {
                "password": [
                    _("Send the password in the %(header)s header, never in the URL.")
                    % {"header": PASSWORD_HEADER}
                ]
            }
        )
    export_format = request.query_params.get(EXPORT_PARAMETER)
    if export_format not in ExportFormat.values:
        raise ValidationError(
            {
                EXPORT_PARAMETER: [
                    _("Choose one of: %(formats)s.") % {"formats": ", ".join(ExportFormat.values)}
                ]
            }
        )
    return export_format


def export_plan(view: Any, request: Any, *, password: str) -> ExportPlan:
    """The export `view` would write for this request's reader, or the refusal (a role that may
    not export, a password in the URL, a format or filter that does not exist, a password too
    short or missing where the server requires one)."""
    viewer: Viewer = view.viewer()
    if viewer.is_staff and not request.user.has_perm(EXPORT_PERMISSION):
        raise PermissionDenied(_("Your role does not allow you to export."))
    export_format = export_format_check(request)
    queryset = view.filter_queryset(view.get_queryset())
    fields = export_fields(viewer, queryset)
    export_password_check(password, full_level="next_of_kin_name" in fields)
    filters = request.GET.copy()
    filters.pop(EXPORT_PARAMETER, None)
    return ExportPlan(
        viewer=viewer,
        export_format=export_format,
        queryset=queryset,
        fields=fields,
        headers=export_headers(fields),
        password=password,
        filters=filters.urlencode(),
    )


def export_rows(
    view: Any, plan: ExportPlan, on_batch: Callable[[list[Captive]], None]
) -> Iterator[Any]:
    """The plan's rows as the file holds them (a dict a line for JSON Lines, else cells), each
    batch of captives shown to `on_batch` (with their states) before any of its rows."""
    # One serializer for every row: its fields are built once, not once a captive (which cost
    # most of an export's time).
    serializer = CaptiveSerializer(context=view.get_serializer_context())

    def batch_seen(batch: list[Captive]) -> None:
        states_attach(batch)
        on_batch(batch)

    def represented(captive: Captive) -> Any:
        data = serializer.to_representation(captive)
        if plan.export_format == ExportFormat.JSONL:
            return dict(data)
        return flat_row(data, plan.headers)

    columns = [Column("row", represented)]
    return (row[0] for row in queryset_rows(plan.queryset, columns, on_batch=batch_seen))


def stream_limit_check(plan: ExportPlan) -> None:
    """Refuse to stream more rows than EXPORT_STREAM_MAX_ROWS (0: no limit): a longer list would
    outlast a worker's timeout and be cut off mid-file. It is exported as a job instead."""
    limit = settings.EXPORT_STREAM_MAX_ROWS
    if not limit:
        return
    if plan.queryset.order_by().values("pk")[: limit + 1].count() > limit:
        raise APIError(
            400,
            "export_too_large",
            _(
                "More than %(limit)s captives: ask for this export as a job (%(request)s with "
                "the same parameters), then download it."
            )
            % {"limit": limit, "request": "POST /api/v1/captives/exports/"},
        )


def captive_export_response(view: Any, request: Any) -> StreamingHttpResponse:
    """The captive list, as `view` filters it for this reader, as one streamed file."""
    if not export_method_allowed(request.method):
        raise MethodNotAllowed(request.method)
    export_writable_check()
    # In a header, never in the URL: query strings end up in logs and in the audit.
    plan = export_plan(view, request, password=request.headers.get(PASSWORD_HEADER, ""))
    stream_limit_check(plan)
    viewer = plan.viewer
    path = request.get_full_path()

    def ledger(batch: list[Captive]) -> None:
        if viewer.partner is not None:
            disclosure_record(
                partner=viewer.partner,
                reads=[(captive.pk, captive_level(viewer, captive)) for captive in batch],
                method=request.method,
                path=path,
            )

    audit = ExportAudit(
        acting_user=request.user if viewer.is_staff else None,
        partner=viewer.partner,
        list_name="api.captives",
        filters=plan.filters,
        export_format=plan.export_format,
    )
    filename = export_filename("captives", plan.export_format)
    chunks = export_chunks(
        plan.export_format,
        plan.headers,
        export_rows(view, plan, ledger),
        on_start=audit.start,
        on_end=audit.end,
        password=plan.password,
        inner_name=filename,
    )
    return export_response(chunks, plan.export_format, filename, protected=bool(plan.password))


# The export's parameters, the same for the stream and the job (reports.api.export_jobs).
EXPORT_PARAMETERS = [
    OpenApiParameter(
        "as",
        OpenApiTypes.STR,
        OpenApiParameter.QUERY,
        required=True,
        enum=["csv", "xlsx", "jsonl"],
        description="csv (UTF-8 with BOM), xlsx, or jsonl (one JSON object a line)",
    ),
    OpenApiParameter(
        "X-Export-Password",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        required=False,
        description=(
            "At least 12 characters: the file comes inside an AES-256 encrypted ZIP. "
            "Required for a full-level export where the server says so "
            "(export_password_required)."
        ),
    ),
]


# GET /api/v1/captives/export/, beside the captive list (no docstring: DRF would show it).
class CaptiveExportViewSet(CaptiveListMixin, viewsets.GenericViewSet):
    required_scopes = {"export": EXPORT_SCOPE}

    @extend_schema(
        summary="Export the captives you may see (CSV, XLSX or JSON Lines), streamed",
        description=(
            "The list's filters, search and ordering apply; every page is exported. Redacted "
            "exactly like the list; every captive in the file is written to the disclosure "
            "ledger. The format is chosen with `as` (DRF keeps `format` for itself). Needs the "
            "scope `reports:export`."
        ),
        parameters=EXPORT_PARAMETERS,
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
    )
    @action(detail=False, methods=["get"], url_path="export", pagination_class=None)
    def export(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        return captive_export_response(self, request)
