"""Workbooks that would cost far more to read than their size are refused before openpyxl
parses any of them (`workbook_too_costly`), with a message that says what to do; ordinary
workbooks are read as before.

Each file is made here, small and quickly (tests/imports/workbooks.py): a sheet of 16,000 cells a
row, a list followed by a million empty rows, a compressed table of shared text. openpyxl is
kept out of reach while they are refused, and the memory the refusal takes is measured."""

import tracemalloc
from io import StringIO
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from imports import services
from imports.models import ImportBatch
from powtracker.errors import ErrorCode, RuleError
from tests.imports.workbooks import (
    HEADER_ROW,
    KIM_ROW,
    many_shared_strings,
    million_empty_rows,
    shared_strings_xml,
    sheet_xml,
    wide_rows,
    xlsx_of,
)

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
ORDINARY = {"List": sheet_xml(HEADER_ROW + KIM_ROW)}


@pytest.fixture
def no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    """openpyxl is not to be reached: the refusal comes before any parsing."""

    def parsed(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("openpyxl was asked to parse a workbook that costs too much")

    monkeypatch.setattr(openpyxl, "load_workbook", parsed)


def upload(user: Any, states: dict[str, Any], data: bytes, sheet: str = "") -> ImportBatch:
    return services.import_upload(
        acting_user=user,
        data=data,
        file_name="list.xlsx",
        source="NIB Ukraine, list 16",
        detaining_power=states["UKR"],
        sheet=sheet,
    )


def refused(user: Any, states: dict[str, Any], data: bytes, sheet: str = "") -> str:
    """The refusal's message, after checking its code, that nothing was kept and that refusing
    took little memory (openpyxl took 331 MB for the table of shared text below)."""
    batches = ImportBatch.objects.count()
    tracemalloc.start()
    try:
        with pytest.raises(RuleError) as refusal:
            upload(user, states, data, sheet)
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert refusal.value.error_code == ErrorCode.WORKBOOK_TOO_COSTLY
    assert refusal.value.code == "workbook_too_costly"
    assert peak < 16 * MB
    assert ImportBatch.objects.count() == batches
    return refusal.value.messages[0]


# --- the three workbooks found ------------------------------------------------------------------


def test_a_sheet_of_16000_cells_a_row_is_refused(states, caseworker, no_parsing) -> None:
    data = xlsx_of({"List": sheet_xml(wide_rows(), dimension=None)})
    assert len(data) < 100_000
    message = refused(caseworker, states, data)
    assert "The sheet “List” reaches past column 200 (row 2)" in message


def test_a_list_followed_by_a_million_empty_rows_is_refused(states, caseworker, no_parsing) -> None:
    data = xlsx_of({"List": sheet_xml(million_empty_rows())})
    assert len(data) < 100_000
    message = refused(caseworker, states, data)
    assert "The sheet “List” reaches past row 60000, empty rows included" in message


def test_a_compressed_table_of_shared_text_is_refused(states, caseworker, no_parsing) -> None:
    data = xlsx_of(ORDINARY, shared_strings=many_shared_strings(500_001))
    assert len(data) < 100_000
    message = refused(caseworker, states, data)
    assert "table of shared text holds more than 500000 entries" in message


# --- every bound --------------------------------------------------------------------------------


def test_a_table_of_shared_text_of_a_few_huge_entries_is_refused(
    states, caseworker, no_parsing
) -> None:
    text = b"<si><t>" + b"a" * 4_000_000 + b"</t></si>"
    data = xlsx_of(ORDINARY, shared_strings=shared_strings_xml(text * 3))
    message = refused(caseworker, states, data)
    assert "table of shared text holds more than 10000000 characters" in message


def test_a_table_of_shared_text_of_many_formatted_runs_is_refused(
    states, caseworker, no_parsing, settings
) -> None:
    settings.IMPORT_XLSX_MAX_SHARED_ELEMENTS = 10_000  # lowered: the counting is the same
    run = b'<r><rPr><b/><sz val="11"/><rFont val="Calibri"/></rPr><t>K</t></r>'
    entries = (b"<si>" + run * 4 + b"</si>") * 1_000
    data = xlsx_of(ORDINARY, shared_strings=shared_strings_xml(entries))
    message = refused(caseworker, states, data)
    assert "table of shared text holds more than 10000 XML elements" in message


def test_a_row_far_below_the_list_is_refused(states, caseworker, no_parsing) -> None:
    far = b'<row r="1048576"><c r="A1048576"><v>1</v></c></row>'
    message = refused(caseworker, states, xlsx_of({"List": sheet_xml(HEADER_ROW + far)}))
    assert "reaches past row 60000" in message


def test_a_cell_far_to_the_right_is_refused(states, caseworker, no_parsing) -> None:
    far = b'<row r="2"><c r="XFD2"><v>1</v></c></row>'
    message = refused(caseworker, states, xlsx_of({"List": sheet_xml(HEADER_ROW + far)}))
    assert "reaches past column 200 (row 2)" in message


def test_too_many_cells_or_xml_elements_are_refused(
    states, caseworker, no_parsing, settings
) -> None:
    # The bounds lowered, so that the test stays small: the counting is the same.
    settings.IMPORT_XLSX_MAX_CELLS = 1_000
    rows = b"".join(b"<row>" + b"<c><v>1</v></c>" * 20 + b"</row>" for _ in range(60))
    message = refused(caseworker, states, xlsx_of({"List": sheet_xml(HEADER_ROW + rows)}))
    assert "The sheet “List” holds more than 1000 cells" in message

    settings.IMPORT_XLSX_MAX_XML_ELEMENTS = 1_000
    rows = KIM_ROW + b"<mergeCells>" + b'<mergeCell ref="A1:A2"/>' * 2_000 + b"</mergeCells>"
    message = refused(caseworker, states, xlsx_of({"List": sheet_xml(HEADER_ROW + rows)}))
    assert "holds more than 1000 XML elements" in message


def test_a_part_read_whole_or_the_whole_unpacked_too_large_is_refused(
    states, caseworker, no_parsing, settings
) -> None:
    styles = b'<?xml version="1.0"?><styleSheet>' + b" " * (11 * MB) + b"</styleSheet>"
    data = xlsx_of(ORDINARY, extra={"xl/styles.xml": styles})
    message = refused(caseworker, states, data)
    assert "The part “xl/styles.xml” of the workbook unpacks to more than 10 MB" in message

    settings.IMPORT_XLSX_MAX_UNPACKED_BYTES = MB
    data = xlsx_of({"List": sheet_xml(HEADER_ROW + KIM_ROW + b" " * (2 * MB))})
    message = refused(caseworker, states, data)
    assert "The workbook unpacks to more than 1 MB" in message


def test_another_sheet_is_bounded_only_where_openpyxl_would_parse_it(states, caseworker) -> None:
    """openpyxl opens every sheet, and parses whole one that gives no <dimension> (to size
    it); a sheet that gives one is read only when asked for."""
    costly = million_empty_rows()
    sized = xlsx_of({"List": sheet_xml(HEADER_ROW + KIM_ROW), "Notes": sheet_xml(costly)})
    assert upload(caseworker, states, sized).row_count == 1
    message = refused(caseworker, states, sized, sheet="Notes")
    assert "The sheet “Notes” reaches past row 60000" in message

    unsized = xlsx_of(
        {"List": sheet_xml(HEADER_ROW + KIM_ROW), "Notes": sheet_xml(costly, dimension=None)}
    )
    message = refused(caseworker, states, unsized)
    assert "The sheet “Notes” reaches past row 60000" in message


def test_a_dimension_openpyxl_does_not_know_stops_no_scan(states, caseworker, settings) -> None:
    """Outside the sheet's namespace a <dimension> (and a row) is nothing to openpyxl, which
    parses the whole sheet looking for one: its XML elements count."""
    settings.IMPORT_XLSX_MAX_XML_ELEMENTS = 100_000
    foreign = b'<worksheet><dimension ref="A1:B2"/><sheetData>' + b"<row/>" * 200_000
    foreign += b"</sheetData></worksheet>"
    data = xlsx_of({"List": sheet_xml(HEADER_ROW + KIM_ROW), "Notes": foreign})
    message = refused(caseworker, states, data)
    assert "The sheet “Notes” holds more than 100000 XML elements" in message


def test_an_ordinary_workbook_within_the_bounds_is_read(states, caseworker) -> None:
    header = b'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
    rows = b"".join(
        f'<row r="{n}"><c r="A{n}" t="s"><v>2</v></c><c r="B{n}"><v>45662</v></c></row>'.encode()
        for n in range(2, 502)
    )
    note = b'<row r="502"><c r="A502" t="s"><v>2</v></c><c r="GR502" t="s"><v>3</v></c></row>'
    strings = shared_strings_xml(
        b"<si><t>Surname</t></si><si><t>Captured on</t></si>"
        b"<si><r><t>Ki</t></r><r><t>m</t></r></si><si><t>a note in the last column</t></si>"
    )
    batch = upload(
        caseworker,
        states,
        xlsx_of({"List": sheet_xml(header + rows + note)}, shared_strings=strings),
    )
    assert batch.row_count == 501
    assert batch.headers == ["Surname", "Captured on"]
    assert batch.rows.order_by("number").first().cells == ["Kim", "45662"]


def test_a_declared_dtd_is_unreadable_not_expanded(states, caseworker, no_parsing) -> None:
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><sst><si><t>&b;</t></si></sst>'
    )
    with pytest.raises(RuleError) as refusal:
        upload(caseworker, states, xlsx_of(ORDINARY, shared_strings=laughs))
    assert refusal.value.code == "invalid"
    assert "not an XLSX workbook" in refusal.value.messages[0]


# --- where people see it ------------------------------------------------------------------------


def test_the_admin_upload_page_shows_the_refusal(client, states, caseworker, no_parsing) -> None:
    client.force_login(caseworker)
    data = xlsx_of({"List": sheet_xml(million_empty_rows())})
    response = client.post(
        reverse("admin:imports_importbatch_upload"),
        {
            "file": SimpleUploadedFile("list.xlsx", data),
            "source": "NIB Ukraine, list 16",
            "detaining_power": states["UKR"].pk,
            "encoding": "utf-8",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors.as_data()["file"][0].code == "workbook_too_costly"
    assert "reaches past row 60000, empty rows included" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_the_command_shows_the_refusal(tmp_path: Path, states, caseworker, no_parsing) -> None:
    path = tmp_path / "list.xlsx"
    path.write_bytes(xlsx_of(ORDINARY, shared_strings=many_shared_strings(500_001)))
    arguments = ["--source", "ICRC CTA", "--user", "cw", "--detaining-power", "UKR"]
    with pytest.raises(CommandError, match="table of shared text holds more than 500000"):
        call_command("import_captives", str(path), *arguments, stdout=StringIO())
    assert not ImportBatch.objects.exists()
