"""Duplicate candidates: the captives already registered who may be the person being registered,
imported or sent by a partner for matching, each with a score and the reasons for it.

Found cheaply through the indexes the name search uses (migration 0010): the trigram indexes on
the skeleton keys (cases.names) of every captive and every rendering, and the service number.
Then scored in Python with rapidfuzz, rendering against rendering, family name and given names
apart — so that Pak and Paek, or Ivanov and Ivanova, stay different people although their keys
differ by a letter — and adjusted by the date or year of birth and the service number. Pairs a
caseworker has decided about (cases.services.duplicate_decide) are never proposed again, and a
linked duplicate is never proposed: the case kept stands for him (and carries his renderings).
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from django.contrib.postgres.lookups import TrigramSimilar
from django.db import connection, transaction
from django.db.models import F, Q, QuerySet, Value
from django.utils.translation import gettext as _
from rapidfuzz.distance import Levenshtein

from cases.models import Captive, CaptiveName, DuplicateDecision
from cases.names import name_skeleton

# From this score up a captive is proposed as a possible duplicate (tests/data/name_pairs.csv
# measures the classifier at this threshold: tests/cases/test_duplicates.py, bench/duplicates.py).
DUPLICATE_THRESHOLD = 80
# How many captives the index lookups may hand to the scoring at most.
POOL = 300
# Trigram similarity (pg_trgm) from which a skeleton key is a lookup hit. The keys are short
# (8–12 letters) and a captive's column holds two or three of them, so a spelling one vowel off
# ("Chul-soo" for Cheol-su) scores about 0.3; the default threshold, 0.3, would miss half of them.
TRIGRAM_THRESHOLD = 0.2

# Korean family names of two syllables: 남궁민 is 남궁 + 민, not 남 + 궁민.
_TWO_SYLLABLE_FAMILIES = frozenset({"남궁", "황보", "선우", "제갈", "독고", "사공", "서문", "동방"})
_HANGUL = re.compile(r"^[\uac00-\ud7a3]+$")
_WORDS = re.compile(r"[\s,;/()]+")
# Patronymics (Ivanovich, Petrivna, Іванович, Петрівна): left out of the given names, since one
# list records them and another does not.
_PATRONYMIC = re.compile(r"(?:vich|vych|vitch|witsch|vna|wna|ichna|ична|вич|вна|ич)$")
_SERVICE_NUMBER_NOISE = re.compile(r"[\s\-./]+")


@dataclass(frozen=True)
class Form:
    """A rendering of a name split into the skeleton keys of its family name and given names."""

    family: str
    given: str


@dataclass
class Candidate:
    """A captive who may be the same person, how sure we are (0–100), and why."""

    captive: Captive
    score: int
    reasons: list[str] = field(default_factory=list)


@dataclass
class _Person:
    """What the scoring compares: name forms, skeleton keys, birth and service number."""

    forms: list[Form]
    keys: set[str]
    birth_date: date | None = None
    birth_year: int | None = None
    service_number: str = ""


def _words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text or "").strip()
    return [word for word in _WORDS.split(text) if word]


def _given_key(words: list[str]) -> str:
    kept = [w for w in words if not _PATRONYMIC.search(w.lower())] or words
    return name_skeleton(" ".join(kept))


@lru_cache(maxsize=65536)
def name_forms(text: str) -> tuple[Form, ...]:
    """The ways a name written in one string may divide into family name and given names:
    family name first or last; a Hangul name of one word after its first syllable (or its
    first two, for 남궁, 황보…)."""
    words = _words(text)
    if not words:
        return ()
    if len(words) == 1:
        word = words[0]
        if _HANGUL.match(word) and len(word) >= 2:
            split = 2 if word[:2] in _TWO_SYLLABLE_FAMILIES and len(word) >= 3 else 1
            return (Form(name_skeleton(word[:split]), name_skeleton(word[split:])),)
        return (Form(name_skeleton(word), ""),)
    forms = [
        Form(name_skeleton(words[0]), _given_key(words[1:])),
        Form(name_skeleton(words[-1]), _given_key(words[:-1])),
    ]
    return tuple(dict.fromkeys(forms))


def _structured_forms(family_name: str, given_names: str) -> list[Form]:
    """Forms of a name given as family name and given names (either may hold both, swapped)."""
    family, given = " ".join(_words(family_name)), " ".join(_words(given_names))
    if not family and not given:
        return []
    if not given or not family:
        return list(name_forms(family or given))
    forms = [Form(name_skeleton(family), _given_key(_words(given)))]
    # A list that wrote the given name first: Ivan Ivanov as family "Ivan", given "Ivanov".
    forms.append(Form(name_skeleton(given), name_skeleton(family)))
    if len(_words(family)) > 1:
        forms.extend(name_forms(f"{family} {given}"))
    return list(dict.fromkeys(f for f in forms if f.family))


def _feminine_pair(first: str, second: str) -> bool:
    """Ivanov / Ivanova, Petrenko stays Petrenko: a Slavic surname in its male and female form,
    two people (a man and a woman)."""
    return first != second and (first + "A" == second or second + "A" == first)


def _similarity(first: str, second: str) -> float:
    return Levenshtein.normalized_similarity(first, second)


# Vowel classes romanizations confuse in scoring only (not in the key): ㅓ written u ("Chul",
# "Sung") and ㅡ/ㅜ ("Eun", "Un") — the key's O and I — cost a little, not a whole letter.
_LOOSE_VOWELS = str.maketrans({"O": "I"})


def _given_similarity(first: str, second: str) -> float:
    if not first and not second:
        return 1.0
    if not first or not second:
        return 0.5  # one list gives only the family name: a weak hint
    exact = _similarity(first, second)
    loose = _similarity(first.translate(_LOOSE_VOWELS), second.translate(_LOOSE_VOWELS))
    return max(exact, loose - 0.15)


def _form_score(query: Form, recorded: Form) -> float:
    """0–100: how alike two forms are. The family name weighs most: one letter off (Pak/Paek,
    Kim/Kam) is another family; the given names allow a spelling's vowel."""
    family = _similarity(query.family, recorded.family)
    if _feminine_pair(query.family, recorded.family):
        family = min(family, 0.4)
    given = _given_similarity(query.given, recorded.given)
    return 100 * family * family * (0.2 + 0.8 * given)


def _name_score(query: _Person, recorded: _Person) -> tuple[float, str]:
    if query.keys & recorded.keys:
        return 100.0, _("name skeleton matches")
    best = max(
        (_form_score(q, r) for q in query.forms for r in recorded.forms),
        default=0.0,
    )
    return best, _("names alike (%(score)d%%)") % {"score": round(best)}


def _service_key(number: str) -> str:
    return _SERVICE_NUMBER_NOISE.sub("", unicodedata.normalize("NFKC", number or "")).upper()


def _evidence(query: _Person, recorded: _Person) -> tuple[float, list[str]]:
    """Points for or against from birth and service number, with the reasons."""
    points, reasons = 0.0, []
    if query.service_number and recorded.service_number:
        if query.service_number == recorded.service_number:
            points += 30
            reasons.append(_("same service number"))
        else:
            points -= 15
            reasons.append(_("different service numbers"))
    query_year = query.birth_date.year if query.birth_date else query.birth_year
    recorded_year = recorded.birth_date.year if recorded.birth_date else recorded.birth_year
    if query.birth_date and recorded.birth_date and query.birth_date == recorded.birth_date:
        points += 10
        reasons.append(_("same date of birth"))
    elif query_year and recorded_year:
        apart = abs(query_year - recorded_year)
        if apart == 0 and query.birth_date and recorded.birth_date:
            points -= 5
            reasons.append(_("same year, another day of birth"))
        elif apart == 0:
            points += 5
            reasons.append(_("same year of birth"))
        elif apart == 1:
            reasons.append(_("years of birth one apart"))
        else:
            points -= 25
            reasons.append(_("years of birth %(years)d apart") % {"years": apart})
    return points, reasons


def _captive_person(captive: Captive) -> _Person:
    forms = _structured_forms(captive.family_name, captive.given_names)
    forms += name_forms(captive.name_original)
    renderings = [rendering.full_name for rendering in captive.names.all()]
    for rendering in renderings:
        forms += name_forms(rendering)
    keys = set(captive.name_skeleton.split()) | {name_skeleton(r) for r in renderings}
    return _Person(
        forms=list(dict.fromkeys(forms)),
        keys=keys - {""},
        birth_date=captive.birth_date,
        birth_year=captive.birth_year,
        service_number=_service_key(captive.service_number),
    )


def _query_keys(family_name: str, given_names: str, name_original: str) -> set[str]:
    """The skeleton keys a captive recorded under this name would carry (Captive.save)."""
    keys = {
        name_skeleton(f"{family_name} {given_names}"),
        name_skeleton(f"{given_names} {family_name}"),
        name_skeleton(name_original),
    }
    return keys - {""}


def _lookup(queryset: QuerySet[Captive], keys: set[str], service_number: str) -> list[int]:
    """Ids of the captives of `queryset` the indexes find: a skeleton key alike (trigrams) or
    contained, on the captive or one of his renderings, or the same service number."""
    on_captive = Q(pk__in=[])
    on_renderings = Q(pk__in=[])
    for key in keys:
        on_captive |= Q(name_skeleton__contains=key)
        on_renderings |= Q(skeleton=key)
        if connection.vendor == "postgresql":
            on_captive |= Q(TrigramSimilar(F("name_skeleton"), Value(key)))
            on_renderings |= Q(TrigramSimilar(F("skeleton"), Value(key)))
    if service_number:
        on_captive |= Q(service_number__iexact=service_number)
    if connection.vendor != "postgresql":
        # SQLite has no trigrams: any captive sharing a family or given name's key, by LIKE.
        for key in _word_keys(keys):
            on_captive |= Q(name_skeleton__contains=key)
            on_renderings |= Q(skeleton__contains=key)
    matches = Q(pk__in=Captive.objects.filter(on_captive).values("pk")) | Q(
        pk__in=CaptiveName.objects.filter(on_renderings).values("captive_id")
    )
    found = queryset.filter(matches).order_by().values_list("pk", flat=True)[:POOL]
    if connection.vendor != "postgresql":
        return list(found)
    with transaction.atomic():
        # The threshold of the % operator, for this transaction only (set_config's `true`).
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('pg_trgm.similarity_threshold', %s, true)",
                [str(TRIGRAM_THRESHOLD)],
            )
        ids = list(found)
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('pg_trgm.similarity_threshold', '0.3', true)")
    return ids


def _word_keys(keys: Iterable[str]) -> set[str]:
    """Leading parts of the keys long enough to narrow a LIKE (SQLite's fallback)."""
    return {key[:4] for key in keys if len(key) >= 4}


def duplicate_candidates(
    *,
    family_name: str = "",
    given_names: str = "",
    name_original: str = "",
    birth_date: date | None = None,
    birth_year: int | None = None,
    service_number: str = "",
    queryset: QuerySet[Captive] | None = None,
    exclude: Captive | None = None,
    limit: int = 10,
) -> list[Candidate]:
    """The captives of `queryset` (all by default) who may be this person, best first: those
    scoring DUPLICATE_THRESHOLD or more, at most `limit`. Names in any script and romanization.

    `exclude`: the captive being compared (his own page): he is left out, and so is every
    captive a caseworker has decided about with him. Linked duplicates are never candidates.
    Creates nothing and reads only identity data.
    """
    queryset = Captive.objects.all() if queryset is None else queryset
    keys = _query_keys(family_name, given_names, name_original)
    forms = _structured_forms(family_name, given_names) + list(name_forms(name_original))
    number = _service_key(service_number)
    if not keys and not number:
        return []
    query = _Person(
        forms=list(dict.fromkeys(forms)),
        keys=keys,
        birth_date=birth_date,
        birth_year=birth_year if birth_year is None else int(birth_year),
        service_number=number,
    )
    candidates_qs = queryset.filter(duplicate_of__isnull=True)
    if exclude is not None:
        decided = DuplicateDecision.objects.filter(Q(first=exclude) | Q(second=exclude))
        skipped = {exclude.pk}
        for first, second in decided.values_list("first_id", "second_id"):
            skipped |= {first, second}
        candidates_qs = candidates_qs.exclude(pk__in=skipped)
    ids = _lookup(candidates_qs, keys, service_number.strip())
    if not ids:
        return []
    # From `queryset` itself, so its annotations (a partner's disclosure level) stay on them.
    captives = (
        candidates_qs.filter(pk__in=ids)
        .select_related(None)
        .prefetch_related(None)
        .only(
            "case_number",
            "family_name",
            "given_names",
            "name_original",
            "name_skeleton",
            "birth_date",
            "birth_year",
            "service_number",
        )
        .prefetch_related("names")
    )
    candidates = []
    for captive in captives:
        recorded = _captive_person(captive)
        name, name_reason = _name_score(query, recorded)
        points, reasons = _evidence(query, recorded)
        score = max(0, min(100, round(name + points)))
        if score >= DUPLICATE_THRESHOLD:
            candidates.append(
                Candidate(captive=captive, score=score, reasons=[name_reason, *reasons])
            )
    candidates.sort(key=lambda c: (-c.score, c.captive.case_number))
    return candidates[:limit]
