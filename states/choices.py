"""Choices of the states app: the languages of the documents; and the services' table of what a
state's record holds."""

from django.db import models


class DocumentLanguage(models.TextChoices):
    """The languages the GC III documents print their labels in (reports.documents). Each name
    is given in its own language, as a language menu shows it."""

    ENGLISH = "en", "English"
    KOREAN = "ko", "한국어"
    UKRAINIAN = "uk", "Українська"
    RUSSIAN = "ru", "Русский"


# What a state's record holds (states.services).
STATE_FIELDS = frozenset({"code", "name", "gc3_party", "language", "notes"})
