"""Writes of the reports app: the export audit and the register of printed documents."""

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Captive, CustodyEvent
from diplomacy.models import ExchangeProposal
from jobs.models import Job
from jobs.services import job_enqueue
from partners.choices import LEVEL_RANK
from partners.disclosure import Viewer, captives_for
from partners.services import disclosure_record
from powtracker import outbox
from powtracker.errors import ErrorCode, RuleError
from powtracker.sealing import seal
from powtracker.steps import step_require
from powtracker.writes import service
from reports.choices import DOCUMENT_PRINT, DOCUMENT_READ, DocumentFormat, DocumentKind
from reports.exports import Outcome
from reports.models import (
    DocumentReprint,
    ExportChunk,
    ExportJob,
    ExportRecord,
    ExportSubject,
    GeneratedDocument,
)

# The most captives one document covers (a roster of 1,000 prints in about a second).
DOCUMENT_MAX_CAPTIVES = 5000


@service
def export_record_open(
    *,
    acting_user: Any,
    partner: Any = None,
    list_name: str,
    filters: str,
    export_format: str,
) -> ExportRecord:
    """Record an export as it starts, before its first byte leaves: not completed, no rows and
    no hash yet. A stream that dies on the way (a worker killed, a server gone) leaves it so."""
    user = acting_user if acting_user is not None and partner is None else None
    return ExportRecord.objects.create(
        user=user if user is None or user.is_authenticated else None,
        partner=partner,
        list_name=list_name[:100],
        filters=filters,
        export_format=export_format,
        row_count=0,
        sha256="",
        completed=False,
    )


@service
def export_record_close(record: ExportRecord, outcome: Outcome) -> ExportRecord:
    """Complete an export's record when its stream ends: the rows sent, the SHA-256 of the bytes
    sent, and whether the whole file left (False when the client went away mid-file)."""
    record.row_count = outcome.rows
    record.sha256 = outcome.sha256
    record.completed = outcome.completed
    ExportRecord.objects.filter(pk=record.pk).update(
        row_count=record.row_count, sha256=record.sha256, completed=record.completed
    )
    return record


@dataclass
class ExportAudit:
    """One export's record, for a stream's `on_start` and `on_end` (reports.exports): written
    before the first byte leaves, completed when the stream ends."""

    acting_user: Any
    list_name: str
    filters: str
    export_format: str
    partner: Any = None
    record: ExportRecord | None = None

    def start(self) -> None:
        self.record = export_record_open(
            acting_user=self.acting_user,
            partner=self.partner,
            list_name=self.list_name,
            filters=self.filters,
            export_format=self.export_format,
        )

    def end(self, outcome: Outcome) -> None:
        if self.record is None:  # never started: nothing left, nothing to complete
            return
        export_record_close(self.record, outcome)


# --- exports made in the background ----------------------------------------------------------

# The file is kept in the database in pieces of about this size.
EXPORT_CHUNK_BYTES = 1024 * 1024
# Ledger rows written at a time when a job's file is first downloaded.
LEDGER_BATCH = 5000


@service
def export_job_create(
    *,
    acting_user: Any,
    partner: Any,
    scopes: Iterable[str],
    list_name: str,
    filters: str,
    export_format: str,
    password: str,
    handler: str,
) -> ExportJob:
    """Queue an export for a worker (`handler` writes it), in this transaction: a request that
    fails leaves no job. The password is kept sealed until the job has used it."""
    job = job_enqueue(handler=handler, label=f"Export {list_name} ({export_format})")
    user = (
        acting_user if partner is None and getattr(acting_user, "is_authenticated", False) else None
    )
    return ExportJob.objects.create(
        job=job,
        partner=partner,
        user=user,
        scopes=" ".join(sorted(scopes))[:500],
        list_name=list_name[:100],
        filters=filters,
        export_format=export_format,
        protected=bool(password),
        password_sealed=seal(password),
    )


@service
def export_job_attempt_begin(export: ExportJob, attempt: int) -> None:
    """A new attempt starts from nothing: the pieces earlier attempts wrote go."""
    ExportChunk.objects.filter(export=export).exclude(attempt=attempt).delete()
    ExportSubject.objects.filter(export=export).exclude(attempt=attempt).delete()


@service
def export_chunk_write(export: ExportJob, attempt: int, seq: int, data: bytes) -> None:
    ExportChunk.objects.create(export=export, attempt=attempt, seq=seq, data=data)


@service
def export_subjects_write(
    export: ExportJob, attempt: int, subjects: Iterable[tuple[int, str, bool]]
) -> None:
    """The captives of a batch of the file, with the level and hostility they were shown at."""
    ExportSubject.objects.bulk_create(
        ExportSubject(
            export=export, attempt=attempt, captive_id=captive_id, level=level, hostile=hostile
        )
        for captive_id, level, hostile in subjects
    )


@service
def export_job_publish(
    export: ExportJob, *, attempt: int, outcome: Outcome, size: int, filename: str
) -> ExportJob:
    """The attempt's file becomes the export's (inside the job's finishing transaction, so only
    the attempt that holds the job publishes); the password is no longer kept."""
    now = timezone.now()
    ExportChunk.objects.filter(export=export).exclude(attempt=attempt).delete()
    ExportSubject.objects.filter(export=export).exclude(attempt=attempt).delete()
    export.attempt = attempt
    export.filename = filename[:200]
    export.row_count = outcome.rows
    export.size = size
    export.sha256 = outcome.sha256
    export.ready_at = now
    export.expires_at = now + timedelta(hours=settings.EXPORT_FILE_HOURS)
    export.password_sealed = b""
    export.save(
        update_fields=[
            "attempt",
            "filename",
            "row_count",
            "size",
            "sha256",
            "ready_at",
            "expires_at",
            "password_sealed",
        ]
    )
    # Its partner is told the file is ready (export.ready), in this transaction.
    outbox.announce(export)
    return export


@service
def export_job_gave_up(job: Job) -> None:
    """The job failed for good: its pieces and its sealed password go; the record stays."""
    export = ExportJob.objects.filter(job=job).first()
    if export is None:
        return
    ExportChunk.objects.filter(export=export).delete()
    ExportSubject.objects.filter(export=export).delete()
    ExportJob.objects.filter(pk=export.pk).update(password_sealed=b"")


def export_job_narrowed(export: ExportJob, viewer: Viewer) -> bool:
    """Whether the reader may now see less than the file shows: a captive in it it may no longer
    see, or sees at a lower level, or is now hostile to, or a scope it has lost. Such a file is
    not served: a change that narrows what a partner sees takes effect at once."""
    if viewer.is_staff:
        return False
    if not set(export.scopes.split()) <= set(viewer.scopes):
        return True
    subjects = ExportSubject.objects.filter(export=export, attempt=export.attempt)
    shown = {
        captive_id: (level, hostile)
        for captive_id, level, hostile in subjects.values_list("captive_id", "level", "hostile")
    }
    now = captives_for(viewer, Captive.objects.filter(pk__in=subjects.values("captive_id")))
    seen = 0
    default = viewer.partner.default_level
    for captive_id, shared_level, hostile in now.values_list(
        "pk", "shared_level", "viewer_hostile"
    ):
        seen += 1
        level, was_hostile = shown[captive_id]
        if LEVEL_RANK[shared_level or default] < LEVEL_RANK[level] or (hostile and not was_hostile):
            return True
    return seen < len(shown)


@service
def export_job_disclose(export: ExportJob, *, method: str, path: str) -> bool:
    """Write every captive in the file to the ledger, at the first download only (the partner
    has read them once; further copies of the same file disclose nothing new). True if it did."""
    locked = ExportJob.objects.select_for_update().get(pk=export.pk)
    if locked.disclosed_at is not None or locked.partner is None:
        return False
    subjects = ExportSubject.objects.filter(export=locked, attempt=locked.attempt).order_by("pk")
    batch: list[tuple[int, str]] = []
    for captive_id, level in subjects.values_list("captive_id", "level").iterator(
        chunk_size=LEDGER_BATCH
    ):
        batch.append((captive_id, level))
        if len(batch) >= LEDGER_BATCH:
            disclosure_record(partner=locked.partner, reads=batch, method=method, path=path)
            batch = []
    if batch:
        disclosure_record(partner=locked.partner, reads=batch, method=method, path=path)
    locked.disclosed_at = timezone.now()
    locked.save(update_fields=["disclosed_at"])
    export.disclosed_at = locked.disclosed_at
    return True


def export_job_file(export: ExportJob) -> Iterator[bytes]:
    """The published file, piece by piece."""
    pieces = (
        ExportChunk.objects.filter(export=export, attempt=export.attempt)
        .order_by("seq")
        .values_list("data", flat=True)
    )
    for data in pieces.iterator(chunk_size=1):
        yield bytes(data)


@service
def exports_purge() -> int:
    """Remove the files of exports past EXPORT_FILE_HOURS (the records stay). How many."""
    expired = ExportJob.objects.filter(file_purged_at__isnull=True, expires_at__lte=timezone.now())
    ids = list(expired.values_list("pk", flat=True)[:1000])
    ExportChunk.objects.filter(export_id__in=ids).delete()
    ExportSubject.objects.filter(export_id__in=ids).delete()
    ExportJob.objects.filter(pk__in=ids).update(file_purged_at=timezone.now(), password_sealed=b"")
    return len(ids)


# --- GC III documents --------------------------------------------------------------------------

# A builder prints a document from its record (kind, captives, events, proposal, time) and
# gives the file and the languages of its labels. reports.documents registers them.
Builder = Callable[[GeneratedDocument], tuple[bytes, list[str]]]
BUILDERS: dict[tuple[str, str], Builder] = {}


def document_builder(
    kind: str, file_format: str = DocumentFormat.PDF
) -> Callable[[Builder], Builder]:
    def register(builder: Builder) -> Builder:
        BUILDERS[(kind, file_format)] = builder
        return builder

    return register


def document_subjects(
    kind: str,
    captives: list[Captive],
    events: list[CustodyEvent],
    proposal: ExchangeProposal | None,
) -> set[int]:
    """The captives a document covers — exactly those it prints, so that the register (and an
    obligation citing it) never names someone it does not show. Each kind is printed for one
    kind of subject, and anything else sent with it is refused:
    - capture cards: captives;
    - a notification: captives, or custody events (each event's captive);
    - a roster: a proposal (the captives it hands over);
    - a case file: one captive."""
    subjects = {
        "captives": bool(captives),
        "events": bool(events),
        "proposal": proposal is not None,
    }
    allowed = {
        DocumentKind.CAPTURE_CARD: {"captives"},
        DocumentKind.NIB_NOTIFICATION: {"captives", "events"},
        DocumentKind.EXCHANGE_ROSTER: {"proposal"},
        DocumentKind.CASE_FILE: {"captives"},
    }[DocumentKind(kind)]
    given = {name for name, present in subjects.items() if present}
    if not given:
        raise RuleError(
            ErrorCode.NOTHING_SELECTED,
            {
                DocumentKind.EXCHANGE_ROSTER: _("Choose the proposal whose roster to print."),
                DocumentKind.NIB_NOTIFICATION: _("Select at least one captive or custody event."),
            }.get(DocumentKind(kind), _("Select at least one captive.")),
        )
    if not given <= allowed or len(given) > 1:
        raise RuleError(
            ErrorCode.INVALID,
            _("A %(kind)s is printed for one of: %(subjects)s."),
            {"kind": DocumentKind(kind).label, "subjects": ", ".join(sorted(allowed))},
        )
    if kind == DocumentKind.CASE_FILE and len(captives) != 1:
        raise RuleError(ErrorCode.INVALID, _("A case file is printed for one captive."))
    if events:
        return {event.captive_id for event in events}
    if proposal is not None:
        # Those the roster lists: the captives handed over, not those excluded or withdrawn.
        from reports.documents.roster import ON_ROSTER

        return set(
            proposal.offered_captives.filter(inclusion_status__in=ON_ROSTER).values_list(
                "captive_id", flat=True
            )
        )
    return {captive.pk for captive in captives}


@service
def document_generate(
    *,
    acting_user: Any,
    kind: str,
    captives: Iterable[Captive] = (),
    events: Iterable[CustodyEvent] = (),
    proposal: ExchangeProposal | None = None,
    file_format: str = DocumentFormat.PDF,
) -> tuple[GeneratedDocument, bytes]:
    """Print a document and record it: kind, captives, author, time and the file's SHA-256.

    The record is written first (the document prints its reference, DOC-nnnnnn), in the same
    transaction as the printing: a document that fails to print leaves no record."""
    import reports.documents  # noqa: F401 - registers the builders

    step_require(acting_user, DOCUMENT_PRINT)
    builder = BUILDERS.get((DocumentKind(kind), DocumentFormat(file_format)))
    if builder is None:
        raise RuleError(ErrorCode.INVALID, _("This document is not printed in that format."))
    captive_ids = document_subjects(kind, list(captives), list(events), proposal)
    events = list(events)
    if len(captive_ids) > DOCUMENT_MAX_CAPTIVES:
        raise RuleError(
            ErrorCode.TOO_MANY,
            _("One document covers at most %(count)s captives; select fewer."),
            {"count": DOCUMENT_MAX_CAPTIVES},
        )
    record = GeneratedDocument.objects.create(
        kind=kind,
        file_format=file_format,
        author=acting_user,
        proposal=proposal,
        sha256="",
        size=0,
    )
    record.captives.set(sorted(captive_ids))
    record.events.set(sorted(event.pk for event in events))
    content, languages = builder(record)
    record.sha256 = hashlib.sha256(content).hexdigest()
    record.size = len(content)
    record.languages = ",".join(languages)
    if proposal is not None:
        # The version as it stands in the database (the caller's copy may be older): the one
        # a roster prints (reports.documents.roster.proposal_version).
        from reports.documents.roster import proposal_version

        record.proposal_version = proposal_version(ExchangeProposal.objects.get(pk=proposal.pk))
    record.save(update_fields=["sha256", "size", "languages", "proposal_version"])
    return record, content


def document_rebuild(*, acting_user: Any, document: GeneratedDocument) -> bytes:
    """Print a recorded document again in memory, from its records as they are now and dated as
    it was, to compare it with the one issued: its SHA-256 equals the record's unless something
    it shows has changed since. Nothing leaves: `document_reprint` sends a copy."""
    import reports.documents  # noqa: F401 - registers the builders

    step_require(acting_user, DOCUMENT_READ)
    content, _languages = BUILDERS[(document.kind, document.file_format)](document)
    return content


@service
def document_reprint(*, acting_user: Any, document: GeneratedDocument) -> bytes:
    """A copy of a recorded document, dated as it was: printing, so only a role that prints may,
    and every copy that leaves is recorded (who and when)."""
    step_require(acting_user, DOCUMENT_PRINT)
    DocumentReprint.objects.create(document=document, by=acting_user)
    return document_rebuild(acting_user=acting_user, document=document)
