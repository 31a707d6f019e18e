"""Obligations (GC III deadlines): the duties events create, health reports, fulfilment, and
obligations recorded by hand.
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.choices import (
    DOCUMENTS_FULFILLING,
    EVENT_OBLIGATIONS,
    FINAL_CUSTODY_STATUSES,
    HEALTH_REPORT_CLOSED,
    HEALTH_REPORT_OPENED,
    OBLIGATION_FULFIL,
    OBLIGATION_RECORD,
    OBLIGATION_UPDATE,
    CustodyEventKind,
    ObligationKind,
    custody_final,
)
from cases.dates import case_date_check, not_future_check
from cases.models import (
    Captive,
    CustodyEvent,
    Obligation,
)
from cases.services.common import User, _lock, captive_version_move
from powtracker.errors import ErrorCode, RuleError
from powtracker.history import (
    acting_person,
    history_bulk_create,
    history_bulk_update,
    history_save,
    void_record,
)
from powtracker.steps import step_require
from powtracker.writes import service

# --- obligations (GC III deadlines) ------------------------------------------------------------


def obligation_period(kind: str) -> timedelta:
    """How long after its trigger a duty falls due (settings.OBLIGATION_PERIOD_DAYS)."""
    return timedelta(days=settings.OBLIGATION_PERIOD_DAYS[kind])


def event_duty_kinds(kind: str, *, later: Sequence[str] = ()) -> tuple[str, ...]:
    """The duties (ObligationKind) an event of `kind` opens when it is recorded, given the kinds
    of his active events dated after it (`later`: none, unless the event is entered late).

    - The latest event opens all its duties (EVENT_OBLIGATIONS).
    - An event followed by one that ends the case (repatriated, exchanged, released, resettled,
      deceased) opens none: the duties exist to tell his family and his power where he is held
      and how he is (Art. 70, 122), and he is no longer held — what happened to him then is in
      the record and the notification that closed his case (and his weekly health reports stop
      with his custody: health_report_needed).
    - An event followed by others while he is still held opens the notifications of what
      happened (Art. 122, Art. 120), not the capture card: the card gives the address where he
      is held (Art. 70), which a later move has changed since and which that move's own card
      gives.
    """
    if any(custody_final(k) for k in later):
        return ()
    duties = EVENT_OBLIGATIONS.get(kind, ())
    if later:
        duties = tuple(duty for duty in duties if duty != ObligationKind.CAPTURE_CARD)
    return duties


def event_duties(event: CustodyEvent, *, later: Sequence[str] = ()) -> list[Obligation]:
    """The duties an event opens (unsaved, event_duty_kinds), due a set period after it."""
    return [
        Obligation(
            captive=event.captive,
            kind=kind,
            due_on=timezone.localdate(event.occurred_at) + obligation_period(kind),
            triggered_by=event,
        )
        for kind in event_duty_kinds(event.kind, later=later)
    ]


def event_duties_reason(event: CustodyEvent) -> str:
    return f"Created by: {event.get_kind_display()}"


def health_reports_sync(
    captive: Captive,
    *,
    acting_user: User,
    after: date | None = None,
) -> None:
    """Keep one open weekly health report while he is seriously wounded or sick and held.

    `after` is the due date of the report just sent, so the next falls a period after it.
    """
    open_reports = list(
        captive.obligations.active().filter(
            kind=ObligationKind.HEALTH_REPORT, fulfilled_on__isnull=True
        )
    )
    if health_report_needed(captive):
        if not open_reports:
            history_save(
                _health_report(captive, after=after),
                acting_user=acting_user,
                reason=HEALTH_REPORT_OPENED,
            )
        return
    for duty in open_reports:
        void_record(duty, acting_user=acting_user, reason=HEALTH_REPORT_CLOSED)


def health_report_needed(captive: Captive) -> bool:
    """Whether he needs an open weekly health report: seriously wounded or sick, and held."""
    held = captive.custody_status not in FINAL_CUSTODY_STATUSES | {CustodyEventKind.ESCAPED, ""}
    return captive.is_seriously_ill_or_wounded and held


def _health_report(captive: Captive, *, after: date | None = None) -> Obligation:
    start = after or timezone.localdate()
    return Obligation(
        captive=captive,
        kind=ObligationKind.HEALTH_REPORT,
        due_on=start + obligation_period(ObligationKind.HEALTH_REPORT),
    )


def health_reports_sync_many(captives: Sequence[Captive], *, acting_user: User) -> None:
    """health_reports_sync for many captives at once, writing the same rows in bulk."""
    open_reports: dict[int, list[Obligation]] = defaultdict(list)
    for duty in Obligation.objects.active().filter(
        captive_id__in={c.pk for c in captives},
        kind=ObligationKind.HEALTH_REPORT,
        fulfilled_on__isnull=True,
    ):
        open_reports[duty.captive_id].append(duty)
    opened, closed = [], []
    for captive in captives:
        if health_report_needed(captive):
            if not open_reports[captive.pk]:
                opened.append(_health_report(captive))
        else:
            closed.extend(open_reports[captive.pk])
    history_bulk_create(opened, acting_user=acting_user, reason=HEALTH_REPORT_OPENED)
    now = timezone.now()
    for duty in closed:
        duty.voided_at = now
        duty.voided_by = acting_person(acting_user)
        duty.void_reason = HEALTH_REPORT_CLOSED
    history_bulk_update(
        closed,
        fields=["voided_at", "voided_by", "void_reason"],
        acting_user=acting_user,
        reason=f"Voided: {HEALTH_REPORT_CLOSED}",
    )


def obligation_document_check(obligation: Obligation, document: Any) -> None:
    """A duty cites only a document of a kind that fulfils it and that covers its captive."""
    if document.kind not in DOCUMENTS_FULFILLING.get(obligation.kind, set()):
        raise RuleError(
            ErrorCode.DOCUMENT_MISMATCH,
            _("%(document)s is a %(kind)s: it does not fulfil a %(duty)s."),
            {
                "document": document.reference,
                "kind": document.get_kind_display(),
                "duty": obligation.get_kind_display(),
            },
        )
    if not document.captives.filter(pk=obligation.captive_id).exists():
        raise RuleError(
            ErrorCode.DOCUMENT_MISMATCH,
            _("%(document)s does not cover %(case)s."),
            {"document": document.reference, "case": obligation.captive.case_number},
        )


@service
def obligation_fulfil(
    *,
    acting_user: User,
    obligation: Obligation,
    fulfilled_on: date,
    reference: str = "",
    document: Any = None,
) -> Obligation:
    """Mark a duty done, with the date and the reference of what was sent — or the printed
    document that was sent (reports.GeneratedDocument), whose reference then stands for it.

    A weekly health report fulfilled brings the next one, while he remains seriously ill.
    """
    step_require(acting_user, OBLIGATION_FULFIL)
    captive = _lock(obligation.captive)
    obligation = Obligation.objects.get(pk=obligation.pk)
    if obligation.fulfilled_on is not None:
        raise RuleError(ErrorCode.ALREADY_FULFILLED, _("This obligation was fulfilled already."))
    if obligation.is_voided:
        raise RuleError(ErrorCode.ALREADY_VOIDED, _("This obligation was cancelled."))
    if document is not None:
        obligation_document_check(obligation, document)
        reference = reference.strip() or document.reference
    if not reference.strip():
        raise RuleError(ErrorCode.REFERENCE_REQUIRED, _("Give the reference of what was sent."))
    not_future_check(fulfilled_on, what=_("the date of fulfilment"))
    case_date_check(fulfilled_on, what=_("the date of fulfilment"), captured_on=captive.captured_on)
    obligation.fulfilled_on = fulfilled_on
    obligation.reference = reference.strip()
    obligation.document = document
    obligation.full_clean()
    history_save(
        obligation,
        acting_user=acting_user,
        reason="Fulfilled",
        update_fields=["fulfilled_on", "reference", "document"],
    )
    if obligation.kind == ObligationKind.HEALTH_REPORT:
        health_reports_sync(captive, acting_user=acting_user, after=obligation.due_on)
    return obligation


# --- obligations recorded by hand ---------------------------------------------------------------


@service
def obligation_record(
    *,
    acting_user: User,
    captive: Captive,
    kind: str,
    due_on: date,
    notes: str = "",
    reason: str = "Obligation recorded",
) -> Obligation:
    """Record a duty no event of the timeline opens by itself (the names of those held for
    trial, Art. 119, say), with its deadline."""
    step_require(acting_user, OBLIGATION_RECORD)
    locked = _lock(captive)
    duty = Obligation(captive=locked, kind=kind, due_on=due_on, notes=notes)
    duty.full_clean()
    history_save(duty, acting_user=acting_user, reason=reason)
    captive_version_move(locked, acting_user=acting_user, reason=reason)
    return duty


@service
def obligation_notes_update(
    *, acting_user: User, obligation: Obligation, notes: str, reason: str = "Notes changed"
) -> Obligation:
    """Change an obligation's internal notes (no partner reads them: no new version)."""
    step_require(acting_user, OBLIGATION_UPDATE)
    locked = Obligation.objects.select_for_update().get(pk=obligation.pk)
    locked.notes = notes
    locked.full_clean()
    history_save(locked, acting_user=acting_user, reason=reason, update_fields=["notes"])
    return locked
