"""Importing a list of names through the services: upload, map, analyse, decide, confirm, write."""

import io
from datetime import date
from typing import Any

import pytest
from openpyxl import Workbook

from cases import services as case_services
from cases.choices import DuplicateVerdict
from cases.models import Captive, DuplicateDecision
from imports import services
from imports.choices import BatchStatus, RowDecision, RowStatus
from imports.models import ImportBatch
from powtracker.errors import RuleError

HEADERS = (
    "Surname,Given names,Name in original script,Date of birth,Service number,Captured on,"
    "Place of capture,Nationality\n"
)


def csv_of(*lines: str) -> bytes:
    return (HEADERS + "\n".join(lines) + "\n").encode()


def run(batch: ImportBatch, user: Any) -> ImportBatch:
    """Analyse the whole batch, a slice at a time, as the admin's progress page does."""
    while batch.status == BatchStatus.ANALYSING:
        batch = services.import_analyse(acting_user=user, batch=batch, max_rows=3)
    return batch


def write_all(batch: ImportBatch, user: Any) -> ImportBatch:
    while batch.status == BatchStatus.WRITING:
        batch = services.import_write(acting_user=user, batch=batch, max_rows=2)
    return batch


def upload(user: Any, states: dict[str, Any], data: bytes, name: str = "list.csv") -> ImportBatch:
    batch = services.import_upload(
        acting_user=user,
        data=data,
        file_name=name,
        source="NIB Ukraine, list 14",
        detaining_power=states["UKR"],
    )
    return services.import_map(acting_user=user, batch=batch, mapping=batch.mapping)


GOOD = [
    "Kim,Chol-su,김철수,1998-03-02,KPA-1001,2025-01-05,Kursk,PRK",
    "Ivanov,Petr,Иванов Петр,12.04.1990,RU-77,2025-02-01,Kursk,RUS",
    "Ri,Yong-ho,리용호,,KPA-1002,2025-01-06,Kursk,PRK",
]


def test_nothing_is_written_until_confirmed_then_each_row_once(
    states: dict[str, Any], caseworker: Any
) -> None:
    before = Captive.objects.count()
    batch = run(upload(caseworker, states, csv_of(*GOOD)), caseworker)
    assert batch.status == BatchStatus.PREVIEW
    assert batch.analysed_count == 3
    assert Captive.objects.count() == before
    assert set(batch.rows.values_list("status", flat=True)) == {RowStatus.READY}

    batch = write_all(services.import_confirm(acting_user=caseworker, batch=batch), caseworker)
    assert batch.status == BatchStatus.DONE
    assert batch.written_count == 3
    assert Captive.objects.count() == before + 3
    kim = Captive.objects.get(service_number="KPA-1001")
    assert (kim.family_name, kim.given_names, kim.name_original) == ("Kim", "Chol-su", "김철수")
    assert kim.birth_date == date(1998, 3, 2)
    assert kim.original_script == "hangul"
    assert kim.nationality == states["PRK"] and kim.detaining_power == states["UKR"]
    assert kim.custody_status == "captured"
    assert kim.history.earliest().history_change_reason.startswith(
        f"Imported: {batch.reference} row 2"
    )
    assert batch.rows.get(number=2).captive == kim

    # The same file again: every row was imported before; nothing is added.
    again = run(upload(caseworker, states, csv_of(*GOOD)), caseworker)
    assert set(again.rows.values_list("status", flat=True)) == {RowStatus.IMPORTED_BEFORE}
    again = write_all(services.import_confirm(acting_user=caseworker, batch=again), caseworker)
    assert again.written_count == 0
    assert Captive.objects.count() == before + 3


def test_errors_name_the_row_and_the_column(states: dict[str, Any], caseworker: Any) -> None:
    batch = run(
        upload(
            caseworker,
            states,
            csv_of(
                "Kim,Chol-su,김철수,31.02.1998,KPA-1,2025-01-05,Kursk,PRK",
                ",Yong-ho,리용호,,KPA-2,2025-01-06,Kursk,PRK",
                "Pak,Min,박민,,KPA-3,2031-01-06,Kursk,PRK",
                "Choe,Il,최일,,KPA-4,1940-01-06,Kursk,Atlantis",
                "Kim,Chol-su,김철수,31.02.1998,KPA-1,2025-01-05,Kursk,PRK",
                "Son,Il,손일,2030-01-01,KPA-5,2025-01-05,Kursk,PRK",
            ),
        ),
        caseworker,
    )
    rows = {row.number: row for row in batch.rows.all()}
    assert rows[2].status == RowStatus.INVALID
    assert rows[2].errors[0]["column"] == "Date of birth"
    assert rows[2].errors[0]["code"] == "invalid_date"
    assert rows[3].errors[0]["code"] == "required"
    assert rows[4].status == RowStatus.INVALID
    assert any(e["field"] == "captured_on" for e in rows[4].errors)
    assert {e["code"] for e in rows[5].errors} == {"unknown_state"}
    # A row with errors is never "repeated": it is invalid again.
    assert rows[6].status == RowStatus.INVALID
    assert rows[7].status == RowStatus.INVALID  # born after his capture (a CHECK of the model)
    batch = write_all(services.import_confirm(acting_user=caseworker, batch=batch), caseworker)
    assert batch.written_count == 0


def test_repeated_rows_of_one_file_are_written_once(
    states: dict[str, Any], caseworker: Any
) -> None:
    batch = run(upload(caseworker, states, csv_of(GOOD[0], GOOD[1], GOOD[0].upper())), caseworker)
    rows = {row.number: row for row in batch.rows.all()}
    assert rows[4].status == RowStatus.REPEATED
    assert rows[4].earlier == rows[2]
    batch = write_all(services.import_confirm(acting_user=caseworker, batch=batch), caseworker)
    assert batch.written_count == 2


def test_possible_duplicates_are_held_until_decided(
    states: dict[str, Any], caseworker: Any
) -> None:
    kept = case_services.captive_register(
        acting_user=caseworker,
        detaining_power=states["UKR"],
        captured_on=date(2025, 1, 5),
        family_name="Kim",
        given_names="Cheol-su",
        name_original="김철수",
        birth_year=1998,
    )
    other = case_services.captive_register(
        acting_user=caseworker,
        detaining_power=states["UKR"],
        captured_on=date(2025, 1, 5),
        family_name="Ri",
        given_names="Yong-ho",
        name_original="리용호",
    )
    batch = run(
        upload(
            caseworker,
            states,
            csv_of(
                "Kim,Chol-su,,1998-03-02,,2025-01-05,Kursk,PRK",  # the same as `kept`
                "Ri,Yong-ho,,,,2025-01-06,Kursk,PRK",  # maybe `other`
                "Ivanov,Petr,,,,2025-02-01,Kursk,RUS",  # nobody like him
            ),
        ),
        caseworker,
    )
    rows = {row.number: row for row in batch.rows.all()}
    assert rows[2].candidates[0]["case_number"] == kept.case_number
    assert rows[3].candidates[0]["case_number"] == other.case_number
    assert rows[4].candidates == []

    # A candidate the row was not offered is refused.
    with pytest.raises(RuleError):
        services.import_decide(
            acting_user=caseworker,
            batch=batch,
            decisions={rows[2].pk: (RowDecision.SAME, other.pk)},
        )
    services.import_decide(
        acting_user=caseworker, batch=batch, decisions={rows[2].pk: (RowDecision.SAME, kept.pk)}
    )
    batch = write_all(services.import_confirm(acting_user=caseworker, batch=batch), caseworker)
    rows = {row.number: row for row in batch.rows.all()}
    assert rows[2].status == RowStatus.WRITTEN
    assert rows[2].captive.duplicate_of == kept  # a linked duplicate of the case kept
    assert rows[3].status == RowStatus.HELD and rows[3].captive is None
    assert rows[4].status == RowStatus.WRITTEN
    assert batch.status == BatchStatus.DONE

    # Deciding about the held row sends the batch back to writing; "not the same" is remembered.
    services.import_decide(
        acting_user=caseworker, batch=batch, decisions={rows[3].pk: (RowDecision.NOT_SAME, None)}
    )
    batch.refresh_from_db()
    assert batch.status == BatchStatus.WRITING
    batch = write_all(batch, caseworker)
    held = batch.rows.get(number=3)
    assert held.status == RowStatus.WRITTEN
    decision = DuplicateDecision.objects.get(
        first_id=min(other.pk, held.captive_id), second_id=max(other.pk, held.captive_id)
    )
    assert decision.decision == DuplicateVerdict.NOT_SAME


def test_xlsx_with_dates_and_numbers_as_cells(states: dict[str, Any], caseworker: Any) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Прізвище", "Ім'я", "Дата народження", "Номер", "Дата полону"])
    sheet.append(["Shevchenko", "Oleh", date(1990, 5, 1), 123456, date(2025, 3, 1)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    batch = services.import_upload(
        acting_user=caseworker,
        data=buffer.getvalue(),
        file_name="список.xlsx",
        source="ICRC CTA",
        detaining_power=states["RUS"],
    )
    assert batch.file_format == "xlsx"
    assert batch.mapping == {
        "0": "family_name",
        "1": "given_names",
        "2": "birth_date",
        "3": "service_number",
        "4": "captured_on",
    }
    batch = run(
        services.import_map(acting_user=caseworker, batch=batch, mapping=batch.mapping), caseworker
    )
    row = batch.rows.get()
    assert row.status == RowStatus.READY, row.errors
    assert row.values["birth_date"] == "1990-05-01"
    assert row.values["service_number"] == "123456"
    assert row.values["detaining_power"] == "RUS"


@pytest.mark.parametrize(
    ("data", "name", "fragment"),
    [
        (b"", "a.csv", "empty"),
        (b"Surname,Captured on\n", "a.csv", "no rows"),
        ("Прізвище\nКим\n".encode("cp1251"), "a.csv", "not UTF-8"),
        (b"PK\x03\x04garbage", "a.xlsx", "not an XLSX"),
        (b"\x00\x01\x02", "a.csv", "not a text"),
    ],
)
def test_unreadable_files_are_refused_clearly(
    states: dict[str, Any], caseworker: Any, data: bytes, name: str, fragment: str
) -> None:
    with pytest.raises(RuleError) as refusal:
        services.import_upload(
            acting_user=caseworker,
            data=data,
            file_name=name,
            source="x",
            detaining_power=states["UKR"],
        )
    assert refusal.value.code == "invalid"
    assert fragment in refusal.value.messages[0]
    assert not ImportBatch.objects.exists()


def test_a_mapping_needs_a_name_and_a_capture_date(states: dict[str, Any], caseworker: Any) -> None:
    batch = services.import_upload(
        acting_user=caseworker,
        data=b"Who,When\nKim,2025-01-01\n",
        file_name="a.csv",
        source="x",
        detaining_power=states["UKR"],
    )
    assert batch.mapping == {}
    with pytest.raises(RuleError) as refusal:
        services.import_map(acting_user=caseworker, batch=batch, mapping={})
    assert "family name" in refusal.value.messages[0]
    assert "capture date" in refusal.value.messages[0]
    with pytest.raises(RuleError):
        services.import_map(
            acting_user=caseworker, batch=batch, mapping={"0": "family_name", "1": "family_name"}
        )
    batch = services.import_map(
        acting_user=caseworker, batch=batch, mapping={"0": "family_name", "1": "captured_on"}
    )
    assert batch.status == BatchStatus.ANALYSING


def test_an_analyst_imports_nothing(states: dict[str, Any], analyst: Any, caseworker: Any) -> None:
    with pytest.raises(RuleError) as refusal:
        services.import_upload(
            acting_user=analyst,
            data=csv_of(*GOOD),
            file_name="a.csv",
            source="x",
            detaining_power=states["UKR"],
        )
    assert refusal.value.code == "permission_denied"
    batch = run(upload(caseworker, states, csv_of(*GOOD)), caseworker)
    for step in (services.import_confirm, services.import_cancel):
        with pytest.raises(RuleError):
            step(acting_user=analyst, batch=batch)
    assert Captive.objects.count() == 0


def test_full_name_column_and_one_word_states(states: dict[str, Any], caseworker: Any) -> None:
    batch = services.import_upload(
        acting_user=caseworker,
        data=(
            "Name;Captured;Sex;Detaining power\n"
            "IVANOV Petr Sergeyevich;05.01.2025;ч;Russian Federation\n"
            "Oleh Shevchenko;05.01.2025;F;ukr\n"
        ).encode(),
        file_name="a.csv",
        source="x",
        detaining_power=states["UKR"],
    )
    assert batch.mapping == {
        "0": "full_name",
        "1": "captured_on",
        "2": "sex",
        "3": "detaining_power",
    }
    batch = run(
        services.import_map(acting_user=caseworker, batch=batch, mapping=batch.mapping), caseworker
    )
    first, second = batch.rows.order_by("number")
    assert first.values["family_name"] == "Ivanov"
    assert first.values["given_names"] == "Petr Sergeyevich"
    assert first.values["sex"] == "male"
    assert first.values["detaining_power"] == "RUS"
    assert second.values["family_name"] == "Oleh"  # no capitals: the first word
    assert second.values["detaining_power"] == "UKR"


# --- found by the outside attack -----------------------------------------------------------------


def _workbook(rows: list[list[Any]]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _rezip(data: bytes, replace: dict[str, bytes | None]) -> bytes:
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            if item.filename in replace:
                if replace[item.filename] is not None:
                    target.writestr(item.filename, replace[item.filename])
                continue
            target.writestr(item, source.read(item.filename))
    return out.getvalue()


GOOD_XLSX_ROWS = [["Surname", "Captured on"], ["Kim", "2025-01-05"], ["Ri", "2025-01-06"]]


@pytest.mark.parametrize(
    "damage",
    [
        {"xl/workbook.xml": b"<junk"},
        {"xl/styles.xml": b"<styleSheet><broken"},
        {"xl/worksheets/sheet1.xml": None},
        {"xl/worksheets/sheet1.xml": b"<worksheet><sheetData><row><c><v>1</v></row>"},
        {
            "xl/worksheets/sheet1.xml": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM '
            b'"file:///etc/passwd">]><worksheet><sheetData><row><c t="inlineStr"><is><t>&e;'
            b"</t></is></c></row></sheetData></worksheet>"
        },
    ],
)
def test_a_damaged_workbook_is_refused_not_a_crash(
    states: dict[str, Any], caseworker: Any, damage: dict[str, bytes | None]
) -> None:
    data = _rezip(_workbook(GOOD_XLSX_ROWS), damage)
    with pytest.raises(RuleError) as refusal:
        services.import_upload(
            acting_user=caseworker,
            data=data,
            file_name="list.xlsx",
            source="x",
            detaining_power=states["UKR"],
        )
    assert "not an XLSX workbook" in refusal.value.messages[0]
    assert not ImportBatch.objects.exists()


def test_every_row_of_a_sheet_is_read_whatever_size_it_declares(
    states: dict[str, Any], caseworker: Any
) -> None:
    import zipfile

    data = _workbook(GOOD_XLSX_ROWS)
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    stale = sheet.replace(b'<dimension ref="A1:B3" />', b'<dimension ref="A1:B2" />')
    assert stale != sheet
    batch = services.import_upload(
        acting_user=caseworker,
        data=_rezip(data, {"xl/worksheets/sheet1.xml": stale}),
        file_name="list.xlsx",
        source="x",
        detaining_power=states["UKR"],
    )
    assert batch.row_count == 2


@pytest.mark.parametrize(
    "family", ["\u200b\u200b", "\u202e", "Ctl\u0001\u001b[31mRed", "1234", "Rtl\u202egnp.exe"]
)
def test_a_name_with_hidden_marks_or_no_letter_is_an_error(
    states: dict[str, Any], caseworker: Any, family: str
) -> None:
    batch = run(
        upload(caseworker, states, csv_of(f"{family},Il,,,,2025-01-05,Kursk,PRK")), caseworker
    )
    row = batch.rows.get()
    assert row.status == RowStatus.INVALID
    assert [e["code"] for e in row.errors] == ["invalid_name"]


def test_impossible_births_are_errors(states: dict[str, Any], caseworker: Any) -> None:
    data = (
        b"Surname,Year of birth,Date of birth,Captured on\n"
        b"Kim,2030,,2025-01-05\n"
        b"Ri,,1800-01-01,2025-01-05\n"
    )
    batch = services.import_upload(
        acting_user=caseworker,
        data=data,
        file_name="a.csv",
        source="x",
        detaining_power=states["UKR"],
    )
    batch = run(
        services.import_map(acting_user=caseworker, batch=batch, mapping=batch.mapping), caseworker
    )
    first, second = batch.rows.order_by("number")
    assert first.status == second.status == RowStatus.INVALID
    assert first.errors[0]["field"] == "birth_year"
    assert second.errors[0]["field"] == "birth_date"


def test_the_source_of_a_list_stays_out_of_the_captives_history(
    states: dict[str, Any], caseworker: Any
) -> None:
    batch = services.import_upload(
        acting_user=caseworker,
        data=csv_of(GOOD[0]),
        file_name="a.csv",
        source="Informant Petrenko via SBU",
        detaining_power=states["UKR"],
    )
    batch = run(
        services.import_map(acting_user=caseworker, batch=batch, mapping=batch.mapping), caseworker
    )
    batch = write_all(services.import_confirm(acting_user=caseworker, batch=batch), caseworker)
    captive = batch.rows.get().captive
    reasons = " ".join(str(entry.history_change_reason) for entry in captive.history.all())
    assert f"Imported: {batch.reference} row 2" in reasons
    assert "Petrenko" not in reasons


def test_a_row_whose_chosen_case_became_a_duplicate_is_held_again_offered_the_kept_case(
    states: dict[str, Any], caseworker: Any
) -> None:
    def register(given: str) -> Captive:
        return case_services.captive_register(
            acting_user=caseworker,
            detaining_power=states["UKR"],
            captured_on=date(2025, 1, 5),
            family_name="Kim",
            given_names=given,
            name_original="김철수",
        )

    chosen, kept = register("Cheol-su"), register("Chol-su")
    batch = run(
        upload(caseworker, states, csv_of("Kim,Chol-su,,,,2025-01-05,Kursk,PRK")), caseworker
    )
    row = batch.rows.get()
    assert {c["id"] for c in row.candidates} == {chosen.pk, kept.pk}
    services.import_decide(
        acting_user=caseworker, batch=batch, decisions={row.pk: (RowDecision.SAME, chosen.pk)}
    )
    case_services.duplicate_decide(
        acting_user=caseworker, captive=chosen, other=kept, decision=DuplicateVerdict.SAME_PERSON
    )
    batch = write_all(services.import_confirm(acting_user=caseworker, batch=batch), caseworker)
    row.refresh_from_db()
    assert row.status == RowStatus.HELD and row.decision == RowDecision.UNDECIDED
    assert row.candidates[0]["id"] == kept.pk
    assert chosen.case_number in row.candidates[0]["reasons"][0]
    services.import_decide(
        acting_user=caseworker, batch=batch, decisions={row.pk: (RowDecision.SAME, kept.pk)}
    )
    batch.refresh_from_db()
    batch = write_all(batch, caseworker)
    row.refresh_from_db()
    assert row.status == RowStatus.WRITTEN and row.captive.duplicate_of == kept


def test_a_finished_import_with_nothing_held_cannot_be_cancelled(
    states: dict[str, Any], caseworker: Any
) -> None:
    batch = run(upload(caseworker, states, csv_of(GOOD[0])), caseworker)
    batch = write_all(services.import_confirm(acting_user=caseworker, batch=batch), caseworker)
    with pytest.raises(RuleError):
        services.import_cancel(acting_user=caseworker, batch=batch)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE


def test_a_cell_too_long_to_keep_as_read_refuses_the_file(
    states: dict[str, Any], caseworker: Any
) -> None:
    with pytest.raises(RuleError) as refusal:
        services.import_upload(
            acting_user=caseworker,
            data=csv_of("K" * 6000 + ",Il,,,,2025-01-05,Kursk,PRK"),
            file_name="a.csv",
            source="x",
            detaining_power=states["UKR"],
        )
    assert "Row 2 holds a cell of more than 5000 characters" in refusal.value.messages[0]
