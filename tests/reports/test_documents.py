"""The GC III documents: the capture card in the prisoner's and the detaining power's languages,
the fonts that print every script, the register of printed documents, the admin's door, and
obligations fulfilled by citing a printed document."""

import ast
import hashlib
import io
import re
from datetime import date
from pathlib import Path
from typing import Any

import polib
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from cases import services as case_services
from cases.choices import Health, Script
from cases.models import Obligation
from powtracker.errors import ErrorCode, RuleError
from reports.documents import labels as T
from reports.models import DocumentReprint, GeneratedDocument
from reports.services import document_generate, document_rebuild
from tests.factories import CaptiveFactory
from tests.helpers import CYRILLIC, HANGUL, error_codes

REPORTS = Path(__file__).resolve().parents[2] / "reports"
LOCALE = REPORTS / "locale"
# The documents printed in the states' languages (the case file is internal: the admin's).
BILINGUAL_SOURCES = ["labels.py", "capture_card.py", "roster.py", "nib.py"]
LABEL = re.compile(r'pgettext_lazy\(\s*"GC III document",\s*((?:"(?:[^"\\]|\\.)*"\s*)+)\)')


def document_msgids(files: list[str]) -> set[str]:
    """The labels (context "GC III document") written in these modules of reports/documents."""
    msgids = set()
    for name in files:
        source = (REPORTS / "documents" / name).read_text()
        for match in LABEL.finditer(source):
            parts = re.findall(r'"((?:[^"\\]|\\.)*)"', match.group(1))
            msgids.add("".join(ast.literal_eval(f'"{part}"') for part in parts))
    return msgids


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def squeezed(text: str) -> str:
    """Text without white space: extraction breaks lines where the layout does."""
    return re.sub(r"\s+", "", text)


@pytest.fixture
def languages(states: dict[str, Any]) -> dict[str, Any]:
    for code, language in {"UKR": "uk", "RUS": "ru", "PRK": "ko", "KOR": "ko"}.items():
        states[code].language = language
        states[code].save()
    return states


@pytest.fixture
def korean(languages: dict[str, Any]) -> Any:
    """A North Korean soldier held by Ukraine, as in the Kursk case."""
    return CaptiveFactory(
        family_name="Pak",
        given_names="Song-il",
        original_script=Script.HANGUL,
        name_original="박성일",
        nationality=languages["PRK"],
        power_depended_on=languages["PRK"],
        detaining_power=languages["UKR"],
        rank="Private",
        birth_year=2005,
        health=Health.WOUNDED,
        rank_declined=False,
        father_first_name_declined=True,
    )


@pytest.fixture
def ukrainian(languages: dict[str, Any]) -> Any:
    """A Ukrainian soldier held by Russia, his name and birthplace full of Ґ Є І Ї."""
    return CaptiveFactory(
        family_name="Yizhakevych",
        given_names="Yevhen",
        original_script=Script.CYRILLIC,
        name_original="Їжакевич Євген Ігорович",
        place_of_birth="Ґорґани",
        nationality=languages["UKR"],
        power_depended_on=languages["UKR"],
        detaining_power=languages["RUS"],
    )


def print_cards(user: Any, *captives: Any) -> tuple[GeneratedDocument, bytes]:
    return document_generate(acting_user=user, kind="capture_card", captives=captives)


@pytest.mark.django_db
class TestCaptureCard:
    def test_a_korean_card_in_korean_ukrainian_and_english_with_both_scripts(
        self, caseworker: Any, korean: Any
    ) -> None:
        record, pdf = print_cards(caseworker, korean)
        text = pdf_text(pdf)
        flat = squeezed(text)
        assert record.languages == "ko,uk,en"
        assert "박성일" in flat
        assert "PAK" in text and "Song-il" in text
        assert korean.case_number in text
        # The model card's title and a label in each language.
        assert squeezed("포로 포획 카드") in flat
        assert squeezed("КАРТКА ПРО ВЗЯТТЯ В ПОЛОН") in flat
        assert "CAPTURE CARD FOR PRISONER OF WAR" in text
        for label in (T.RANK, T.SERVICE_NUMBER, T.POWER):
            for language in ("ko", "uk", "en"):
                with translation.override(language):
                    assert squeezed(str(label)) in flat, (language, str(label))
        # No Russian: neither he nor his captors speak it.
        with translation.override("ru"):
            assert squeezed(str(T.CARD_TITLE)) not in flat
        # What he declined to give is said, in his language, not left blank (Art. 17).
        with translation.override("ko"):
            assert squeezed(str(T.DECLINED)) in flat
        assert record.generated_at.date().isoformat() in text

    def test_health_ticks_the_boxes_of_the_model(self, caseworker: Any, korean: Any) -> None:
        _record, pdf = print_cards(caseworker, korean)
        flat = squeezed(pdf_text(pdf))
        # Wounded: "slightly wounded" is ticked, "not wounded" is not.
        with translation.override("ko"):
            slightly, not_wounded = squeezed(str(T.SLIGHTLY_WOUNDED)), squeezed(str(T.NOT_WOUNDED))
        assert f"☒{slightly}" in flat
        assert f"☐{not_wounded}" in flat

    def test_a_ukrainian_card_prints_every_ukrainian_letter_in_russian_and_ukrainian(
        self, caseworker: Any, ukrainian: Any
    ) -> None:
        record, pdf = print_cards(caseworker, ukrainian)
        flat = squeezed(pdf_text(pdf))
        assert record.languages == "uk,ru,en"
        assert squeezed("Їжакевич Євген Ігорович") in flat
        assert "Ґорґани" in flat
        assert squeezed("КАРТОЧКА О ВЗЯТИИ В ПЛЕН") in flat
        assert squeezed("КАРТКА ПРО ВЗЯТТЯ В ПОЛОН") in flat

    def test_the_fonts_are_the_shipped_ones_embedded(self, caseworker: Any, korean: Any) -> None:
        _record, pdf = print_cards(caseworker, korean)
        reader = PdfReader(io.BytesIO(pdf))
        fonts = set()
        for page in reader.pages:
            for font in page["/Resources"]["/Font"].values():
                font = font.get_object()
                for descendant in font.get("/DescendantFonts", [font]):
                    descriptor = descendant.get_object()["/FontDescriptor"].get_object()
                    assert any(
                        key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")
                    )
                    fonts.add(str(descriptor["/FontName"]).split("+")[-1])
        assert any(name.startswith("NotoSansCJKkr") for name in fonts), fonts
        assert any(name.startswith("NotoSans-") for name in fonts), fonts

    def test_a_selection_prints_one_card_a_page_in_case_order(
        self, caseworker: Any, korean: Any, ukrainian: Any
    ) -> None:
        record, pdf = print_cards(caseworker, ukrainian, korean)
        pages = PdfReader(io.BytesIO(pdf)).pages
        assert len(pages) == 2
        first, second = sorted([korean, ukrainian], key=lambda c: c.case_number)
        assert first.case_number in pages[0].extract_text()
        assert second.case_number in pages[1].extract_text()
        assert set(record.captives.all()) == {korean, ukrainian}

    def test_register_text_is_printed_never_run(self, caseworker: Any, korean: Any) -> None:
        korean.place_of_birth = '#panic("x") *bold* ] $x$ \\'
        korean.save()
        _record, pdf = print_cards(caseworker, korean)
        assert squeezed('#panic("x") *bold* ] $x$ \\') in squeezed(pdf_text(pdf))


@pytest.mark.django_db
class TestRegister:
    def test_each_print_is_recorded_with_its_hash_and_author(
        self, caseworker: Any, korean: Any
    ) -> None:
        record, pdf = print_cards(caseworker, korean)
        record.refresh_from_db()
        assert record.sha256 == hashlib.sha256(pdf).hexdigest()
        assert record.size == len(pdf)
        assert record.author == caseworker
        assert record.kind == "capture_card"
        assert list(record.captives.all()) == [korean]
        assert record.reference in pdf_text(pdf)

    def test_a_rebuild_is_byte_identical_until_the_records_change(
        self, caseworker: Any, analyst: Any, korean: Any
    ) -> None:
        record, pdf = print_cards(caseworker, korean)
        again = document_rebuild(acting_user=analyst, document=record)
        assert again == pdf
        korean.rank = "Corporal"
        korean.save()
        changed = document_rebuild(acting_user=analyst, document=record)
        assert hashlib.sha256(changed).hexdigest() != record.sha256
        assert "Corporal" in pdf_text(changed)

    def test_analysts_read_the_register_but_do_not_print(self, analyst: Any, korean: Any) -> None:
        with pytest.raises(RuleError) as refused:
            print_cards(analyst, korean)
        assert error_codes(refused.value) == [ErrorCode.PERMISSION_DENIED]
        assert not GeneratedDocument.objects.exists()

    def test_nothing_selected_prints_nothing_and_records_nothing(self, caseworker: Any) -> None:
        with pytest.raises(RuleError) as refused:
            print_cards(caseworker)
        assert error_codes(refused.value) == [ErrorCode.NOTHING_SELECTED]
        assert not GeneratedDocument.objects.exists()

    def test_printed_documents_are_never_deleted(self, caseworker: Any, korean: Any) -> None:
        record, _pdf = print_cards(caseworker, korean)
        with pytest.raises(RuleError):
            GeneratedDocument.objects.all().delete()
        assert GeneratedDocument.objects.filter(pk=record.pk).exists()


class TestCatalogues:
    """The labels are real translations, and the compiled catalogues are those of the sources."""

    @staticmethod
    def po_entries(language: str) -> dict[tuple[str, str], str]:
        po = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
        return {
            (entry.msgctxt or "", entry.msgid): entry.msgstr
            for entry in po.translated_entries()
            if not entry.msgid_plural
        }

    @pytest.mark.parametrize(
        ("language", "script"), [("ko", HANGUL), ("uk", CYRILLIC), ("ru", CYRILLIC)]
    )
    def test_every_label_of_a_document_that_states_read_is_translated(
        self, language: str, script: re.Pattern[str]
    ) -> None:
        """The capture card, the roster and the notification print in the states' languages:
        every label they use (found in their source, so a new one cannot be forgotten) is a
        real translation, in the language's script."""
        msgids = document_msgids(BILINGUAL_SOURCES)
        assert len(msgids) > 60
        untranslated = []
        with translation.override(language):
            for msgid in sorted(msgids):
                text = translation.pgettext("GC III document", msgid)
                # A label of letters is in the language's script ("No." may become "№").
                if text == msgid or (re.search(r"[^\W\d_]", text) and not script.search(text)):
                    untranslated.append(msgid)
        assert untranslated == []

    @pytest.mark.parametrize("language", ["ko", "uk", "ru"])
    def test_the_compiled_catalogue_matches_its_source(self, language: str) -> None:
        entries = self.po_entries(language)
        assert entries
        for (context, msgid), msgstr in entries.items():
            with translation.override(language):
                found = (
                    translation.pgettext(context, msgid) if context else translation.gettext(msgid)
                )
                assert found == msgstr, msgid

    def test_ukrainian_labels_use_ukrainian_letters(self) -> None:
        with translation.override("uk"):
            ukrainian = " ".join(str(label) for label in T.CARD_LABELS)
        assert {"і", "ї", "є"} <= set(ukrainian)


@pytest.mark.django_db
class TestAdminDoor:
    @pytest.fixture
    def client_for(self) -> Any:
        def make(user: Any) -> Client:
            client = Client()
            client.force_login(user)
            return client

        return make

    def test_the_captive_page_prints_his_capture_card(
        self, client_for: Any, caseworker: Any, korean: Any
    ) -> None:
        client = client_for(caseworker)
        page = client.get(reverse("admin:cases_captive_change", args=[korean.pk]))
        assert b'name="kind" value="capture_card"' in page.content
        response = client.post(
            reverse("reports-document-print"),
            {"kind": "capture_card", "captive": [korean.pk], "next": "/admin/"},
        )
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        record = GeneratedDocument.objects.get()
        assert record.reference in response["Content-Disposition"]
        assert "박성일" in squeezed(pdf_text(response.content))

    def test_the_captive_list_prints_the_selection(
        self, client_for: Any, caseworker: Any, korean: Any, ukrainian: Any
    ) -> None:
        response = client_for(caseworker).post(
            reverse("admin:cases_captive_changelist"),
            {"action": "print_capture_card_pdf", "_selected_action": [korean.pk, ukrainian.pk]},
        )
        assert response["Content-Type"] == "application/pdf"
        assert len(PdfReader(io.BytesIO(response.content)).pages) == 2
        assert set(GeneratedDocument.objects.get().captives.all()) == {korean, ukrainian}

    def test_printing_is_never_a_get(self, client_for: Any, caseworker: Any, korean: Any) -> None:
        client = client_for(caseworker)
        for method in (client.get, client.head):
            response = method(
                reverse("reports-document-print"), {"kind": "capture_card", "captive": korean.pk}
            )
            assert response.status_code == 405
        assert not GeneratedDocument.objects.exists()

    def test_an_analyst_sees_no_print_button_and_is_refused(
        self, client_for: Any, analyst: Any, korean: Any
    ) -> None:
        client = client_for(analyst)
        page = client.get(reverse("admin:cases_captive_change", args=[korean.pk]))
        assert page.status_code == 200
        assert b"document-print" not in page.content
        assert (
            b"print_capture_card_pdf"
            not in client.get(reverse("admin:cases_captive_changelist")).content
        )
        response = client.post(
            reverse("reports-document-print"), {"kind": "capture_card", "captive": [korean.pk]}
        )
        assert response.status_code == 403
        assert not GeneratedDocument.objects.exists()

    @pytest.mark.parametrize(
        "data",
        [
            {"kind": "passport", "captive": ["1"]},
            {"kind": "capture_card", "captive": ["one"]},
            {"kind": "capture_card", "captive": ["999999"]},
            {"kind": "capture_card", "as": "docx", "captive": ["1"]},
        ],
    )
    def test_bad_requests_are_400_and_print_nothing(
        self, client_for: Any, caseworker: Any, data: dict[str, Any]
    ) -> None:
        response = client_for(caseworker).post(reverse("reports-document-print"), data)
        assert response.status_code == 400
        assert not GeneratedDocument.objects.exists()

    def test_an_empty_selection_goes_back_with_the_reason(
        self, client_for: Any, caseworker: Any
    ) -> None:
        response = client_for(caseworker).post(
            reverse("reports-document-print"),
            {"kind": "capture_card", "next": "https://evil.example/"},
            follow=True,
        )
        assert response.redirect_chain[0][0] == reverse("admin:index")
        assert "Select at least one captive." in response.content.decode()

    def test_the_register_reprints_and_compares(
        self, client_for: Any, caseworker: Any, analyst: Any, korean: Any
    ) -> None:
        record, pdf = print_cards(caseworker, korean)
        url = reverse("admin:reports_generateddocument_reprint", args=[record.pk])
        page = reverse("admin:reports_generateddocument_change", args=[record.pk])
        printer = client_for(caseworker)
        assert printer.get(url).status_code == 405
        assert "Print again" in printer.get(page).content.decode()
        assert printer.post(url).content == pdf
        copy = DocumentReprint.objects.get()
        assert (copy.document, copy.by) == (record, caseworker)
        # An analyst reads the register and compares, but takes no copy away.
        reader = client_for(analyst)
        assert "Print again" not in reader.get(page).content.decode()
        assert reader.post(url).status_code == 403
        assert DocumentReprint.objects.count() == 1
        same = reader.post(url, {"verify": "1"}, follow=True).content.decode()
        assert "identical to" in same and record.reference in same
        korean.rank = "Sergeant"
        korean.save()
        changed = reader.post(url, {"verify": "1"}, follow=True).content.decode()
        assert "it differs from" in changed
        assert DocumentReprint.objects.count() == 1

    @pytest.mark.parametrize(
        "data",
        [
            {"kind": "capture_card", "captive": [str(2**63)]},
            {"kind": "capture_card", "captive": ["١"]},
            {"kind": "capture_card", "captive": ["0"]},
            {"kind": ["capture_card", "case_file"], "captive": ["1"]},
            {"kind": "capture_card", "as": ["pdf", "xlsx"], "captive": ["1"]},
        ],
    )
    def test_ids_out_of_range_and_repeated_parameters_are_400(
        self, client_for: Any, caseworker: Any, korean: Any, data: dict[str, Any]
    ) -> None:
        response = client_for(caseworker).post(reverse("reports-document-print"), data)
        assert response.status_code == 400
        assert not GeneratedDocument.objects.exists()


@pytest.mark.django_db
class TestSubjects:
    """A document covers exactly whom it prints: the register, and an obligation citing it,
    never name someone it does not show (found by the outside attack)."""

    def test_a_notification_of_events_covers_their_captives_only(
        self, caseworker: Any, korean: Any, ukrainian: Any
    ) -> None:
        event = korean.custody_events.get()
        record, _pdf = document_generate(
            acting_user=caseworker, kind="nib_notification", events=[event]
        )
        assert list(record.captives.all()) == [korean]
        assert list(record.events.all()) == [event]

    @pytest.mark.parametrize(
        ("kind", "subjects"),
        [
            ("nib_notification", {"events", "captives"}),
            ("capture_card", {"events"}),
            ("capture_card", {"captives", "proposal"}),
            ("exchange_roster", {"proposal", "captives"}),
            ("case_file", {"captives", "events"}),
        ],
    )
    def test_subjects_a_kind_is_not_printed_for_are_refused(
        self, caseworker: Any, korean: Any, ukrainian: Any, kind: str, subjects: set[str]
    ) -> None:
        from diplomacy.models import ExchangeProposal

        proposal = ExchangeProposal.objects.create(
            title="P", proposing_state=korean.detaining_power, counterpart_state=korean.nationality
        )
        given = {
            "events": {"events": [korean.custody_events.get()]},
            "captives": {"captives": [ukrainian]},
            "proposal": {"proposal": proposal},
        }
        arguments = {key: value for name in subjects for key, value in given[name].items()}
        with pytest.raises(RuleError) as refused:
            document_generate(acting_user=caseworker, kind=kind, **arguments)
        assert error_codes(refused.value) == [ErrorCode.INVALID]
        assert not GeneratedDocument.objects.exists()

    def test_a_case_file_is_for_one_captive(
        self, caseworker: Any, korean: Any, ukrainian: Any
    ) -> None:
        with pytest.raises(RuleError) as refused:
            document_generate(
                acting_user=caseworker, kind="case_file", captives=[korean, ukrainian]
            )
        assert error_codes(refused.value) == [ErrorCode.INVALID]
        assert not GeneratedDocument.objects.exists()

    def test_an_art_122_duty_cannot_cite_a_notification_that_omits_him(
        self, caseworker: Any, korean: Any, ukrainian: Any
    ) -> None:
        duty = Obligation.objects.create(
            captive=ukrainian, kind="nib_notification", due_on=date.today()
        )
        record, _pdf = document_generate(
            acting_user=caseworker,
            kind="nib_notification",
            events=[korean.custody_events.get()],
        )
        with pytest.raises(RuleError) as refused:
            case_services.obligation_fulfil(
                acting_user=caseworker, obligation=duty, fulfilled_on=date.today(), document=record
            )
        assert error_codes(refused.value) == [ErrorCode.DOCUMENT_MISMATCH]


@pytest.mark.django_db
class TestObligationCitesADocument:
    @pytest.fixture
    def duty(self, korean: Any) -> Obligation:
        return Obligation.objects.create(captive=korean, kind="capture_card", due_on=date.today())

    def test_the_card_printed_fulfils_his_capture_card_duty(
        self, caseworker: Any, korean: Any, duty: Obligation
    ) -> None:
        record, _pdf = print_cards(caseworker, korean)
        case_services.obligation_fulfil(
            acting_user=caseworker, obligation=duty, fulfilled_on=date.today(), document=record
        )
        duty.refresh_from_db()
        assert duty.document == record
        assert duty.reference == record.reference
        assert duty.history.latest().document_id == record.pk

    def test_a_card_of_someone_else_is_refused(
        self, caseworker: Any, ukrainian: Any, duty: Obligation
    ) -> None:
        record, _pdf = print_cards(caseworker, ukrainian)
        with pytest.raises(RuleError) as refused:
            case_services.obligation_fulfil(
                acting_user=caseworker, obligation=duty, fulfilled_on=date.today(), document=record
            )
        assert error_codes(refused.value) == [ErrorCode.DOCUMENT_MISMATCH]
        duty.refresh_from_db()
        assert duty.fulfilled_on is None and duty.document is None

    def test_a_document_of_another_kind_is_refused(self, caseworker: Any, korean: Any) -> None:
        trial = Obligation.objects.create(captive=korean, kind="trial_notice", due_on=date.today())
        record, _pdf = print_cards(caseworker, korean)
        with pytest.raises(RuleError) as refused:
            case_services.obligation_fulfil(
                acting_user=caseworker, obligation=trial, fulfilled_on=date.today(), document=record
            )
        assert error_codes(refused.value) == [ErrorCode.DOCUMENT_MISMATCH]

    def test_the_admin_fulfils_citing_the_printed_card(
        self, caseworker: Any, korean: Any, duty: Obligation
    ) -> None:
        record, _pdf = print_cards(caseworker, korean)
        client = Client()
        client.force_login(caseworker)
        url = reverse("admin:cases_obligation_changelist")
        form = client.post(url, {"action": "fulfil", "_selected_action": [duty.pk]})
        assert f'value="{record.pk}"' in form.content.decode()
        client.post(
            url,
            {
                "action": "fulfil",
                "_selected_action": [duty.pk],
                "apply": "1",
                "fulfilled_on": date.today().isoformat(),
                "document": record.pk,
            },
        )
        duty.refresh_from_db()
        assert duty.document == record and duty.reference == record.reference
        page = client.get(reverse("admin:cases_obligation_change", args=[duty.pk]))
        assert b'name="kind" value="capture_card"' in page.content
