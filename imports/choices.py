"""The imports app's choices and tables: the statuses of a batch and of its rows, the decisions
about a row, the register fields a list's columns may be mapped to, and the steps of an import
(each needs the import permission, and may be taken from some statuses of the batch only)."""

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from powtracker.steps import Step

PERMISSION = "imports.run_import"


class BatchStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded: map the columns")
    ANALYSING = "analysing", _("Analysing")
    PREVIEW = "preview", _("Preview: waiting for confirmation")
    WRITING = "writing", _("Writing")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class RowStatus(models.TextChoices):
    """What became of a row. `pending` until analysed; then `invalid`, `repeated` (the same row
    earlier in this file), `imported_before` (the same row written by an earlier import), or
    `ready`; after the writing `written`, or `held` (possible duplicates nobody decided about)."""

    PENDING = "pending", _("Not analysed yet")
    INVALID = "invalid", _("Errors: not imported")
    REPEATED = "repeated", _("Repeats an earlier row of this file")
    IMPORTED_BEFORE = "imported_before", _("Imported before")
    READY = "ready", _("Ready")
    WRITTEN = "written", _("Written")
    HELD = "held", _("Held: possible duplicates to decide")


class RowDecision(models.TextChoices):
    """The caseworker's decision about a row with possible duplicates."""

    UNDECIDED = "", _("Hold until decided")
    NEW = "new", _("New case (decide about the candidates later)")
    NOT_SAME = "not_same", _("New case, not the same as any candidate")
    SAME = "same", _("Same person as the chosen candidate")


@dataclass(frozen=True)
class Target:
    name: str
    label: Any
    kind: str  # text, date, year, state, sex, health, names
    headers: tuple[str, ...]


# Headers are compared folded: lower case, no spaces, dots, dashes, underscores or apostrophes.
TARGETS = [
    Target(
        "family_name",
        _("family name (Latin)"),
        "text",
        ("familyname", "surname", "lastname", "family", "прізвище", "фамилия", "성"),
    ),
    Target(
        "given_names",
        _("given names (Latin)"),
        "text",
        ("givennames", "givenname", "firstname", "firstnames", "forename", "імя", "имя", "이름"),
    ),
    Target(
        "full_name",
        _("full name (Latin, family name in capitals or first)"),
        "text",
        ("fullname", "name", "nameinlatin", "latinname"),
    ),
    Target(
        "name_original",
        _("name in original script"),
        "text",
        ("nameoriginal", "originalname", "nameinoriginalscript", "піб", "фио", "성명", "한글이름"),
    ),
    Target(
        "other_names",
        _("other spellings (separated by ;)"),
        "names",
        ("othernames", "aliases", "alias", "otherspellings", "інашіімена", "별명"),
    ),
    Target("sex", _("sex"), "sex", ("sex", "gender", "стать", "пол", "성별")),
    Target(
        "birth_date",
        _("date of birth"),
        "date",
        ("dateofbirth", "birthdate", "dob", "born", "датанародження", "датарождения", "생년월일"),
    ),
    Target(
        "birth_year",
        _("year of birth"),
        "year",
        ("yearofbirth", "birthyear", "рікнародження", "годрождения", "출생연도"),
    ),
    Target(
        "place_of_birth",
        _("place of birth"),
        "text",
        ("placeofbirth", "birthplace", "місценародження", "месторождения", "출생지"),
    ),
    Target(
        "nationality",
        _("nationality (state code or name)"),
        "state",
        ("nationality", "citizenship", "громадянство", "гражданство", "국적"),
    ),
    Target("rank", _("rank"), "text", ("rank", "звання", "звание", "계급")),
    Target(
        "service_number",
        _("service number"),
        "text",
        ("servicenumber", "serviceno", "personalnumber", "militaryid", "номер", "군번"),
    ),
    Target(
        "armed_force",
        _("armed force"),
        "text",
        ("armedforce", "armedforces", "force", "service", "військо", "군"),
    ),
    Target("unit", _("unit"), "text", ("unit", "частина", "підрозділ", "часть", "부대")),
    Target(
        "power_depended_on",
        _("power he depends on (state code or name; none: his nationality)"),
        "state",
        ("powerdependedon", "power", "dependson", "party"),
    ),
    Target(
        "allied_power",
        _("allied power he fought alongside (state code or name)"),
        "state",
        ("alliedpower", "ally", "allies", "alongside", "союзник", "동맹국"),
    ),
    Target(
        "captured_on",
        _("capture date"),
        "date",
        ("capturedon", "capturedate", "dateofcapture", "captured", "датаполону", "датапленения"),
    ),
    Target(
        "capture_place",
        _("place of capture"),
        "text",
        ("captureplace", "placeofcapture", "місцеполону", "местопленения", "포획장소"),
    ),
    Target("capture_region", _("region of capture"), "text", ("captureregion", "region")),
    Target(
        "detaining_power",
        _("detaining power (state code or name)"),
        "state",
        ("detainingpower", "detainedby", "heldby"),
    ),
    Target("health", _("health"), "health", ("health", "здоровя", "здоровье", "건강")),
    Target(
        "notes", _("notes"), "text", ("notes", "note", "remarks", "примітки", "примечания", "비고")
    ),
]
TARGETS_BY_NAME = {target.name: target for target in TARGETS}
# Fields a mapping must give, one way or the other.
NAME_TARGETS = ("family_name", "full_name")


# --- the steps of an import (powtracker.steps) ------------------------------------------------

B = BatchStatus
_IMPORT = pgettext_lazy("your role does not allow you to …", "import lists of names")


@dataclass(frozen=True)
class ImportStep(Step):
    """A step of an import. `now` says what the batch cannot do from another status: "%(reference)s
    is %(status)s: it cannot %(action)s now"."""

    now: Any = None


IMPORT_UPLOAD = ImportStep("upload", PERMISSION, _IMPORT)
IMPORT_MAP = ImportStep(
    "map",
    PERMISSION,
    _IMPORT,
    from_statuses=frozenset({B.UPLOADED, B.ANALYSING, B.PREVIEW}),
    now=pgettext_lazy("an import: it cannot … now", "be mapped again"),
)
IMPORT_ANALYSE = ImportStep(
    "analyse",
    PERMISSION,
    _IMPORT,
    from_statuses=frozenset({B.ANALYSING}),
    now=pgettext_lazy("an import: it cannot … now", "be analysed"),
)
IMPORT_DECIDE = ImportStep(
    "decide",
    PERMISSION,
    _IMPORT,
    from_statuses=frozenset({B.PREVIEW, B.WRITING, B.DONE}),
    now=_("take decisions"),
)
IMPORT_CONFIRM = ImportStep(
    "confirm",
    PERMISSION,
    _IMPORT,
    from_statuses=frozenset({B.PREVIEW}),
    now=pgettext_lazy("an import: it cannot … now", "be confirmed"),
)
IMPORT_WRITE = ImportStep(
    "write",
    PERMISSION,
    _IMPORT,
    from_statuses=frozenset({B.WRITING}),
    now=pgettext_lazy("an import: it cannot … now", "write rows"),
)
# Cancelling stops what is left: a finished import only while some rows are held.
IMPORT_CANCEL = ImportStep(
    "cancel",
    PERMISSION,
    _IMPORT,
    from_statuses=frozenset({B.UPLOADED, B.ANALYSING, B.PREVIEW, B.WRITING, B.DONE}),
    now=pgettext_lazy("an import: it cannot … now", "be cancelled"),
)
