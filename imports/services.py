"""Every write of an import: upload, mapping, analysis, decisions, confirmation, writing.

The steps, each its own transaction that checks the acting user's role:
1. `import_upload` reads the file and keeps each row's cells (nothing is written to the register);
2. `import_map` sets which column is which field;
3. `import_analyse` reads the next rows by the mapping, with the checks registering would make
   (cases.services.captive_register_check), says which rows repeat an earlier row of the file or
   were imported before (by the row's fingerprint: the same values, whatever file brings them),
   and looks up the possible duplicates of the rest (cases.duplicates);
4. `import_decide` records the caseworker's decisions about rows with possible duplicates;
5. `import_confirm`, then `import_write` registers the next ready rows through
   cases.services.captive_register, each row with its decision (a linked duplicate, or "not the
   same" remembered), one transaction per call and each row all or nothing.

Analysis and writing go a slice of rows at a time, so that the admin can show progress and no
transaction holds locks for long; calling again goes on where the last call stopped, and a row
is never written twice (ImportRow's `imports_row_written_once`).
"""

import hashlib
import time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.choices import CAPTIVE_REGISTER, DuplicateVerdict
from cases.duplicates import duplicate_candidates
from cases.models import Captive
from cases.services import captive_register, captive_register_check, duplicate_decide
from imports.choices import (
    IMPORT_ANALYSE,
    IMPORT_CANCEL,
    IMPORT_CONFIRM,
    IMPORT_DECIDE,
    IMPORT_MAP,
    IMPORT_UPLOAD,
    IMPORT_WRITE,
    BatchStatus,
    ImportStep,
    RowDecision,
    RowStatus,
)
from imports.columns import (
    StateCodes,
    mapping_guess,
    mapping_refusals,
    row_fingerprint,
    row_read,
    row_register_arguments,
)
from imports.models import ImportBatch, ImportRow
from imports.reading import table_read
from powtracker.errors import ErrorCode, RuleError
from powtracker.history import history_save
from powtracker.steps import step_require
from powtracker.writes import service
from states.models import State

# A slice of analysis or writing stops after this many seconds (or rows), whichever comes first.
SLICE_SECONDS = 3.0
ANALYSE_ROWS = 500
WRITE_ROWS = 200
# How many possible duplicates a row keeps.
CANDIDATES_KEPT = 5

User = Any


def _locked(batch: ImportBatch) -> ImportBatch:
    return ImportBatch.objects.select_for_update().get(pk=batch.pk)


def _status_refusal(batch: ImportBatch, step: ImportStep) -> RuleError:
    return RuleError(
        ErrorCode.INVALID,
        _("%(reference)s is %(status)s: it cannot %(action)s now."),
        {"reference": batch.reference, "status": batch.get_status_display(), "action": step.now},
    )


def _status_check(batch: ImportBatch, step: ImportStep) -> None:
    """Refuse a step the batch's status does not allow (the step's `from_statuses`)."""
    if not step.leads_from(batch.status):
        raise _status_refusal(batch, step)


# --- upload and mapping -------------------------------------------------------------------------


@service
def import_upload(
    *,
    acting_user: User,
    data: bytes,
    file_name: str,
    source: str,
    detaining_power: State,
    encoding: str = "utf-8",
    sheet: str = "",
) -> ImportBatch:
    """Keep an uploaded list: its rows' cells as read, and a first mapping guessed from its
    headers. Writes nothing to the register."""
    step_require(acting_user, IMPORT_UPLOAD)
    source = " ".join(source.split())
    if not source:
        raise RuleError(
            ErrorCode.INVALID, _("Say where the list comes from (its source): it is kept with it.")
        )
    table = table_read(data, file_name, encoding=encoding, sheet=sheet)
    batch = ImportBatch(
        source=source[:200],
        file_name=(file_name or "upload")[-255:],
        file_sha256=hashlib.sha256(data).hexdigest(),
        file_size=len(data),
        file_format=table.file_format,
        sheet=table.sheet[:100],
        headers=table.headers,
        mapping=mapping_guess(table.headers),
        detaining_power=detaining_power,
        row_count=len(table.rows),
        uploaded_by=acting_user,
    )
    batch.full_clean()
    history_save(batch, acting_user=acting_user, reason="Uploaded")
    ImportRow.objects.bulk_create(
        [ImportRow(batch=batch, number=number, cells=cells) for number, cells in table.rows],
        batch_size=2000,
    )
    return batch


@service
def import_map(*, acting_user: User, batch: ImportBatch, mapping: dict[str, str]) -> ImportBatch:
    """Set which column is which field, and (re)start the analysis. Before any row is written."""
    step_require(acting_user, IMPORT_MAP)
    batch = _locked(batch)
    _status_check(batch, IMPORT_MAP)
    mapping = {str(column): field for column, field in mapping.items() if field}
    problems = mapping_refusals(mapping, len(batch.headers))
    if problems:
        raise RuleError(ErrorCode.INVALID, " ".join(problems))
    batch.mapping = mapping
    batch.status = BatchStatus.ANALYSING
    batch.analysed_count = 0
    history_save(batch, acting_user=acting_user, reason="Columns mapped")
    batch.rows.exclude(status=RowStatus.PENDING).update(
        status=RowStatus.PENDING,
        values={},
        errors=[],
        fingerprint="",
        candidates=[],
        earlier=None,
        decision=RowDecision.UNDECIDED,
        decided_same_as=None,
        decided_by=None,
        decided_at=None,
    )
    return batch


def _written_before(fingerprint: str) -> int | None:
    """The row (of any import) that wrote a row with this fingerprint, if one did."""
    return (
        ImportRow.objects.filter(fingerprint=fingerprint, captive__isnull=False)
        .values_list("pk", flat=True)
        .first()
    )


# --- analysis -----------------------------------------------------------------------------------


def _messages(error: ValidationError) -> list[dict[str, str]]:
    found = []
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            for item in errors:
                code = getattr(item, "code", None) or "invalid"
                message = " ".join(item.messages)
                found.append({"column": "", "field": field, "code": code, "message": message})
    else:
        for item in error.error_list:
            code = getattr(item, "code", None) or "invalid"
            message = " ".join(item.messages)
            found.append({"column": "", "field": "", "code": code, "message": message})
    return found


def _candidates(values: dict[str, Any], arguments: dict[str, Any]) -> list[dict[str, Any]]:
    found = duplicate_candidates(
        family_name=arguments.get("family_name", ""),
        given_names=arguments.get("given_names", ""),
        name_original=arguments.get("name_original", ""),
        birth_date=arguments.get("birth_date"),
        birth_year=arguments.get("birth_year"),
        service_number=arguments.get("service_number", ""),
        limit=CANDIDATES_KEPT,
    )
    return [
        {
            "id": candidate.captive.pk,
            "case_number": candidate.captive.case_number,
            "name": candidate.captive.name_latin,
            "name_original": candidate.captive.name_original,
            "score": candidate.score,
            "reasons": [str(reason) for reason in candidate.reasons],
        }
        for candidate in found
    ]


def _analyse_row(
    row: ImportRow,
    batch: ImportBatch,
    states: StateCodes,
    acting_user: User,
    seen: dict[str, int],
) -> None:
    reading = row_read(row.cells, batch.mapping, batch.headers, states.code)
    values = reading.values
    values.setdefault("detaining_power", batch.detaining_power.code)
    row.values = values
    row.errors = reading.errors
    row.candidates = []
    row.earlier = None
    if "family_name" not in values:
        row.errors.append(
            {
                "column": "",
                "field": "family_name",
                "code": "required",
                "message": _("No family name in Latin letters: it is required."),
            }
        )
    if "captured_on" not in values and not any(e["field"] == "captured_on" for e in row.errors):
        row.errors.append(
            {
                "column": "",
                "field": "captured_on",
                "code": "required",
                "message": _("No capture date: it is required."),
            }
        )
    if row.errors:
        row.status = RowStatus.INVALID
        row.fingerprint = ""
        return
    row.fingerprint = row_fingerprint(values)
    if row.fingerprint in seen:
        row.status = RowStatus.REPEATED
        row.earlier_id = seen[row.fingerprint]
        return
    seen[row.fingerprint] = row.pk
    written = _written_before(row.fingerprint)
    if written is not None:
        row.status = RowStatus.IMPORTED_BEFORE
        row.earlier_id = written
        return
    arguments = row_register_arguments(values, states.by_code)
    try:
        captive_register_check(acting_user=acting_user, **arguments)
    except ValidationError as error:
        row.status = RowStatus.INVALID
        row.errors = _messages(error)
        return
    row.candidates = _candidates(values, arguments)
    row.status = RowStatus.READY


@service
def import_analyse(
    *, acting_user: User, batch: ImportBatch, max_rows: int | None = None
) -> ImportBatch:
    """Analyse the next rows not analysed yet (at most `max_rows`, or SLICE_SECONDS' worth);
    when none is left the batch waits for confirmation (`preview`)."""
    step_require(acting_user, IMPORT_ANALYSE)
    batch = _locked(batch)
    _status_check(batch, IMPORT_ANALYSE)
    states = StateCodes.load()
    # The fingerprints of the rows analysed so far: a later row with the same one repeats it.
    seen = dict(
        batch.rows.filter(status__in=[RowStatus.READY, RowStatus.IMPORTED_BEFORE])
        .exclude(fingerprint="")
        .values_list("fingerprint", "pk")
    )
    started = time.monotonic()
    pending = list(
        batch.rows.filter(status=RowStatus.PENDING).order_by("number")[: max_rows or ANALYSE_ROWS]
    )
    done: list[ImportRow] = []
    for row in pending:
        _analyse_row(row, batch, states, acting_user, seen)
        done.append(row)
        if time.monotonic() - started > SLICE_SECONDS:
            break
    ImportRow.objects.bulk_update(
        done, ["values", "errors", "fingerprint", "candidates", "earlier", "status"], batch_size=500
    )
    batch.analysed_count += len(done)
    if not batch.rows.filter(status=RowStatus.PENDING).exists():
        batch.status = BatchStatus.PREVIEW
        batch.analysed_count = batch.row_count
    history_save(
        batch,
        acting_user=acting_user,
        reason="Analysed" if batch.status == BatchStatus.PREVIEW else "Analysing",
        update_fields=["status", "analysed_count", "updated_at"],
    )
    return batch


# --- decisions ----------------------------------------------------------------------------------


def _decide(row: ImportRow, decision: str, same_as: int | None, acting_user: User) -> bool:
    """Set a row's decision; False if it is not a row to decide about. Raises for a candidate
    the row was not offered."""
    if row.status not in {RowStatus.READY, RowStatus.HELD} or not row.candidates:
        return False
    decision = RowDecision(decision)
    offered = {candidate["id"] for candidate in row.candidates}
    if decision == RowDecision.SAME and same_as not in offered:
        raise RuleError(
            ErrorCode.INVALID,
            _("Row %(row)d: the record chosen is not one of its possible duplicates."),
            {"row": row.number},
        )
    row.decision = decision
    row.decided_same_as_id = same_as if decision == RowDecision.SAME else None
    row.decided_by = acting_user
    row.decided_at = timezone.now()
    if row.status == RowStatus.HELD and decision != RowDecision.UNDECIDED:
        row.status = RowStatus.READY
    return True


@service
def import_decide(
    *, acting_user: User, batch: ImportBatch, decisions: dict[int, tuple[str, int | None]]
) -> int:
    """Record decisions about rows with possible duplicates: row id → (decision, the captive he
    is the same person as, for `same`). A held row decided about is written by the next writing.
    Returns how many rows were decided."""
    step_require(acting_user, IMPORT_DECIDE)
    batch = _locked(batch)
    _status_check(batch, IMPORT_DECIDE)
    rows = list(batch.rows.filter(pk__in=list(decisions)))
    changed = [row for row in rows if _decide(row, *decisions[row.pk], acting_user=acting_user)]
    ImportRow.objects.bulk_update(
        changed, ["decision", "decided_same_as", "decided_by", "decided_at", "status"]
    )
    if (
        changed
        and batch.status == BatchStatus.DONE
        and any(row.status == RowStatus.READY for row in changed)
    ):
        batch.status = BatchStatus.WRITING
        batch.finished_at = None
    if changed:
        history_save(
            batch,
            acting_user=acting_user,
            reason=f"Decided about {len(changed)} rows",
            update_fields=["status", "finished_at", "updated_at"],
        )
    return len(changed)


@service
def import_decide_best(*, acting_user: User, batch: ImportBatch, min_score: int) -> int:
    """Decide "same person as the best candidate" for every undecided row whose best candidate
    scores `min_score` or more (at least 90). Returns how many rows were decided."""
    step_require(acting_user, IMPORT_DECIDE)
    if min_score < 90:
        raise RuleError(
            ErrorCode.INVALID,
            _(
                "Only candidates scoring 90 or more may be taken in bulk; decide the others one "
                "by one."
            ),
        )
    decisions: dict[int, tuple[str, int | None]] = {}
    for row_id, candidates in batch.rows.filter(
        status__in=[RowStatus.READY, RowStatus.HELD], decision=RowDecision.UNDECIDED
    ).values_list("pk", "candidates"):
        if candidates and candidates[0]["score"] >= min_score:
            if len(candidates) > 1 and candidates[1]["score"] == candidates[0]["score"]:
                continue  # two equally good: a person decides
            decisions[row_id] = (RowDecision.SAME, candidates[0]["id"])
    if not decisions:
        return 0
    return import_decide(acting_user=acting_user, batch=batch, decisions=decisions)


# --- confirmation and writing -------------------------------------------------------------------


@service
def import_confirm(*, acting_user: User, batch: ImportBatch) -> ImportBatch:
    """The caseworker confirms the preview: the ready rows may now be written."""
    step_require(acting_user, IMPORT_CONFIRM)
    step_require(acting_user, CAPTIVE_REGISTER)
    batch = _locked(batch)
    _status_check(batch, IMPORT_CONFIRM)
    batch.status = BatchStatus.WRITING
    batch.confirmed_by = acting_user
    batch.confirmed_at = timezone.now()
    history_save(batch, acting_user=acting_user, reason="Confirmed")
    return batch


def _chosen_gone(row: ImportRow) -> bool:
    """The captive chosen for a row became a linked duplicate since: the row is held again,
    offered the case kept instead. True if so."""
    chosen = Captive.objects.filter(pk=row.decided_same_as_id).first()
    if chosen is None or chosen.duplicate_of_id is None:
        return False
    kept = chosen.duplicate_of
    candidates = [c for c in row.candidates if c["id"] not in {chosen.pk, kept.pk}]
    row.candidates = [
        {
            "id": kept.pk,
            "case_number": kept.case_number,
            "name": kept.name_latin,
            "name_original": kept.name_original,
            "score": next(c["score"] for c in row.candidates if c["id"] == chosen.pk),
            "reasons": [
                _("%(case)s, chosen, is a linked duplicate of this case")
                % {"case": chosen.case_number}
            ],
        },
        *candidates,
    ]
    row.status = RowStatus.HELD
    row.decision = RowDecision.UNDECIDED
    row.decided_same_as = None
    row.save(update_fields=["candidates", "status", "decision", "decided_same_as"])
    return True


def _write_row(row: ImportRow, batch: ImportBatch, states: StateCodes, acting_user: User) -> None:
    """Register one row (and take its decision), all or nothing; says on the row what became
    of it."""
    if row.candidates and row.decision == RowDecision.UNDECIDED:
        row.status = RowStatus.HELD
        row.save(update_fields=["status"])
        return
    if row.decision == RowDecision.SAME and _chosen_gone(row):
        return
    try:
        with transaction.atomic():
            captive = captive_register(
                acting_user=acting_user,
                # Not the source: history reaches partners, and who sent a list is the bureau's.
                reason=f"Imported: {batch.reference} row {row.number}",
                **row_register_arguments(row.values, states.by_code),
            )
            if row.decision == RowDecision.SAME:
                other = Captive.objects.get(pk=row.decided_same_as_id)
                duplicate_decide(
                    acting_user=acting_user,
                    captive=captive,
                    other=other,
                    decision=DuplicateVerdict.SAME_PERSON,
                    note=f"{batch.reference} row {row.number}",
                )
            elif row.decision == RowDecision.NOT_SAME:
                for candidate in row.candidates:
                    other = Captive.objects.filter(pk=candidate["id"]).first()
                    if other is not None:
                        duplicate_decide(
                            acting_user=acting_user,
                            captive=captive,
                            other=other,
                            decision=DuplicateVerdict.NOT_SAME,
                            note=f"{batch.reference} row {row.number}",
                        )
            row.captive = captive
            row.status = RowStatus.WRITTEN
            row.written_at = timezone.now()
            row.save(update_fields=["captive", "status", "written_at"])
    except IntegrityError:
        # Another import wrote the same row meanwhile (imports_row_written_once).
        row.captive = None
        row.written_at = None
        row.status = RowStatus.IMPORTED_BEFORE
        row.earlier_id = _written_before(row.fingerprint)
        row.save(update_fields=["status", "earlier"])
    except ValidationError as error:
        # Something changed since the analysis (a state, a decision taken elsewhere).
        row.captive = None
        row.written_at = None
        row.status = RowStatus.INVALID
        row.errors = _messages(error)
        row.save(update_fields=["status", "errors"])


@service
def import_write(
    *, acting_user: User, batch: ImportBatch, max_rows: int | None = None
) -> ImportBatch:
    """Write the next ready rows (at most `max_rows`, or SLICE_SECONDS' worth). A row with
    possible duplicates nobody decided about is held, not written."""
    step_require(acting_user, IMPORT_WRITE)
    batch = _locked(batch)
    _status_check(batch, IMPORT_WRITE)
    states = StateCodes.load()
    started = time.monotonic()
    ready = list(
        batch.rows.filter(status=RowStatus.READY).order_by("number")[: max_rows or WRITE_ROWS]
    )
    for row in ready:
        # Written by another import since the analysis: not again.
        written = _written_before(row.fingerprint)
        if written is not None:
            row.status = RowStatus.IMPORTED_BEFORE
            row.earlier_id = written
            row.save(update_fields=["status", "earlier"])
        else:
            _write_row(row, batch, states, acting_user)
        if time.monotonic() - started > SLICE_SECONDS:
            break
    batch.written_count = batch.rows.filter(status=RowStatus.WRITTEN).count()
    if not batch.rows.filter(status=RowStatus.READY).exists():
        batch.status = BatchStatus.DONE
        batch.finished_at = timezone.now()
    history_save(
        batch,
        acting_user=acting_user,
        reason="Written" if batch.status == BatchStatus.DONE else "Writing",
        update_fields=["status", "written_count", "finished_at", "updated_at"],
    )
    return batch


@service
def import_cancel(*, acting_user: User, batch: ImportBatch) -> ImportBatch:
    """Stop an import: the rows not written yet never will be (those written stay)."""
    step_require(acting_user, IMPORT_CANCEL)
    batch = _locked(batch)
    _status_check(batch, IMPORT_CANCEL)
    if batch.status == BatchStatus.DONE and not batch.rows.filter(status=RowStatus.HELD).exists():
        raise _status_refusal(batch, IMPORT_CANCEL)  # nothing is left to stop
    batch.status = BatchStatus.CANCELLED
    batch.finished_at = timezone.now()
    history_save(batch, acting_user=acting_user, reason="Cancelled")
    return batch


def import_counts(batch: ImportBatch) -> dict[str, int]:
    """How many rows of the batch are in each state, and how many await a decision."""
    counts = dict.fromkeys(RowStatus.values, 0)
    for status, count in (
        batch.rows.values_list("status").annotate(n=Count("id")).values_list("status", "n")
    ):
        counts[status] = count
    counts["with_candidates"] = (
        batch.rows.filter(status__in=[RowStatus.READY, RowStatus.HELD])
        .exclude(candidates=[])
        .count()
    )
    counts["undecided"] = (
        batch.rows.filter(
            Q(status__in=[RowStatus.READY, RowStatus.HELD]), decision=RowDecision.UNDECIDED
        )
        .exclude(candidates=[])
        .count()
    )
    return counts


def import_progress(batch: ImportBatch, phase: str | None = None) -> tuple[int, int]:
    """How far a phase (the batch's own status by default) has come, as (done, total): rows
    analysed of all rows for the analysis; else rows written or held of those written, held or
    still ready."""
    if (phase or batch.status) == BatchStatus.ANALYSING:
        return batch.analysed_count, batch.row_count
    counts = import_counts(batch)
    done = counts[RowStatus.WRITTEN] + counts[RowStatus.HELD]
    return done, done + counts[RowStatus.READY]
