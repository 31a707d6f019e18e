"""The case file (internal): one captive's whole record, from the service and from the button on
his admin page."""

import hashlib
import io
from datetime import date, datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from cases import services
from cases.choices import (
    CustodyEventKind,
    InvolvementRole,
    NameSystem,
    ObligationKind,
    ReviewDecision,
    Script,
    Voluntariness,
    Wish,
    WishMode,
)
from cases.models import Captive, Involvement, Obligation
from reports.choices import DocumentKind
from reports.models import GeneratedDocument
from reports.services import document_generate, document_rebuild
from tests.factories import CaptiveFactory

CASE_FILE = DocumentKind.CASE_FILE
PRINT_URL = "/admin/documents/print/"


def at(*args: int) -> datetime:
    return timezone.make_aware(datetime(*args))


def pages_text(pdf: bytes) -> list[str]:
    """Each page's text, every run of whitespace one space."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


@pytest.fixture
def case(states: dict[str, Any], caseworker: Any, supervisor: Any) -> Captive:
    """A case with something in every section: renderings, a voided event, an assessed
    statement, a review, a fulfilled obligation, involved states and a later correction."""
    captive = CaptiveFactory(
        family_name="Pak",
        given_names="Song-il",
        original_script=Script.HANGUL,
        name_original="박성일",
        names=[
            (NameSystem.CYRILLIC, "Пак Сон Іль"),
            (NameSystem.MCCUNE_REISCHAUER, "Pak Sŏng-il"),
        ],
        rank="",
        rank_declined=True,
        service_number="KPA-0001",
        place_of_birth="Ґанджа Єсіль Їжак",
        mother_maiden_name="#exit()",
        father_first_name="*x*",
        nationality=states["PRK"],
        power_depended_on=states["PRK"],
        allied_power=states["RUS"],
        detaining_power=states["UKR"],
        capture_place="Kursk Oblast",
        identity_notes="Carried another man's ID.",
    )
    hospital = services.custody_event_record(
        acting_user=caseworker,
        captive=captive,
        kind=CustodyEventKind.HOSPITALIZED,
        occurred_at=at(2025, 1, 6, 9),
        place="Military hospital, Kyiv",
    )
    services.custody_event_void(
        acting_user=caseworker, event=hospital, reason="Recorded for the wrong man"
    )
    services.custody_event_record(
        acting_user=caseworker,
        captive=captive,
        kind=CustodyEventKind.INTERNED,
        occurred_at=at(2025, 1, 8, 10),
        place="Camp No. 2",
    )
    statement = services.wish_statement_record(
        acting_user=caseworker,
        captive=captive,
        wish=Wish.DEFECT,
        destination=states["KOR"],
        stated_at=at(2025, 1, 11, 12),
        mode=WishMode.PRIVATE_INTERVIEW,
        statement="I want to go to the South.",
        interpreter="Ms Kim",
    )
    services.wish_statement_assess(
        acting_user=supervisor,
        statement=statement,
        voluntariness=Voluntariness.FREE,
        notes="Said it twice, alone, calm.",
    )
    services.non_refoulement_review_record(
        acting_user=supervisor,
        captive=captive,
        destination=states["PRK"],
        decision=ReviewDecision.NOT_CLEARED,
        reasons="Risk of punishment for surrender.",
    )
    card = Obligation.objects.filter(
        captive=captive, kind=ObligationKind.CAPTURE_CARD, voided_at__isnull=True
    ).first()
    services.obligation_fulfil(
        acting_user=caseworker, obligation=card, fulfilled_on=date(2025, 1, 9), reference="CC-77"
    )
    Involvement.objects.get_or_create(
        captive=captive,
        state=states["KOR"],
        role=InvolvementRole.RECEIVING_STATE,
        position="Would take him.",
    )
    services.captive_update(acting_user=supervisor, captive=captive, health_notes="Bruised ribs.")
    return Captive.objects.get(pk=captive.pk)


def test_case_file_holds_the_whole_case(case: Captive, caseworker: Any) -> None:
    record, pdf = document_generate(acting_user=caseworker, kind=CASE_FILE, captives=[case])
    pages = pages_text(pdf)
    text = " ".join(pages)
    # Every page says it is internal.
    assert len(pages) >= 2
    for page in pages:
        assert "INTERNAL — not for disclosure" in page
    # Identity, every rendering of his name, the declined rank.
    for word in [
        case.case_number,
        "PAK",
        "Song-il",
        "박성일",
        "Пак Сон Іль",
        "Pak Sŏng-il",
        "McCune–Reischauer",
        "KPA-0001",
        "Ґанджа Єсіль Їжак",
        "Carried another man's ID.",
        "Russian Federation (RUS)",
        "Bruised ribs.",
    ]:
        assert word in text, word
    assert "Declined to state (Art. 17)" in text
    # Register text prints literally.
    assert "#exit()" in text
    assert "*x*" in text
    # The timeline, the voided event kept and marked with its reason.
    for word in ["Hospitalized", "Military hospital, Kyiv", "Camp No. 2", "Interned"]:
        assert word in text, word
    assert "VOIDED" in text
    assert "Recorded for the wrong man" in text
    # The statement and its assessment.
    for word in ["I want to go to the South.", "Ms Kim", "Free", "sup", "Said it twice"]:
        assert word in text, word
    # The review, the obligations, the states involved.
    for word in ["Risk of punishment for surrender.", "Not cleared", "CC-77", "Fulfilled"]:
        assert word in text, word
    assert "Capture card (Art. 70)" in text
    assert "Would take him." in text
    assert "Receiving state" in text
    # The history: how many changes, and the latest with who, what and why.
    changes = sum(
        model.history.filter(**{key: case.pk}).count()
        for model, key in [
            (Captive, "id"),
            (case.names.model, "captive_id"),
            (case.custody_events.model, "captive_id"),
            (case.wish_statements.model, "captive_id"),
            (case.non_refoulement_reviews.model, "captive_id"),
            (Obligation, "captive_id"),
            (Involvement, "captive_id"),
        ]
    )
    assert f"Changes recorded: {changes}" in text
    assert "The last 20 changes" in text
    assert "health notes" in text  # what the supervisor's correction changed
    assert "Assessed: Free" in text  # a change's reason
    assert record.captives.get() == case


def test_case_file_rebuilds_byte_identical(case: Captive, caseworker: Any, supervisor: Any) -> None:
    record, pdf = document_generate(acting_user=caseworker, kind=CASE_FILE, captives=[case])
    again = document_rebuild(acting_user=supervisor, document=record)
    assert hashlib.sha256(again).hexdigest() == record.sha256
    assert again == pdf
    # Something it shows changed since: the rebuild tells (its hash differs).
    services.captive_update(acting_user=supervisor, captive=case, notes="Later note")
    changed = document_rebuild(acting_user=supervisor, document=record)
    assert hashlib.sha256(changed).hexdigest() != record.sha256
    assert "Later note" in " ".join(pages_text(changed))


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_case_file_button_prints_from_his_page(case: Captive, caseworker: Any) -> None:
    client = signed_in(caseworker)
    page = client.get(f"/admin/cases/captive/{case.pk}/change/").content.decode()
    assert 'value="case_file"' in page
    assert "Case file" in page
    response = client.post(PRINT_URL, {"kind": CASE_FILE, "captive": case.pk, "next": "/admin/"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    record = GeneratedDocument.objects.get()
    assert record.kind == CASE_FILE
    assert list(record.captives.all()) == [case]
    assert record.sha256 == hashlib.sha256(response.content).hexdigest()
    assert "박성일" in " ".join(pages_text(response.content))


def test_an_analyst_gets_no_case_file(case: Captive, analyst: Any) -> None:
    client = signed_in(analyst)
    page = client.get(f"/admin/cases/captive/{case.pk}/change/")
    assert page.status_code == 200
    assert 'value="case_file"' not in page.content.decode()
    response = client.post(PRINT_URL, {"kind": CASE_FILE, "captive": case.pk})
    assert response.status_code == 403
    assert not GeneratedDocument.objects.exists()
