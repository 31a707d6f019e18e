"""Every write about exchange proposals: their terms, offers and requests, steps and execution.

Handing a captive over goes through the cases services, so the custody transition table and the
repatriation gate apply here exactly as everywhere else.
"""

from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from cases import services as case_services
from cases.choices import FINAL_CUSTODY_STATUSES, CustodyEventKind
from cases.models import Captive
from diplomacy.choices import (
    PROPOSAL_CHANGE,
    PROPOSAL_CREATE,
    PROPOSAL_EXECUTE,
    PROPOSAL_OPEN_STATUSES,
    PROPOSAL_REOPEN,
    PROPOSAL_REOPENING,
    PROPOSAL_STEPS,
    PROPOSAL_TERMS_FIELDS,
    PROPOSAL_TRANSITIONS,
    InclusionStatus,
    ProposalStatus,
)
from diplomacy.models import ExchangeProposal, OfferedCaptive, RequestedPerson
from diplomacy.services.common import User
from powtracker.disclosed import version_fields
from powtracker.errors import ErrorCode, RuleError
from powtracker.history import history_bulk_update, history_save
from powtracker.steps import Step, step_allowed, step_require, steps_leading, transition_check
from powtracker.writes import service


def exchange_proposal_step(current: str, to_status: str) -> Step:
    """The step from `current` to `to_status` (diplomacy.choices.PROPOSAL_STEPS): reopening an
    agreement is a supervisor's, as are agreeing and executing; every other step needs the change
    permission."""
    return steps_leading(PROPOSAL_STEPS, current, to_status) or PROPOSAL_CHANGE


def exchange_proposal_next_statuses(*, acting_user: User, proposal: ExchangeProposal) -> list[str]:
    """The statuses `acting_user` may move the proposal to from where it stands: those the
    transition table allows, whose permission the role holds. Taking one still runs every check
    of its service (the list, the gate, the reason)."""
    allowed = PROPOSAL_TRANSITIONS[proposal.status]
    return [
        status
        for status in ProposalStatus.values
        if status in allowed
        and step_allowed(acting_user, exchange_proposal_step(proposal.status, status))
    ]


def _proposal_touch(
    proposal: ExchangeProposal, *, acting_user: User, reason: str, disclosed: bool = True
) -> None:
    """Give the proposal a new version when its lists change, so an ETag read before the change
    no longer allows a step (an agreement or execution on a list the reader did not see).
    A change partners cannot see (only the reason for an exclusion) leaves their version alone."""
    fields = ["updated_at"]
    if disclosed:
        proposal.disclosed_changed_at = timezone.now()
    fields.append("disclosed_changed_at")
    history_save(proposal, acting_user=acting_user, reason=reason, update_fields=fields)


@service
def exchange_proposal_create(
    *,
    acting_user: User,
    title: str,
    proposing_state: Any,
    counterpart_state: Any,
    **details: Any,
) -> ExchangeProposal:
    """Open a draft proposal between two states."""
    step_require(acting_user, PROPOSAL_CREATE)
    proposal = ExchangeProposal(
        title=title,
        proposing_state=proposing_state,
        counterpart_state=counterpart_state,
        **details,
    )
    proposal.full_clean()
    history_save(proposal, acting_user=acting_user, reason="Drafted")
    return proposal


def exchange_proposal_open_check(*, proposal: ExchangeProposal) -> None:
    """Refuse any change to the parties, terms or lists once the proposal is agreed or final."""
    if proposal.status not in PROPOSAL_OPEN_STATUSES:
        raise RuleError(
            ErrorCode.TRANSITION_NOT_ALLOWED,
            _(
                "The proposal is “%(status)s”: its parties, terms and lists are frozen. "
                "Only a supervisor reopens negotiation, with a reason."
            ),
            {"status": proposal.get_status_display()},
        )


@service
def exchange_proposal_update(
    *, acting_user: User, proposal: ExchangeProposal, **changes: Any
) -> ExchangeProposal:
    """Change an open proposal's title, counterpart, mediator, terms, dates or notes."""
    step_require(acting_user, PROPOSAL_CHANGE)
    proposal = ExchangeProposal.objects.select_for_update().get(pk=proposal.pk)
    exchange_proposal_open_check(proposal=proposal)
    unknown = sorted(set(changes) - PROPOSAL_TERMS_FIELDS)
    if unknown:
        raise RuleError(
            ErrorCode.INVALID,
            _("These cannot be changed here: %(fields)s."),
            {"fields": ", ".join(unknown)},
        )
    for name, value in changes.items():
        setattr(proposal, name, value)
    proposal.full_clean()
    history_save(
        proposal,
        acting_user=acting_user,
        reason="Terms changed",
        update_fields=version_fields(proposal, sorted(changes)),
    )
    return proposal


@service
def exchange_proposal_reopen(
    *, acting_user: User, proposal: ExchangeProposal, reason: str
) -> ExchangeProposal:
    """Send an agreed proposal back to negotiation, so that its parties, terms and lists may
    change again: a supervisor's decision, with the reason kept in the proposal's history."""
    proposal = ExchangeProposal.objects.select_for_update().get(pk=proposal.pk)
    exchange_proposal_reopen_check(acting_user=acting_user, proposal=proposal)
    if not reason.strip():
        raise RuleError(ErrorCode.REASON_REQUIRED, _("Say why the agreement is reopened."))
    proposal.status = PROPOSAL_REOPENING[1]
    proposal.decided_on = None
    history_save(
        proposal,
        acting_user=acting_user,
        reason=f"Reopened: {reason.strip()}",
        update_fields=version_fields(proposal, ["status", "decided_on"]),
    )
    return proposal


def exchange_proposal_reopen_check(*, acting_user: User, proposal: ExchangeProposal) -> None:
    """Refuse to reopen unless the acting user may and the proposal is agreed (the reason is
    asked for next)."""
    step_require(acting_user, PROPOSAL_REOPEN)
    if proposal.status != PROPOSAL_REOPENING[0]:
        raise RuleError(
            ErrorCode.TRANSITION_NOT_ALLOWED,
            _("It is “%(current)s”: only an agreed proposal is reopened."),
            {"current": proposal.get_status_display()},
        )


def exchange_offer_check(*, proposal: ExchangeProposal, captive: Captive) -> None:
    """A captive may be offered only while the list is open, and only if the proposer holds him."""
    exchange_proposal_open_check(proposal=proposal)
    held = (
        captive.custodian_id == proposal.proposing_state_id
        and captive.custody_status not in FINAL_CUSTODY_STATUSES | {CustodyEventKind.ESCAPED}
    )
    if not held:
        raise RuleError(
            ErrorCode.NOT_IN_CUSTODY,
            _("%(case)s is not held by %(state)s (custody: %(status)s)."),
            {
                "case": captive.case_number,
                "state": proposal.proposing_state.code,
                "status": captive.get_custody_status_display()
                or pgettext("no custody status", "none"),
            },
        )


@service
def exchange_offer_add(
    *, acting_user: User, proposal: ExchangeProposal, captive: Captive, reason: str = ""
) -> OfferedCaptive:
    """Offer a captive held by the proposing state."""
    step_require(acting_user, PROPOSAL_CHANGE)
    proposal = ExchangeProposal.objects.select_for_update().get(pk=proposal.pk)
    captive = Captive.objects.select_for_update().get(pk=captive.pk)
    case_services.captive_writable_check(captive)
    exchange_offer_check(proposal=proposal, captive=captive)
    offer = OfferedCaptive(proposal=proposal, captive=captive, reason=reason)
    offer.full_clean()
    history_save(offer, acting_user=acting_user, reason="Offered")
    _proposal_touch(proposal, acting_user=acting_user, reason=f"Offered: {captive.case_number}")
    return offer


def exchange_inclusion_check(*, offer: OfferedCaptive, inclusion_status: str, reason: str) -> None:
    """Say whether a captive's place on the list may change that way."""
    exchange_proposal_open_check(proposal=offer.proposal)
    if inclusion_status == InclusionStatus.HANDED_OVER or (
        offer.inclusion_status == InclusionStatus.HANDED_OVER
    ):
        raise RuleError(
            ErrorCode.TRANSITION_NOT_ALLOWED,
            _("Only the execution of the exchange hands a captive over."),
        )
    if inclusion_status != InclusionStatus.INCLUDED and not reason.strip():
        raise RuleError(ErrorCode.REASON_REQUIRED, _("Say why he is excluded or withdrawn."))


@service
def exchange_offer_set_inclusion(
    *, acting_user: User, offer: OfferedCaptive, inclusion_status: str, reason: str = ""
) -> OfferedCaptive:
    """Include, exclude or withdraw an offered captive, with the reason."""
    step_require(acting_user, PROPOSAL_CHANGE)
    proposal = ExchangeProposal.objects.select_for_update().get(pk=offer.proposal_id)
    offer = OfferedCaptive.objects.select_related("proposal").get(pk=offer.pk)
    exchange_inclusion_check(offer=offer, inclusion_status=inclusion_status, reason=reason)
    # The reasons are never sent to partners (they may speak of his wishes).
    disclosed = offer.inclusion_status != inclusion_status
    offer.inclusion_status = inclusion_status
    offer.reason = reason.strip()
    offer.full_clean()
    history_save(
        offer,
        acting_user=acting_user,
        reason=f"{InclusionStatus(inclusion_status).label}: {offer.reason or '—'}",
        update_fields=["inclusion_status", "reason"],
    )
    _proposal_touch(
        proposal, acting_user=acting_user, reason="Inclusion changed", disclosed=disclosed
    )
    return offer


@service
def exchange_request_add(
    *, acting_user: User, proposal: ExchangeProposal, **person: Any
) -> RequestedPerson:
    """Add a person, or a group of a given or unspecified size, requested in return."""
    step_require(acting_user, PROPOSAL_CHANGE)
    proposal = ExchangeProposal.objects.select_for_update().get(pk=proposal.pk)
    exchange_proposal_open_check(proposal=proposal)
    requested = RequestedPerson(proposal=proposal, **person)
    requested.full_clean()
    history_save(requested, acting_user=acting_user, reason="Requested")
    _proposal_touch(proposal, acting_user=acting_user, reason="Persons requested changed")
    return requested


@service
def exchange_proposal_transition(
    *, acting_user: User, proposal: ExchangeProposal, to_status: str, reason: str = ""
) -> ExchangeProposal:
    """Move a proposal one step along its table, with an optional reason (execution is
    exchange_proposal_execute, reopening an agreement exchange_proposal_reopen)."""
    if to_status == ProposalStatus.EXECUTED:
        return exchange_proposal_execute(acting_user=acting_user, proposal=proposal)
    proposal = ExchangeProposal.objects.select_for_update().get(pk=proposal.pk)
    if (proposal.status, to_status) == PROPOSAL_REOPENING:
        return exchange_proposal_reopen(acting_user=acting_user, proposal=proposal, reason=reason)
    step_require(acting_user, exchange_proposal_step(proposal.status, to_status))
    transition_check(PROPOSAL_TRANSITIONS, proposal.status, to_status, ProposalStatus)
    if (
        to_status == ProposalStatus.AGREED
        and not proposal.offered_captives.filter(inclusion_status=InclusionStatus.INCLUDED).exists()
    ):
        raise RuleError(ErrorCode.INVALID, _("No captive is included: there is nothing to agree."))
    proposal.status = to_status
    fields = ["status", "updated_at"]
    today = timezone.localdate()
    if to_status == ProposalStatus.PROPOSED and proposal.proposed_on is None:
        proposal.proposed_on = today
        fields.append("proposed_on")
    if to_status in {ProposalStatus.AGREED, ProposalStatus.REJECTED}:
        proposal.decided_on = today
        fields.append("decided_on")
    why = f" — {reason.strip()}" if reason.strip() else ""
    history_save(
        proposal,
        acting_user=acting_user,
        reason=f"Status: {proposal.get_status_display()}{why}",
        update_fields=version_fields(proposal, fields),
    )
    return proposal


@service
def exchange_proposal_execute(
    *, acting_user: User, proposal: ExchangeProposal, executed_at: datetime | None = None
) -> ExchangeProposal:
    """Hand over every included captive in one transaction, or nobody.

    The proposal must be agreed: that is said first, before anything about the captives. Each
    included captive must then be cleared by the repatriation gate for the counterpart state
    and allowed an `exchanged` event; if any is not, nothing is written and the error names
    each one with the reason. The events, custody, duties and history are written set-based
    (cases.services.custody_events_record), the same rows as recording each handover alone.
    """
    step_require(acting_user, PROPOSAL_EXECUTE)
    # The proposal row lock makes a second, simultaneous execution wait, then see "executed".
    proposal = (
        ExchangeProposal.objects.select_for_update()
        .select_related("counterpart_state")
        .get(pk=proposal.pk)
    )
    exchange_proposal_execute_status_check(proposal=proposal)
    when = executed_at or timezone.now()
    offers = list(
        proposal.offered_captives.filter(inclusion_status=InclusionStatus.INCLUDED).order_by(
            "captive_id"
        )
    )
    if not offers:
        raise RuleError(
            ErrorCode.INVALID, _("No captive is included: there is nothing to execute.")
        )
    # Locks the captives in id order, so that overlapping executions cannot deadlock; checks
    # every one through the transition table and the gate before writing anything.
    case_services.custody_events_record(
        acting_user=acting_user,
        captive_ids=[offer.captive_id for offer in offers],
        kind=CustodyEventKind.EXCHANGED,
        occurred_at=when,
        custodian=proposal.counterpart_state,
        notes=f"Exchange: {proposal.title}",
        refused=_("Nothing was executed. %(problems)s"),
    )
    for offer in offers:
        offer.inclusion_status = InclusionStatus.HANDED_OVER
    history_bulk_update(
        offers, fields=["inclusion_status"], acting_user=acting_user, reason="Handed over"
    )
    proposal.status = ProposalStatus.EXECUTED
    proposal.executed_on = timezone.localdate(when)
    history_save(
        proposal,
        acting_user=acting_user,
        reason="Executed",
        update_fields=version_fields(proposal, ["status", "executed_on"]),
    )
    return proposal


def exchange_proposal_execute_status_check(*, proposal: ExchangeProposal) -> None:
    """Refuse to execute a proposal its status does not allow: one still being negotiated must
    be agreed first; any other, as the transition table says."""
    if proposal.status in PROPOSAL_OPEN_STATUSES:
        raise RuleError(
            ErrorCode.TRANSITION_NOT_ALLOWED,
            _("It is “%(current)s”: it must be agreed before it is executed."),
            {"current": proposal.get_status_display()},
        )
    transition_check(PROPOSAL_TRANSITIONS, proposal.status, ProposalStatus.EXECUTED, ProposalStatus)
