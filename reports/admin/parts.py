"""What reports adds to the pages of the apps below it (powtracker.admin.admin_extend): the
Export button of their lists, the print actions, the print buttons of a record's page, and the
documents printed for a captive on his case page.

Each part is layered over the admin its app registered; cases, diplomacy and partners never
import reports. The columns each export writes are in reports.columns."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

# Their admins register first: each part below is layered over the one registered.
import cases.admin  # noqa: F401
import diplomacy.admin  # noqa: F401
import partners.admin  # noqa: F401
from cases.choices import DOCUMENTS_FULFILLING
from cases.dates import local_moment
from cases.models import Captive, CustodyEvent, Obligation, WishStatement
from diplomacy.models import ExchangeProposal, TransferRequest
from partners.models import DisclosureRecord
from powtracker.admin import admin_extend
from reports.admin.documents import DocumentButtonsMixin, PrintActionsMixin, print_action
from reports.admin.exports import ExportAdminMixin
from reports.choices import DocumentFormat, DocumentKind
from reports.columns import (
    CAPTIVE_COLUMNS,
    CUSTODY_EVENT_COLUMNS,
    CUSTODY_EVENT_RELATED,
    DISCLOSURE_COLUMNS,
    DISCLOSURE_RELATED,
    OBLIGATION_COLUMNS,
    OBLIGATION_RELATED,
    PROPOSAL_COLUMNS,
    PROPOSAL_PREFETCH,
    PROPOSAL_RELATED,
    TRANSFER_REQUEST_COLUMNS,
    TRANSFER_REQUEST_RELATED,
    WISH_STATEMENT_COLUMNS,
    WISH_STATEMENT_RELATED,
    captive_export_queryset,
)
from reports.models import GeneratedDocument

# --- cases -------------------------------------------------------------------------------------


class CaptiveReports(DocumentButtonsMixin, ExportAdminMixin):
    """The captives' list exports and prints; his page prints his capture card and case file
    and lists the documents printed for him."""

    export_columns = CAPTIVE_COLUMNS
    actions = [
        print_action(DocumentKind.CAPTURE_CARD, _l("Print capture cards (Art. 70)")),
        print_action(DocumentKind.NIB_NOTIFICATION, _l("Notify the Information Bureau (PDF)")),
        print_action(
            DocumentKind.NIB_NOTIFICATION,
            _l("Notify the Information Bureau (XLSX)"),
            file_format=DocumentFormat.XLSX,
        ),
    ]

    def document_buttons(self, captive: Captive) -> list[tuple[str, str, list[tuple[str, Any]]]]:
        return [
            (_("Capture card"), DocumentKind.CAPTURE_CARD, [("captive", captive.pk)]),
            (_("Case file"), DocumentKind.CASE_FILE, [("captive", captive.pk)]),
        ]

    def export_queryset(self, request: HttpRequest) -> QuerySet[Captive]:
        return captive_export_queryset(super().export_queryset(request))

    def case_documents(self, request: HttpRequest, captive: Captive) -> list[dict[str, Any]]:
        """The documents printed for him, newest first, each linked to its record in the
        register when the user may read it."""
        may_read = request.user.has_perm("reports.view_generateddocument")
        documents = []
        for document in (
            GeneratedDocument.objects.filter(captives=captive)
            .select_related("author")
            .order_by("-generated_at", "-pk")[:50]
        ):
            url = ""
            if may_read:
                try:
                    url = reverse("admin:reports_generateddocument_change", args=[document.pk])
                except NoReverseMatch:
                    url = ""
            documents.append(
                {"document": document, "url": url, "printed": local_moment(document.generated_at)}
            )
        return documents


class ObligationReports(DocumentButtonsMixin, ExportAdminMixin):
    """The duties' list exports; a duty's page prints the documents that fulfil it."""

    export_columns = OBLIGATION_COLUMNS
    export_select_related = OBLIGATION_RELATED

    def document_buttons(self, duty: Obligation) -> list[tuple[str, str, list[tuple[str, Any]]]]:
        """The documents that fulfil this duty, printed for its captive."""
        fields = [("captive", duty.captive_id)]
        kinds = DOCUMENTS_FULFILLING.get(duty.kind, set())
        buttons = []
        if DocumentKind.CAPTURE_CARD in kinds:
            buttons.append((_("Capture card"), DocumentKind.CAPTURE_CARD, fields))
        if DocumentKind.NIB_NOTIFICATION in kinds:
            buttons.append((_("Notification (PDF)"), DocumentKind.NIB_NOTIFICATION, fields))
            buttons.append(
                (
                    _("Notification (XLSX)"),
                    DocumentKind.NIB_NOTIFICATION,
                    [*fields, ("as", "xlsx")],
                )
            )
        return buttons


class CustodyEventReports(PrintActionsMixin, ExportAdminMixin):
    """The custody events' list exports and notifies the Information Bureau of the selected."""

    export_columns = CUSTODY_EVENT_COLUMNS
    export_select_related = CUSTODY_EVENT_RELATED
    actions = [
        print_action(
            DocumentKind.NIB_NOTIFICATION,
            _l("Notify the Information Bureau (PDF)"),
            records="events",
        ),
        print_action(
            DocumentKind.NIB_NOTIFICATION,
            _l("Notify the Information Bureau (XLSX)"),
            records="events",
            file_format=DocumentFormat.XLSX,
        ),
    ]


class WishStatementReports(ExportAdminMixin):
    export_columns = WISH_STATEMENT_COLUMNS
    export_select_related = WISH_STATEMENT_RELATED


# --- diplomacy and partners --------------------------------------------------------------------


class ExchangeProposalReports(DocumentButtonsMixin, ExportAdminMixin):
    """The proposals' list exports; a proposal's page prints its exchange roster."""

    export_columns = PROPOSAL_COLUMNS
    export_select_related = PROPOSAL_RELATED
    export_prefetch_related = PROPOSAL_PREFETCH

    def document_buttons(
        self, proposal: ExchangeProposal
    ) -> list[tuple[str, str, list[tuple[str, Any]]]]:
        return [(_("Exchange roster"), DocumentKind.EXCHANGE_ROSTER, [("proposal", proposal.pk)])]


class TransferRequestReports(ExportAdminMixin):
    export_columns = TRANSFER_REQUEST_COLUMNS
    export_select_related = TRANSFER_REQUEST_RELATED


class DisclosureRecordReports(ExportAdminMixin):
    export_columns = DISCLOSURE_COLUMNS
    export_select_related = DISCLOSURE_RELATED


admin_extend(Captive, CaptiveReports)
admin_extend(Obligation, ObligationReports)
admin_extend(CustodyEvent, CustodyEventReports)
admin_extend(WishStatement, WishStatementReports)
admin_extend(ExchangeProposal, ExchangeProposalReports)
admin_extend(TransferRequest, TransferRequestReports)
admin_extend(DisclosureRecord, DisclosureRecordReports)
