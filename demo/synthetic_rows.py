"""The synthetic data set's fixed facts (its last day, states, partners, places) and the writer
that puts its rows straight into the tables (COPY on PostgreSQL); see demo/synthetic.py."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db import connection, models
from django.db.models import Max

from cases.choices import CustodyEventKind
from partners.choices import DisclosureLevel

K = CustodyEventKind

# Every date of the data set lies on or before this day; nothing reads the clock.
AS_OF = date(2025, 6, 30)
WAR_START = date(2022, 2, 24)
KURSK_START = date(2024, 12, 1)
MARKER = "Synthetic benchmark record (manage.py load_synthetic): a fictional person."
LOADER_USERNAME = "synthetic-loader"

STATES = [
    ("UKR", "Ukraine", "uk"),
    ("RUS", "Russian Federation", "ru"),
    ("PRK", "Democratic People's Republic of Korea", "ko"),
    ("KOR", "Republic of Korea", "ko"),
    ("NPL", "Nepal", ""),
    ("LKA", "Sri Lanka", ""),
    ("CUB", "Cuba", ""),
    ("CHE", "Switzerland", ""),
]

# The partners of the benchmark table: name, state, scopes, default level.
PARTNERS = [
    ("Synthetic UKR Coordination HQ", "UKR", ["cases:read", "wishes:read"], DisclosureLevel.FULL),
    ("Synthetic KOR Ministry of Unification", "KOR", ["cases:read"], DisclosureLevel.CASE),
    ("Synthetic PRK Red Cross", "PRK", ["cases:read"], DisclosureLevel.IDENTITY),
]

CHUNK = 2000

UKR_REGIONS = ["Donetsk Oblast", "Luhansk Oblast", "Zaporizhzhia Oblast", "Kharkiv Oblast"]
KURSK_REGIONS = ["Kursk Oblast"]
CAMPS = {
    "UKR": [f"Synthetic POW camp No. {n} (UKR)" for n in range(1, 9)],
    "RUS": [f"Synthetic pre-trial centre No. {n} (RUS)" for n in range(1, 9)],
}
HOSPITALS = {
    "UKR": ["Synthetic military hospital, Dnipro", "Synthetic military hospital, Kyiv"],
    "RUS": ["Synthetic military hospital, Rostov", "Synthetic military hospital, Kursk"],
}


def _at(day: date, seconds: int) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(seconds=seconds)


AS_OF_END = _at(AS_OF, 86399)


# --- table writing -------------------------------------------------------------------------


def _base_row(model: type[models.Model]) -> dict[str, Any]:
    """Every column of the model at its default, null or blank."""
    row: dict[str, Any] = {}
    for f in model._meta.concrete_fields:
        if f.has_default() and not callable(f.default):
            row[f.attname] = f.default
        elif f.null:
            row[f.attname] = None
        elif isinstance(f, models.CharField | models.TextField):
            row[f.attname] = ""
        elif isinstance(f, models.BooleanField):
            row[f.attname] = False
        else:
            row[f.attname] = None  # must be given
    return row


@dataclass
class Table:
    model: type[models.Model]
    base: dict[str, Any] = field(init=False)
    attnames: list[str] = field(init=False)
    next_id: int = field(init=False)
    rows: list[tuple] = field(default_factory=list)
    history: "Table | None" = None
    count: int = 0

    def __post_init__(self) -> None:
        self.base = _base_row(self.model)
        self.attnames = [f.attname for f in self.model._meta.concrete_fields]
        pk = self.model._meta.pk.attname
        top = self.model._base_manager.aggregate(top=Max(pk))["top"] or 0
        self.next_id = top + 1

    def add(self, values: dict[str, Any]) -> dict[str, Any]:
        row = {**self.base, **values}
        self.rows.append(tuple(row[a] for a in self.attnames))
        self.count += 1
        return row


class Writer:
    """Collects rows per table and writes them: COPY on PostgreSQL, executemany elsewhere."""

    def __init__(self, loader_id: int, ordered: list[type[models.Model]]) -> None:
        self.loader_id = loader_id
        self.tables: dict[type[models.Model], Table] = {}
        for model in ordered:
            table = Table(model)
            table.history = Table(model.history.model)  # type: ignore[attr-defined]
            self.tables[model] = table

    def new_id(self, model: type[models.Model]) -> int:
        table = self.tables[model]
        table.next_id += 1
        return table.next_id - 1

    def add(self, model: type[models.Model], values: dict[str, Any], when: datetime, reason: str):
        table = self.tables[model]
        row = table.add(values)
        history = table.history
        assert history is not None
        history.add(
            {
                **row,
                "history_id": history.next_id,
                "history_date": when,
                "history_change_reason": reason,
                "history_type": "+",
                "history_user_id": self.loader_id,
            }
        )
        history.next_id += 1
        return row

    def flush(self) -> None:
        with connection.cursor() as cursor:
            for table in self.tables.values():
                for part in (table, table.history):
                    assert part is not None
                    if part.rows:
                        _write(cursor, part.model, part.attnames, part.rows)
                        part.rows = []


def _write(cursor: Any, model: type[models.Model], attnames: list[str], rows: list[tuple]) -> None:
    fields = {f.attname: f for f in model._meta.concrete_fields}
    quote = connection.ops.quote_name
    columns = ", ".join(quote(fields[a].column) for a in attnames)
    table = quote(model._meta.db_table)
    if connection.vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    adapters = [_adapter(fields[a]) for a in attnames]
    marks = ", ".join(["%s"] * len(attnames))
    cursor.executemany(
        f"INSERT INTO {table} ({columns}) VALUES ({marks})",  # noqa: S608 — model's own names
        [tuple(adapt(v) for adapt, v in zip(adapters, row, strict=True)) for row in rows],
    )


def _adapter(f: models.Field) -> Callable[[Any], Any]:
    if isinstance(f, models.DateTimeField):
        return connection.ops.adapt_datetimefield_value
    if isinstance(f, models.DateField):
        return connection.ops.adapt_datefield_value
    return lambda v: v
