"""The partner API's captive export: the list's filters, redacted exactly like the API, every
captive in it written to the disclosure ledger before his row leaves."""

from typing import Any

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils.translation import gettext as _
from rest_framework.exceptions import MethodNotAllowed, PermissionDenied, ValidationError

from cases.api.serializers import (
    LEVEL_FIELDS,
    WISH_FIELDS,
    CaptiveSerializer,
    WishBriefSerializer,
)
from cases.models import Captive
from cases.selectors import states_attach
from partners.choices import LEVEL_RANK, DisclosureLevel
from partners.disclosure import Viewer, captive_level, wishes_q
from partners.services import disclosure_record
from reports.admin.exports import EXPORT_PARAMETER, EXPORT_PERMISSION
from reports.choices import ExportFormat
from reports.exports import (
    Column,
    export_chunks,
    export_filename,
    export_method_allowed,
    export_password_check,
    export_response,
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


def captive_export_response(view: Any, request: Any) -> StreamingHttpResponse:
    """The captive list, as `view` filters it for this reader, as one streamed file."""
    viewer: Viewer = view.viewer()
    if viewer.is_staff and not request.user.has_perm(EXPORT_PERMISSION):
        raise PermissionDenied(_("Your role does not allow you to export."))
    if not export_method_allowed(request.method):
        raise MethodNotAllowed(request.method)
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
    queryset = view.filter_queryset(view.get_queryset())
    fields = export_fields(viewer, queryset)
    # In a header, never in the URL: query strings end up in logs and in the audit.
    password = request.headers.get(PASSWORD_HEADER, "")
    export_password_check(password, full_level="next_of_kin_name" in fields)
    headers = export_headers(fields)
    context = view.get_serializer_context()
    path = request.get_full_path()

    def ledger(batch: list[Captive]) -> None:
        states_attach(batch)
        if viewer.partner is not None:
            disclosure_record(
                partner=viewer.partner,
                reads=[(captive.pk, captive_level(viewer, captive)) for captive in batch],
                method=request.method,
                path=path,
            )

    def represented(captive: Captive) -> Any:
        data = CaptiveSerializer(captive, context=context).data
        return dict(data) if export_format == ExportFormat.JSONL else flat_row(data, headers)

    rows = (
        row[0] for row in queryset_rows(queryset, [Column("row", represented)], on_batch=ledger)
    )
    filters = request.GET.copy()
    filters.pop(EXPORT_PARAMETER, None)
    audit = ExportAudit(
        acting_user=request.user if viewer.is_staff else None,
        partner=viewer.partner,
        list_name="api.captives",
        filters=filters.urlencode(),
        export_format=export_format,
    )
    chunks = export_chunks(
        export_format,
        headers,
        rows,
        on_start=audit.start,
        on_end=audit.end,
        password=password,
        inner_name=export_filename("captives", export_format),
    )
    return export_response(
        chunks,
        export_format,
        export_filename("captives", export_format),
        protected=bool(password),
    )
