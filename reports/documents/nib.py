"""The notification to the National Information Bureau and, through it, the Central Tracing
Agency (GC III Art. 122, with the identity of Art. 17): for a set of captives, one row each with
the Art. 122 particulars; for a set of custody events (transfers, hospital admissions, escapes,
releases, repatriations, deaths), one row each with the event and the captive's identity.

The same columns print as a PDF (landscape table) and as an XLSX for the tracing agency. Both
are dated by the record and ordered, so a rebuild is byte-identical."""

import datetime as dt
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import xlsxwriter
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

from cases.models import Captive, CustodyEvent
from reports.documents import labels as T
from reports.documents.labels import in_languages
from reports.documents.render import render_pdf
from reports.exports import cell_value
from reports.models import GeneratedDocument

NIB_TITLE = pgettext_lazy(
    "GC III document", "Notification to the National Information Bureau (GC III Art. 122)"
)
NIB_EVENTS_TITLE = pgettext_lazy(
    "GC III document",
    "Notification to the National Information Bureau of changes in custody (GC III Art. 122)",
)
NIB_TO = pgettext_lazy(
    "GC III document",
    "For transmission to the Central Tracing Agency (Art. 123) and the Power on which the "
    "prisoners depend",
)
NIB_FROM = pgettext_lazy("GC III document", "Detaining power")
NIB_REFERENCE = pgettext_lazy("GC III document", "Reference")
NIB_DATE = pgettext_lazy("GC III document", "Date")
NIB_COUNT = pgettext_lazy("GC III document", "Entries")
DECLINED = T.DECLINED  # one wording for every document
ART_109 = pgettext_lazy("GC III document", "Arts. 109–110: direct repatriation to be examined")
VOIDED = pgettext_lazy("GC III document", "Voided")

CASE_NUMBER = pgettext_lazy("GC III document", "Case No.")
FAMILY_NAME = pgettext_lazy("GC III document", "Family name")
FIRST_NAMES = pgettext_lazy("GC III document", "First names")
OWN_SCRIPT = pgettext_lazy("GC III document", "Name in his own script")
RANK = pgettext_lazy("GC III document", "Rank")
SERVICE_NUMBER = pgettext_lazy("GC III document", "Service number")
BIRTH_DATE = pgettext_lazy("GC III document", "Date of birth")
BIRTH_PLACE = pgettext_lazy("GC III document", "Place of birth")
POWER = T.POWER
FATHER = pgettext_lazy("GC III document", "Father's first name")
MOTHER = pgettext_lazy("GC III document", "Mother's maiden name")
INFORM = pgettext_lazy("GC III document", "Person to be informed")
CORRESPONDENCE = pgettext_lazy("GC III document", "Address for correspondence")
CAPTURE_DATE = pgettext_lazy("GC III document", "Capture date")
CAPTURE_PLACE = pgettext_lazy("GC III document", "Place of capture")
HEALTH = pgettext_lazy("GC III document", "State of health")
EVENT = pgettext_lazy("GC III document", "Event")
EVENT_AT = pgettext_lazy("GC III document", "Date and time")
EVENT_PLACE = pgettext_lazy("GC III document", "Place")
CUSTODIAN = pgettext_lazy("GC III document", "Custodian")


@dataclass(frozen=True)
class Column:
    label: Promise
    width: float  # relative, in the PDF's table and (× 5) the spreadsheet's column
    value: Callable[[Any], str]


def _declined(captive: Captive, item: str, value: Any) -> str:
    if getattr(captive, f"{item}_declined", False):
        return str(DECLINED)
    return "" if value in (None, "") else str(value)


def _birth(captive: Captive) -> str:
    value = captive.birth_date.isoformat() if captive.birth_date else captive.birth_year
    return _declined(captive, "birth_date", value)


def _state(state: Any) -> str:
    return f"{state.name} ({state.code})" if state is not None else ""


def _own_script(captive: Captive) -> str:
    return captive.name_original if captive.original_script != "latin" else ""


def _next_of_kin(captive: Captive) -> str:
    name = captive.next_of_kin_name
    if name and captive.next_of_kin_relationship:
        name = f"{name} ({captive.next_of_kin_relationship})"
    return "\n".join(part for part in (name, captive.next_of_kin_address.strip()) if part)


def _correspondence(captive: Captive) -> str:
    parts = [captive.custody_place, captive.custodian.name if captive.custodian else ""]
    return ", ".join(part for part in parts if part)


def _capture_place(captive: Captive) -> str:
    return ", ".join(part for part in (captive.capture_place, captive.capture_region) if part)


def _health(captive: Captive) -> str:
    health = captive.get_health_display()
    if captive.is_seriously_ill_or_wounded:
        return f"{health}\n{ART_109}"
    return health


def _event_kind(event: CustodyEvent) -> str:
    kind = event.get_kind_display()
    if event.is_voided:
        return f"{kind}\n{VOIDED}: {event.void_reason}"
    return kind


def _event_at(event: CustodyEvent) -> str:
    return f"{timezone.localtime(event.occurred_at):%Y-%m-%d %H:%M}"


IDENTITY: list[Column] = [
    Column(CASE_NUMBER, 1.45, lambda c: c.case_number),
    Column(FAMILY_NAME, 1.1, lambda c: c.family_name.upper()),
    Column(FIRST_NAMES, 1.1, lambda c: c.given_names),
    Column(OWN_SCRIPT, 1.0, _own_script),
    Column(RANK, 0.9, lambda c: _declined(c, "rank", c.rank)),
    Column(SERVICE_NUMBER, 0.95, lambda c: _declined(c, "service_number", c.service_number)),
    Column(BIRTH_DATE, 0.95, _birth),
]

CAPTIVE_COLUMNS: list[Column] = [
    *IDENTITY,
    Column(BIRTH_PLACE, 1.0, lambda c: _declined(c, "place_of_birth", c.place_of_birth)),
    Column(POWER, 1.0, lambda c: _state(c.power_depended_on)),
    Column(FATHER, 0.9, lambda c: _declined(c, "father_first_name", c.father_first_name)),
    Column(MOTHER, 0.9, lambda c: _declined(c, "mother_maiden_name", c.mother_maiden_name)),
    Column(INFORM, 1.5, _next_of_kin),
    Column(CORRESPONDENCE, 1.2, _correspondence),
    Column(CAPTURE_DATE, 0.95, lambda c: c.captured_on.isoformat()),
    Column(CAPTURE_PLACE, 1.0, _capture_place),
    Column(HEALTH, 1.3, _health),
]


def _on_captive(column: Column) -> Column:
    return Column(column.label, column.width, lambda e: column.value(e.captive))


EVENT_COLUMNS: list[Column] = [
    *(_on_captive(column) for column in IDENTITY),
    _on_captive(Column(POWER, 1.0, lambda c: _state(c.power_depended_on))),
    Column(EVENT, 1.3, _event_kind),
    Column(EVENT_AT, 1.15, _event_at),
    Column(EVENT_PLACE, 1.3, lambda e: e.place),
    Column(CUSTODIAN, 1.1, lambda e: _state(e.custodian)),
]


def _captives(record: GeneratedDocument) -> list[Captive]:
    return list(
        record.captives.select_related(
            "power_depended_on", "custodian", "detaining_power"
        ).order_by("case_number", "pk")
    )


def _events(record: GeneratedDocument) -> list[CustodyEvent]:
    return list(
        record.events.select_related(
            "custodian", "captive__power_depended_on", "captive__detaining_power"
        ).order_by("captive__case_number", "occurred_at", "pk")
    )


@dataclass
class Notification:
    """What both files print: the title, the columns and the rows (text, in order)."""

    title: Promise
    columns: list[Column]
    rows: list[list[str]]
    detaining_powers: list[Any]


def notification(record: GeneratedDocument) -> Notification:
    """The captives' rows, or the events' rows when the record names events. The values are in
    English whatever the reader's language, so the file is the same for every printer."""
    with translation.override("en"):
        return _notification(record)


def _notification(record: GeneratedDocument) -> Notification:
    events = _events(record)
    if events:
        subjects: Sequence[Any] = events
        columns, title = EVENT_COLUMNS, NIB_EVENTS_TITLE
        captives = [event.captive for event in events]
    else:
        subjects = captives = _captives(record)
        columns, title = CAPTIVE_COLUMNS, NIB_TITLE
    powers = {c.detaining_power.pk: c.detaining_power for c in captives}
    return Notification(
        title=title,
        columns=columns,
        rows=[[column.value(subject) for column in columns] for subject in subjects],
        detaining_powers=[powers[pk] for pk in sorted(powers, key=lambda pk: powers[pk].code)],
    )


def nib_languages(note: Notification) -> list[str]:
    """The detaining powers' languages, then English (the tracing agency's)."""
    return list(dict.fromkeys([*(s.language for s in note.detaining_powers if s.language), "en"]))


def nib_pdf(record: GeneratedDocument) -> tuple[bytes, list[str]]:
    note = notification(record)
    languages = nib_languages(note)

    def label(text: Any) -> list[str]:
        return in_languages(text, languages)

    at = record.generated_at
    data = {
        "title": label(note.title),
        "lang": languages[0],
        "to": label(NIB_TO),
        "facts": [
            {
                "label": label(NIB_FROM),
                "value": ", ".join(_state(s) for s in note.detaining_powers),
            },
            {"label": label(NIB_REFERENCE), "value": record.reference},
            {"label": label(NIB_DATE), "value": timezone.localdate(at).isoformat()},
            {"label": label(NIB_COUNT), "value": str(len(note.rows))},
        ],
        "columns": [{"label": label(c.label), "width": c.width} for c in note.columns],
        "rows": note.rows,
        "footer": f"powtracker · {record.reference} · {timezone.localtime(at):%Y-%m-%d %H:%M}",
    }
    return render_pdf("nib_notification", data, at=at), languages


def _naive_utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def nib_xlsx(record: GeneratedDocument) -> tuple[bytes, list[str]]:
    """One sheet: a header row (English, for the agency's import) and one row per captive or
    event, every cell text. In memory, XlsxWriter dates the zip's members 1980-01-01; the
    workbook's own created date is the record's, so the bytes depend on the data alone."""
    note = notification(record)
    with translation.override("en"):
        title = str(note.title)
        headers = [str(column.label) for column in note.columns]
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    book.set_properties(
        {
            "title": f"{title} — {record.reference}",
            "author": "powtracker",
            "created": _naive_utc(record.generated_at),
        }
    )
    sheet = book.add_worksheet("Art. 122")
    bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    for index, column in enumerate(note.columns):
        sheet.set_column(index, index, column.width * 16)
        sheet.write_string(0, index, headers[index], bold)
    for number, row in enumerate(note.rows, start=1):
        for index, value in enumerate(row):
            sheet.write_string(number, index, str(cell_value(value)), wrap)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(note.rows), 1), len(note.columns) - 1)
    book.close()
    return buffer.getvalue(), ["en"]
