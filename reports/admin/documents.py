"""The admin's door to the GC III documents: one POST view prints any kind, and a mixin puts
the buttons for a record's documents on its page. Printing writes a GeneratedDocument, so it is
never a GET (a link, a prefetch or a HEAD would print and record)."""

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import BadRequest, PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from cases.models import Captive, CustodyEvent
from diplomacy.models import ExchangeProposal
from powtracker.admin import page_parts_add
from powtracker.errors import RuleError
from powtracker.ids import record_id
from reports.choices import DocumentFormat, DocumentKind
from reports.models import GeneratedDocument
from reports.services import document_generate

PRINT_PERMISSION = "reports.generate"
CONTENT_TYPES = {
    DocumentFormat.PDF: "application/pdf",
    DocumentFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def may_print(request: HttpRequest) -> bool:
    return request.user.has_perm(PRINT_PERMISSION)


def document_filename(record: GeneratedDocument) -> str:
    return f"{record.reference}-{record.kind.replace('_', '-')}.{record.file_format}"


def document_response(record: GeneratedDocument, content: bytes) -> HttpResponse:
    """The printed file as a download, named by its reference."""
    response = HttpResponse(content, content_type=CONTENT_TYPES[record.file_format])
    response["Content-Disposition"] = f'attachment; filename="{document_filename(record)}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


def _ids(values: list[str]) -> list[int]:
    """Record numbers: ASCII digits within the databases' range, or a 400."""
    numbers = [record_id(value) for value in values]
    if None in numbers:
        raise BadRequest(_("Records are named by their numbers."))
    return sorted(set(numbers))  # type: ignore[arg-type]


def _one(request: HttpRequest, name: str) -> str:
    """A parameter given at most once (two kinds or two formats is a 400, not a guess)."""
    values = request.POST.getlist(name)
    if len(values) > 1:
        raise BadRequest(_("Give %(name)s once.") % {"name": name})
    return values[0] if values else ""


def print_document(
    request: HttpRequest,
    *,
    kind: str,
    captives: Any = (),
    events: Any = (),
    proposal: ExchangeProposal | None = None,
    file_format: str = DocumentFormat.PDF,
    back: str,
) -> HttpResponse:
    """Print through the service and send the file; a refusal goes back with its message."""
    if not may_print(request):
        raise PermissionDenied
    try:
        record, content = document_generate(
            acting_user=request.user,
            kind=kind,
            captives=captives,
            events=events,
            proposal=proposal,
            file_format=file_format,
        )
    except RuleError as refusal:
        messages.error(request, " ".join(refusal.messages))
        return HttpResponseRedirect(back)
    return document_response(record, content)


def document_print_view(request: HttpRequest) -> HttpResponse:
    """POST kind=…, captive=… (several), event=… (several), proposal=…, as=pdf|xlsx, next=…"""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not may_print(request):
        raise PermissionDenied
    kind = _one(request, "kind")
    if kind not in DocumentKind.values:
        raise BadRequest(
            _("Choose a document: %(kinds)s.") % {"kinds": ", ".join(DocumentKind.values)}
        )
    file_format = _one(request, "as") or DocumentFormat.PDF
    if file_format not in DocumentFormat.values:
        raise BadRequest(
            _("Choose a format: %(formats)s.") % {"formats": ", ".join(DocumentFormat.values)}
        )
    captive_ids = _ids(request.POST.getlist("captive"))
    event_ids = _ids(request.POST.getlist("event"))
    captives = list(Captive.objects.filter(pk__in=captive_ids))
    events = list(CustodyEvent.objects.filter(pk__in=event_ids))
    if len(captives) != len(captive_ids) or len(events) != len(event_ids):
        raise BadRequest(_("A record named is not in the register."))
    proposal = None
    if proposal_id := _one(request, "proposal"):
        proposal = get_object_or_404(ExchangeProposal, pk=_ids([proposal_id])[0])
    back = _one(request, "next")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("admin:index")
    return print_document(
        request,
        kind=kind,
        captives=captives,
        events=events,
        proposal=proposal,
        file_format=file_format,
        back=back,
    )


def print_action(
    kind: str,
    description: str | Promise,
    *,
    records: str = "captives",
    file_format: str = DocumentFormat.PDF,
) -> Callable[..., HttpResponse]:
    """A change-list action printing one document of the selected rows: `records` says what the
    rows are to the service ("captives" or "events")."""

    @admin.action(description=description, permissions=["print"])
    def action(modeladmin: Any, request: HttpRequest, queryset: Any) -> HttpResponse:
        return print_document(
            request,
            kind=kind,
            file_format=file_format,
            back=request.get_full_path(),
            **{records: list(queryset)},
        )

    action.__name__ = f"print_{kind}_{file_format}"
    return action


class PrintActionsMixin:
    """For an admin whose change-list actions print (declared with permissions=["print"])."""

    def has_print_permission(self, request: HttpRequest) -> bool:
        return may_print(request)


class DocumentButtonsMixin(PrintActionsMixin):
    """Buttons on a record's page that print its documents (for users who may print).

    Subclasses set `document_buttons(obj)`: a list of (label, kind, fields) where fields are
    the print view's parameters, e.g. [("captive", 12)]. The page's template is one with room
    for them (powtracker.admin.CHANGE_FORM_WITH_PARTS, or one extending it)."""

    document_buttons: Callable[..., list[tuple[str, str, list[tuple[str, Any]]]]]

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        extra_context = dict(extra_context or {})
        obj = self.get_object(request, object_id)  # type: ignore[attr-defined]
        if obj is not None and may_print(request):
            extra_context["document_buttons"] = self.document_buttons(obj)
            extra_context["document_print_url"] = reverse("reports-document-print")
        return super().change_view(request, object_id, form_url, extra_context)  # type: ignore[misc]

    def render_change_form(
        self, request: HttpRequest, context: dict[str, Any], *args: Any, **kwargs: Any
    ) -> HttpResponse:
        page_parts_add(context, "page_stylesheets", "reports/documents.css")
        page_parts_add(context, "object_tools_parts", "admin/reports/document_buttons.html")
        return super().render_change_form(request, context, *args, **kwargs)  # type: ignore[misc]
