"""manage.py import_captives: the same import from the command line."""

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from cases.models import Captive
from imports.choices import BatchStatus
from imports.models import ImportBatch

LIST = (
    "Who,Given,Original,Born,Taken\n"
    "Kim,Chol-su,김철수,1998-03-02,2025-01-05\n"
    "Ri,Yong-ho,리용호,,2025-01-06\n"
    "Pak,Min,박민,1998-02-31,2025-01-05\n"
)
MAP = [
    "Who=family_name",
    "Given=given_names",
    "Original=name_original",
    "Born=birth_date",
    "Taken=captured_on",
]


def command(path: Path, *extra: str) -> str:
    out = StringIO()
    arguments = [str(path), "--source", "ICRC CTA", "--user", "cw", "--detaining-power", "ukr"]
    for pair in MAP:
        arguments += ["--map", pair]
    call_command("import_captives", *arguments, *extra, stdout=out)
    return out.getvalue()


def test_the_command_imports_and_a_second_run_adds_nothing(
    tmp_path: Path, states: dict[str, Any], caseworker: Any
) -> None:
    path = tmp_path / "list.csv"
    path.write_text(LIST, encoding="utf-8")
    out = command(path, "--dry-run")
    assert "Who → family_name" in out
    assert "row 4: Born: “1998-02-31” is not a date" in out
    assert "Dry run" in out and Captive.objects.count() == 0
    assert ImportBatch.objects.get().status == BatchStatus.CANCELLED

    # Without --yes and without a terminal to ask on, nothing is written: it waits in the admin.
    out = command(path)
    assert "waits for confirmation in the admin" in out and Captive.objects.count() == 0
    waiting = ImportBatch.objects.latest("id")
    assert waiting.status == BatchStatus.PREVIEW

    out = command(path, "--yes")
    assert "2 written, 0 held for a decision, 1 with errors, 0 already there" in out
    assert set(Captive.objects.values_list("family_name", flat=True)) == {"Kim", "Ri"}
    kim = Captive.objects.get(family_name="Kim")
    assert kim.history.earliest().history_user == caseworker

    out = command(path, "--yes")
    assert "0 written, 0 held for a decision, 1 with errors, 2 already there" in out
    assert Captive.objects.count() == 2


def test_the_command_refuses_clearly(
    tmp_path: Path, states: dict[str, Any], caseworker: Any
) -> None:
    path = tmp_path / "list.csv"
    path.write_text(LIST, encoding="utf-8")
    with pytest.raises(CommandError, match="no column 'Nope'"):
        command(path, "--map", "Nope=rank")
    with pytest.raises(CommandError, match="'Who=height': write HEADER=FIELD"):
        command(path, "--map", "Who=height")
    with pytest.raises(CommandError, match="No file"):
        command(tmp_path / "missing.csv")
    with pytest.raises(CommandError, match="from 90 to 100"):
        command(path, "--decide-best", "50")
    # A refusal after the upload leaves no batch waiting.
    path.write_text("Who,Given\nKim,Il\n", encoding="utf-8")
    with pytest.raises(CommandError, match="no column 'Original'"):
        command(path)
    assert Captive.objects.count() == 0
    assert not ImportBatch.objects.exclude(status=BatchStatus.CANCELLED).exists()


def test_the_command_prints_no_escape_sequence(
    tmp_path: Path, states: dict[str, Any], caseworker: Any
) -> None:
    path = tmp_path / "list.csv"
    path.write_text("Who,Taken\nKim,\x1b]0;pwned\x07\x1b[31m\n", encoding="utf-8")
    out = StringIO()
    call_command(
        "import_captives",
        str(path),
        "--source",
        "x",
        "--user",
        "cw",
        "--detaining-power",
        "UKR",
        "--map",
        "Who=family_name",
        "--map",
        "Taken=captured_on",
        "--dry-run",
        stdout=out,
    )
    assert "\\x1b]0;pwned" in out.getvalue() and "\x1b" not in out.getvalue()
