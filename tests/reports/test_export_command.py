"""manage.py export captives: the same columns as the admin export, quiet off a terminal."""

import csv
import hashlib
import io
from datetime import date
from typing import Any

import openpyxl
from django.core.management import call_command

from cases.choices import NameSystem, Script
from reports.models import ExportRecord
from tests.factories import CaptiveFactory


def test_the_command_writes_the_filtered_captives_and_records_the_export(
    tmp_path: Any, states: dict[str, Any]
) -> None:
    CaptiveFactory(
        family_name="Pak",
        name_original="박철",
        original_script=Script.HANGUL,
        names=[(NameSystem.CYRILLIC, "Пак Чхоль")],
        nationality=states["PRK"],
        detaining_power=states["UKR"],
        captured_on=date(2025, 1, 5),
    )
    CaptiveFactory(family_name="Ivanov", nationality=states["RUS"], detaining_power=states["UKR"])
    out = tmp_path / "captives.csv"
    printed = io.StringIO()

    call_command(
        "export",
        "captives",
        "--format",
        "csv",
        "--out",
        str(out),
        "--nationality",
        "PRK",
        stdout=printed,
    )

    body = out.read_bytes()
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert [(row["family_name"], row["name_original"]) for row in rows] == [("Pak", "박철")]
    assert rows[0]["other_names"] == "Пак Чхоль (cyrillic)"
    assert printed.getvalue() == ""  # not a terminal: quiet
    record = ExportRecord.objects.get()
    assert record.list_name == "command.captives"
    assert record.filters == "--nationality=PRK"
    assert record.row_count == 1
    assert record.sha256 == hashlib.sha256(body).hexdigest()


def test_the_command_writes_xlsx(tmp_path: Any, states: dict[str, Any]) -> None:
    CaptiveFactory(
        family_name="Ivanov",
        given_names="-SUM(A1)+1",
        nationality=states["RUS"],
        detaining_power=states["UKR"],
    )
    out = tmp_path / "captives.xlsx"

    call_command("export", "captives", "--format", "xlsx", "--out", str(out))

    rows = list(openpyxl.load_workbook(out, read_only=True).active.values)
    assert rows[0][1:3] == ("family_name", "given_names")
    assert rows[1][1:3] == ("Ivanov", "'-SUM(A1)+1")
