"""Choices of the states app: the languages of the documents; who may manage the list; and
the services' table of what a state's record holds."""

from django.db import models
from django.utils.translation import pgettext_lazy

from powtracker.steps import Step


class DocumentLanguage(models.TextChoices):
    """The languages the GC III documents print their labels in (reports.documents). Each name
    is given in its own language, as a language menu shows it."""

    ENGLISH = "en", "English"
    KOREAN = "ko", "한국어"
    UKRAINIAN = "uk", "Українська"
    RUSSIAN = "ru", "Русский"


# States: supervisors manage their list (powtracker.steps).
_MANAGE_STATES = pgettext_lazy("your role does not allow you to …", "manage the list of states")
STATE_ADD = Step("add-state", "states.add_state", _MANAGE_STATES)
STATE_CHANGE = Step("change-state", "states.change_state", _MANAGE_STATES)
# What a state's record holds (states.services).
STATE_FIELDS = frozenset({"code", "name", "gc3_party", "language", "notes"})
