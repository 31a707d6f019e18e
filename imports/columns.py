"""How a column is recognised by its header among the register fields it may be mapped to
(imports.choices.TARGETS), how a row's cells are read into a captive's particulars, with an error
for each cell that cannot be read, and how a state is found by its code or its name."""

import hashlib
import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from cases.choices import Health, NameSystem, Sex
from cases.names import script_of
from imports.choices import NAME_TARGETS, TARGETS, TARGETS_BY_NAME
from states.models import State


class CellError(Exception):
    def __init__(self, code: str, message: Any, params: dict[str, Any] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.params = params or {}

    def text(self) -> str:
        return str(self.message) % self.params if self.params else str(self.message)


_FOLD = re.compile(r"[\s._\-'’ʼ`()]+")


def header_fold(header: str) -> str:
    return _FOLD.sub("", unicodedata.normalize("NFKC", header or "").casefold())


def mapping_guess(headers: list[str]) -> dict[str, str]:
    """Each column's field by its header (column index as text → field name), each field once."""
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for index, header in enumerate(headers):
        folded = header_fold(header)
        for target in TARGETS:
            if target.name not in taken and (folded == target.name or folded in target.headers):
                mapping[str(index)] = target.name
                taken.add(target.name)
                break
    return mapping


def mapping_refusals(mapping: dict[str, str], column_count: int) -> list[str]:
    """What is wrong with a mapping (empty if nothing)."""
    problems: list[str] = []
    seen: dict[str, str] = {}
    for column, field in mapping.items():
        if not field:
            continue
        if field not in TARGETS_BY_NAME:
            problems.append(str(_("Unknown field: %(field)s.") % {"field": field}))
            continue
        if not column.isdigit() or int(column) >= column_count:
            problems.append(str(_("Unknown column: %(column)s.") % {"column": column}))
            continue
        if field in seen:
            problems.append(
                str(
                    _("Two columns are mapped to “%(field)s”.")
                    % {"field": TARGETS_BY_NAME[field].label}
                )
            )
        seen[field] = column
    if not any(field in seen for field in NAME_TARGETS):
        problems.append(str(_("Map a column to the family name (Latin) or to the full name.")))
    if "family_name" in seen and "full_name" in seen:
        problems.append(str(_("Map either the family name or the full name, not both.")))
    if "captured_on" not in seen:
        problems.append(str(_("Map a column to the capture date: every captive needs one.")))
    return problems


# --- reading cells ------------------------------------------------------------------------------

_DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%Y/%m/%d", "%Y.%m.%d", "%d.%m.%y")
_SEX = {
    Sex.MALE: {
        "m",
        "male",
        "man",
        "ч",
        "чол",
        "чоловіча",
        "м",
        "муж",
        "мужской",
        "남",
        "남성",
        "남자",
    },
    Sex.FEMALE: {
        "f",
        "female",
        "woman",
        "ж",
        "жін",
        "жіноча",
        "жен",
        "женский",
        "여",
        "여성",
        "여자",
    },
}


def _text(value: str) -> str:
    return unicodedata.normalize("NFC", value).strip()


def _date(value: str) -> date:
    for form in _DATE_FORMATS:
        try:
            return datetime.strptime(value, form).date()
        except ValueError:
            continue
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}T[\d:.]+", value):
        return datetime.fromisoformat(value).date()
    raise CellError(
        "invalid_date",
        _("“%(value)s” is not a date: write YYYY-MM-DD or DD.MM.YYYY."),
        {"value": value},
    )


def _year(value: str) -> int:
    if not re.fullmatch(r"\d{4}", value):
        raise CellError("invalid_year", _("“%(value)s” is not a year."), {"value": value})
    return int(value)


def _choice(value: str, choices: Any, extra: dict[Any, set[str]] | None = None) -> str:
    folded = value.casefold()
    for choice in choices:
        if folded in {str(choice.value).casefold(), str(choice.label).casefold()}:
            return str(choice.value)
        if extra and folded in extra.get(choice, set()):
            return str(choice.value)
    allowed = ", ".join(str(choice.value) for choice in choices)
    raise CellError(
        "invalid_choice",
        _("“%(value)s” is not one of: %(allowed)s."),
        {"value": value, "allowed": allowed},
    )


def _full_name(value: str) -> tuple[str, str]:
    """A Latin full name into family name and given names: the word in capitals, else the first."""
    words = value.split()
    capitals = [w for w in words if w.isupper() and len(w) > 1]
    if len(capitals) == 1 and len(words) > 1:
        family = capitals[0]
        given = " ".join(w for w in words if w is not family)
        return family.title(), given
    return words[0], " ".join(words[1:])


@dataclass
class RowReading:
    """A row read: the values (JSON-able: dates as text, states by code) and the errors."""

    values: dict[str, Any]
    errors: list[dict[str, str]]


def row_read(
    cells: list[str],
    mapping: dict[str, str],
    headers: list[str],
    states: Callable[[str], str | None],
) -> RowReading:
    """Read a row's cells by the mapping. `states(text)`: the code of the state a cell names
    (by code or name), or None."""
    values: dict[str, Any] = {}
    errors: list[dict[str, str]] = []
    for column, field in sorted(mapping.items(), key=lambda item: int(item[0])):
        if not field:
            continue
        raw = _text(cells[int(column)]) if int(column) < len(cells) else ""
        if not raw:
            continue
        target = TARGETS_BY_NAME[field]
        try:
            if target.kind == "text":
                values[field] = raw
            elif target.kind == "names":
                values[field] = [n.strip() for n in re.split(r"[;|\n]", raw) if n.strip()]
            elif target.kind == "date":
                if field == "birth_date" and re.fullmatch(r"\d{4}", raw):
                    values["birth_year"] = int(raw)  # a year alone
                else:
                    values[field] = _date(raw).isoformat()
            elif target.kind == "year":
                values[field] = _year(raw)
            elif target.kind == "state":
                code = states(raw)
                if code is None:
                    raise CellError(
                        "unknown_state",
                        _("“%(value)s” is no state of the register (give its code, e.g. UKR)."),
                        {"value": raw},
                    )
                values[field] = code
            elif target.kind == "sex":
                values[field] = _choice(raw, Sex, _SEX)
            elif target.kind == "health":
                values[field] = _choice(raw, Health)
        except CellError as error:
            errors.append(
                {
                    "column": headers[int(column)],
                    "field": field,
                    "code": error.code,
                    "message": error.text(),
                }
            )
    if "full_name" in values:
        values["family_name"], given = _full_name(values.pop("full_name"))
        if given and "given_names" not in values:
            values["given_names"] = given
    if "name_original" in values:
        values["original_script"] = script_of(values["name_original"])
    return RowReading(values=values, errors=errors)


def row_fingerprint(values: dict[str, Any]) -> str:
    """The same row, whatever file or column order brings it: its values, folded."""

    def fold(value: Any) -> Any:
        if isinstance(value, list):
            return sorted(fold(v) for v in value)
        return " ".join(str(value).casefold().split())

    canonical = json.dumps(
        {key: fold(value) for key, value in sorted(values.items())}, ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def row_register_arguments(values: dict[str, Any], states: dict[str, Any]) -> dict[str, Any]:
    """captive_register's (and captive_register_check's) arguments from a row's values."""
    arguments: dict[str, Any] = {}
    for field, value in values.items():
        kind = TARGETS_BY_NAME[field].kind if field in TARGETS_BY_NAME else "text"
        if field == "other_names":
            arguments["names"] = [(NameSystem.ALIAS, name) for name in dict.fromkeys(value)]
        elif kind == "state":
            arguments[field] = states[value]
        elif kind == "date":
            arguments[field] = date.fromisoformat(value)
        else:
            arguments[field] = value
    arguments.setdefault("family_name", "")
    return arguments


# --- states: by code or by name -----------------------------------------------------------------


@dataclass
class StateCodes:
    by_code: dict[str, State]
    by_name: dict[str, str]

    @classmethod
    def load(cls) -> "StateCodes":
        states = list(State.objects.all())
        return cls(
            by_code={state.code: state for state in states},
            by_name={state.name.casefold(): state.code for state in states},
        )

    def code(self, text: str) -> str | None:
        text = text.strip()
        if text.upper() in self.by_code:
            return text.upper()
        return self.by_name.get(text.casefold())
