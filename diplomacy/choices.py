"""Choices of the diplomacy app: roles of states, proposal and transfer statuses, channels; and the
services' tables: who may take each step, what each change form may change."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class InvolvementRole(models.TextChoices):
    DETAINING_POWER = "detaining_power", _("Detaining power")
    POWER_DEPENDED_ON = "power_depended_on", _("Power depended on")
    ALLIED_POWER = "allied_power", _("Allied power")
    RECEIVING_STATE = "receiving_state", _("Receiving state")
    PROTECTING_POWER = "protecting_power", _("Protecting power")
    MEDIATOR = "mediator", _("Mediator")
    VERIFIER = "verifier", _("Verifier")


R = InvolvementRole
# His power and its ally: each held by at most one state at a time (an involvement not ended),
# mirrored on the captive's own columns of the same names by diplomacy.services alone.
POWER_ROLE_FIELDS: dict[str, str] = {
    R.POWER_DEPENDED_ON: "power_depended_on",
    R.ALLIED_POWER: "allied_power",
}
# A state is hostile to a captive (rule 4) if, by any involvement, ended or not, it held one of
# these roles in his case, or if it is his nationality (partners.disclosure).
HOSTILE_ROLES: frozenset[str] = frozenset(POWER_ROLE_FIELDS)
# Involvements a hostile partner never receives: who offers to take him in.
HIDDEN_FROM_HOSTILE_ROLES: frozenset[str] = frozenset({R.RECEIVING_STATE})


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


class DocumentLanguage(models.TextChoices):
    """The languages the GC III documents print their labels in (reports.documents). Each name
    is given in its own language, as a language menu shows it."""

    ENGLISH = "en", "English"
    KOREAN = "ko", "한국어"
    UKRAINIAN = "uk", "Українська"
    RUSSIAN = "ru", "Русский"


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

# Involvements.
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

# What a transfer request's page may change: what the state said and when; its captive, state,
# kind and status are what it is (a status changes by its steps).
TRANSFER_DETAILS_FIELDS = frozenset({"basis", "stated_on", "notes"})

# States.
STATE_FIELDS = frozenset({"code", "name", "gc3_party", "language", "notes"})

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
