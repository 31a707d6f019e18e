"""The case file (internal): everything the register holds on one captive, for the bureau's own
use. Identity (every item, the declined ones marked, every rendering of his name), the custody
timeline (voided events kept, marked, with the reason), his wish statements with their
assessments, the non-refoulement reviews, the obligations, the states involved, and a summary
of the history: how many changes, and the last ones, who made them and what they changed.

Printed in the office's language (settings.LANGUAGE_CODE), dated by the record; the history is
read up to the moment it was printed, so a rebuild prints the same file."""

import datetime as dt
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model
from django.utils import timezone, translation
from django.utils.translation import pgettext_lazy

from cases.models import (
    Captive,
    CaptiveName,
    CustodyEvent,
    Involvement,
    NonRefoulementReview,
    Obligation,
    WishStatement,
)
from reports.documents import labels as T
from reports.documents.render import render_pdf
from reports.models import GeneratedDocument

# The most recent changes the history summary lists.
HISTORY_SHOWN = 20
# Fields every save moves: they say nothing about what changed.
HISTORY_IGNORED = ["updated_at", "disclosed_changed_at"]


TITLE = pgettext_lazy("GC III document", "Case file")
INTERNAL = pgettext_lazy("GC III document", "INTERNAL — not for disclosure")
PRINTED = pgettext_lazy("GC III document", "Printed")
REFERENCE = pgettext_lazy("GC III document", "Reference")
DECLINED = T.DECLINED  # one wording for every document
NONE = pgettext_lazy("GC III document", "None recorded.")
VOIDED = pgettext_lazy("GC III document", "VOIDED")
YES = pgettext_lazy("GC III document", "yes")
NO = pgettext_lazy("GC III document", "no")
SYSTEM = pgettext_lazy("GC III document", "the system")

S_IDENTITY = pgettext_lazy("GC III document", "Identity")
S_NAMES = pgettext_lazy("GC III document", "Renderings of his name")
S_SERVICE = pgettext_lazy("GC III document", "Service")
S_CAPTURE = pgettext_lazy("GC III document", "Capture, status and health")
S_KIN = pgettext_lazy("GC III document", "Next of kin and notes")
S_CUSTODY = pgettext_lazy("GC III document", "Custody timeline")
S_WISHES = pgettext_lazy("GC III document", "Wish statements and their assessment")
S_REVIEWS = pgettext_lazy("GC III document", "Non-refoulement reviews")
S_OBLIGATIONS = pgettext_lazy("GC III document", "Obligations")
S_STATES = pgettext_lazy("GC III document", "States involved")
S_HISTORY = pgettext_lazy("GC III document", "History")

CASE_NUMBER = pgettext_lazy("GC III document", "Case No.")
FAMILY_NAME = pgettext_lazy("GC III document", "Family name (Latin)")
GIVEN_NAMES = pgettext_lazy("GC III document", "Given names (Latin)")
ORIGINAL = pgettext_lazy("GC III document", "Name in his own script")
SCRIPT = pgettext_lazy("GC III document", "Script")
RANK = pgettext_lazy("GC III document", "Rank")
SERVICE_NUMBER = pgettext_lazy("GC III document", "Service number")
BIRTH_DATE = pgettext_lazy("GC III document", "Date of birth")
BIRTH_YEAR = pgettext_lazy("GC III document", "Year of birth")
BIRTH_PLACE = pgettext_lazy("GC III document", "Place of birth")
FATHER = pgettext_lazy("GC III document", "Father's first name")
MOTHER = pgettext_lazy("GC III document", "Mother's maiden name")
SEX = pgettext_lazy("GC III document", "Sex")
NATIONALITY = pgettext_lazy("GC III document", "Nationality")
LANGUAGES = pgettext_lazy("GC III document", "Languages")
IDENTITY_STATUS = pgettext_lazy("GC III document", "Identity status")
VERIFIED_BY = pgettext_lazy("GC III document", "Verified by")
VERIFIED_ON = pgettext_lazy("GC III document", "Verified on")
IDENTITY_NOTES = pgettext_lazy("GC III document", "Identity notes")
SYSTEM_COL = pgettext_lazy("GC III document", "System")
NAME = pgettext_lazy("GC III document", "Name")
NOTE = pgettext_lazy("GC III document", "Note")
ARMED_FORCE = pgettext_lazy("GC III document", "Armed force")
UNIT = pgettext_lazy("GC III document", "Unit")
POWER = T.POWER
ALLIED = pgettext_lazy("GC III document", "Allied power")
CAPTURED_ON = pgettext_lazy("GC III document", "Capture date")
CAPTURE_PLACE = pgettext_lazy("GC III document", "Place of capture")
CAPTURE_REGION = pgettext_lazy("GC III document", "Region")
TERRITORY = pgettext_lazy("GC III document", "Territory's state")
DETAINING = pgettext_lazy("GC III document", "Detaining power")
CIRCUMSTANCES = pgettext_lazy("GC III document", "Circumstances of capture")
LEGAL_STATUS = pgettext_lazy("GC III document", "Legal status")
HEALTH = pgettext_lazy("GC III document", "State of health")
HEALTH_NOTES = pgettext_lazy("GC III document", "Health notes")
CUSTODY = pgettext_lazy("GC III document", "Custody status")
CUSTODY_PLACE = pgettext_lazy("GC III document", "Present place")
CUSTODIAN = pgettext_lazy("GC III document", "Custodian")
CUSTODY_SINCE = pgettext_lazy("GC III document", "Since")
EFFECTIVE_WISH = pgettext_lazy("GC III document", "Effective wish")
KIN_NAME = pgettext_lazy("GC III document", "Next of kin")
KIN_RELATION = pgettext_lazy("GC III document", "Relationship")
KIN_ADDRESS = pgettext_lazy("GC III document", "Address of next of kin")
NOTES = pgettext_lazy("GC III document", "Notes")
WHEN = pgettext_lazy("GC III document", "When")
EVENT = pgettext_lazy("GC III document", "Event")
PLACE = pgettext_lazy("GC III document", "Place")
RECORDED_BY = pgettext_lazy("GC III document", "Recorded by")
WISH = pgettext_lazy("GC III document", "Wish")
HOW = pgettext_lazy("GC III document", "How expressed")
STATEMENT = pgettext_lazy("GC III document", "What he said")
VOLUNTARINESS = pgettext_lazy("GC III document", "Voluntariness")
ASSESSED = pgettext_lazy("GC III document", "Assessed by, at")
ASSESSMENT_NOTES = pgettext_lazy("GC III document", "Assessment notes")
CIRCUMSTANCES_OF_STATEMENT = pgettext_lazy("GC III document", "Language, interpreter, present")
FORMAL = pgettext_lazy("GC III document", "Formal request")
DESTINATION = pgettext_lazy("GC III document", "Destination")
DECISION = pgettext_lazy("GC III document", "Decision")
REASONS = pgettext_lazy("GC III document", "Reasons")
REVIEWED = pgettext_lazy("GC III document", "Reviewed by, at")
KIND = pgettext_lazy("GC III document", "Kind")
DUE = pgettext_lazy("GC III document", "Due")
STATE = pgettext_lazy("GC III document", "State")
FULFILLED = pgettext_lazy("GC III document", "Fulfilled")
OBLIGATION_REFERENCE = pgettext_lazy("GC III document", "Reference")
ROLE = pgettext_lazy("GC III document", "Role")
POSITION = pgettext_lazy("GC III document", "Stated position")
PERIOD = pgettext_lazy("GC III document", "From – to")
CHANGES = pgettext_lazy("GC III document", "Changes recorded")
LAST_CHANGES = pgettext_lazy("GC III document", "The last %(count)s changes, newest first")
WHO = pgettext_lazy("GC III document", "Who")
RECORD = pgettext_lazy("GC III document", "Record")
WHAT = pgettext_lazy("GC III document", "What changed")
REASON = pgettext_lazy("GC III document", "Reason")
CREATED = pgettext_lazy("GC III document", "created")
DELETED = pgettext_lazy("GC III document", "deleted")
NOTHING_CHANGED = pgettext_lazy("GC III document", "saved, nothing shown changed")

# The records the history summary reads, with how each row names its record.
HISTORY_SOURCES: list[tuple[str, Any, str]] = [
    ("cases.Captive", pgettext_lazy("GC III document", "Captive"), "id"),
    ("cases.CaptiveName", pgettext_lazy("GC III document", "Name"), "captive_id"),
    ("cases.CustodyEvent", pgettext_lazy("GC III document", "Custody event"), "captive_id"),
    ("cases.WishStatement", pgettext_lazy("GC III document", "Wish statement"), "captive_id"),
    (
        "cases.NonRefoulementReview",
        pgettext_lazy("GC III document", "Non-refoulement review"),
        "captive_id",
    ),
    ("cases.Obligation", pgettext_lazy("GC III document", "Obligation"), "captive_id"),
    ("cases.Involvement", pgettext_lazy("GC III document", "Involvement"), "captive_id"),
]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(YES if value else NO)
    if isinstance(value, dt.datetime):
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Model) and hasattr(value, "code") and hasattr(value, "name"):
        return f"{value.name} ({value.code})"
    return str(value).strip()


def _person(user: Any) -> str:
    if user is None:
        return str(SYSTEM)
    return user.get_full_name() or user.get_username()


def _voided(record: Any) -> str:
    """'VOIDED 2025-01-12 by ana: reason', or '' for a record in force."""
    if not record.is_voided:
        return ""
    return f"{VOIDED} {_text(record.voided_at)} — {_person(record.voided_by)}: {record.void_reason}"


def _pairs(rows: list[tuple[Any, Any]]) -> list[list[str]]:
    return [[str(label), _text(value)] for label, value in rows]


def _declinable(captive: Captive, item: str, value: Any) -> Any:
    return DECLINED if getattr(captive, f"{item}_declined") else value


def _identity(captive: Captive) -> list[list[str]]:
    return _pairs(
        [
            (CASE_NUMBER, captive.case_number),
            (FAMILY_NAME, captive.family_name.upper()),
            (GIVEN_NAMES, captive.given_names),
            (ORIGINAL, captive.name_original),
            (SCRIPT, captive.get_original_script_display()),
            (RANK, _declinable(captive, "rank", captive.rank)),
            (SERVICE_NUMBER, _declinable(captive, "service_number", captive.service_number)),
            (BIRTH_DATE, _declinable(captive, "birth_date", captive.birth_date)),
            (BIRTH_YEAR, _declinable(captive, "birth_date", captive.birth_year)),
            (BIRTH_PLACE, _declinable(captive, "place_of_birth", captive.place_of_birth)),
            (FATHER, _declinable(captive, "father_first_name", captive.father_first_name)),
            (MOTHER, _declinable(captive, "mother_maiden_name", captive.mother_maiden_name)),
            (SEX, captive.get_sex_display()),
            (NATIONALITY, captive.nationality),
            (LANGUAGES, captive.languages),
            (IDENTITY_STATUS, captive.get_identity_status_display()),
            (VERIFIED_BY, captive.identity_verified_by),
            (VERIFIED_ON, captive.identity_verified_on),
            (IDENTITY_NOTES, captive.identity_notes),
        ]
    )


def _service(captive: Captive) -> list[list[str]]:
    return _pairs(
        [
            (ARMED_FORCE, captive.armed_force),
            (UNIT, _declinable(captive, "unit", captive.unit)),
            (POWER, captive.power_depended_on),
            (ALLIED, captive.allied_power),
        ]
    )


def _capture(captive: Captive) -> list[list[str]]:
    wish = captive.get_effective_wish_display() if captive.effective_wish else ""
    if captive.effective_wish_destination:
        wish = f"{wish} → {_text(captive.effective_wish_destination)}"
    return _pairs(
        [
            (CAPTURED_ON, captive.captured_on),
            (CAPTURE_PLACE, captive.capture_place),
            (CAPTURE_REGION, captive.capture_region),
            (TERRITORY, captive.capture_territory_state),
            (DETAINING, captive.detaining_power),
            (CIRCUMSTANCES, captive.capture_circumstances),
            (LEGAL_STATUS, captive.get_legal_status_display()),
            (HEALTH, captive.get_health_display()),
            (HEALTH_NOTES, captive.health_notes),
            (CUSTODY, captive.get_custody_status_display() if captive.custody_status else ""),
            (CUSTODY_PLACE, captive.custody_place),
            (CUSTODIAN, captive.custodian),
            (CUSTODY_SINCE, captive.custody_since),
            (EFFECTIVE_WISH, wish),
        ]
    )


def _kin(captive: Captive) -> list[list[str]]:
    return _pairs(
        [
            (KIN_NAME, captive.next_of_kin_name),
            (KIN_RELATION, captive.next_of_kin_relationship),
            (KIN_ADDRESS, captive.next_of_kin_address),
            (NOTES, captive.notes),
        ]
    )


def _table(columns: list[Any], widths: list[float], rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "kind": "table",
        "columns": [str(column) for column in columns],
        "widths": widths,
        "rows": rows,
    }


def _row(cells: list[Any], record: Any = None) -> dict[str, Any]:
    return {"cells": [_text(cell) for cell in cells], "voided": _voided(record) if record else ""}


def _names(captive: Captive) -> dict[str, Any]:
    names = CaptiveName.objects.filter(captive=captive).order_by("system", "full_name", "pk")
    return _table(
        [SYSTEM_COL, NAME, NOTE],
        [1.2, 2, 2],
        [_row([n.get_system_display(), n.full_name, n.note]) for n in names],
    )


def _custody(captive: Captive) -> dict[str, Any]:
    events = (
        CustodyEvent.objects.filter(captive=captive)
        .select_related("custodian", "recorded_by", "voided_by")
        .order_by("occurred_at", "pk")
    )
    return _table(
        [WHEN, EVENT, PLACE, CUSTODIAN, NOTES, RECORDED_BY],
        [1.1, 1.2, 1.4, 1.3, 2, 0.9],
        [
            _row(
                [
                    e.occurred_at,
                    e.get_kind_display(),
                    e.place,
                    e.custodian,
                    e.notes,
                    _person(e.recorded_by),
                ],
                e,
            )
            for e in events
        ],
    )


def _wishes(captive: Captive) -> dict[str, Any]:
    statements = (
        WishStatement.objects.filter(captive=captive)
        .select_related("destination", "assessed_by", "voided_by")
        .order_by("stated_at", "pk")
    )
    rows = []
    for s in statements:
        wish = s.get_wish_display()
        if s.destination:
            wish = f"{wish} → {_text(s.destination)}"
        if s.is_formal_request:
            wish = f"{wish}\n{FORMAL}"
        present = "\n".join(
            part for part in (s.language, s.interpreter, s.persons_present.strip()) if part
        )
        assessed = ""
        if s.assessed_at:
            assessed = f"{_person(s.assessed_by)}\n{_text(s.assessed_at)}"
        rows.append(
            _row(
                [
                    s.stated_at,
                    wish,
                    s.get_mode_display(),
                    present,
                    s.statement,
                    s.get_voluntariness_display(),
                    assessed,
                    s.assessment_notes,
                ],
                s,
            )
        )
    return _table(
        [
            WHEN,
            WISH,
            HOW,
            CIRCUMSTANCES_OF_STATEMENT,
            STATEMENT,
            VOLUNTARINESS,
            ASSESSED,
            ASSESSMENT_NOTES,
        ],
        [1, 1.2, 1.1, 1.1, 2, 1.15, 1, 1.4],
        rows,
    )


def _reviews(captive: Captive) -> dict[str, Any]:
    reviews = (
        NonRefoulementReview.objects.filter(captive=captive)
        .select_related("destination", "reviewed_by", "voided_by")
        .order_by("reviewed_at", "pk")
    )
    return _table(
        [REVIEWED, DESTINATION, DECISION, REASONS],
        [1.2, 1.3, 1.6, 3],
        [
            _row(
                [
                    f"{_person(r.reviewed_by)}\n{_text(r.reviewed_at)}",
                    r.destination,
                    r.get_decision_display(),
                    r.reasons,
                ],
                r,
            )
            for r in reviews
        ],
    )


def _obligations(captive: Captive, *, today: dt.date) -> dict[str, Any]:
    obligations = (
        Obligation.objects.filter(captive=captive)
        .select_related("voided_by")
        .order_by("due_on", "pk")
    )
    return _table(
        [KIND, DUE, STATE, FULFILLED, OBLIGATION_REFERENCE, NOTES],
        [2.2, 0.9, 0.9, 0.9, 1.5, 1.6],
        [
            _row(
                [
                    o.get_kind_display(),
                    o.due_on,
                    # As it stood the day the file was printed, so a rebuild prints the same.
                    o.state_on(today).capitalize(),
                    o.fulfilled_on,
                    o.reference,
                    o.notes,
                ],
                o,
            )
            for o in obligations
        ],
    )


def _states(captive: Captive) -> dict[str, Any]:
    involvements = (
        Involvement.objects.filter(captive=captive)
        .select_related("state")
        .order_by("role", "state__code", "pk")
    )
    rows = []
    for i in involvements:
        period = ""
        if i.started_on or i.ended_on:
            period = f"{_text(i.started_on) or '…'} – {_text(i.ended_on) or '…'}"
        rows.append(_row([i.state, i.get_role_display(), i.position, period, i.notes]))
    return _table([STATE, ROLE, POSITION, PERIOD, NOTES], [1.4, 1.1, 2.2, 1.1, 1.6], rows)


def _field_name(model: type[Model], name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:  # a field since removed is named as it was
        return name.replace("_", " ")


def _changes(entry: Any, model: type[Model]) -> str:
    if entry.history_type == "+":
        return str(CREATED)
    if entry.history_type == "-":
        return str(DELETED)
    previous = entry.prev_record
    if previous is None:
        return str(NOTHING_CHANGED)
    # Every tracked field, the ones the services keep in step (custody, wish) included; those
    # are not editable, and simple-history's diff_against reads only editable ones.
    fields = sorted(
        {
            _field_name(model, field.name)
            for field in previous.tracked_fields
            if field.name not in HISTORY_IGNORED
            and getattr(entry, field.attname) != getattr(previous, field.attname)
        }
    )
    return ", ".join(fields) if fields else str(NOTHING_CHANGED)


def _history(captive: Captive, *, at: dt.datetime) -> dict[str, Any]:
    """How many changes the case's records have had up to `at`, and the last ones."""
    count = 0
    latest: list[tuple[Any, int, Any, Any, type[Model]]] = []
    for order, (label, name, key) in enumerate(HISTORY_SOURCES):
        model = apps.get_model(label)
        history = model.history.filter(**{key: captive.pk}, history_date__lte=at)
        count += history.count()
        for entry in history.select_related("history_user").order_by(
            "-history_date", "-history_id"
        )[:HISTORY_SHOWN]:
            latest.append((entry.history_date, order, entry.history_id, (name, entry), model))
    latest.sort(key=lambda item: (item[0], -item[1], item[2]), reverse=True)
    rows = []
    for when, _order, _id, (name, entry), model in latest[:HISTORY_SHOWN]:
        record = str(name) if model is Captive else f"{name} #{entry.id}"
        rows.append(
            _row(
                [
                    when,
                    _person(entry.history_user),
                    record,
                    _changes(entry, model),
                    entry.history_change_reason or "",
                ]
            )
        )
    table = _table([WHEN, WHO, RECORD, WHAT, REASON], [1.1, 1, 1.3, 2.6, 2], rows)
    table["intro"] = [
        f"{CHANGES}: {count}",
        str(LAST_CHANGES) % {"count": min(count, HISTORY_SHOWN)},
    ]
    return table


def case_file_data(captive: Captive, *, record: GeneratedDocument) -> dict[str, Any]:
    at = record.generated_at
    today = timezone.localdate(at)

    def kv(title: Any, rows: list[list[str]]) -> dict[str, Any]:
        return {"title": str(title), "kind": "pairs", "rows": rows}

    def section(title: Any, table: dict[str, Any]) -> dict[str, Any]:
        return {"title": str(title), **table}

    return {
        "title": f"{TITLE} — {captive.case_number}",
        "heading": str(TITLE),
        "internal": str(INTERNAL),
        "case_number": captive.case_number,
        "name": captive.name_latin,
        "name_original": captive.name_original,
        "facts": [
            [str(REFERENCE), record.reference],
            [str(PRINTED), f"{_text(at)} — {_person(record.author)}"],
        ],
        "none": str(NONE),
        "sections": [
            kv(S_IDENTITY, _identity(captive)),
            section(S_NAMES, _names(captive)),
            kv(S_SERVICE, _service(captive)),
            kv(S_CAPTURE, _capture(captive)),
            kv(S_KIN, _kin(captive)),
            section(S_CUSTODY, _custody(captive)),
            section(S_WISHES, _wishes(captive)),
            section(S_REVIEWS, _reviews(captive)),
            section(S_OBLIGATIONS, _obligations(captive, today=today)),
            section(S_STATES, _states(captive)),
            section(S_HISTORY, _history(captive, at=at)),
        ],
        "footer": (
            f"{INTERNAL} · powtracker · {record.reference} · {captive.case_number} · "
            f"{timezone.localtime(at):%Y-%m-%d %H:%M}"
        ),
        "lang": settings.LANGUAGE_CODE,
    }


def case_files(record: GeneratedDocument) -> tuple[bytes, list[str]]:
    """The case file of each captive the record names (one, from the admin), in one PDF."""
    language = settings.LANGUAGE_CODE
    captives = record.captives.select_related(
        "nationality",
        "power_depended_on",
        "allied_power",
        "capture_territory_state",
        "detaining_power",
        "custodian",
        "effective_wish_destination",
    ).order_by("case_number", "pk")
    with translation.override(language):
        files = [case_file_data(captive, record=record) for captive in captives]
        data = {"title": files[0]["title"] if files else str(TITLE), "files": files}
    return render_pdf("case_file", data, at=record.generated_at), [language]
