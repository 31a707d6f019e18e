"""How the caseworkers' admin shows a case: wishes, days, captives, states, statements, custody,
obligations, clearances and possible duplicates.

The one place the admin words a wish (wish_label, wish_marked, wish_text). Every day or moment
of a case is written by cases.dates.local_day and local_moment, where the register is kept
(TIME_ZONE), never in UTC: they live with the dates so that the models' names write them alike.
"""

from typing import Any

from django.http import (
    HttpRequest,
)
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.utils.translation import pgettext_lazy

from cases.choices import (
    Voluntariness,
    Wish,
)
from cases.dates import local_day
from cases.duplicates import Candidate, duplicate_candidates
from cases.models import (
    Captive,
    Obligation,
    WishStatement,
)
from cases.selectors import (
    CaseSummary,
)

# A wish in one word, as the lists and the captive's page show it.
WISH_SHORT = {
    Wish.RETURN: pgettext_lazy("wish", "Return"),
    Wish.REMAIN: pgettext_lazy("wish", "Remain"),
    Wish.DEFECT: pgettext_lazy("wish", "Defect"),
    Wish.UNDECIDED: pgettext_lazy("wish", "Undecided"),
}
# How far a statement counts as his wish, in one sign (the captive list's legend explains them).
VOLUNTARINESS_MARKS = {
    Voluntariness.FREE: "✓",
    Voluntariness.NOT_ASSESSED: "?",
    Voluntariness.DOUBTFUL: "~",
    Voluntariness.COERCION_SUSPECTED: "✗",
}


# The captive form's fields that are his involvements (cases.services.captive_powers_set).
POWER_FIELDS = ("power_depended_on", "allied_power")


def wish_label(wish: str, destination: Any) -> str:
    """A wish as a caseworker reads it: 'Return', 'Defect → KOR'."""
    if not wish:
        return "—"
    if wish == Wish.DEFECT and destination is not None:
        return _("Defect → %(state)s") % {"state": destination.code}
    return str(WISH_SHORT[Wish(wish)])


# What each sign means, for the titles of the wish cells and the list's legend.
VOLUNTARINESS_TEXT = {
    Voluntariness.FREE: _l("assessed as free"),
    Voluntariness.NOT_ASSESSED: _l("not yet assessed"),
    Voluntariness.DOUBTFUL: _l("assessed as doubtful"),
    Voluntariness.COERCION_SUSPECTED: _l("coercion suspected"),
}


def wish_marked(wish: str, destination: Any, voluntariness: str) -> str:
    """A wish in one word with the sign of how far it counts: 'Return ✓', 'Remain ?'."""
    return f"{wish_label(wish, destination)} {VOLUNTARINESS_MARKS[Voluntariness(voluntariness)]}"


def wish_text(wish: str, destination: Any) -> str:
    """A wish in full words: 'Return to the power depended on', 'Defect to another state
    (Republic of Korea)'."""
    text = str(Wish(wish).label)
    if wish == Wish.DEFECT and destination is not None:
        return _("%(wish)s (%(state)s)") % {"wish": text, "state": destination.local_name}
    return text


def captive_cell(captive: Captive) -> str:
    """A captive in a list of his records: his case number, and his name beneath it."""
    return format_html(
        '<span class="cell-line">{}</span><span class="cell-line cell-quiet" title="{}">{}</span>',
        captive.case_number,
        captive.name_latin,
        captive.name_latin,
    )


def state_cell(state: Any) -> str:
    """A state by its code, its name on hover."""
    if state is None:
        return "—"
    return format_html('<span title="{}">{}</span>', state.local_name, state.code)


def fictional_records_exist(request: HttpRequest) -> bool:
    """Whether any captive is fictional (the demo, a synthetic register): demo-only filters and
    fields are shown only then. Asked once a request (an index holds only fictional rows)."""
    if not hasattr(request, "_fictional_records_exist"):
        request._fictional_records_exist = Captive.objects.filter(fictional=True).exists()  # type: ignore[attr-defined]
    return request._fictional_records_exist  # type: ignore[attr-defined]


# --- possible duplicates -------------------------------------------------------------------------

# The fields of the register form the duplicate candidates are looked up by.
DUPLICATE_LOOKUP_FIELDS = (
    "family_name",
    "given_names",
    "name_original",
    "birth_date",
    "birth_year",
    "service_number",
)


def captive_candidates(captive: Captive) -> list[Candidate]:
    """The possible duplicates a captive's page offers (and the only ones its buttons decide)."""
    return duplicate_candidates(
        **{name: getattr(captive, name) for name in DUPLICATE_LOOKUP_FIELDS}, exclude=captive
    )


def candidates_html(candidates: list[Candidate], buttons: Any) -> str:
    """The candidates as a list: case (linked), name, score, reasons, and the buttons
    `buttons(candidate)` gives (already escaped HTML)."""
    return format_html(
        '<ul class="possible-duplicates">{}</ul>',
        format_html_join(
            "",
            '<li><a href="{}">{}</a> {} {} — {}: {} {}</li>',
            (
                (
                    reverse("admin:cases_captive_change", args=[c.captive.pk]),
                    c.captive.case_number,
                    c.captive.name_latin,
                    c.captive.name_original,
                    _("score %(score)d") % {"score": c.score},
                    ", ".join(c.reasons),
                    buttons(c),
                )
                for c in candidates
            ),
        ),
    )


def statement_text(statement: WishStatement) -> str:
    """A statement in a line: 'Remain, stated 2025-01-11 (Published video), not yet assessed'."""
    text = _("%(wish)s, stated %(day)s (%(mode)s), %(assessment)s") % {
        "wish": wish_label(statement.wish, statement.destination),
        "day": local_day(statement.stated_at),
        "mode": statement.get_mode_display(),
        "assessment": VOLUNTARINESS_TEXT[Voluntariness(statement.voluntariness)],
    }
    if statement.voluntariness != Voluntariness.NOT_ASSESSED and statement.assessed_by:
        text = _("%(statement)s by %(user)s") % {
            "statement": text,
            "user": statement.assessed_by.get_username(),
        }
    return text


def custody_text(captive: Captive) -> str:
    """'Interned since 2025-02-20 at Prisoner of war camp'."""
    if not captive.custody_status:
        return _("No custody event recorded")
    text = _("%(status)s since %(day)s") % {
        "status": captive.get_custody_status_display(),
        "day": local_day(captive.custody_since),
    }
    if captive.custody_place:
        text = _("%(status)s at %(place)s") % {"status": text, "place": captive.custody_place}
    return text


def clearance_groups(summary: CaseSummary) -> list[dict[str, Any]]:
    """The gate's decisions, the states with the same answer and reason together: 'PRK, RUS: not
    cleared — no statement of his has been assessed as free, …'."""
    groups: dict[tuple[bool, str], list[Any]] = {}
    for clearance in summary.clearances:
        groups.setdefault((clearance.cleared, clearance.reason), []).append(clearance.destination)
    return [
        {
            "cleared": cleared,
            "states": states,
            "codes": ", ".join(state.code if state else "—" for state in states),
            "names": ", ".join(state.local_name if state else "—" for state in states),
            "reason": reason,
        }
        for (cleared, reason), states in sorted(groups.items(), key=lambda item: not item[0][0])
    ]


def obligation_text(duty: Obligation, *, overdue: bool) -> str:
    """'Capture card (Art. 70), due 2026-12-01' or '…, overdue since 2026-11-20'."""
    day = local_day(duty.due_on)
    if overdue:
        return _("%(kind)s, overdue since %(day)s") % {"kind": duty.get_kind_display(), "day": day}
    return _("%(kind)s, due %(day)s") % {"kind": duty.get_kind_display(), "day": day}
