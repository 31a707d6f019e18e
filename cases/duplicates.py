"""Duplicate candidates: the captives already registered who may be the person being registered,
imported or sent by a partner for matching, each with a score and the reasons for it.

Found cheaply by blocking: every way each captive's name is written is kept as a pair of
skeleton keys (cases.names), family name and given names (cases.models.NameKey); the lookup reads
the captives with the family name asked for and keeps the best given names (rapidfuzz), plus
those with the same service number. Then scored,
rendering against rendering, family name and given names apart — so that Pak and Paek, or Ivanov
and Ivanova, stay different people although their keys differ by a letter — and adjusted by the
date or year of birth and the service number. A family name must have the same key to be looked
at: the score asks nearly that of it anyway (one letter off is another family). Pairs a
caseworker has decided about (cases.services.duplicate_decide) are never proposed again, and a
linked duplicate is never proposed: the case kept stands for him (and carries his renderings).
"""

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from cases.models import Captive, CaptiveName, DuplicateDecision, NameKey
from cases.names import Form, name_forms, name_patronymics, name_skeleton, structured_forms
from powtracker.errors import ErrorCode, RuleError

# From this score up a captive is proposed as a possible duplicate (tests/data/name_pairs.csv
# measures the classifier at this threshold: tests/cases/test_duplicates.py, bench/duplicates.py).
DUPLICATE_THRESHOLD = 80
# How many captives the lookup may hand to the scoring at most.
POOL = 100
# How many namesakes (as alike by name as the pool's last) the pool may grow to.
POOL_TIES = 600
# Patronymic keys this alike are the same patronymic (Gennadevich, Gennadyevich, Геннадьевич).
PATRONYMIC_ALIKE = 0.75
# What the scoring reads of a registered captive (with his renderings).
_SCORED_FIELDS = (
    "pk",
    "case_number",
    "family_name",
    "given_names",
    "name_original",
    "name_skeleton",
    "birth_date",
    "birth_year",
    "service_number",
)
# How alike given names must be for the lookup to keep them: loose, since the date of birth and
# the service number may lift a weak name over the threshold.
LOOKUP_GIVEN_CUTOFF = 0.25

_SERVICE_NUMBER_NOISE = re.compile(r"[\s\-./]+")


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
    patronymics: frozenset[str] = frozenset()


def _patronymics(given_names: str, one_string_names: list[str]) -> frozenset[str]:
    found = set(name_patronymics(given_names, given_only=True))
    for name in one_string_names:
        found |= name_patronymics(name)
    return frozenset(found)


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
    """Points for or against from birth, service number and patronymic, with the reasons."""
    points, reasons = 0.0, []
    if query.patronymics and recorded.patronymics:
        alike = any(
            _similarity(mine, theirs) >= PATRONYMIC_ALIKE
            for mine in query.patronymics
            for theirs in recorded.patronymics
        )
        if alike:
            points += 5
            reasons.append(_("same patronymic"))
        else:
            points -= 30
            reasons.append(_("different patronymics"))
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


def _recorded_person(
    family_name: str,
    given_names: str,
    name_original: str,
    name_skeleton_column: str,
    renderings: list[tuple[str, str]],
    birth_date: date | None,
    birth_year: int | None,
    service_number: str,
) -> _Person:
    """A registered captive as the scoring sees him: his names, his renderings (each with its
    skeleton key, as stored), birth, number."""
    forms = structured_forms(family_name, given_names)
    forms += name_forms(name_original)
    for rendering, _key in renderings:
        forms += name_forms(rendering)
    keys = set(name_skeleton_column.split()) | {key for _rendering, key in renderings}
    return _Person(
        forms=list(dict.fromkeys(forms)),
        keys=keys - {""},
        birth_date=birth_date,
        birth_year=birth_year,
        service_number=_service_key(service_number),
        patronymics=_patronymics(
            given_names, [name_original, *(rendering for rendering, _key in renderings)]
        ),
    )


def _query_keys(family_name: str, given_names: str, name_original: str) -> set[str]:
    """The skeleton keys a captive recorded under this name would carry (Captive.save)."""
    keys = {
        name_skeleton(f"{family_name} {given_names}"),
        name_skeleton(f"{given_names} {family_name}"),
        name_skeleton(name_original),
    }
    return keys - {""}


def _given_scores(given: str, choices: list[str]) -> dict[int, float]:
    """The given names among `choices` (by index) alike enough to `given` to be scored, with
    how alike (0–1; the vowels spellings confuse count a little, as in the scoring)."""
    if not given:
        return dict.fromkeys(range(len(choices)), 0.5)
    found: dict[int, float] = {}
    loose_given = given.translate(_LOOSE_VOWELS)
    passes = [
        (given, choices, 0.0),
        (loose_given, [choice.translate(_LOOSE_VOWELS) for choice in choices], 0.15),
    ]
    for query, candidates, cost in passes:
        for _choice, score, index in process.extract(
            query,
            candidates,
            scorer=Levenshtein.normalized_similarity,
            limit=None,
            score_cutoff=LOOKUP_GIVEN_CUTOFF,
        ):
            found[index] = max(found.get(index, 0.0), score - cost)
    for index, choice in enumerate(choices):
        if not choice:
            found[index] = 0.5  # recorded with a family name only
    return found


def _lookup(
    queryset: QuerySet[Captive], *, restricted: bool, query: "_Person", service_number: str
) -> list[int]:
    """Ids of at most POOL captives to score (the caller keeps those of its queryset): those
    whose name has a form with the family name asked for (cases.models.NameKey), best given names
    first, and those with the same service number."""
    scores: dict[int, float] = {}
    families = {form.family for form in query.forms}
    if families:
        keys = NameKey.objects.filter(family__in=families)
        if restricted:
            keys = keys.filter(captive_id__in=queryset.order_by().values("pk"))
        blocks: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for captive_id, family, given in keys.values_list("captive_id", "family", "given"):
            blocks[family].append((captive_id, given))
        for form in query.forms:
            block = blocks.get(form.family, [])
            for index, score in _given_scores(form.given, [g for _, g in block]).items():
                captive_id = block[index][0]
                scores[captive_id] = max(scores.get(captive_id, 0.0), score)
    if service_number:
        same_number = queryset.filter(service_number__iexact=service_number).order_by()
        for captive_id in same_number.values_list("pk", flat=True)[:POOL]:
            scores[captive_id] = 2.0
    ranked = sorted(scores, key=lambda captive_id: (-scores[captive_id], captive_id))
    evidence = query.birth_date or query.birth_year or query.patronymics or query.service_number
    if evidence and len(ranked) > POOL and scores[ranked[POOL - 1]] == scores[ranked[POOL]]:
        # Namesakes past the pool's end, as alike by name as the last in it: only birth, service
        # number and patronymic can tell them apart, so when the query gives any of them they
        # are all scored (up to POOL_TIES).
        tied = scores[ranked[POOL - 1]]
        end = POOL
        while end < min(len(ranked), POOL_TIES) and scores[ranked[end]] == tied:
            end += 1
        return ranked[:end]
    return ranked[:POOL]


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
    restricted = queryset is not None
    queryset = Captive.objects.all() if queryset is None else queryset
    keys = _query_keys(family_name, given_names, name_original)
    forms = structured_forms(family_name, given_names) + list(name_forms(name_original))
    number = _service_key(service_number)
    if not keys and not number:
        return []
    query = _Person(
        forms=list(dict.fromkeys(forms)),
        keys=keys,
        birth_date=birth_date,
        birth_year=birth_year if birth_year is None else int(birth_year),
        service_number=number,
        patronymics=_patronymics(given_names, [name_original]),
    )
    candidates_qs = queryset.filter(duplicate_of__isnull=True)
    if exclude is not None:
        decided = DuplicateDecision.objects.filter(Q(first=exclude) | Q(second=exclude))
        skipped = {exclude.pk}
        for first, second in decided.values_list("first_id", "second_id"):
            skipped |= {first, second}
        candidates_qs = candidates_qs.exclude(pk__in=skipped)
    pool = _lookup(
        candidates_qs, restricted=restricted, query=query, service_number=service_number.strip()
    )
    if not pool:
        return []
    rows = candidates_qs.filter(pk__in=pool).order_by().values_list(*_SCORED_FIELDS)
    renderings: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for captive_id, full_name, key in CaptiveName.objects.filter(captive_id__in=pool).values_list(
        "captive_id", "full_name", "skeleton"
    ):
        renderings[captive_id].append((full_name, key))
    scored: dict[int, tuple[int, list[str]]] = {}
    for pk, *particulars in rows:
        recorded = _recorded_person(*particulars[1:5], renderings[pk], *particulars[5:])
        name, name_reason = _name_score(query, recorded)
        points, reasons = _evidence(query, recorded)
        score = max(0, min(100, round(name + points)))
        if score >= DUPLICATE_THRESHOLD:
            scored[pk] = (score, [name_reason, *reasons])
    if not scored:
        return []
    # The few proposed, from `queryset` itself, so its annotations (a partner's disclosure level)
    # stay on them.
    captives = (
        candidates_qs.filter(pk__in=list(scored))
        .select_related(None)
        .prefetch_related(None)
        .only(*_SCORED_FIELDS[1:])
        .prefetch_related("names")
    )
    candidates = [
        Candidate(captive=captive, score=scored[captive.pk][0], reasons=scored[captive.pk][1])
        for captive in captives
    ]
    candidates.sort(key=lambda c: (-c.score, c.captive.case_number))
    return candidates[:limit]


def linked_duplicate_refusal(
    captive: Captive, visible: QuerySet[Captive] | None = None
) -> RuleError:
    """The refusal of a write to a linked duplicate, in the words its reader may read.

    The case kept is named only if it is among `visible`, the captives the reader may see
    (every captive for staff, when `visible` is None); anyone else is told that the case is a
    linked duplicate and no more — the same words whichever case was kept and whatever it holds.
    Decided here alone: the services raise it as staff read it, and the API asks again for the
    reader of its answer (partners.api.errors); the refusal carries the duplicate for that.
    """
    visible = Captive.objects.all() if visible is None else visible
    kept = visible.filter(pk=captive.duplicate_of_id).values_list("case_number", flat=True).first()
    if kept is None:
        refusal = RuleError(
            ErrorCode.LINKED_DUPLICATE,
            gettext_lazy("%(case)s is a linked duplicate of another case and is read-only."),
            {"case": captive.case_number},
        )
    else:
        refusal = RuleError(
            ErrorCode.LINKED_DUPLICATE,
            gettext_lazy(
                "%(case)s is a linked duplicate of %(kept)s and is read-only: record it there."
            ),
            {"case": captive.case_number, "kept": kept},
        )
    refusal.linked_duplicate = captive
    return refusal
