"""Choices of the cases app and the custody transition table."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from powtracker.steps import Step


class Sex(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")
    NOT_RECORDED = "not_recorded", _("Not recorded")


class IdentityStatus(models.TextChoices):
    CLAIMED = "claimed", _("Claimed")
    DOCUMENTED = "documented", _("Documented")
    VERIFIED = "verified", _("Verified")
    DISPUTED = "disputed", _("Disputed")


class LegalStatus(models.TextChoices):
    PRISONER_OF_WAR = "pow", _("Prisoner of war")
    CIVILIAN_INTERNEE = "civilian_internee", _("Civilian internee")
    ART5_PENDING = "art5_pending", _("Pending an Art. 5 tribunal")


class Health(models.TextChoices):
    UNHARMED = "unharmed", _("Unharmed")
    WOUNDED = "wounded", _("Wounded")
    SERIOUSLY_WOUNDED = "seriously_wounded", _("Seriously wounded")
    SICK = "sick", _("Sick")
    SERIOUSLY_SICK = "seriously_sick", _("Seriously sick")


class Script(models.TextChoices):
    LATIN = "latin", _("Latin")
    HANGUL = "hangul", _("Hangul")
    CYRILLIC = "cyrillic", _("Cyrillic")
    ARABIC = "arabic", _("Arabic")
    HAN = "han", _("Chinese characters")
    OTHER = "other", _("Other")


class NameSystem(models.TextChoices):
    """How a rendering of a name was made."""

    REVISED_ROMANIZATION = "revised_romanization", _("Revised Romanization")
    MCCUNE_REISCHAUER = "mccune_reischauer", _("McCune–Reischauer")
    CYRILLIC = "cyrillic", _("Cyrillic")
    LATIN_PASSPORT = "latin_passport", _("Latin (as in a document)")
    ALIAS = "alias", _("Alias or name on a document")
    OTHER = "other", _("Other")


class CustodyEventKind(models.TextChoices):
    CAPTURED = "captured", _("Captured")
    IN_TRANSIT = "in_transit", _("In transit")
    HOSPITALIZED = "hospitalized", _("Hospitalized")
    INTERNED = "interned", _("Interned")
    TRANSFERRED = "transferred", _("Transferred to another power")
    EXCHANGED = "exchanged", _("Exchanged")
    REPATRIATED = "repatriated", _("Repatriated")
    RELEASED = "released", _("Released")
    RESETTLED = "resettled", _("Resettled in a third state")
    ESCAPED = "escaped", _("Escaped")
    DECEASED = "deceased", _("Deceased")


K = CustodyEventKind

# The custody status is the kind of the latest event. These end the case: nothing may follow.
FINAL_CUSTODY_STATUSES: frozenset[str] = frozenset(
    {K.EXCHANGED, K.REPATRIATED, K.RELEASED, K.RESETTLED, K.DECEASED}
)

_LEAVING_OR_MOVING = frozenset(
    {
        K.IN_TRANSIT,
        K.HOSPITALIZED,
        K.INTERNED,
        K.TRANSFERRED,
        K.EXCHANGED,
        K.REPATRIATED,
        K.RELEASED,
        K.RESETTLED,
        K.ESCAPED,
        K.DECEASED,
    }
)

# Which event kinds may follow the current status (None: nothing recorded yet).
# A case always starts with a capture; an escaped prisoner can only be recaptured or found dead;
# moving between camps or between hospitals is a new interned / hospitalized event.
CUSTODY_TRANSITIONS: dict[str | None, frozenset[str]] = {
    None: frozenset({K.CAPTURED}),
    K.CAPTURED: _LEAVING_OR_MOVING,
    K.IN_TRANSIT: _LEAVING_OR_MOVING - {K.IN_TRANSIT},
    K.HOSPITALIZED: _LEAVING_OR_MOVING,
    K.INTERNED: _LEAVING_OR_MOVING,
    K.TRANSFERRED: _LEAVING_OR_MOVING,
    K.ESCAPED: frozenset({K.CAPTURED, K.DECEASED}),
    **{final: frozenset() for final in FINAL_CUSTODY_STATUSES},
}


def custody_final(status: str | None) -> bool:
    """Whether the custody status ends the case: the table lets nothing follow it."""
    allowed = CUSTODY_TRANSITIONS.get(status or None)
    return allowed is not None and not allowed


class Wish(models.TextChoices):
    RETURN = "return", _("Return to the power depended on")
    REMAIN = "remain", _("Remain in the detaining state")
    DEFECT = "defect", _("Defect to another state")
    UNDECIDED = "undecided", _("Undecided")


class WishMode(models.TextChoices):
    """How a wish was expressed."""

    CAPTOR_INTERROGATION = "captor_interrogation", _("Interrogation by the captor")
    PUBLISHED_VIDEO = "published_video", _("Published video")
    CASEWORKER_INTERVIEW = "caseworker_interview", _("Caseworker interview")
    PRIVATE_INTERVIEW = "private_interview", _("Private interview without witnesses (Art. 126)")
    WRITTEN_REQUEST = "written_request", _("Written request")


class Voluntariness(models.TextChoices):
    FREE = "free", pgettext_lazy("a wish expressed", "Free")
    DOUBTFUL = "doubtful", _("Doubtful")
    COERCION_SUSPECTED = "coercion_suspected", _("Coercion suspected")
    NOT_ASSESSED = "not_assessed", _("Not assessed")


# Custody events that hand a captive to another state: each goes through the repatriation gate.
HANDOVER_KINDS: frozenset[str] = frozenset({K.EXCHANGED, K.REPATRIATED, K.RESETTLED, K.TRANSFERRED})
# What a partner may record of his custody: where he was moved, a hospital, a camp. Handing him
# over and ending his case (release, escape, death) are the detaining power's own steps.
PARTNER_EVENT_KINDS: frozenset[str] = frozenset({K.IN_TRANSIT, K.HOSPITALIZED, K.INTERNED})


class ReviewDecision(models.TextChoices):
    CLEARED = "cleared", _("Cleared: no risk of persecution or serious harm found")
    NOT_CLEARED = "not_cleared", _("Not cleared")


class ObligationKind(models.TextChoices):
    CAPTURE_CARD = "capture_card", _("Capture card (Art. 70)")
    NIB_NOTIFICATION = (
        "nib_notification",
        _("Notification to the National Information Bureau (Art. 122)"),
    )
    HEALTH_REPORT = "health_report", _("Health report, seriously wounded or sick (Art. 122)")
    DEATH_RECORD = "death_record", _("Death record (Art. 120)")
    TRIAL_NOTICE = "trial_notice", _("Names of those held for trial (Art. 119)")


# An obligation's kind in a few words, for lists and the front page (the label on hover).
OBLIGATION_KIND_SHORT = {
    ObligationKind.CAPTURE_CARD: _("Capture card (Art. 70)"),
    ObligationKind.NIB_NOTIFICATION: _("NIB notification (Art. 122)"),
    ObligationKind.HEALTH_REPORT: _("Health report (Art. 122)"),
    ObligationKind.DEATH_RECORD: _("Death record (Art. 120)"),
    ObligationKind.TRIAL_NOTICE: _("Trial notice (Art. 119)"),
}


class ObligationState(models.TextChoices):
    DUE = "due", _("Due")
    OVERDUE = "overdue", _("Overdue")
    FULFILLED = "fulfilled", _("Fulfilled")
    CANCELLED = "cancelled", _("Cancelled")


class MediaKind(models.TextChoices):
    VIDEO = "video", _("Video")
    PHOTO = "photo", _("Photo")
    DOCUMENT = "document", _("Document")
    AUDIO = "audio", _("Audio")


class DuplicateVerdict(models.TextChoices):
    """What a caseworker decided about two records proposed as the same person."""

    SAME_PERSON = "same_person", _("Same person")
    NOT_SAME = "not_same", _("Not the same")


# --- tables the case services follow -----------------------------------------------------------

# Event kinds after which the captive stays with the same custodian unless told otherwise.
_SAME_CUSTODIAN = frozenset(
    {CustodyEventKind.IN_TRANSIT, CustodyEventKind.HOSPITALIZED, CustodyEventKind.INTERNED}
)

# Fields kept in step by the services; no edit may touch them.
CAPTIVE_DERIVED_FIELDS = frozenset(
    {
        "case_number",
        "fictional",
        "custody_status",
        "custody_place",
        "custodian",
        "custody_since",
        "effective_wish",
        "effective_wish_destination",
        "effective_wish_statement",
        "latest_wish_statement",
        # Copies of his involvements (cases.services.captive_powers_set changes them).
        "power_depended_on",
        "allied_power",
    }
)

CUSTODY_FIELDS = ["custody_status", "custody_place", "custodian", "custody_since"]

# Which duties each custody event creates: Art. 70 capture card on arrival at a camp or hospital
# and on transfer; Art. 122 notification of capture, transfers, releases, repatriations, escapes,
# admissions to hospital and deaths; Art. 120 death record.
EVENT_OBLIGATIONS: dict[str, tuple[str, ...]] = {
    CustodyEventKind.CAPTURED: (ObligationKind.NIB_NOTIFICATION,),
    CustodyEventKind.INTERNED: (ObligationKind.CAPTURE_CARD,),
    CustodyEventKind.HOSPITALIZED: (ObligationKind.CAPTURE_CARD, ObligationKind.NIB_NOTIFICATION),
    CustodyEventKind.TRANSFERRED: (ObligationKind.CAPTURE_CARD, ObligationKind.NIB_NOTIFICATION),
    CustodyEventKind.RELEASED: (ObligationKind.NIB_NOTIFICATION,),
    CustodyEventKind.EXCHANGED: (ObligationKind.NIB_NOTIFICATION,),
    CustodyEventKind.REPATRIATED: (ObligationKind.NIB_NOTIFICATION,),
    CustodyEventKind.RESETTLED: (ObligationKind.NIB_NOTIFICATION,),
    CustodyEventKind.ESCAPED: (ObligationKind.NIB_NOTIFICATION,),
    CustodyEventKind.DECEASED: (ObligationKind.NIB_NOTIFICATION, ObligationKind.DEATH_RECORD),
}

HEALTH_REPORT_OPENED = "Seriously wounded or sick: weekly report"
HEALTH_REPORT_CLOSED = "No longer seriously wounded or sick in our custody"


class DocumentKind(models.TextChoices):
    """The GC III documents the register prints (reports.documents): declared here, below
    reports, because an obligation names the documents that fulfil it (DOCUMENTS_FULFILLING)."""

    CAPTURE_CARD = "capture_card", _("Capture card (Art. 70)")
    NIB_NOTIFICATION = "nib_notification", _("Notification to the Information Bureau (Art. 122)")
    EXCHANGE_ROSTER = "exchange_roster", _("Exchange roster")
    CASE_FILE = "case_file", _("Case file (internal)")


# Which printed documents (DocumentKind) can be what fulfilled a duty.
DOCUMENTS_FULFILLING: dict[str, set[str]] = {
    ObligationKind.CAPTURE_CARD: {DocumentKind.CAPTURE_CARD},
    ObligationKind.NIB_NOTIFICATION: {DocumentKind.NIB_NOTIFICATION},
    ObligationKind.HEALTH_REPORT: {DocumentKind.NIB_NOTIFICATION},
    ObligationKind.DEATH_RECORD: {DocumentKind.NIB_NOTIFICATION},
}

RENDERING_CHANGEABLE_FIELDS = frozenset({"system", "full_name", "note"})

MEDIA_FIELDS = frozenset(
    {
        "kind",
        "title",
        "publisher",
        "publisher_state",
        "published_on",
        "location",
        "description",
        "exposes_to_public_curiosity",
        "art13_notes",
    }
)


# --- the steps: who may take each, in what words a role is refused (powtracker.steps) ---------

# The custody transition table's refusals (powtracker.steps.transition_check).
CUSTODY_TRANSITION_REFUSALS = {
    "start": _("A custody timeline starts with the capture, not with “%(wanted)s”."),
    "final": _("“%(current)s” ends the case: nothing can follow it, not even “%(wanted)s”."),
    "next": _("“%(wanted)s” cannot follow “%(current)s”. Allowed next: %(allowed)s."),
}

# The case page's buttons (cases.admin.case_actions): each opens a form page of its own.
CUSTODY_EVENT_RECORD = Step(
    "custody-event",
    "cases.add_custodyevent",
    pgettext_lazy("your role does not allow you to …", "record a custody event"),
    label=_("Record custody event…"),
    title=_("Record a custody event"),
)
WISH_STATEMENT_RECORD = Step(
    "wish",
    "cases.add_wishstatement",
    pgettext_lazy("your role does not allow you to …", "record a wish statement"),
    label=_("Record wish statement…"),
    title=_("Record a wish statement"),
)
WISH_STATEMENT_ASSESS = Step(
    "assess",
    "cases.assess_wishstatement",
    pgettext_lazy("your role does not allow you to …", "assess the voluntariness of a wish"),
    label=_("Assess latest statement…"),
    title=_("Assess the latest statement not yet assessed"),
    submit=_("Record the assessment"),
)
NON_REFOULEMENT_REVIEW_RECORD = Step(
    "review",
    "cases.add_nonrefoulementreview",
    pgettext_lazy("your role does not allow you to …", "record a non-refoulement review"),
    label=_("Record non-refoulement review…"),
    title=_("Record a non-refoulement review"),
)
OBLIGATION_FULFIL = Step(
    "fulfil",
    "cases.change_obligation",
    pgettext_lazy("your role does not allow you to …", "fulfil an obligation"),
    label=_("Fulfil next obligation…"),
    title=_("Fulfil the next obligation"),
    submit=_("Mark fulfilled"),
)

# The services' other steps.
CAPTIVE_REGISTER = Step(
    "register",
    "cases.add_captive",
    pgettext_lazy("your role does not allow you to …", "register a captive"),
)
# A partner's agency registers a captive its state holds, recording its state as involved.
CAPTIVE_REGISTER_BY_PARTNER = Step(
    "register-by-partner", "cases.add_involvement", CAPTIVE_REGISTER.verb
)
CAPTIVE_UPDATE = Step(
    "update",
    "cases.change_captive",
    pgettext_lazy("your role does not allow you to …", "change a captive's particulars"),
)
CUSTODY_EVENT_VOID = Step(
    "void-custody-event",
    "cases.change_custodyevent",
    pgettext_lazy("your role does not allow you to …", "void a custody event"),
)
WISH_STATEMENT_VOID = Step(
    "void-wish",
    "cases.change_wishstatement",
    pgettext_lazy("your role does not allow you to …", "void a wish statement"),
)
# An assessed statement carries a supervisor's decision: voiding it is the assessor's too.
WISH_STATEMENT_VOID_ASSESSED = Step(
    "void-assessed-wish",
    "cases.assess_wishstatement",
    pgettext_lazy("your role does not allow you to …", "void an assessed statement"),
)
NON_REFOULEMENT_REVIEW_VOID = Step(
    "void-review",
    "cases.change_nonrefoulementreview",
    pgettext_lazy("your role does not allow you to …", "void a review"),
)
CAPTIVE_NAME_ADD = Step(
    "add-name",
    "cases.add_captivename",
    pgettext_lazy("your role does not allow you to …", "add a rendering of a name"),
)
CAPTIVE_NAME_UPDATE = Step(
    "change-name",
    "cases.change_captivename",
    pgettext_lazy("your role does not allow you to …", "change a rendering of a name"),
)
MEDIA_RECORD_ADD = Step(
    "add-media",
    "cases.add_mediarecord",
    pgettext_lazy("your role does not allow you to …", "record a media record"),
)
MEDIA_RECORD_UPDATE = Step(
    "change-media",
    "cases.change_mediarecord",
    pgettext_lazy("your role does not allow you to …", "change a media record"),
)
OBLIGATION_RECORD = Step(
    "add-obligation",
    "cases.add_obligation",
    pgettext_lazy("your role does not allow you to …", "record an obligation"),
)
OBLIGATION_UPDATE = Step(
    "change-obligation",
    "cases.change_obligation",
    pgettext_lazy("your role does not allow you to …", "change an obligation"),
)
DUPLICATE_DECIDE = Step(
    "decide-duplicates",
    "cases.add_duplicatedecision",
    pgettext_lazy("your role does not allow you to …", "decide about duplicates"),
)


# --- the states involved in a case -------------------------------------------------------


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
# mirrored on the captive's own columns of the same names by cases.services.involvements alone.
POWER_ROLE_FIELDS: dict[str, str] = {
    R.POWER_DEPENDED_ON: "power_depended_on",
    R.ALLIED_POWER: "allied_power",
}
# A state is hostile to a captive (rule 4) if, by any involvement, ended or not, it held one of
# these roles in his case, or if it is his nationality (partners.disclosure).
HOSTILE_ROLES: frozenset[str] = frozenset(POWER_ROLE_FIELDS)
# Involvements a hostile partner never receives: who offers to take him in.
HIDDEN_FROM_HOSTILE_ROLES: frozenset[str] = frozenset({R.RECEIVING_STATE})

# Involvements (powtracker.steps).
INVOLVEMENT_ADD = Step(
    "add-involvement",
    "cases.add_involvement",
    pgettext_lazy("your role does not allow you to …", "record a state's involvement"),
)
INVOLVEMENT_CHANGE = Step(
    "change-involvement",
    "cases.change_involvement",
    pgettext_lazy("your role does not allow you to …", "change a state's involvement"),
)
# What may change in an involvement once recorded: its state, role and captive are what it is.
INVOLVEMENT_CHANGEABLE_FIELDS = frozenset({"position", "started_on", "ended_on", "notes"})
