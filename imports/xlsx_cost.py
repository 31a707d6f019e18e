"""What reading an uploaded XLSX workbook would cost, found before openpyxl parses any of it.

A workbook's size says little about what it costs to read: its parts are compressed, often a
thousand to one, and openpyxl's cost follows what they hold once unpacked. A sheet of 536 KB
with 16,000 cells a row took 111 s to parse, a workbook of 553 KB with a compressed table of
shared text grew a worker by 210 MB, and one of 356 KB holding a million empty rows took 10 s.
So the workbook is measured first, cheaply, and refused (`workbook_too_costly`) at the first
bound it exceeds (settings.IMPORT_XLSX_*):

- the size of its parts unpacked: all of them, and each part openpyxl reads whole;
- the table of shared text, which openpyxl loads whole: its entries, their characters and its
  XML elements;
- each sheet openpyxl will parse: the sheet read, and any other that gives no <dimension>
  (openpyxl parses those whole just to size them when it opens the workbook): the highest
  column and row any cell or row lies in (empty rows count: openpyxl hands them over one by
  one), the cells it hands over (each row up to its last cell) and its XML elements.

The XML is read a chunk at a time by expat, with only counters kept, and the scan stops at
the first bound exceeded; a part that is not XML, or declares a DTD (no OOXML part has one),
is unreadable, as a damaged workbook is."""

import io
import posixpath
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from xml.parsers import expat

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from powtracker.errors import ErrorCode, RuleError

CHUNK = 64 * 1024
CONTENT_TYPES = "[Content_Types].xml"
SPREADSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.%s+xml"
SHARED_STRINGS_TYPE = SPREADSHEET % "sharedStrings"
WORKSHEET_TYPE = SPREADSHEET % "worksheet"
# The workbook part, by its content type, in the order openpyxl looks for it.
WORKBOOK_TYPES = [
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
    SPREADSHEET % "template.main",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    SPREADSHEET % "sheet.main",
]
RELATIONSHIPS_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
# openpyxl knows the elements of a sheet and of the shared text only in this namespace; an
# element's name as expat gives it: "namespace local-name".
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHEET_DATA, DIMENSION, ROW, CELL = (
    f"{MAIN_NS} {name}" for name in ("sheetData", "dimension", "row", "c")
)
ENTRY, TEXT = f"{MAIN_NS} si", f"{MAIN_NS} t"
MB = 1024 * 1024


def unreadable() -> RuleError:
    return RuleError(ErrorCode.INVALID, _("The file is not an XLSX workbook that can be read."))


def _too_costly(message: Any, params: dict[str, Any]) -> RuleError:
    return RuleError(ErrorCode.WORKBOOK_TOO_COSTLY, message, params)


class _Stop(Exception):
    """Ends a scan early: what was looked for is found."""


def _local(name: str) -> str:
    """An element's name without its namespace (expat gives "namespace name")."""
    return name.rpartition(" ")[2]


def _scan(
    archive: zipfile.ZipFile,
    part: str,
    start: Callable[[str, dict[str, str]], None],
    text: Callable[[str], None] | None = None,
) -> None:
    """Feed one part of the archive to expat a chunk at a time, calling `start` for each
    element (by its name, "namespace local-name") and `text` for character data. Raises _Stop
    if a handler does; a part that is not well-formed XML, or declares a DTD, is unreadable."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    parser.buffer_size = CHUNK

    def no_dtd(*_args: Any) -> None:
        raise unreadable()  # entities could expand without bound; OOXML declares none

    parser.StartDoctypeDeclHandler = no_dtd
    parser.StartElementHandler = start
    if text is not None:
        parser.CharacterDataHandler = text
    try:
        with archive.open(part) as source:
            while chunk := source.read(CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except (_Stop, RuleError):
        raise
    except Exception as error:  # expat, zlib, a bad CRC: a damaged part
        raise unreadable() from error


def _elements(
    archive: zipfile.ZipFile, part: str, wanted: set[str]
) -> Iterator[tuple[str, dict[str, str]]]:
    """The elements named `wanted` of a part openpyxl parses whole (so bounded by its size)."""
    _part_check(archive.getinfo(part))
    found: list[tuple[str, dict[str, str]]] = []

    def keep(name: str, attrs: dict[str, str]) -> None:
        if _local(name) in wanted:
            found.append((_local(name), attrs))

    _scan(archive, part, keep)
    return iter(found)


@dataclass(frozen=True)
class _Sheet:
    name: str
    part: str


def _sheets(archive: zipfile.ZipFile, workbook_part: str, names: set[str]) -> list[_Sheet]:
    """The worksheets of the workbook as openpyxl finds them: in the order the workbook lists
    them, each by its relationship's target (relative to the workbook's folder, or absolute),
    those whose part is missing left out. A chartsheet has no part to scan (""): openpyxl
    parses it whole, a part bounded by its size."""
    folder, file_name = posixpath.split(workbook_part)
    rels_part = posixpath.join(folder, "_rels", f"{file_name}.rels")
    targets: dict[str, tuple[str, str]] = {}
    if rels_part in names:
        parent = posixpath.split(posixpath.dirname(rels_part))[0]
        for name, attrs in _elements(archive, rels_part, {"Relationship"}):
            if name != "Relationship" or attrs.get("TargetMode") == "External":
                continue
            target = attrs.get("Target", "")
            target = (
                target[1:]
                if target.startswith("/")
                else posixpath.normpath(posixpath.join(parent, target))
            )
            targets[attrs.get("Id", "")] = (target, attrs.get("Type", ""))
    sheets = []
    for name, attrs in _elements(archive, workbook_part, {"sheet"}):
        relation = attrs.get(f"{RELATIONSHIPS_NS} id")
        if name != "sheet" or not relation:
            continue
        if relation not in targets:
            raise unreadable()  # openpyxl fails on a sheet without its relationship
        target, kind = targets[relation]
        if target in names:
            sheets.append(_Sheet(attrs.get("name", ""), target if "chartsheet" not in kind else ""))
    return sheets


def _column(reference: str) -> int:
    """The column of a cell reference ("XFD12" → 16384); 0 if it names none."""
    column = 0
    for char in reference:
        if not "A" <= char.upper() <= "Z":
            break
        column = column * 26 + ord(char.upper()) - ord("A") + 1
    return column


class _SheetScan:
    """Counts what openpyxl would go through in one sheet, refusing at the first bound
    exceeded. `sized`: openpyxl opens it only up to its <dimension>, if that comes before its
    rows (the sheet not read), so the scan stops there."""

    def __init__(self, sheet: str, *, sized: bool) -> None:
        self.sheet = sheet
        self.sized = sized
        self.max_elements = settings.IMPORT_XLSX_MAX_XML_ELEMENTS
        self.max_rows = settings.IMPORT_XLSX_MAX_ROWS
        self.max_columns = settings.IMPORT_XLSX_MAX_COLUMNS
        self.max_cells = settings.IMPORT_XLSX_MAX_CELLS
        self.in_data = False
        self.elements = 0
        self.row = 0
        self.rows = 0
        self.column = 0
        self.row_cells = 0
        self.row_width = 0
        self.cells = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        # Called for every element of the sheet: kept to a few comparisons.
        self.elements += 1
        if self.elements > self.max_elements:
            raise _too_costly(
                _(
                    "The sheet “%(sheet)s” holds more than %(max)d XML elements: save only the "
                    "list's table, in a new workbook or as CSV."
                ),
                {"sheet": self.sheet, "max": self.max_elements},
            )
        if not self.in_data:
            if name == SHEET_DATA:
                self.in_data = True
            elif name == DIMENSION and self.sized:
                raise _Stop
        elif name == CELL:
            self._cell(attrs.get("r"))
        elif name == ROW:
            self._row(attrs.get("r"))

    def _row(self, number: str | None) -> None:
        self._row_end()
        try:
            self.row = int(float(number)) if number else self.row + 1
        except (ValueError, OverflowError) as error:
            raise unreadable() from error  # as openpyxl fails on it
        self.rows += 1
        if max(self.row, self.rows) > self.max_rows:
            raise _too_costly(
                _(
                    "The sheet “%(sheet)s” reaches past row %(max)d, empty rows included: split "
                    "the list into several files, or delete the empty rows below it."
                ),
                {"sheet": self.sheet, "max": self.max_rows},
            )
        self.column = self.row_cells = self.row_width = 0

    def _cell(self, reference: str | None) -> None:
        # As openpyxl places a cell: by its reference, else after the one before it.
        self.column = _column(reference or "") or self.column + 1
        self.row_cells += 1
        # openpyxl hands a row over up to its last cell, and parses every cell element.
        self.row_width = max(self.row_width, self.column, self.row_cells)
        if self.row_width > self.max_columns:
            raise _too_costly(
                _(
                    "The sheet “%(sheet)s” reaches past column %(max)d (row %(row)d): delete "
                    "what lies to the right of the list, or save only its table."
                ),
                {"sheet": self.sheet, "max": self.max_columns, "row": self.row},
            )
        if self.cells + self.row_width > self.max_cells:
            raise _too_costly(
                _(
                    "The sheet “%(sheet)s” holds more than %(max)d cells (each row counted up "
                    "to its last cell): split the list into several files."
                ),
                {"sheet": self.sheet, "max": self.max_cells},
            )

    def _row_end(self) -> None:
        self.cells += self.row_width


class _SharedStringsScan:
    """Counts the entries and characters of the table of shared text, which openpyxl keeps
    whole in memory, and its XML elements, which it turns into objects (a formatted run of
    text costs it ~7 µs an element)."""

    def __init__(self) -> None:
        self.max_entries = settings.IMPORT_XLSX_MAX_SHARED_STRINGS
        self.max_characters = settings.IMPORT_XLSX_MAX_SHARED_CHARACTERS
        self.max_elements = settings.IMPORT_XLSX_MAX_SHARED_ELEMENTS
        self.entries = 0
        self.characters = 0
        self.elements = 0
        self.in_text = False

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.elements += 1
        if self.elements > self.max_elements:
            raise _too_costly(
                _(
                    "The workbook's table of shared text holds more than %(max)d XML elements: "
                    "save only the list's table, in a new workbook or as CSV."
                ),
                {"max": self.max_elements},
            )
        # An entry's text is in its <t> elements; character data outside them is whitespace.
        self.in_text = name == TEXT
        if name == ENTRY:
            self.entries += 1
            if self.entries > self.max_entries:
                raise _too_costly(
                    _(
                        "The workbook's table of shared text holds more than %(max)d entries: "
                        "save only the list's table, in a new workbook or as CSV."
                    ),
                    {"max": self.max_entries},
                )

    def text(self, data: str) -> None:
        if not self.in_text:
            return
        self.characters += len(data)
        if self.characters > self.max_characters:
            raise _too_costly(
                _(
                    "The workbook's table of shared text holds more than %(max)d characters: "
                    "save only the list's table, in a new workbook or as CSV."
                ),
                {"max": self.max_characters},
            )


def _part_check(info: zipfile.ZipInfo) -> None:
    if info.file_size > settings.IMPORT_XLSX_MAX_PART_BYTES:
        raise _too_costly(
            _(
                "The part “%(part)s” of the workbook unpacks to more than %(max)d MB: save only "
                "the list's table, in a new workbook or as CSV."
            ),
            {"part": info.filename, "max": settings.IMPORT_XLSX_MAX_PART_BYTES // MB},
        )


def xlsx_cost_check(data: bytes, sheet: str = "") -> None:
    """Refuse a workbook that would cost more to read than the bounds allow
    (`workbook_too_costly`), or that cannot be read (`invalid`); openpyxl has parsed nothing
    of it yet. `sheet`: the sheet to be read (the first if empty)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        listed = archive.infolist()
    except Exception as error:  # not a zip, a damaged directory
        raise unreadable() from error
    infos = {info.filename: info for info in listed}
    # Sizes as the zip declares them: zipfile never unpacks more than a part declares.
    if sum(info.file_size for info in listed) > settings.IMPORT_XLSX_MAX_UNPACKED_BYTES:
        raise _too_costly(
            _(
                "The workbook unpacks to more than %(max)d MB: split the list into several "
                "files, or save only its table."
            ),
            {"max": settings.IMPORT_XLSX_MAX_UNPACKED_BYTES // MB},
        )
    if CONTENT_TYPES not in infos:
        raise unreadable()
    # Where openpyxl finds the workbook and its table of shared text: by their content types.
    overrides: dict[str, str] = {}
    defaults: set[str] = set()
    for name, attrs in _elements(archive, CONTENT_TYPES, {"Override", "Default"}):
        if name == "Override":
            overrides.setdefault(attrs.get("PartName", "")[1:], attrs.get("ContentType", ""))
        elif name == "Default":
            defaults.add(attrs.get("ContentType", ""))
    workbook_part = next(
        (part for kind in WORKBOOK_TYPES for part, found in overrides.items() if found == kind),
        "xl/workbook.xml" if defaults & set(WORKBOOK_TYPES) else None,
    )
    if workbook_part not in infos:
        raise unreadable()
    shared = next((part for part, kind in overrides.items() if kind == SHARED_STRINGS_TYPE), None)
    sheets = _sheets(archive, workbook_part, set(infos))
    # The sheets and the shared text are streamed by openpyxl and bounded by what they hold
    # (below); every other part it reads is parsed whole, so bounded by its size.
    streamed = {found.part for found in sheets} | {shared}
    streamed |= {part for part, kind in overrides.items() if kind == WORKSHEET_TYPE}
    for name, info in infos.items():
        if name not in streamed:
            _part_check(info)
    if shared in infos:
        scan = _SharedStringsScan()
        _scan(archive, shared, scan.start, scan.text)
    # The sheet read, as openpyxl picks it: by its name, else the first.
    chosen = next((found for found in sheets if found.name == sheet), None) if sheet else None
    if not sheet and sheets:
        chosen = sheets[0]
    for found in sheets:
        if not found.part:
            continue  # a chartsheet: bounded by its size above
        counter = _SheetScan(found.name, sized=found is not chosen)
        try:
            _scan(archive, found.part, counter.start)
        except _Stop:
            continue
