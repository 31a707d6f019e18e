"""Exports: a queryset and a column spec become rows, and rows become CSV, XLSX or JSON Lines,
streamed so that memory stays flat however long the list.

Every export ends in an `ExportRecord` (reports.models) holding the file's SHA-256, computed
over the bytes as they leave.
"""

import csv
import datetime as dt
import hashlib
import io
import json
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

import pyzipper
import xlsxwriter
from django.conf import settings
from django.db.models import Model, QuerySet
from django.http import StreamingHttpResponse
from django.utils.translation import gettext_lazy as _

from powtracker.errors import ErrorCode, RuleError
from reports.choices import ExportFormat

# Rows fetched from the database at a time (also the size of a ledger batch).
CHUNK_SIZE = 1000
# Bytes read at a time from a finished XLSX file.
FILE_CHUNK = 64 * 1024
EXPORT_PASSWORD_MIN_LENGTH = 12
# A cell beginning with one of these is a formula to a spreadsheet (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CONTENT_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportFormat.JSONL: "application/jsonl; charset=utf-8",
}


@dataclass(frozen=True)
class Column:
    """One column: its header and how to read its value from a row's source object."""

    header: str
    value: Callable[[Any], Any]


def field(name: str, header: str | None = None) -> Column:
    """A column reading a (dotted) attribute path: `detaining_power.code`."""

    def read(source: Any) -> Any:
        for part in name.split("."):
            source = getattr(source, part, None) if source is not None else None
        return source

    return Column(header or name.replace(".", "_"), read)


def cell_value(value: Any) -> Any:
    """A value as a spreadsheet cell: dates ISO 8601, nothing as empty, text made harmless."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, int | float):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        # A leading apostrophe makes a spreadsheet show the text instead of running it.
        return "'" + text
    return text


def json_value(value: Any) -> Any:
    """A value for JSON: dates ISO 8601; text as it is (JSON is never run as a formula)."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def queryset_rows(
    queryset: QuerySet[Any] | Iterable[Any],
    columns: list[Column],
    *,
    on_batch: Callable[[list[Any]], None] | None = None,
) -> Iterator[list[Any]]:
    """The rows of a queryset, read `CHUNK_SIZE` at a time (prefetches included, per chunk).

    `on_batch` sees each batch of source objects before any of its rows leaves (the API writes
    the disclosure ledger there, so nothing is sent that is not recorded).
    """
    objects = (
        queryset.iterator(chunk_size=CHUNK_SIZE) if isinstance(queryset, QuerySet) else queryset
    )
    objects = iter(objects)
    while batch := list(islice(objects, CHUNK_SIZE)):
        if on_batch is not None:
            on_batch(batch)
        for source in batch:
            yield [column.value(source) for column in columns]


class _Echo:
    """A file that gives back what is written to it, for csv.writer."""

    def write(self, value: str) -> str:
        return value


def csv_chunks(headers: list[str], rows: Iterable[list[Any]]) -> Iterator[bytes]:
    """UTF-8 with a BOM (so Excel reads Hangul and Cyrillic), one row at a time."""
    writer = csv.writer(_Echo())
    yield "\ufeff".encode() + writer.writerow([cell_value(h) for h in headers]).encode()
    for row in rows:
        yield writer.writerow([cell_value(value) for value in row]).encode()


def jsonl_chunks(headers: list[str], rows: Iterable[Any]) -> Iterator[bytes]:
    """One JSON object a line. A row is a list (zipped with the headers) or already a dict."""
    for row in rows:
        record = row if isinstance(row, dict) else dict(zip(headers, row, strict=True))
        line = json.dumps(record, ensure_ascii=False, default=json_value, separators=(",", ":"))
        yield line.encode() + b"\n"


def xlsx_chunks(headers: list[str], rows: Iterable[list[Any]]) -> Iterator[bytes]:
    """XlsxWriter in constant-memory mode (each row flushed as written) into a temporary file,
    then that file in chunks; the file disappears when the stream ends or is abandoned."""
    with tempfile.TemporaryFile() as spool:
        book = xlsxwriter.Workbook(
            spool,
            {
                "constant_memory": True,
                # Text stays text: no "=…" becomes a formula, no "0012" a number, no URL a link.
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
            },
        )
        sheet = book.add_worksheet()
        bold = book.add_format({"bold": True})
        for index, header in enumerate(headers):
            sheet.write_string(0, index, str(header), bold)
        for number, row in enumerate(rows, start=1):
            for index, value in enumerate(row):
                shown = cell_value(value)
                if isinstance(shown, str):
                    sheet.write_string(number, index, shown)
                else:
                    sheet.write_number(number, index, shown)
        book.close()
        spool.seek(0)
        while chunk := spool.read(FILE_CHUNK):
            yield chunk


def protected_chunks(chunks: Iterable[bytes], *, password: str, inner_name: str) -> Iterator[bytes]:
    """The file inside an AES-256 encrypted ZIP (WinZip AES: 7-Zip, WinZip and macOS' Archive
    Utility open it; Windows Explorer does not), spooled to a temporary file, then streamed."""
    with tempfile.TemporaryFile() as spool:
        with pyzipper.AESZipFile(
            spool, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES
        ) as archive:
            archive.setpassword(password.encode())
            archive.setencryption(pyzipper.WZ_AES, nbits=256)
            with archive.open(inner_name, "w") as member:
                for chunk in chunks:
                    member.write(chunk)
        spool.seek(0)
        while chunk := spool.read(FILE_CHUNK):
            yield chunk


WRITERS = {
    ExportFormat.CSV: csv_chunks,
    ExportFormat.JSONL: jsonl_chunks,
    ExportFormat.XLSX: xlsx_chunks,
}


@dataclass
class Outcome:
    """What left: how many rows, the SHA-256 of the bytes, and whether the stream ended."""

    rows: int = 0
    sha256: str = ""
    completed: bool = False


def export_chunks(
    export_format: str,
    headers: list[str],
    rows: Iterable[Any],
    *,
    on_end: Callable[[Outcome], None],
    password: str = "",
    inner_name: str = "export",
) -> Iterator[bytes]:
    """The file's bytes (in an encrypted ZIP if a password is given), hashed as they go.

    `on_end` hears the outcome when the stream ends — or when the client goes away (then
    `completed` is False and the hash covers what was sent). A stream never started sent
    nothing and calls nothing."""
    outcome = Outcome()
    digest = hashlib.sha256()

    def counted() -> Iterator[Any]:
        for row in rows:
            outcome.rows += 1
            yield row

    produced = WRITERS[ExportFormat(export_format)](headers, counted())
    if password:
        produced = protected_chunks(produced, password=password, inner_name=inner_name)
    try:
        for chunk in produced:
            digest.update(chunk)
            yield chunk
        outcome.completed = True
    finally:
        outcome.sha256 = digest.hexdigest()
        on_end(outcome)


def export_filename(stem: str, export_format: str) -> str:
    return f"{stem}-{dt.datetime.now(dt.UTC):%Y%m%d-%H%M%S}.{export_format}"


def export_method_allowed(method: str) -> bool:
    """Whether a request may run an export: a HEAD would run it, write the ledger and the
    audit, and send nothing — so every door refuses it (405)."""
    return method != "HEAD"


def export_response(
    chunks: Iterator[bytes], export_format: str, filename: str, *, protected: bool = False
) -> Any:
    """A streaming download of the chunks (a ZIP when protected)."""
    if protected:
        content_type, filename = "application/zip", f"{filename}.zip"
    else:
        content_type = CONTENT_TYPES[export_format]
    response = StreamingHttpResponse(chunks, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def export_password_check(password: str, *, full_level: bool) -> None:
    """Refuse a password too short to protect anything, and a full-level export without one
    where EXPORT_FULL_LEVEL_REQUIRES_PASSWORD says every full-level export must have one."""
    if password and len(password) < EXPORT_PASSWORD_MIN_LENGTH:
        raise RuleError(
            ErrorCode.EXPORT_PASSWORD_REQUIRED,
            _("An export password has at least %(length)s characters."),
            {"length": EXPORT_PASSWORD_MIN_LENGTH},
        )
    if full_level and not password and settings.EXPORT_FULL_LEVEL_REQUIRES_PASSWORD:
        raise RuleError(
            ErrorCode.EXPORT_PASSWORD_REQUIRED,
            _("A full-level export must be protected with a password here."),
        )


def export_bytes(chunks: Iterable[bytes]) -> bytes:
    """The whole file (for tests and small files)."""
    buffer = io.BytesIO()
    for chunk in chunks:
        buffer.write(chunk)
    return buffer.getvalue()


def names_joined(captive: Model) -> str:
    """His other renderings (romanizations, Cyrillic spellings, aliases): "name (system); …"."""
    return "; ".join(
        f"{name.full_name} ({name.system})"
        for name in captive.names.all()  # type: ignore[attr-defined]
    )
