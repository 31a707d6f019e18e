"""Every write about exchange proposals and transfer requests.

Handing a captive over goes through the cases services, so the custody transition table and the
repatriation gate apply here exactly as everywhere else.
"""

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy

from cases import services as case_services
from cases.choices import FINAL_CUSTODY_STATUSES, CustodyEventKind
from cases.dates import case_date_check
from cases.models import Captive
from diplomacy.choices import (
    HIDDEN_FROM_HOSTILE_ROLES,
    POWER_ROLE_FIELDS,
    PROPOSAL_OPEN_STATUSES,
    PROPOSAL_REOPENING,
    PROPOSAL_TRANSITIONS,
    TRANSFER_TRANSITIONS,
    InclusionStatus,
    InvolvementRole,
    ProposalStatus,
    TransferKind,
    TransferStatus,
)
from diplomacy.models import (
    DiplomaticContact,
    ExchangeProposal,
    Involvement,
    OfferedCaptive,
    RequestedPerson,
    State,
    TransferRequest,
)
from powtracker.disclosed import version_fields
from powtracker.errors import ErrorCode, RuleError
from powtracker.history import acting_person, history_bulk_create, history_bulk_update, history_save
from powtracker.roles import role_require
from powtracker.writes import changes_check, keywords_check, service

User = Any

# Who may move a proposal into each status; every other step needs the change permission.
PROPOSAL_STEP_PERMISSIONS = {
    ProposalStatus.AGREED: (
        "diplomacy.agree_exchangeproposal",
        pgettext_lazy("your role does not allow you to …", "agree an exchange"),
    ),
    ProposalStatus.EXECUTED: (
        "diplomacy.execute_exchangeproposal",
        pgettext_lazy("your role does not allow you to …", "execute an exchange"),
    ),
}
# Reopening undoes an agreement: whoever may agree an exchange may reopen it.
PROPOSAL_REOPEN_PERMISSION = (
    "diplomacy.agree_exchangeproposal",
    pgettext_lazy("your role does not allow you to …", "reopen an agreed exchange"),
)
# What the proposal's change form may change while it is open.
PROPOSAL_TERMS_FIELDS = frozenset(
    {"title", "counterpart_state", "mediator", "terms", "proposed_on", "expires_on", "notes"}
)
PROPOSAL_CHANGE_PERMISSION = (
    "diplomacy.change_exchangeproposal",
    pgettext_lazy("your role does not allow you to …", "change an exchange"),
)
TRANSFER_STEP_PERMISSIONS = {
    TransferStatus.APPROVED: (
        "diplomacy.approve_transferrequest",
        pgettext_lazy("your role does not allow you to …", "approve a transfer"),
    ),
    TransferStatus.REJECTED: (
        "diplomacy.approve_transferrequest",
        pgettext_lazy("your role does not allow you to …", "reject a transfer"),
    ),
    TransferStatus.COMPLETED: (
        "diplomacy.approve_transferrequest",
        pgettext_lazy("your role does not allow you to …", "complete a transfer"),
    ),
}
TRANSFER_CHANGE_PERMISSION = (
    "diplomacy.change_transferrequest",
    pgettext_lazy("your role does not allow you to …", "change a transfer request"),
)


def _status_check(table: dict[str, frozenset[str]], current: str, wanted: str, labels: Any) -> None:
    if wanted not in table[current]:
        allowed = ", ".join(
            str(labels(s).label) for s in labels.values if s in table[current]
        ) or pgettext("no next status", "none")
        raise RuleError(
            ErrorCode.TRANSITION_NOT_ALLOWED,
            _("It is “%(current)s”: it cannot become “%(wanted)s”. Allowed next: %(allowed)s."),
            {"current": labels(current).label, "wanted": labels(wanted).label, "allowed": allowed},
        )


# --- involvements: the states in a captive's case, his power and its ally among them ----------
#
# His power depended on and its ally are involvements, and nowhere else: the captive's columns of
# the same names are a copy that only _captive_powers_sync writes, from his involvements not
# ended, in the same transaction as every change to them. Hostility (partners.disclosure) reads
# the involvements themselves, ended ones included.

INVOLVEMENT_ADD_PERMISSION = (
    "diplomacy.add_involvement",
    pgettext_lazy("your role does not allow you to …", "record a state's involvement"),
)
INVOLVEMENT_CHANGE_PERMISSION = (
    "diplomacy.change_involvement",
    pgettext_lazy("your role does not allow you to …", "change a state's involvement"),
)
# What may change in an involvement once recorded: its state, role and captive are what it is.
INVOLVEMENT_CHANGEABLE_FIELDS = frozenset({"position", "started_on", "ended_on", "notes"})


def captive_powers_initial(
    *,
    detaining_power: State | None,
    nationality: State | None,
    power_depended_on: State | None,
    allied_power: State | None,
) -> dict[str, State | None]:
    """His power and its ally as registering records them: the power named, else his
    nationality (GC III's usual case: a soldier depends on the state whose national he is) —
    unless that is the state holding him, which no prisoner of war depends on (a national who
    fought for the other side): then his power stays unknown, and hostility fails closed.
    Refuses an ally that is his power."""
    held_by_own_state = (
        nationality is not None
        and detaining_power is not None
        and nationality.pk == detaining_power.pk
    )
    if power_depended_on is None and not held_by_own_state:
        power_depended_on = nationality
    if (
        allied_power is not None
        and power_depended_on is not None
        and allied_power.pk == power_depended_on.pk
    ):
        raise ValidationError(
            {
                "allied_power": ValidationError(
                    _("His ally cannot be the power he depends on."), code="invalid"
                )
            }
        )
    return {"power_depended_on": power_depended_on, "allied_power": allied_power}


def captive_powers_involve(*, acting_user: User, captive: Captive, reason: str) -> None:
    """Record, for a captive just registered, the states his registration names as the
    involvements they are, since his capture: his detaining power, and his power and its ally
    (the columns captive_powers_initial gave). At every door alike, so that the detaining
    state's agency sees the captives it holds however they were registered."""
    roles = [(InvolvementRole.DETAINING_POWER, captive.detaining_power_id)]
    roles += [(role, getattr(captive, f"{field}_id")) for role, field in POWER_ROLE_FIELDS.items()]
    involvements = [
        Involvement(captive=captive, state_id=state_id, role=role, started_on=captive.captured_on)
        for role, state_id in roles
        if state_id is not None
    ]
    history_bulk_create(involvements, acting_user=acting_user, reason=reason)


def _active_power(captive: Captive, role: str, *, exclude: Involvement | None = None) -> Any:
    active = Involvement.objects.filter(captive=captive, role=role, ended_on__isnull=True)
    if exclude is not None:
        active = active.exclude(pk=exclude.pk)
    return active.select_related("state").first()


def _involvement_check(involvement: Involvement) -> None:
    """The dates an involvement may carry, and one power (one ally) at a time in time as well
    as in the database: no date before his capture (nor GC III) or after today — an end still
    to come is recorded when it comes, so that "not ended" is what holds today — and no two
    states' spans in his power's (or its ally's) role overlapping."""
    captured_on = involvement.captive.captured_on
    for day, what in (
        (involvement.started_on, _("the day it started")),
        (involvement.ended_on, _("the day it ended")),
    ):
        if day is None:
            continue
        case_date_check(day, what=what, captured_on=captured_on)
        if day > timezone.localdate():
            raise RuleError(
                ErrorCode.EVENT_IN_FUTURE, _("%(field)s is in the future."), {"field": what}
            )
    if involvement.role not in POWER_ROLE_FIELDS:
        return
    start = involvement.started_on or date.min
    end = involvement.ended_on or date.max
    others = Involvement.objects.filter(captive=involvement.captive, role=involvement.role)
    if involvement.pk is not None:
        others = others.exclude(pk=involvement.pk)
    for other in others.select_related("state"):
        # A span ends the day the next begins: ended on the 5th, the next may start on the 5th.
        if not (start < (other.ended_on or date.max) and (other.started_on or date.min) < end):
            continue
        if other.ended_on is None:
            raise RuleError(
                ErrorCode.POWER_ALREADY_RECORDED,
                _(
                    "%(state)s is recorded as his %(role)s and has not ended: end that "
                    "involvement first, or change it on his page."
                ),
                {"state": other.state.code, "role": InvolvementRole(other.role).label.lower()},
            )
        raise RuleError(
            ErrorCode.POWER_ALREADY_RECORDED,
            _(
                "%(state)s was his %(role)s from %(start)s to %(end)s: two states cannot "
                "hold that role at once."
            ),
            {
                "state": other.state.code,
                "role": InvolvementRole(other.role).label.lower(),
                "start": other.started_on.isoformat() if other.started_on else "—",
                "end": other.ended_on.isoformat() if other.ended_on else "—",
            },
        )


def _ally_is_not_power_check(captive: Captive, role: str, state: State) -> None:
    """Refuse a state as his ally while it is his power, or as his power while it is his ally."""
    other = next(r for r in POWER_ROLE_FIELDS if r != role)
    holder = _active_power(captive, other)
    if holder is not None and holder.state_id == state.pk:
        raise RuleError(
            ErrorCode.INVALID,
            _("%(state)s is his %(role)s: it cannot also be the other."),
            {"state": state.code, "role": InvolvementRole(other).label.lower()},
        )


def _captive_powers_sync(
    captive: Captive, *, acting_user: User, reason: str, disclosed: bool
) -> None:
    """Copy his involvements not ended into his power and ally columns, and give him a new
    version: the one partners read (`disclosed`) unless the change is hidden from some of them
    (who offers to receive him), which moves only `updated_at`."""
    locked = Captive.objects.select_for_update().get(pk=captive.pk)
    active = dict(
        Involvement.objects.filter(
            captive=locked, role__in=POWER_ROLE_FIELDS, ended_on__isnull=True
        ).values_list("role", "state_id")
    )
    fields = ["updated_at", "disclosed_changed_at"]
    for role, field in POWER_ROLE_FIELDS.items():
        if getattr(locked, f"{field}_id") != active.get(role):
            setattr(locked, f"{field}_id", active.get(role))
            fields.append(field)
            disclosed = True
    if disclosed:
        locked.disclosed_changed_at = timezone.now()
    history_save(locked, acting_user=acting_user, reason=reason, update_fields=fields)
    # The caller's instance follows, so that what it saves next does not put the old back.
    for attname in (
        "power_depended_on_id",
        "allied_power_id",
        "updated_at",
        "disclosed_changed_at",
    ):
        setattr(captive, attname, getattr(locked, attname))


def _involvement_disclosed(role: str) -> bool:
    return role not in HIDDEN_FROM_HOSTILE_ROLES


@service
def involvement_record(
    *,
    acting_user: User,
    captive: Captive,
    state: State,
    role: str,
    position: str = "",
    started_on: date | None = None,
    ended_on: date | None = None,
    notes: str = "",
    reason: str = "Involvement recorded",
) -> Involvement:
    """Record the role a state plays in his case. His power and its ally are each held by one
    state at a time: a second is refused until the first has ended (captive_powers_set changes
    them in one step)."""
    role_require(acting_user, *INVOLVEMENT_ADD_PERMISSION)
    captive = Captive.objects.select_for_update().get(pk=captive.pk)
    case_services.captive_writable_check(captive)
    involvement = Involvement(
        captive=captive,
        state=state,
        role=role,
        position=position,
        started_on=started_on,
        ended_on=ended_on,
        notes=notes,
    )
    involvement.full_clean()
    if role in POWER_ROLE_FIELDS and ended_on is None:
        _ally_is_not_power_check(captive, role, state)
    _involvement_check(involvement)
    history_save(involvement, acting_user=acting_user, reason=reason)
    _captive_powers_sync(
        captive, acting_user=acting_user, reason=reason, disclosed=_involvement_disclosed(role)
    )
    return involvement


@service
def involvement_update(
    *,
    acting_user: User,
    involvement: Involvement,
    reason: str = "Involvement changed",
    **changes: Any,
) -> Involvement:
    """Change what an involvement says (its position, dates, notes) or end it (`ended_on`). Its
    state, role and captive stay what they are: a different one is another involvement."""
    role_require(acting_user, *INVOLVEMENT_CHANGE_PERMISSION)
    changes_check(
        changes,
        INVOLVEMENT_CHANGEABLE_FIELDS,
        _("%(fields)s of an involvement cannot be changed: record another involvement."),
    )
    locked = Involvement.objects.select_for_update().get(pk=involvement.pk)
    case_services.captive_writable_check(locked.captive)
    for field, value in changes.items():
        setattr(locked, field, value)
    locked.full_clean()
    _involvement_check(locked)
    if changes:
        history_save(locked, acting_user=acting_user, reason=reason, update_fields=sorted(changes))
        _captive_powers_sync(
            locked.captive,
            acting_user=acting_user,
            reason=reason,
            disclosed=_involvement_disclosed(locked.role)
            and bool(set(changes) & set(Involvement.PARTNER_FIELDS)),
        )
    return locked


@service
def captive_powers_set(
    *,
    acting_user: User,
    captive: Captive,
    on: date | None = None,
    reason: str = "Power depended on or its ally changed",
    **powers: State | None,
) -> Captive:
    """Make `power_depended_on` and/or `allied_power` (the keywords given) the states holding
    those roles in his case from `on` (default today): the involvement of the state that held
    the role ends, the new state's begins (or begins again). None ends the role. What the captive
    form's fields and anything else naming his power write."""
    role_require(acting_user, *INVOLVEMENT_CHANGE_PERMISSION)
    keywords_check("captive_powers_set", powers, POWER_ROLE_FIELDS.values())
    captive = Captive.objects.select_for_update().get(pk=captive.pk)
    case_services.captive_writable_check(captive)
    day = on or timezone.localdate()
    changed = False
    for role, field in POWER_ROLE_FIELDS.items():
        if field not in powers:
            continue
        state = powers[field]
        holder = _active_power(captive, role)
        if holder is not None and state is not None and holder.state_id == state.pk:
            continue
        if holder is None and state is None:
            continue
        changed = True
        if holder is not None:
            holder.ended_on = max(day, holder.started_on or day)
            history_save(holder, acting_user=acting_user, reason=reason, update_fields=["ended_on"])
        if state is None:
            continue
        earlier = Involvement.objects.filter(captive=captive, state=state, role=role).first()
        if earlier is not None:
            # He depends on it again from `day`: its span is the latest (the record of when it
            # held the role before stays in its history).
            earlier.started_on, earlier.ended_on = day, None
            _involvement_check(earlier)
            history_save(
                earlier,
                acting_user=acting_user,
                reason=reason,
                update_fields=["started_on", "ended_on"],
            )
        else:
            involvement = Involvement(captive=captive, state=state, role=role, started_on=day)
            involvement.full_clean()
            _involvement_check(involvement)
            history_save(involvement, acting_user=acting_user, reason=reason)
    if changed:
        power = _active_power(captive, InvolvementRole.POWER_DEPENDED_ON)
        if power is not None:
            _ally_is_not_power_check(captive, InvolvementRole.POWER_DEPENDED_ON, power.state)
        _captive_powers_sync(captive, acting_user=acting_user, reason=reason, disclosed=True)
    return captive


# --- exchange proposals ------------------------------------------------------------------------


def exchange_proposal_step_permission(current: str, to_status: str) -> tuple[str, str]:
    """The permission a step from `current` to `to_status` needs, and its name in a refusal:
    reopening an agreement is a supervisor's, as are agreeing and executing; every other step
    needs the change permission."""
    if (current, to_status) == PROPOSAL_REOPENING:
        return PROPOSAL_REOPEN_PERMISSION
    return PROPOSAL_STEP_PERMISSIONS.get(to_status, PROPOSAL_CHANGE_PERMISSION)


def exchange_proposal_next_statuses(*, acting_user: User, proposal: ExchangeProposal) -> list[str]:
    """The statuses `acting_user` may move the proposal to from where it stands: those the
    transition table allows, whose permission the role holds. Taking one still runs every check
    of its service (the list, the gate, the reason)."""
    allowed = PROPOSAL_TRANSITIONS[proposal.status]
    return [
        status
        for status in ProposalStatus.values
        if status in allowed
        and acting_user.has_perm(exchange_proposal_step_permission(proposal.status, status)[0])
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
    role_require(
        acting_user,
        "diplomacy.add_exchangeproposal",
        pgettext("your role does not allow you to …", "prepare an exchange"),
    )
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
    role_require(
        acting_user,
        "diplomacy.change_exchangeproposal",
        pgettext("your role does not allow you to …", "change an exchange"),
    )
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
    role_require(acting_user, *PROPOSAL_REOPEN_PERMISSION)
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
    role_require(
        acting_user,
        "diplomacy.change_exchangeproposal",
        pgettext("your role does not allow you to …", "change an exchange"),
    )
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
    role_require(
        acting_user,
        "diplomacy.change_exchangeproposal",
        pgettext("your role does not allow you to …", "change an exchange"),
    )
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
    role_require(
        acting_user,
        "diplomacy.change_exchangeproposal",
        pgettext("your role does not allow you to …", "change an exchange"),
    )
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
    role_require(acting_user, *exchange_proposal_step_permission(proposal.status, to_status))
    _status_check(PROPOSAL_TRANSITIONS, proposal.status, to_status, ProposalStatus)
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
    role_require(acting_user, *PROPOSAL_STEP_PERMISSIONS[ProposalStatus.EXECUTED])
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
    _status_check(PROPOSAL_TRANSITIONS, proposal.status, ProposalStatus.EXECUTED, ProposalStatus)


# --- transfer requests -------------------------------------------------------------------------


def transfer_request_next_statuses(*, acting_user: User, transfer: TransferRequest) -> list[str]:
    """The statuses `acting_user` may move the request to from where it stands: those the
    transition table allows, whose permission the role holds (completing still passes the
    gate)."""
    allowed = TRANSFER_TRANSITIONS[transfer.status]
    return [
        status
        for status in TransferStatus.values
        if status in allowed
        and acting_user.has_perm(
            TRANSFER_STEP_PERMISSIONS.get(status, TRANSFER_CHANGE_PERMISSION)[0]
        )
    ]


@service
def transfer_request_create(
    *, acting_user: User, captive: Captive, requesting_state: Any, **details: Any
) -> TransferRequest:
    """Record a state's stated intent to take a captive."""
    role_require(
        acting_user,
        "diplomacy.add_transferrequest",
        pgettext("your role does not allow you to …", "record a transfer request"),
    )
    case_services.captive_writable_check(captive)
    transfer = TransferRequest(captive=captive, requesting_state=requesting_state, **details)
    if transfer.stated_on is None:
        transfer.stated_on = timezone.localdate()
    transfer.full_clean()
    history_save(transfer, acting_user=acting_user, reason="Intent stated")
    return transfer


# What a transfer request's page may change: what the state said and when; its captive, state,
# kind and status are what it is (a status changes by its steps).
TRANSFER_DETAILS_FIELDS = frozenset({"basis", "stated_on", "notes"})


@service
def transfer_request_update(
    *, acting_user: User, transfer: TransferRequest, **changes: Any
) -> TransferRequest:
    """Correct what a transfer request says (its basis, the day it was stated, notes)."""
    role_require(acting_user, *TRANSFER_CHANGE_PERMISSION)
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
    role_require(acting_user, *TRANSFER_STEP_PERMISSIONS.get(to_status, TRANSFER_CHANGE_PERMISSION))
    transfer = TransferRequest.objects.select_for_update().get(pk=transfer.pk)
    # Withdrawing or rejecting still closes a request about a linked duplicate; nothing else.
    if to_status not in {TransferStatus.WITHDRAWN, TransferStatus.REJECTED}:
        case_services.captive_writable_check(transfer.captive)
    _status_check(TRANSFER_TRANSITIONS, transfer.status, to_status, TransferStatus)
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
    permission, action = TRANSFER_STEP_PERMISSIONS[TransferStatus.COMPLETED]
    role_require(acting_user, permission, action)
    transfer = (
        TransferRequest.objects.select_for_update()
        .select_related("captive", "requesting_state")
        .get(pk=transfer.pk)
    )
    _status_check(TRANSFER_TRANSITIONS, transfer.status, TransferStatus.COMPLETED, TransferStatus)
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


# --- states --------------------------------------------------------------------------------------

STATE_FIELDS = frozenset({"code", "name", "gc3_party", "language", "notes"})


@service
def state_create(*, acting_user: User, reason: str = "State added", **fields: Any) -> State:
    """Add a state to the list (supervisors manage it)."""
    role_require(
        acting_user,
        "diplomacy.add_state",
        pgettext_lazy("your role does not allow you to …", "manage the list of states"),
    )
    keywords_check("state_create", fields, STATE_FIELDS)
    state = State(**fields)
    state.full_clean()
    history_save(state, acting_user=acting_user, reason=reason)
    return state


@service
def state_update(
    *, acting_user: User, state: State, reason: str = "State changed", **changes: Any
) -> State:
    """Change a state's record: its name, party to GC III, the language of its documents."""
    role_require(
        acting_user,
        "diplomacy.change_state",
        pgettext_lazy("your role does not allow you to …", "manage the list of states"),
    )
    keywords_check("state_update", changes, STATE_FIELDS)
    locked = State.objects.select_for_update().get(pk=state.pk)
    for field, value in changes.items():
        setattr(locked, field, value)
    locked.full_clean()
    if changes:
        history_save(locked, acting_user=acting_user, reason=reason, update_fields=sorted(changes))
    return locked


# --- diplomatic contacts -----------------------------------------------------------------------

CONTACT_FIELDS = frozenset(
    {
        "from_state",
        "to_state",
        "intermediary",
        "channel",
        "occurred_on",
        "from_party",
        "to_party",
        "summary",
        "proposal",
        "classification",
        "notes",
    }
)
CONTACT_PERMISSIONS = {
    "add": (
        "diplomacy.add_diplomaticcontact",
        pgettext_lazy("your role does not allow you to …", "record a diplomatic contact"),
    ),
    "change": (
        "diplomacy.change_diplomaticcontact",
        pgettext_lazy("your role does not allow you to …", "change a diplomatic contact"),
    ),
}


@service
def diplomatic_contact_record(
    *,
    acting_user: User,
    captives: Any = (),
    reason: str = "Contact recorded",
    **fields: Any,
) -> DiplomaticContact:
    """Record a contact between states about cases, and the captives it concerns."""
    role_require(acting_user, *CONTACT_PERMISSIONS["add"])
    keywords_check("diplomatic_contact_record", fields, CONTACT_FIELDS)
    contact = DiplomaticContact(recorded_by=acting_person(acting_user), **fields)
    contact.full_clean()
    history_save(contact, acting_user=acting_user, reason=reason)
    contact.captives.set(captives)
    return contact


@service
def diplomatic_contact_update(
    *,
    acting_user: User,
    contact: DiplomaticContact,
    captives: Any = None,
    reason: str = "Contact changed",
    **changes: Any,
) -> DiplomaticContact:
    """Change a recorded contact, and (if given) the captives it concerns. Its version, which
    partners read, moves unless only its internal notes changed."""
    role_require(acting_user, *CONTACT_PERMISSIONS["change"])
    keywords_check("diplomatic_contact_update", changes, CONTACT_FIELDS)
    locked = DiplomaticContact.objects.select_for_update().get(pk=contact.pk)
    for field, value in changes.items():
        setattr(locked, field, value)
    locked.full_clean()
    before = set(locked.captives.all())
    after = before if captives is None else set(captives)
    fields = {*changes, "updated_at"}
    if after != before or not fields <= DiplomaticContact.UNDISCLOSED_FIELDS:
        locked.disclosed_changed_at = timezone.now()
        fields.add("disclosed_changed_at")
    if changes or after != before:
        history_save(locked, acting_user=acting_user, reason=reason, update_fields=sorted(fields))
    if after != before:
        locked.captives.set(after)
    return locked
