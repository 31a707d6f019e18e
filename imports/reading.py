"""Reading an uploaded list: CSV (UTF-8, Windows-1251 or EUC-KR/CP949) or XLSX, into its column
headers and its rows of text cells, each with the row number a spreadsheet shows."""

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.utils.translation import gettext_lazy as _

from imports.xlsx_cost import xlsx_cost_check
from powtracker.errors import ErrorCode, RuleError

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000
MAX_COLUMNS = 100
# No field of the register holds more; a longer cell is no list of names.
MAX_CELL = 5_000

ENCODINGS = {
    "utf-8": _("UTF-8"),
    "cp1251": _("Windows-1251 (Cyrillic)"),
    "cp949": _("EUC-KR / CP949 (Korean)"),
}


@dataclass
class Table:
    file_format: str
    sheet: str
    headers: list[str]
    # (row number as a spreadsheet shows it, its cells as text, as many as the headers)
    rows: list[tuple[int, list[str]]]


def _refuse(message: Any, params: dict[str, Any] | None = None) -> RuleError:
    return RuleError(ErrorCode.INVALID, message, params)


def _cell_text(value: Any) -> str:
    """A cell as text: dates as YYYY-MM-DD, whole numbers without ".0" (service numbers)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time.min else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _table(file_format: str, sheet: str, lines: Any) -> Table:
    headers: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    for number, raw in enumerate(lines, start=1):
        cells = [_cell_text(value) for value in raw]
        if any(len(cell) > MAX_CELL for cell in cells):
            raise _refuse(
                _(
                    "Row %(row)d holds a cell of more than %(max)d characters: it is kept as read "
                    "or not at all."
                ),
                {"row": number, "max": MAX_CELL},
            )
        if not any(cells):
            continue
        if headers is None:
            if len(cells) > MAX_COLUMNS:
                raise _refuse(_("The list has more than %(max)d columns."), {"max": MAX_COLUMNS})
            headers = [cell or f"#{index + 1}" for index, cell in enumerate(cells)]
            continue
        if len(rows) >= MAX_ROWS:
            raise _refuse(
                _("The list has more than %(max)d rows: split it into several files."),
                {"max": MAX_ROWS},
            )
        cells = (cells + [""] * len(headers))[: len(headers)]
        rows.append((number, cells))
    if headers is None:
        raise _refuse(_("The file is empty: the first row should name the columns."))
    if not rows:
        raise _refuse(_("The file names its columns but has no rows under them."))
    return Table(file_format=file_format, sheet=sheet, headers=headers, rows=rows)


def _read_csv(data: bytes, encoding: str) -> Table:
    if encoding not in ENCODINGS:
        raise _refuse(_("Unknown encoding: %(encoding)s."), {"encoding": encoding})
    try:
        text = data.decode("utf-8-sig" if encoding == "utf-8" else encoding)
    except UnicodeDecodeError as error:
        raise _refuse(
            _(
                "The file is not %(encoding)s (byte %(position)d): choose the encoding it was "
                "saved in, or save it as UTF-8."
            ),
            {"encoding": ENCODINGS[encoding], "position": error.start},
        ) from error
    if "\x00" in text:
        raise _refuse(_("The file is not a text (CSV) file."))
    sample = text[:8192]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    try:
        return _table("csv", "", csv.reader(io.StringIO(text, newline=""), dialect))
    except csv.Error as error:
        raise _refuse(
            _("The CSV file cannot be read: %(error)s."), {"error": str(error)}
        ) from error


def _read_xlsx(data: bytes, sheet: str) -> Table:
    from openpyxl import load_workbook

    # What it costs to read is measured first: its size on disk says little (imports.xlsx_cost).
    xlsx_cost_check(data, sheet)
    unreadable = _("The file is not an XLSX workbook that can be read.")
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # a damaged workbook fails in many ways
        raise _refuse(unreadable) from error
    try:
        names = workbook.sheetnames
        if sheet and sheet not in names:
            raise _refuse(
                _("The workbook has no sheet “%(sheet)s”; it has: %(names)s."),
                {"sheet": sheet, "names": ", ".join(names)},
            )
        worksheet = workbook[sheet or names[0]]
        if not hasattr(worksheet, "iter_rows"):
            raise _refuse(_("The sheet “%(sheet)s” holds no table."), {"sheet": worksheet.title})
        # Every row there is, whatever the size the file declares (a stale <dimension> would
        # hide the rows past it).
        worksheet.reset_dimensions()
        return _table("xlsx", worksheet.title, worksheet.iter_rows(values_only=True))
    except RuleError:
        raise
    except Exception as error:  # the sheet XML is read lazily, row by row
        raise _refuse(unreadable) from error
    finally:
        workbook.close()


def table_read(data: bytes, file_name: str, *, encoding: str = "utf-8", sheet: str = "") -> Table:
    """The list in `data`: XLSX when the file is one (by its content, whatever its name), else
    CSV in `encoding`. Refused with a clear message (code `invalid`) when it cannot be read, or
    (`workbook_too_costly`) when a workbook would cost more to read than the bounds allow."""
    if len(data) > MAX_BYTES:
        raise _refuse(
            _("The file is larger than %(max)d MB: split it into several files."),
            {"max": MAX_BYTES // (1024 * 1024)},
        )
    if not data:
        raise _refuse(_("The file is empty: the first row should name the columns."))
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data, sheet)
    if file_name.lower().endswith((".xlsx", ".xls", ".xlsm")):
        raise _refuse(_("The file is not an XLSX workbook that can be read."))
    return _read_csv(data, encoding)
