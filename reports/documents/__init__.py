"""The GC III documents: capture cards, notifications, exchange rosters and case files, printed
by Typst (render.py) from templates kept here, in fonts shipped here (fonts/, OFL).

Each kind registers its builder with reports.services.document_builder; the services record
every document printed (reports.models.GeneratedDocument)."""

from django.utils.translation import gettext as _

from powtracker.errors import ErrorCode, RuleError
from reports.choices import DocumentFormat, DocumentKind
from reports.documents.capture_card import capture_cards
from reports.documents.case_file import case_files
from reports.documents.nib import nib_pdf, nib_xlsx
from reports.documents.roster import exchange_roster
from reports.models import GeneratedDocument
from reports.services import document_builder


@document_builder(DocumentKind.CAPTURE_CARD)
def _capture_cards(record: GeneratedDocument) -> tuple[bytes, list[str]]:
    return capture_cards(record.captives.all(), at=record.generated_at, reference=record.reference)


@document_builder(DocumentKind.EXCHANGE_ROSTER)
def _exchange_roster(record: GeneratedDocument) -> tuple[bytes, list[str]]:
    if record.proposal_id is None:
        raise RuleError(ErrorCode.INVALID, _("An exchange roster is printed for a proposal."))
    return exchange_roster(record.proposal, at=record.generated_at, reference=record.reference)


@document_builder(DocumentKind.NIB_NOTIFICATION)
def _nib_notification_pdf(record: GeneratedDocument) -> tuple[bytes, list[str]]:
    return nib_pdf(record)


@document_builder(DocumentKind.NIB_NOTIFICATION, DocumentFormat.XLSX)
def _nib_notification_xlsx(record: GeneratedDocument) -> tuple[bytes, list[str]]:
    return nib_xlsx(record)


@document_builder(DocumentKind.CASE_FILE)
def _case_file(record: GeneratedDocument) -> tuple[bytes, list[str]]:
    return case_files(record)
