"""The notification to the National Information Bureau (GC III Art. 122), in PDF and XLSX, for
captives or for custody events, from the services and from the admin's change lists."""

import datetime as dt
import hashlib
import io
from datetime import datetime
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone, translation
from pypdf import PdfReader

from cases import services
from cases.choices import CustodyEventKind, Health, Script
from cases.models import CustodyEvent
from reports.choices import DocumentKind
from reports.models import GeneratedDocument
from reports.services import document_generate, document_rebuild
from tests.factories import CaptiveFactory

NIB = DocumentKind.NIB_NOTIFICATION
HEADERS = [
    "Case No.",
    "Family name",
    "First names",
    "Name in his own script",
    "Rank",
    "Service number",
    "Date of birth",
    "Place of birth",
    "Power on which the prisoner depends",
    "Father's first name",
    "Mother's maiden name",
    "Person to be informed",
    "Address for correspondence",
    "Capture date",
    "Place of capture",
    "State of health",
]


def pdf_text(pdf: bytes) -> str:
    """The PDF's text, every run of whitespace one space (table cells wrap anywhere)."""
    pages = PdfReader(io.BytesIO(pdf)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


def xlsx_rows(content: bytes) -> list[list[str]]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return [[cell or "" for cell in row] for row in sheet.iter_rows(values_only=True)]


def at(*args: int) -> datetime:
    return timezone.make_aware(datetime(*args))


@pytest.fixture
def pak(states: dict[str, Any]) -> Any:
    """A Korean soldier with a Ukrainian next of kin address, a declined item, and register
    text that would be markup or a formula if it were not printed as text."""
    return CaptiveFactory(
        family_name="Pak",
        given_names="Song-il",
        original_script=Script.HANGUL,
        name_original="박성일",
        rank="Private",
        service_number='=HYPERLINK("http://x")',
        birth_year=2005,
        place_of_birth="#exit()",
        father_first_name="",
        father_first_name_declined=True,
        mother_maiden_name="*x*",
        nationality=states["PRK"],
        power_depended_on=states["PRK"],
        detaining_power=states["UKR"],
        next_of_kin_name="Ґалина Єрмак",
        next_of_kin_relationship="aunt",
        next_of_kin_address="вул. Їжакова 1, Ірпінь",
        capture_place="Ґуляйполе",
        capture_region="Запорізька область",
        health=Health.SERIOUSLY_WOUNDED,
    )


@pytest.fixture
def ri(states: dict[str, Any]) -> Any:
    return CaptiveFactory(
        family_name="Ri",
        given_names="Kwang-myong",
        original_script=Script.HANGUL,
        name_original="리광명",
        rank="Corporal",
        service_number="KPA-2",
        nationality=states["PRK"],
        power_depended_on=states["PRK"],
        detaining_power=states["UKR"],
    )


def expected_row(captive: Any) -> list[str]:
    return [
        captive.case_number,
        "PAK",
        "Song-il",
        "박성일",
        "Private",
        '\'=HYPERLINK("http://x")',  # neutralised: shown as text, never run
        "2005",
        "#exit()",
        "Democratic People's Republic of Korea (PRK)",
        "Declined to state (Art. 17)",
        "*x*",
        "Ґалина Єрмак (aunt)\nвул. Їжакова 1, Ірпінь",
        "Ґуляйполе, Ukraine",  # where he is held now, and by whom
        "2025-01-05",
        "Ґуляйполе, Запорізька область",
        "Seriously wounded\nArts. 109–110: direct repatriation to be examined",
    ]


def test_pdf_prints_the_art_122_particulars_in_every_script(caseworker: Any, pak: Any) -> None:
    record, pdf = document_generate(acting_user=caseworker, kind=NIB, captives=[pak])
    text = pdf_text(pdf)
    for word in [
        pak.case_number,
        "PAK",
        "Song-il",
        "박성일",
        "Private",
        "2005",
        "Democratic People's Republic of Korea (PRK)",
        "Ґалина Єрмак (aunt)",
        "Ірпінь",
        "Ґуляйполе",
        "2025-01-05",
        "Seriously wounded",
        "Arts. 109–110",
        record.reference,
    ]:
        assert word in text, word
    # The father's first name he declined to give is said so, not left blank.
    assert "Declined to state (Art. 17)" in text
    # Register text prints as it is: not run, not formatted.
    assert "#exit()" in text
    assert "*x*" in text
    assert '=HYPERLINK("http://x")' in text.replace(" ", "")  # wrapped in its narrow column
    assert "1 / 1" in text  # page x of y
    assert record.captives.get() == pak
    assert record.file_format == "pdf"


def test_xlsx_has_the_same_columns_one_row_a_captive(caseworker: Any, pak: Any, ri: Any) -> None:
    record, content = document_generate(
        acting_user=caseworker, kind=NIB, captives=[ri, pak], file_format="xlsx"
    )
    rows = xlsx_rows(content)
    assert rows[0] == HEADERS
    assert rows[1] == expected_row(pak)  # ordered by case number
    assert rows[2][:6] == [ri.case_number, "RI", "Kwang-myong", "리광명", "Corporal", "KPA-2"]
    assert rows[2][9] == ""  # not given, not declined: empty
    assert rows[2][15] == "Unharmed"
    assert len(rows) == 3
    assert record.file_format == "xlsx"
    assert set(record.captives.all()) == {pak, ri}


def test_events_variant_lists_the_events_with_the_captives_identity(
    caseworker: Any, states: dict[str, Any], pak: Any, ri: Any
) -> None:
    hospital = services.custody_event_record(
        acting_user=caseworker,
        captive=pak,
        kind=CustodyEventKind.HOSPITALIZED,
        occurred_at=at(2025, 1, 6, 9, 30),
        place="Шпиталь, Київ",
    )
    escape = services.custody_event_record(
        acting_user=caseworker,
        captive=ri,
        kind=CustodyEventKind.ESCAPED,
        occurred_at=at(2025, 1, 7, 22, 15),
        place="Табір №1",
    )
    record, pdf = document_generate(acting_user=caseworker, kind=NIB, events=[escape, hospital])
    text = pdf_text(pdf)
    for word in ["changes in custody", "Hospitalized", "Шпиталь, Київ", "2025-01-06 09:30"]:
        assert word in text, word
    for word in ["Escaped", "Табір №1", "2025-01-07 22:15", "박성일", "리광명", "Ukraine"]:
        assert word in text, word
    assert "Captured" not in text  # only the events chosen
    assert set(record.events.all()) == {hospital, escape}
    assert set(record.captives.all()) == {pak, ri}

    _record, content = document_generate(
        acting_user=caseworker, kind=NIB, events=[escape, hospital], file_format="xlsx"
    )
    rows = xlsx_rows(content)
    assert rows[0][-4:] == ["Event", "Date and time", "Place", "Custodian"]
    assert rows[1][:4] == [pak.case_number, "PAK", "Song-il", "박성일"]
    assert rows[1][-4:] == ["Hospitalized", "2025-01-06 09:30", "Шпиталь, Київ", "Ukraine (UKR)"]
    custodian = f"{escape.custodian.name} (UKR)" if escape.custodian else ""
    assert rows[2][-4:] == ["Escaped", "2025-01-07 22:15", "Табір №1", custodian]
    assert len(rows) == 3


def test_a_voided_event_is_marked_voided(caseworker: Any, pak: Any) -> None:
    event = services.custody_event_record(
        acting_user=caseworker,
        captive=pak,
        kind=CustodyEventKind.HOSPITALIZED,
        occurred_at=at(2025, 1, 6, 9, 30),
    )
    services.custody_event_void(acting_user=caseworker, event=event, reason="Wrong captive")
    _record, content = document_generate(
        acting_user=caseworker, kind=NIB, events=[event], file_format="xlsx"
    )
    assert xlsx_rows(content)[1][-4] == "Hospitalized\nVoided: Wrong captive"


@pytest.mark.parametrize("file_format", ["pdf", "xlsx"])
def test_a_rebuild_is_byte_identical(
    caseworker: Any, supervisor: Any, pak: Any, ri: Any, file_format: str
) -> None:
    record, content = document_generate(
        acting_user=caseworker, kind=NIB, captives=[pak, ri], file_format=file_format
    )
    assert record.sha256 == hashlib.sha256(content).hexdigest()
    again = document_rebuild(acting_user=supervisor, document=record)
    assert hashlib.sha256(again).hexdigest() == record.sha256
    assert again == content


def test_xlsx_rebuilds_identically_in_another_second_and_language(
    caseworker: Any, supervisor: Any, pak: Any
) -> None:
    """XlsxWriter writes the time into the workbook: the record's time is the one it gets."""
    record, content = document_generate(
        acting_user=caseworker, kind=NIB, captives=[pak], file_format="xlsx"
    )
    with translation.override("uk"):
        again = document_rebuild(acting_user=supervisor, document=record)
    assert again == content
    created = openpyxl.load_workbook(io.BytesIO(content)).properties.created
    expected = record.generated_at.astimezone(dt.UTC).replace(tzinfo=None, microsecond=0)
    assert created.replace(tzinfo=None, microsecond=0) == expected


# --- the admin ----------------------------------------------------------------------------------


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


CAPTIVES = "/admin/cases/captive/"
EVENTS = "/admin/cases/custodyevent/"


@pytest.mark.parametrize(
    ("action", "content_type"),
    [
        ("print_nib_notification_pdf", "application/pdf"),
        ("print_nib_notification_xlsx", "application/vnd.openxmlformats"),
    ],
)
def test_captive_list_action_prints_and_records(
    caseworker: Any, pak: Any, ri: Any, action: str, content_type: str
) -> None:
    client = signed_in(caseworker)
    assert action in client.get(CAPTIVES).content.decode()
    response = client.post(CAPTIVES, {"action": action, "_selected_action": [pak.pk, ri.pk]})
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    record = GeneratedDocument.objects.get()
    assert record.kind == NIB
    assert record.author == caseworker
    assert set(record.captives.all()) == {pak, ri}
    assert not record.events.exists()
    assert record.reference in response["Content-Disposition"]
    assert record.sha256 == hashlib.sha256(response.content).hexdigest()


@pytest.mark.parametrize("action", ["print_nib_notification_pdf", "print_nib_notification_xlsx"])
def test_event_list_action_prints_the_events(
    caseworker: Any, pak: Any, ri: Any, action: str
) -> None:
    event = services.custody_event_record(
        acting_user=caseworker,
        captive=pak,
        kind=CustodyEventKind.HOSPITALIZED,
        occurred_at=at(2025, 1, 6, 9, 30),
        place="Шпиталь",
    )
    client = signed_in(caseworker)
    assert action in client.get(EVENTS).content.decode()
    response = client.post(EVENTS, {"action": action, "_selected_action": [event.pk]})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    record = GeneratedDocument.objects.get()
    assert list(record.events.all()) == [event]
    assert list(record.captives.all()) == [pak]
    if action.endswith("xlsx"):
        assert xlsx_rows(response.content)[1][-2] == "Шпиталь"


def test_an_analyst_may_not_print(analyst: Any, pak: Any) -> None:
    client = signed_in(analyst)
    for url in (CAPTIVES, EVENTS):
        page = client.get(url)
        assert page.status_code == 200
        assert "print_nib_notification" not in page.content.decode()
    event = CustodyEvent.objects.get(captive=pak)
    for url, pk in ((CAPTIVES, pak.pk), (EVENTS, event.pk)):
        response = client.post(
            url, {"action": "print_nib_notification_pdf", "_selected_action": [pk]}
        )
        assert "attachment" not in response.get("Content-Disposition", "")
    response = client.post(
        "/admin/documents/print/", {"kind": NIB, "captive": [pak.pk], "as": "xlsx"}
    )
    assert response.status_code == 403
    assert not GeneratedDocument.objects.exists()
