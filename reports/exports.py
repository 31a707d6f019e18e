"""Exports: a queryset and a column spec become rows, and rows become CSV, XLSX or JSON Lines,
streamed so that memory stays flat however long the list.

Every export is recorded in an `ExportRecord` (reports.models) before its first byte leaves,
and completed when the stream ends with the rows sent and the file's SHA-256, computed over the
bytes as they leave: a stream that dies on the way leaves its record, not completed.
"""

import csv
import datetime as dt
import hashlib
import io
import json
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from itertools import islice
from typing import Any

import pyzipper
import xlsxwriter
from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections, transaction
from django.db.models import F, Func, Model, QuerySet, TextField
from django.http import StreamingHttpResponse
from django.utils.translation import gettext_lazy as _

from powtracker.errors import ErrorCode, RuleError
from powtracker.replicas import ReadOnly, in_read_only_mode
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
    """One column: its header, how to read its value from a row's source object, and the same
    value as the database reads it (a lookup path or an expression), so that PostgreSQL can
    write the CSV itself (`database_csv`). Without an expression, Python writes the file."""

    header: str
    value: Callable[[Any], Any]
    expression: Any = None


def field(name: str, header: str | None = None) -> Column:
    """A column reading a (dotted) attribute path: `detaining_power.code`."""

    def read(source: Any) -> Any:
        for part in name.split("."):
            source = getattr(source, part, None) if source is not None else None
        return source

    return Column(header or name.replace(".", "_"), read, name.replace(".", "__"))


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
    yield "\ufeff".encode() + csv_row(headers)
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
    on_start: Callable[[], None],
    on_end: Callable[[Outcome], None],
    password: str = "",
    inner_name: str = "export",
) -> Iterator[bytes]:
    """The file's bytes (in an encrypted ZIP if a password is given), hashed as they go.

    `on_start` is called when the stream starts, before anything is read or sent (the audit
    records the export there, so that a worker killed mid-file leaves its record); `on_end`
    hears the outcome when the stream ends — or when the client goes away (then `completed` is
    False and the hash covers what was sent). A stream never started sent nothing and calls
    neither."""
    outcome = Outcome()

    def counted() -> Iterator[Any]:
        for row in rows:
            outcome.rows += 1
            yield row

    produced = WRITERS[ExportFormat(export_format)](headers, counted())
    return _sent(
        produced,
        outcome,
        on_start=on_start,
        on_end=on_end,
        password=password,
        inner_name=inner_name,
    )


def _sent(
    produced: Iterable[bytes],
    outcome: Outcome,
    *,
    on_start: Callable[[], None],
    on_end: Callable[[Outcome], None],
    password: str,
    inner_name: str,
) -> Iterator[bytes]:
    # Before the producers start: outside the transaction a COPY opens, so that what it writes
    # is committed whatever becomes of the stream.
    on_start()
    digest = hashlib.sha256()
    # Closed (outermost first) before on_end writes the audit: a COPY still running holds the
    # database connection, and the audit needs it.
    producers = [produced]
    if password:
        producers.insert(0, protected_chunks(produced, password=password, inner_name=inner_name))
    try:
        for chunk in producers[0]:
            digest.update(chunk)
            yield chunk
        outcome.completed = True
    finally:
        for producer in producers:
            close = getattr(producer, "close", None)
            if close is not None:
                close()
        outcome.sha256 = digest.hexdigest()
        on_end(outcome)


def file_chunks_sent(
    chunks: Iterable[bytes],
    outcome: Outcome,
    *,
    on_start: Callable[[], None],
    on_end: Callable[[Outcome], None],
) -> Iterator[bytes]:
    """A file already written (an export job's), sent as `export_chunks` sends one: recorded by
    `on_start` before its first byte, hashed as it leaves, its outcome given to `on_end`."""
    return _sent(chunks, outcome, on_start=on_start, on_end=on_end, password="", inner_name="")


def queryset_export_chunks(
    export_format: str,
    queryset: QuerySet[Any],
    columns: list[Column],
    *,
    on_start: Callable[[], None],
    on_end: Callable[[Outcome], None],
    password: str = "",
    inner_name: str = "export",
    on_rows: Callable[[int], None] | None = None,
) -> Iterator[bytes]:
    """A queryset's export in the columns given, streamed as `export_chunks` streams it. A CSV
    on PostgreSQL is written by the database (`COPY … TO STDOUT`) when every column has an
    expression it can render; otherwise Python reads the rows. Both give the same rows.

    `on_rows` hears how many rows have just left (for a progress bar)."""
    headers = [column.header for column in columns]
    queryset = export_queryset_checked(queryset)
    if export_format == ExportFormat.CSV:
        select = database_csv_select(queryset, columns)
        if select is not None:
            outcome = Outcome()
            produced = database_csv_chunks(
                queryset.db, select, headers, outcome=outcome, on_rows=on_rows
            )
            return _sent(
                produced,
                outcome,
                on_start=on_start,
                on_end=on_end,
                password=password,
                inner_name=inner_name,
            )
    rows: Iterable[Any] = queryset_rows(queryset, columns)
    if on_rows is not None:
        rows = _reported(rows, on_rows)
    return export_chunks(
        export_format,
        headers,
        rows,
        on_start=on_start,
        on_end=on_end,
        password=password,
        inner_name=inner_name,
    )


def export_queryset_checked(queryset: QuerySet[Any]) -> QuerySet[Any]:
    """The queryset as every format reads it, checked once before anything is sent.

    Its SQL is written here, as running it would write it: a query that can match no row (an id
    past its column's range, which Django answers with no row rather than ask the database) is
    the empty list in every format — as the change list shows it — instead of failing when the
    database is asked to COPY a SELECT that cannot be written."""
    try:
        queryset.query.get_compiler(queryset.db).as_sql()
    except EmptyResultSet:
        return queryset.none()
    return queryset


def _reported(rows: Iterable[Any], on_rows: Callable[[int], None]) -> Iterator[Any]:
    for row in rows:
        on_rows(1)
        yield row


# --- CSV written by PostgreSQL ------------------------------------------------------------------
#
# The column spec compiled into one SELECT whose cells are what `cell_value` makes of each value
# (ISO dates, "true"/"false", formula-like text behind an apostrophe), streamed out of
# `COPY (…) TO STDOUT WITH CSV`: no model instance, no Python per cell. PostgreSQL quotes where
# the csv module does (a comma, a quote or a line break in the field), writes NULL as an empty
# field and an empty string as "", and ends a line with LF: read back, the rows are the same.

# Bytes gathered before a chunk leaves (libpq gives one row a read).
COPY_CHUNK = 64 * 1024
# FORMULA_STARTS as a regular expression: "-" first in the class, tab and CR as \t and \r.
_FORMULA_PATTERN = r"'^([-=+@\t\r])'"
_CELL_TEMPLATES = {
    "text": "regexp_replace({x}, " + _FORMULA_PATTERN + r", '''\1')",
    "integer": "{x}",
    "boolean": "CASE WHEN {x} THEN 'true' WHEN NOT {x} THEN 'false' END",
    "date": "to_char({x}, 'YYYY-MM-DD')",
    # datetime.isoformat() of an aware UTC value: microseconds only when there are some.
    "datetime": (
        """to_char({x} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')"""
        " || CASE WHEN date_trunc('second', {x}) = {x} THEN ''"
        " ELSE to_char({x} AT TIME ZONE 'UTC', '.US') END || '+00:00'"
    ),
}
_CELL_KINDS = {
    "CharField": "text",
    "TextField": "text",
    "SlugField": "text",
    "EmailField": "text",
    "URLField": "text",
    "AutoField": "integer",
    "BigAutoField": "integer",
    "SmallAutoField": "integer",
    "IntegerField": "integer",
    "BigIntegerField": "integer",
    "SmallIntegerField": "integer",
    "PositiveIntegerField": "integer",
    "PositiveBigIntegerField": "integer",
    "PositiveSmallIntegerField": "integer",
    "BooleanField": "boolean",
    "DateField": "date",
    "DateTimeField": "datetime",
}


def _cell_kind(expression: Any) -> str | None:
    """How a resolved expression's value becomes a cell, or None where SQL cannot write it the
    way cell_value does (floats, decimals, JSON…)."""
    return _CELL_KINDS.get(expression.output_field.get_internal_type())


class SpreadsheetCell(Func):
    """A value as `cell_value` writes it, computed by PostgreSQL."""

    output_field = TextField()

    def as_sql(  # type: ignore[override]
        self, compiler: Any, connection: Any, **extra: Any
    ) -> tuple[str, list[Any]]:
        (source,) = self.get_source_expressions()
        template = _CELL_TEMPLATES[_cell_kind(source) or ""]
        sql, params = compiler.compile(source)
        return template.replace("{x}", f"({sql})"), list(params) * template.count("{x}")


def database_csv_select(
    queryset: QuerySet[Any], columns: list[Column], *, as_cells: bool = True
) -> tuple[str, tuple[Any, ...]] | None:
    """The SELECT (SQL and parameters) of the columns' cells over the queryset, in its order —
    or None where PostgreSQL cannot write this export (another database, a column without an
    expression or of a type it cannot render like cell_value, a list that can match no row).
    `as_cells=False` selects the plain values (the benchmark's COPY of the same columns)."""
    if connections[queryset.db].vendor != "postgresql" or queryset.query.is_empty():
        return None
    if any(column.expression is None for column in columns):
        return None
    expressions = {
        f"export_cell_{index}": (
            F(column.expression) if isinstance(column.expression, str) else column.expression
        )
        for index, column in enumerate(columns)
    }
    selected = queryset.prefetch_related(None).annotate(**expressions)
    if any(_cell_kind(selected.query.annotations[alias]) is None for alias in expressions):
        return None
    if as_cells:
        cells = {alias: SpreadsheetCell(expression) for alias, expression in expressions.items()}
        selected = queryset.prefetch_related(None).annotate(**cells)
    return selected.values_list(*expressions).query.sql_with_params()


def database_csv_chunks(
    using: str,
    select: tuple[str, tuple[Any, ...]],
    headers: list[str],
    *,
    outcome: Outcome,
    on_rows: Callable[[int], None] | None = None,
) -> Iterator[bytes]:
    """The CSV of a SELECT as PostgreSQL's COPY writes it, after the BOM and the header row
    csv_chunks writes, in chunks of about COPY_CHUNK bytes. `outcome.rows` counts the rows in
    the chunks that have left."""
    connection = connections[using]
    buffer = bytearray("\ufeff".encode() + csv_row(headers))
    pending = 0

    def left() -> None:
        nonlocal pending
        outcome.rows += pending
        if on_rows is not None and pending:
            on_rows(pending)
        pending = 0

    # In a transaction (a savepoint inside one): a download abandoned mid-COPY cancels the COPY,
    # and the cancel must not leave a surrounding transaction unable to write the audit.
    with transaction.atomic(using=using), connection.cursor() as cursor:
        statement = f"COPY ({connection.ops.compose_sql(*select)}) TO STDOUT WITH (FORMAT csv)"
        # Logged like any other query (django.db.backends, a test's query capture) when done.
        logged = cursor.debug_sql(statement) if hasattr(cursor, "debug_sql") else nullcontext()
        with logged, cursor.cursor.copy(statement) as copy:
            for data in copy:  # one row a read
                buffer += data
                pending += 1
                if len(buffer) >= COPY_CHUNK:
                    chunk = bytes(buffer)
                    buffer.clear()
                    left()
                    yield chunk
    left()
    if buffer:
        yield bytes(buffer)


def csv_row(values: list[Any]) -> bytes:
    """One row as csv_chunks writes it."""
    return csv.writer(_Echo()).writerow([cell_value(value) for value in values]).encode()


def export_filename(stem: str, export_format: str) -> str:
    return f"{stem}-{dt.datetime.now(dt.UTC):%Y%m%d-%H%M%S}.{export_format}"


def export_method_allowed(method: str) -> bool:
    """Whether a request may run an export: GET, or the admin's POST (a password in its body).
    A HEAD or an OPTIONS would run it, write the ledger and the audit, and send nothing — so
    every door refuses them (405)."""
    return method in {"GET", "POST"}


def export_writable_check() -> None:
    """Refuse an export in read-only mode before its stream starts: its audit and ledger are
    written as it streams, when a refusal could no longer be an answer (503 read_only)."""
    if in_read_only_mode():
        raise ReadOnly("An export is recorded as it is sent; nothing can be recorded now.")


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
