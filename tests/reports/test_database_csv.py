"""A CSV written by PostgreSQL (COPY) reads back as exactly the rows Python writes."""

import csv
import io
from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.contrib import admin
from django.db import connection

from cases.choices import NameSystem, Script
from cases.models import Captive
from diplomacy.choices import TransferKind
from diplomacy.services import transfer_request_create
from partners.services import disclosure_record, partner_create
from reports.admin.exports import ExportAdminMixin
from reports.columns import CAPTIVE_COLUMNS, captive_export_queryset
from reports.exports import (
    Column,
    database_csv_select,
    export_bytes,
    export_chunks,
    queryset_export_chunks,
    queryset_rows,
)
from tests.factories import CaptiveFactory

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="only PostgreSQL writes a CSV itself"
)


def python_csv(queryset: Any, columns: list[Column]) -> bytes:
    """The export as Python writes it (model instances, cell_value, the csv module)."""
    headers = [column.header for column in columns]
    rows = queryset_rows(queryset, columns)
    return export_bytes(
        export_chunks("csv", headers, rows, on_start=lambda: None, on_end=lambda outcome: None)
    )


def database_csv(queryset: Any, columns: list[Column]) -> bytes:
    assert database_csv_select(queryset, columns) is not None, "PostgreSQL should write this"
    outcomes: list[Any] = []
    body = export_bytes(
        queryset_export_chunks(
            "csv", queryset, columns, on_start=lambda: None, on_end=outcomes.append
        )
    )
    assert outcomes[0].completed
    assert outcomes[0].rows == queryset.count()
    return body


def parsed(body: bytes) -> list[list[str]]:
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


@pytest.fixture
def awkward(states: dict[str, Any]) -> list[Captive]:
    """Captives whose cells test the writer: separators, quotes, line breaks, scripts, formulas,
    empty against missing values, several renderings of a name."""
    captives = [
        CaptiveFactory(
            family_name='O"Brien, Jr.',
            given_names="Chol",
            name_original="박철",
            original_script=Script.HANGUL,
            rank="=1+2",
            service_number="+380 44",
            # Line breaks in a cell (a name may hold none: cases.names.name_text_validator).
            capture_place="-Kursk; \"Sudzha\", 'forest'\nline two\r\nline three",
            names=[
                (NameSystem.CYRILLIC, "Пак Чхоль"),
                (NameSystem.MCCUNE_REISCHAUER, "Pak Ch'ŏl"),
                (NameSystem.ALIAS, '=HYPERLINK("http://x","y")'),
            ],
            nationality=states["PRK"],
            detaining_power=states["UKR"],
            birth_date=date(1999, 2, 3),
            captured_on=date(2025, 1, 5),
        ),
        CaptiveFactory(
            family_name="Іванов",
            given_names="-Tabbed",
            name_original="Іванов Ґеоргій Єгорович",
            original_script=Script.CYRILLIC,
            rank="@SUM(A1)",
            service_number="",
            capture_place="\rCarriage",
            names=[(NameSystem.ALIAS, "-minus first")],
            nationality=states["RUS"],
            detaining_power=states["UKR"],
            birth_year=1990,
            captured_on=date(2025, 3, 1),
        ),
        CaptiveFactory(
            family_name="Unknown",
            given_names="",
            service_number="0012",
            nationality=None,
            power_depended_on=states["RUS"],
            detaining_power=states["UKR"],
            captured_on=date(2024, 12, 31),
        ),
    ]
    # Set by custody events in life: one time to the second, one with microseconds, one none.
    Captive.objects.filter(pk=captives[0].pk).update(
        custody_place="=cmd|' /C calc'!A0",
        custody_since=datetime(2025, 1, 6, 8, 30, tzinfo=UTC),
        custodian=states["UKR"],
    )
    Captive.objects.filter(pk=captives[1].pk).update(
        custody_place='Camp, "West"\n2nd barrack',
        custody_since=datetime(2025, 3, 2, 23, 59, 58, 123, tzinfo=UTC),
    )
    return captives


def test_the_captive_csv_reads_back_as_the_same_rows_however_awkward_the_cells(
    awkward: list[Captive],
) -> None:
    queryset = captive_export_queryset(Captive.objects.order_by("case_number"))

    by_python = parsed(python_csv(queryset, CAPTIVE_COLUMNS))
    by_database = parsed(database_csv(queryset, CAPTIVE_COLUMNS))

    assert by_database == by_python
    # And what both say is what a spreadsheet user should see.
    header, *rows = by_database
    named = {row[1]: dict(zip(header, row, strict=True)) for row in rows}
    first = named['O"Brien, Jr.']
    assert first["family_name"] == 'O"Brien, Jr.'
    assert first["capture_place"] == "'-Kursk; \"Sudzha\", 'forest'\nline two\r\nline three"
    assert first["rank"] == "'=1+2"
    assert first["service_number"] == "'+380 44"
    assert first["other_names"] == (
        "'" + '=HYPERLINK("http://x","y") (alias); Пак Чхоль (cyrillic); '
        "Pak Ch'ŏl (mccune_reischauer)"
    )
    assert first["custody_since"] == "2025-01-06T08:30:00+00:00"
    second = named["Іванов"]
    assert second["given_names"] == "'-Tabbed"
    assert second["capture_place"] == "'\rCarriage"
    assert second["other_names"] == "'-minus first (alias)"
    assert second["custody_since"] == "2025-03-02T23:59:58.000123+00:00"
    assert second["birth_year"] == "1990"
    third = named["Unknown"]
    assert third["service_number"] == "0012"
    assert third["nationality"] == third["birth_date"] == third["rank"] == ""


def test_a_filtered_list_gives_the_same_rows_too(awkward: list[Captive]) -> None:
    queryset = captive_export_queryset(
        Captive.objects.filter(names__full_name__icontains="%").order_by("-case_number")
        | Captive.objects.filter(family_name__icontains="'").order_by("-case_number")
    )

    assert parsed(database_csv(queryset, CAPTIVE_COLUMNS)) == parsed(
        python_csv(queryset, CAPTIVE_COLUMNS)
    )


EXPORTING_ADMINS = [
    model_admin
    for model_admin in admin.site._registry.values()
    if isinstance(model_admin, ExportAdminMixin)
]


@pytest.mark.parametrize(
    "model_admin", EXPORTING_ADMINS, ids=lambda model_admin: model_admin.model._meta.label
)
def test_every_list_postgresql_can_write_reads_back_the_same(
    world: dict[str, Any], supervisor: Any, model_admin: Any
) -> None:
    """Booleans, dates, times, users and states: each list's cells, both ways."""
    partner, _secret = partner_create(
        acting_user=None, name="ICRC CTA", kind="tracing_agency", scopes=["cases:read"]
    )
    disclosure_record(
        partner=partner, reads=[(world["first"].pk, "identity")], method="GET", path="/api/?q=,"
    )
    transfer_request_create(
        acting_user=supervisor,
        captive=world["second"],
        requesting_state=world["states"]["KOR"],
        kind=TransferKind.RESETTLEMENT,
        basis='-He asked, "in writing"',
    )
    columns = model_admin.export_columns
    queryset = model_admin.model.objects.order_by("pk")
    if model_admin.export_select_related:
        queryset = queryset.select_related(*model_admin.export_select_related)
    if model_admin.export_prefetch_related:
        queryset = queryset.prefetch_related(*model_admin.export_prefetch_related)
    if model_admin.model is Captive:
        queryset = captive_export_queryset(queryset)
    if database_csv_select(queryset, columns) is None:
        pytest.skip("this list has a column only Python writes: it keeps the Python path")
    assert queryset.exists()

    assert parsed(database_csv(queryset, columns)) == parsed(python_csv(queryset, columns))
