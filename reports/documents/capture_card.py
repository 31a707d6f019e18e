"""Capture cards (GC III Art. 70, model in Annex IV B): one card a page, for one captive or a
selection. The labels print in the prisoner's language and the detaining power's, with English
beneath; his name prints in his own script and in Latin letters."""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.utils import timezone

from cases.choices import Health
from cases.models import Captive
from reports.documents import labels as T
from reports.documents.labels import in_languages
from reports.documents.render import render_pdf

# Which boxes of the model's state of health a recorded health ticks.
HEALTH_BOXES: dict[str, set[Any]] = {
    Health.UNHARMED: {T.GOOD_HEALTH, T.NOT_WOUNDED},
    Health.WOUNDED: {T.SLIGHTLY_WOUNDED},
    Health.SERIOUSLY_WOUNDED: {T.SERIOUSLY_WOUNDED},
    Health.SICK: {T.SICK},
    Health.SERIOUSLY_SICK: {T.SICK},
}
HEALTH_ORDER = (
    T.GOOD_HEALTH,
    T.NOT_WOUNDED,
    T.RECOVERED,
    T.CONVALESCENT,
    T.SICK,
    T.SLIGHTLY_WOUNDED,
    T.SERIOUSLY_WOUNDED,
)


def card_languages(captive: Captive) -> list[str]:
    """His language (his nationality's, else his power's), the detaining power's, English."""
    own = captive.nationality or captive.power_depended_on
    languages = [
        getattr(own, "language", "") or "en",
        captive.detaining_power.language or "en",
        "en",
    ]
    return list(dict.fromkeys(languages))


def card_queryset(captives: Sequence[Captive] | Any) -> Any:
    ids = [captive.pk for captive in captives]
    return (
        Captive.objects.filter(pk__in=ids)
        .select_related("nationality", "power_depended_on", "detaining_power")
        .prefetch_related("custody_events")
        .order_by("case_number")
    )


def _declinable(captive: Captive, field: str, value: Any, languages: list[str]) -> Any:
    if getattr(captive, f"{field}_declined", False):
        return in_languages(T.DECLINED, languages)
    return value if value not in (None, "") else ""


def _coming_from(captive: Captive) -> str:
    """Where he was before his present place, when he has moved since his capture."""
    events = sorted(
        (event for event in captive.custody_events.all() if not event.is_voided),
        key=lambda event: (event.occurred_at, event.pk),
    )
    if len(events) < 2:
        return ""
    return events[-2].place


def card_data(captive: Captive, *, at: dt.datetime) -> dict[str, Any]:
    languages = card_languages(captive)

    def label(text: Any) -> list[str]:
        return in_languages(text, languages)

    def row(number: str, text: Any, value: Any) -> dict[str, Any]:
        return {"n": number, "label": label(text), "value": value}

    birth = captive.birth_date.isoformat() if captive.birth_date else str(captive.birth_year or "")
    power = captive.power_depended_on
    family = "\n".join(
        part for part in (captive.next_of_kin_name, captive.next_of_kin_address) if part
    )
    boxes = HEALTH_BOXES.get(captive.health, set())
    taken = captive.captured_on.isoformat()
    if captive.capture_place:
        taken = f"{taken} — {captive.capture_place}"
    own_script = captive.name_original if captive.original_script != "latin" else ""
    return {
        "case_number": captive.case_number,
        "title": label(T.CARD_TITLE),
        "agency": label(T.CARD_AGENCY),
        "instructions": [
            f"{legibly} · {strike_out}"
            for legibly, strike_out in zip(
                label(T.CARD_LEGIBLY), label(T.CARD_STRIKE_OUT), strict=False
            )
        ],
        "rows": [
            row("1", T.POWER, f"{power.name} ({power.code})" if power else ""),
            row("2", T.NAME, captive.family_name.upper()),
            row("3", T.FIRST_NAMES, captive.given_names),
            row("", T.OWN_SCRIPT, own_script),
            row(
                "4",
                T.FATHER,
                _declinable(captive, "father_first_name", captive.father_first_name, languages),
            ),
            row("5", T.BIRTH_DATE, _declinable(captive, "birth_date", birth, languages)),
            row(
                "6",
                T.BIRTH_PLACE,
                _declinable(captive, "place_of_birth", captive.place_of_birth, languages),
            ),
            row("7", T.RANK, _declinable(captive, "rank", captive.rank, languages)),
            row(
                "8",
                T.SERVICE_NUMBER,
                _declinable(captive, "service_number", captive.service_number, languages),
            ),
            row("9", T.FAMILY_ADDRESS, family),
            row("10", T.TAKEN_PRISONER, taken),
            row("", T.COMING_FROM, _coming_from(captive)),
            {
                "n": "11",
                "label": label(T.HEALTH),
                "options": [
                    {"label": label(option), "checked": option in boxes} for option in HEALTH_ORDER
                ],
            },
            row("12", T.PRESENT_ADDRESS, None),
            row("", T.PRISONER_NUMBER, captive.case_number),
            row("", T.CAMP, captive.custody_place),
            row("13", T.DATE, timezone.localdate(at).isoformat()),
            row("14", T.SIGNATURE, "\n\n"),
        ],
        "languages": languages,
    }


def capture_cards(
    captives: Sequence[Captive] | Any, *, at: dt.datetime, reference: str
) -> tuple[bytes, list[str]]:
    """The cards of these captives as one PDF, and the languages their labels are in."""
    cards = [card_data(captive, at=at) for captive in card_queryset(captives)]
    languages = list(dict.fromkeys(lang for card in cards for lang in card["languages"]))
    data = {
        "title": f"{T.CARD_TITLE} — {reference}",
        "lang": languages[0] if languages else "en",
        "footer": f"powtracker · {reference} · {timezone.localtime(at):%Y-%m-%d %H:%M}",
        "cards": cards,
    }
    return render_pdf("capture_card", data, at=at), languages
