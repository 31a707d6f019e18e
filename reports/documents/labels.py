"""The documents' labels, through gettext (context "GC III document"), so that the languages
of the admin reuse the same catalogues (reports/locale)."""

from collections.abc import Iterable

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

# Each label is written out as pgettext_lazy("GC III document", …) so makemessages finds it.


# The capture card (GC III Art. 70, model in Annex IV B), in the model's order.
CARD_TITLE = pgettext_lazy("GC III document", "CAPTURE CARD FOR PRISONER OF WAR")
CARD_AGENCY = pgettext_lazy(
    "GC III document", "Central Prisoners of War Information Agency (Art. 123)"
)
CARD_LEGIBLY = pgettext_lazy("GC III document", "Write legibly and in block letters")
CARD_STRIKE_OUT = pgettext_lazy("GC III document", "Strike out what is not applicable")
POWER = pgettext_lazy("GC III document", "Power on which the prisoner depends")
NAME = pgettext_lazy("GC III document", "Name")
FIRST_NAMES = pgettext_lazy("GC III document", "First names (in full)")
OWN_SCRIPT = pgettext_lazy("GC III document", "Name in his own script")
FATHER = pgettext_lazy("GC III document", "First name of father")
BIRTH_DATE = pgettext_lazy("GC III document", "Date of birth")
BIRTH_PLACE = pgettext_lazy("GC III document", "Place of birth")
RANK = pgettext_lazy("GC III document", "Rank")
SERVICE_NUMBER = pgettext_lazy("GC III document", "Service number")
FAMILY_ADDRESS = pgettext_lazy("GC III document", "Address of family")
TAKEN_PRISONER = pgettext_lazy("GC III document", "Taken prisoner on")
COMING_FROM = pgettext_lazy("GC III document", "(or) Coming from (camp No., hospital, etc.)")
HEALTH = pgettext_lazy("GC III document", "State of health")
GOOD_HEALTH = pgettext_lazy("GC III document", "Good health")
NOT_WOUNDED = pgettext_lazy("GC III document", "Not wounded")
RECOVERED = pgettext_lazy("GC III document", "Recovered")
CONVALESCENT = pgettext_lazy("GC III document", "Convalescent")
SICK = pgettext_lazy("GC III document", "Sick")
SLIGHTLY_WOUNDED = pgettext_lazy("GC III document", "Slightly wounded")
SERIOUSLY_WOUNDED = pgettext_lazy("GC III document", "Seriously wounded")
PRESENT_ADDRESS = pgettext_lazy("GC III document", "My present address")
PRISONER_NUMBER = pgettext_lazy("GC III document", "Prisoner No.")
CAMP = pgettext_lazy("GC III document", "Name of camp")
DATE = pgettext_lazy("GC III document", "Date")
SIGNATURE = pgettext_lazy("GC III document", "Signature")
DECLINED = pgettext_lazy("GC III document", "Declined to state (Art. 17)")

# Every label of the capture card, for the catalogue test.
CARD_LABELS: tuple[Promise, ...] = (
    CARD_TITLE,
    CARD_AGENCY,
    CARD_LEGIBLY,
    CARD_STRIKE_OUT,
    POWER,
    NAME,
    FIRST_NAMES,
    OWN_SCRIPT,
    FATHER,
    BIRTH_DATE,
    BIRTH_PLACE,
    RANK,
    SERVICE_NUMBER,
    FAMILY_ADDRESS,
    TAKEN_PRISONER,
    COMING_FROM,
    HEALTH,
    GOOD_HEALTH,
    NOT_WOUNDED,
    RECOVERED,
    CONVALESCENT,
    SICK,
    SLIGHTLY_WOUNDED,
    SERIOUSLY_WOUNDED,
    PRESENT_ADDRESS,
    PRISONER_NUMBER,
    CAMP,
    DATE,
    SIGNATURE,
    DECLINED,
)


def in_languages(label: Promise | str, languages: Iterable[str]) -> list[str]:
    """The label in each language, in order, each wording once (two languages that say the
    same thing, or English twice, print it once)."""
    texts: list[str] = []
    for language in languages:
        with translation.override(language):
            text = str(label)
        if text not in texts:
            texts.append(text)
    return texts


# The exchange roster: who is handed over under an exchange proposal, who is received, and
# the signatures of both states and of the ICRC as witness.
ROSTER_TITLE = pgettext_lazy("GC III document", "EXCHANGE ROSTER")
ROSTER_SUBTITLE = pgettext_lazy(
    "GC III document", "Prisoners of war handed over and persons received in exchange"
)
PROPOSAL = pgettext_lazy("GC III document", "Exchange proposal")
PROPOSING_STATE = pgettext_lazy("GC III document", "Proposing state (hands over)")
COUNTERPART_STATE = pgettext_lazy("GC III document", "Counterpart state (receives)")
MEDIATOR = pgettext_lazy("GC III document", "Mediator")
STATUS = pgettext_lazy("GC III document", "Status")
PROPOSED_ON = pgettext_lazy("GC III document", "Proposed on")
EXPIRES_ON = pgettext_lazy("GC III document", "Expires on")
DECIDED_ON = pgettext_lazy("GC III document", "Decided on")
EXECUTED_ON = pgettext_lazy("GC III document", "Executed on")
VERSION = pgettext_lazy("GC III document", "Version of the list")
VERSION_NOTE = pgettext_lazy(
    "GC III document",
    "This roster shows the list as it stood at this version. A roster with another version "
    "shows another list.",
)
HANDED_OVER = pgettext_lazy("GC III document", "Captives handed over")
LISTED = pgettext_lazy("GC III document", "Number of captives listed")
ROW_NUMBER = pgettext_lazy("GC III document", "No.")
CASE_NUMBER = pgettext_lazy("GC III document", "Case number")
FAMILY_NAME_LATIN = pgettext_lazy("GC III document", "Family name (Latin)")
GIVEN_NAMES_LATIN = pgettext_lazy("GC III document", "Given names (Latin)")
FLAG = pgettext_lazy("GC III document", "Art. 109–110")
FLAG_LEGEND = pgettext_lazy(
    "GC III document",
    "Seriously wounded or seriously sick (GC III Art. 109–110): to be repatriated directly, "
    "regardless of number or rank, once fit to travel.",
)
UNHARMED = pgettext_lazy("GC III document", "Unharmed")
WOUNDED = pgettext_lazy("GC III document", "Wounded")
SERIOUSLY_SICK = pgettext_lazy("GC III document", "Seriously sick")
NONE_LISTED = pgettext_lazy("GC III document", "None.")
RECEIVED = pgettext_lazy("GC III document", "Persons received in return")
RECEIVED_NAME = pgettext_lazy("GC III document", "Name or group")
UNNAMED_GROUP = pgettext_lazy("GC III document", "Unnamed group")
COUNT = pgettext_lazy("GC III document", "Number")
UNSPECIFIED = pgettext_lazy("GC III document", "Unspecified")
DESCRIPTION = pgettext_lazy("GC III document", "Description")
HELD_BY = pgettext_lazy("GC III document", "Held by")
SIGNATURES = pgettext_lazy("GC III document", "Signatures")
FOR_PROPOSING = pgettext_lazy("GC III document", "For the state handing over")
FOR_COUNTERPART = pgettext_lazy("GC III document", "For the state receiving")
WITNESS = pgettext_lazy("GC III document", "Witness")
ICRC = pgettext_lazy("GC III document", "International Committee of the Red Cross")
FULL_NAME = pgettext_lazy("GC III document", "Full name")
FUNCTION = pgettext_lazy("GC III document", "Function")
PLACE = pgettext_lazy("GC III document", "Place")
PRINTED = pgettext_lazy("GC III document", "Printed")

PROPOSAL_STATUSES: dict[str, Promise] = {
    "draft": pgettext_lazy("GC III document", "Draft"),
    "proposed": pgettext_lazy("GC III document", "Proposed"),
    "under_negotiation": pgettext_lazy("GC III document", "Under negotiation"),
    "agreed": pgettext_lazy("GC III document", "Agreed"),
    "executed": pgettext_lazy("GC III document", "Executed"),
    "rejected": pgettext_lazy("GC III document", "Rejected"),
    "withdrawn": pgettext_lazy("GC III document", "Withdrawn"),
    "expired": pgettext_lazy("GC III document", "Expired"),
}
HEALTH_STATES: dict[str, Promise] = {
    "unharmed": UNHARMED,
    "wounded": WOUNDED,
    "seriously_wounded": SERIOUSLY_WOUNDED,
    "sick": SICK,
    "seriously_sick": SERIOUSLY_SICK,
}
