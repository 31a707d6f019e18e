"""Choices of the diplomacy app: proposal and transfer statuses, channels; and the services'
tables: who may take each step, what each change form may change."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


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


# --- the services' tables: who may take each step, what each change form may change ---------

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
