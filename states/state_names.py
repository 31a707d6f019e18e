"""A state's name in the reader's language.

A state's record keeps the name it was registered under (English in the demo, and what the API
gives partners). People reading the admin in another language see the name of that country in
their language, from the ISO 3166 names django-countries translates (CLDR), when its code is
one of them; otherwise the recorded name."""

from django.utils import translation
from django_countries import countries


def state_name(code: str, recorded: str) -> str:
    language = translation.get_language() or "en"
    if language.split("-")[0] == "en":
        return recorded
    alpha2 = countries.alpha2(code)
    if not alpha2:
        return recorded
    return str(countries.name(alpha2)) or recorded
