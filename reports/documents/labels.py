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
