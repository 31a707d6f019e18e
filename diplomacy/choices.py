"""Choices of the diplomacy app: roles of states, proposal and transfer statuses, channels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


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
