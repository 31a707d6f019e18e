"""Choices of the diplomacy app: proposal and transfer statuses, channels; and the services'
tables: who may take each step, what each change form may change."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from powtracker.steps import Step


class ProposalStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PROPOSED = "proposed", _("Proposed")
    UNDER_NEGOTIATION = "under_negotiation", _("Under negotiation")
    AGREED = "agreed", _("Agreed")
    EXECUTED = "executed", _("Executed")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXPIRED = "expired", _("Expired")


class InclusionStatus(models.TextChoices):
    INCLUDED = "included", _("Included")
    EXCLUDED = "excluded", _("Excluded")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    HANDED_OVER = "handed_over", _("Handed over")


class ContactChannel(models.TextChoices):
    NOTE_VERBALE = "note_verbale", _("Note verbale")
    MEETING = "meeting", _("Meeting")
    CALL = "call", _("Call")
    PUBLIC_STATEMENT = "public_statement", _("Public statement")
    INTERMEDIARY = "intermediary", _("Via an intermediary")


class Classification(models.TextChoices):
    PUBLIC = "public", _("Public")
    RESTRICTED = "restricted", _("Restricted")
    CONFIDENTIAL = "confidential", _("Confidential")
    SECRET = "secret", _("Secret")


class TransferKind(models.TextChoices):
    RESETTLEMENT = "resettlement", _("Resettlement in a third state")
    CUSTODY_TRANSFER = "custody_transfer", _("Transfer of custody to another power")


class TransferStatus(models.TextChoices):
    INTENT_STATED = "intent_stated", _("Intent stated")
    REQUESTED = "requested", _("Formally requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    COMPLETED = "completed", _("Completed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


P = ProposalStatus
FINAL_PROPOSAL_STATUSES: frozenset[str] = frozenset(
    {P.EXECUTED, P.REJECTED, P.WITHDRAWN, P.EXPIRED}
)
PROPOSAL_TRANSITIONS: dict[str, frozenset[str]] = {
    P.DRAFT: frozenset({P.PROPOSED, P.WITHDRAWN}),
    P.PROPOSED: frozenset({P.UNDER_NEGOTIATION, P.AGREED, P.REJECTED, P.WITHDRAWN, P.EXPIRED}),
    P.UNDER_NEGOTIATION: frozenset({P.AGREED, P.REJECTED, P.WITHDRAWN, P.EXPIRED}),
    P.AGREED: frozenset({P.EXECUTED, P.WITHDRAWN, P.EXPIRED, P.UNDER_NEGOTIATION}),
    **{final: frozenset() for final in FINAL_PROPOSAL_STATUSES},
}
# Back from agreement to negotiation: only a supervisor reopens, and says why
# (exchange_proposal_reopen); every other step is taken as the table says.
PROPOSAL_REOPENING: tuple[str, str] = (P.AGREED, P.UNDER_NEGOTIATION)
# While the list of captives may still change.
PROPOSAL_OPEN_STATUSES: frozenset[str] = frozenset({P.DRAFT, P.PROPOSED, P.UNDER_NEGOTIATION})

T = TransferStatus
FINAL_TRANSFER_STATUSES: frozenset[str] = frozenset({T.REJECTED, T.COMPLETED, T.WITHDRAWN})
TRANSFER_TRANSITIONS: dict[str, frozenset[str]] = {
    T.INTENT_STATED: frozenset({T.REQUESTED, T.WITHDRAWN}),
    T.REQUESTED: frozenset({T.APPROVED, T.REJECTED, T.WITHDRAWN}),
    T.APPROVED: frozenset({T.COMPLETED, T.WITHDRAWN}),
    **{final: frozenset() for final in FINAL_TRANSFER_STATUSES},
}


# --- the steps (powtracker.steps) and what each change form may change ----------------------

# The proposal's steps. Its page shows each one with a label as a button (powtracker.admin_steps):
# a step that leads to a status the table allows from where the proposal stands.
_CHANGE_AN_EXCHANGE = pgettext_lazy("your role does not allow you to …", "change an exchange")
_AGREE = "diplomacy.agree_exchangeproposal"
_CHANGE_PROPOSAL = "diplomacy.change_exchangeproposal"
PROPOSAL_CREATE = Step(
    "prepare-proposal",
    "diplomacy.add_exchangeproposal",
    pgettext_lazy("your role does not allow you to …", "prepare an exchange"),
)
# Its terms and lists, and every step that names no other permission.
PROPOSAL_CHANGE = Step("change-proposal", _CHANGE_PROPOSAL, _CHANGE_AN_EXCHANGE)
PROPOSAL_EXECUTE = Step(
    "execute",
    "diplomacy.execute_exchangeproposal",
    pgettext_lazy("your role does not allow you to …", "execute an exchange"),
    to_status=P.EXECUTED,
    label=_("Execute: hand over the included captives"),
    done=_("Proposal executed."),
)
# Back from agreement to negotiation: whoever may agree an exchange may reopen it, and says why
# (exchange_proposal_reopen).
PROPOSAL_REOPEN = Step(
    "reopen",
    _AGREE,
    pgettext_lazy("your role does not allow you to …", "reopen an agreed exchange"),
    to_status=PROPOSAL_REOPENING[1],
    from_statuses=frozenset({PROPOSAL_REOPENING[0]}),
    label=_("Reopen negotiation…"),
    done=_("Proposal reopened for negotiation."),
    needs_reason=True,
    explanation=_(
        "Reopening sends it back to negotiation: its parties, terms and lists may change again, "
        "and it must be agreed again before it is executed. The reason is kept in its history."
    ),
)
PROPOSAL_STEPS = (
    Step(
        "submit",
        _CHANGE_PROPOSAL,
        _CHANGE_AN_EXCHANGE,
        to_status=P.PROPOSED,
        label=_("Submit to the counterpart"),
        done=_("Proposal submitted to the counterpart."),
    ),
    Step(
        "negotiate",
        _CHANGE_PROPOSAL,
        _CHANGE_AN_EXCHANGE,
        to_status=P.UNDER_NEGOTIATION,
        from_statuses=frozenset({P.PROPOSED}),
        label=_("Mark under negotiation"),
        done=_("Proposal marked under negotiation."),
    ),
    Step(
        "agree",
        _AGREE,
        pgettext_lazy("your role does not allow you to …", "agree an exchange"),
        to_status=P.AGREED,
        label=_("Agree"),
        done=_("Proposal agreed."),
    ),
    PROPOSAL_EXECUTE,
    PROPOSAL_REOPEN,
    Step(
        "reject",
        _CHANGE_PROPOSAL,
        _CHANGE_AN_EXCHANGE,
        to_status=P.REJECTED,
        label=_("Mark rejected"),
        done=_("Proposal marked rejected."),
        closing=True,
    ),
    Step(
        "withdraw",
        _CHANGE_PROPOSAL,
        _CHANGE_AN_EXCHANGE,
        to_status=P.WITHDRAWN,
        label=_("Withdraw"),
        done=_("Proposal withdrawn."),
        closing=True,
    ),
    Step(
        "expire",
        _CHANGE_PROPOSAL,
        _CHANGE_AN_EXCHANGE,
        to_status=P.EXPIRED,
        label=_("Mark expired"),
        done=_("Proposal marked expired."),
        closing=True,
    ),
)
# What the proposal's change form may change while it is open.
PROPOSAL_TERMS_FIELDS = frozenset(
    {"title", "counterpart_state", "mediator", "terms", "proposed_on", "expires_on", "notes"}
)

# The transfer request's steps, shown on its page as the proposal's are.
_APPROVE = "diplomacy.approve_transferrequest"
TRANSFER_CREATE = Step(
    "create-transfer",
    "diplomacy.add_transferrequest",
    pgettext_lazy("your role does not allow you to …", "record a transfer request"),
)
# What it says, and every step that names no other permission.
TRANSFER_CHANGE = Step(
    "change-transfer",
    "diplomacy.change_transferrequest",
    pgettext_lazy("your role does not allow you to …", "change a transfer request"),
)
TRANSFER_COMPLETE = Step(
    "complete",
    _APPROVE,
    pgettext_lazy("your role does not allow you to …", "complete a transfer"),
    to_status=T.COMPLETED,
    label=_("Complete: hand him over"),
    done=_("Transfer completed."),
)
TRANSFER_STEPS = (
    Step(
        "request",
        TRANSFER_CHANGE.permission,
        TRANSFER_CHANGE.verb,
        to_status=T.REQUESTED,
        label=_("Mark formally requested"),
        done=_("Transfer marked formally requested."),
    ),
    Step(
        "approve",
        _APPROVE,
        pgettext_lazy("your role does not allow you to …", "approve a transfer"),
        to_status=T.APPROVED,
        label=_("Approve"),
        done=_("Transfer approved."),
    ),
    TRANSFER_COMPLETE,
    Step(
        "reject",
        _APPROVE,
        pgettext_lazy("your role does not allow you to …", "reject a transfer"),
        to_status=T.REJECTED,
        label=_("Reject"),
        done=_("Transfer rejected."),
        closing=True,
    ),
    Step(
        "withdraw",
        TRANSFER_CHANGE.permission,
        TRANSFER_CHANGE.verb,
        to_status=T.WITHDRAWN,
        label=_("Mark withdrawn"),
        done=_("Transfer withdrawn."),
        closing=True,
    ),
)

# What a transfer request's page may change: what the state said and when; its captive, state,
# kind and status are what it is (a status changes by its steps).
TRANSFER_DETAILS_FIELDS = frozenset({"basis", "stated_on", "notes"})

# Diplomatic contacts.
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
CONTACT_ADD = Step(
    "add-contact",
    "diplomacy.add_diplomaticcontact",
    pgettext_lazy("your role does not allow you to …", "record a diplomatic contact"),
)
CONTACT_CHANGE = Step(
    "change-contact",
    "diplomacy.change_diplomaticcontact",
    pgettext_lazy("your role does not allow you to …", "change a diplomatic contact"),
)
