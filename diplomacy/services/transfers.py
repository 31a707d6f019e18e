"""Every write about transfer requests: a state's stated intent to take a captive, its steps."""

from datetime import date, datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from cases import services as case_services
from cases.choices import CustodyEventKind
from cases.models import Captive
from diplomacy.choices import (
    TRANSFER_CHANGE,
    TRANSFER_COMPLETE,
    TRANSFER_CREATE,
    TRANSFER_DETAILS_FIELDS,
    TRANSFER_STEPS,
    TRANSFER_TRANSITIONS,
    TransferKind,
    TransferStatus,
)
from diplomacy.models import TransferRequest
from diplomacy.services.common import User
from powtracker.disclosed import version_fields
from powtracker.history import history_save
from powtracker.steps import Step, step_allowed, step_require, steps_leading, transition_check
from powtracker.writes import changes_check, service


def transfer_request_step(current: str, to_status: str) -> Step:
    """The step from `current` to `to_status` (diplomacy.choices.TRANSFER_STEPS): approving,
    rejecting and completing are a supervisor's; every other step needs the change permission."""
    return steps_leading(TRANSFER_STEPS, current, to_status) or TRANSFER_CHANGE


def transfer_request_next_statuses(*, acting_user: User, transfer: TransferRequest) -> list[str]:
    """The statuses `acting_user` may move the request to from where it stands: those the
    transition table allows, whose permission the role holds (completing still passes the
    gate)."""
    allowed = TRANSFER_TRANSITIONS[transfer.status]
    return [
        status
        for status in TransferStatus.values
        if status in allowed
        and step_allowed(acting_user, transfer_request_step(transfer.status, status))
    ]


@service
def transfer_request_create(
    *, acting_user: User, captive: Captive, requesting_state: Any, **details: Any
) -> TransferRequest:
    """Record a state's stated intent to take a captive."""
    step_require(acting_user, TRANSFER_CREATE)
    case_services.captive_writable_check(captive)
    transfer = TransferRequest(captive=captive, requesting_state=requesting_state, **details)
    if transfer.stated_on is None:
        transfer.stated_on = timezone.localdate()
    transfer.full_clean()
    history_save(transfer, acting_user=acting_user, reason="Intent stated")
    return transfer


@service
def transfer_request_update(
    *, acting_user: User, transfer: TransferRequest, **changes: Any
) -> TransferRequest:
    """Correct what a transfer request says (its basis, the day it was stated, notes)."""
    step_require(acting_user, TRANSFER_CHANGE)
    changes_check(
        changes,
        TRANSFER_DETAILS_FIELDS,
        _("%(fields)s of a transfer request cannot be changed here."),
    )
    locked = TransferRequest.objects.select_for_update().get(pk=transfer.pk)
    for field, value in changes.items():
        setattr(locked, field, value)
    locked.full_clean()
    if changes:
        history_save(
            locked,
            acting_user=acting_user,
            reason="Particulars changed",
            update_fields=version_fields(locked, sorted(changes)),
        )
    return locked


@service
def transfer_request_transition(
    *, acting_user: User, transfer: TransferRequest, to_status: str, on: date | None = None
) -> TransferRequest:
    """Move a transfer request one step (completion is transfer_request_complete)."""
    if to_status == TransferStatus.COMPLETED:
        return transfer_request_complete(acting_user=acting_user, transfer=transfer)
    step_require(acting_user, transfer_request_step(transfer.status, to_status))
    transfer = TransferRequest.objects.select_for_update().get(pk=transfer.pk)
    # Withdrawing or rejecting still closes a request about a linked duplicate; nothing else.
    if to_status not in {TransferStatus.WITHDRAWN, TransferStatus.REJECTED}:
        case_services.captive_writable_check(transfer.captive)
    transition_check(TRANSFER_TRANSITIONS, transfer.status, to_status, TransferStatus)
    transfer.status = to_status
    fields = ["status", "updated_at"]
    day = on or timezone.localdate()
    if to_status == TransferStatus.REQUESTED:
        transfer.requested_on = day
        fields.append("requested_on")
    if to_status in {TransferStatus.APPROVED, TransferStatus.REJECTED}:
        transfer.decided_on = day
        fields.append("decided_on")
    history_save(
        transfer,
        acting_user=acting_user,
        reason=f"Status: {transfer.get_status_display()}",
        update_fields=version_fields(transfer, fields),
    )
    return transfer


@service
def transfer_request_complete(
    *, acting_user: User, transfer: TransferRequest, completed_at: datetime | None = None
) -> TransferRequest:
    """Hand the captive to the requesting state, through the repatriation gate."""
    step_require(acting_user, TRANSFER_COMPLETE)
    transfer = (
        TransferRequest.objects.select_for_update()
        .select_related("captive", "requesting_state")
        .get(pk=transfer.pk)
    )
    transition_check(
        TRANSFER_TRANSITIONS, transfer.status, TransferStatus.COMPLETED, TransferStatus
    )
    when = completed_at or timezone.now()
    kind = (
        CustodyEventKind.RESETTLED
        if transfer.kind == TransferKind.RESETTLEMENT
        else CustodyEventKind.TRANSFERRED
    )
    case_services.custody_event_record(
        acting_user=acting_user,
        captive=transfer.captive,
        kind=kind,
        occurred_at=when,
        custodian=transfer.requesting_state,
        notes=f"Transfer request #{transfer.pk} completed",
    )
    transfer.status = TransferStatus.COMPLETED
    transfer.completed_on = timezone.localdate(when)
    history_save(
        transfer,
        acting_user=acting_user,
        reason="Completed",
        update_fields=version_fields(transfer, ["status", "completed_on"]),
    )
    return transfer
