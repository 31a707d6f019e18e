"""The exchange roster of a proposal (GC III documents, issue 8): who is handed over, who is
received, the Art. 109–110 flag, and the list's version on every page."""

import hashlib
import io
import re
from datetime import date
from typing import Any

import pytest
from django.urls import reverse
from pypdf import PdfReader

from cases.choices import Health, Script
from diplomacy import services as diplomacy_services
from diplomacy.choices import InclusionStatus
from diplomacy.models import ExchangeProposal, OfferedCaptive
from powtracker.disclosed import etag_for
from reports.choices import DocumentKind
from reports.models import GeneratedDocument
from reports.services import document_generate, document_rebuild
from tests.factories import CaptiveFactory

pytestmark = pytest.mark.django_db


def pdf_pages(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def pdf_text(content: bytes) -> str:
    return "\n".join(pdf_pages(content))


def words(text: str) -> str:
    """The text with every run of white space made one space (lines break where they fit)."""
    return re.sub(r"\s+", " ", text)


@pytest.fixture
def exchange(states: dict[str, Any]) -> dict[str, Any]:
    """UKR hands over two Korean soldiers (one seriously wounded) and a Russian one; a third
    Korean is excluded. Ukrainians held by Russia are asked for in return."""
    ukr, prk, rus = states["UKR"], states["PRK"], states["RUS"]
    ukr.language, prk.language, rus.language = "uk", "ko", "ru"
    for state in (ukr, prk, rus):
        state.save()

    def soldier(family: str, given: str, own: str, script: str, nationality: Any, **more: Any):
        return CaptiveFactory(
            family_name=family,
            given_names=given,
            name_original=own,
            original_script=script,
            detaining_power=ukr,
            nationality=nationality,
            power_depended_on=nationality,
            captured_on=date(2025, 1, 5),
            **more,
        )

    pak = soldier(
        "Pak", "Song-il", "박성일", Script.HANGUL, prk,
        rank="Private", service_number="KPA-0001", health=Health.SERIOUSLY_WOUNDED,
    )  # fmt: skip
    ri = soldier(
        "Ri", "Kwang-myong", "리광명", Script.HANGUL, prk,
        rank="Corporal", service_number="KPA-0002", health=Health.WOUNDED,
    )  # fmt: skip
    kim = soldier("Kimexcluded", "Chol", "김철", Script.HANGUL, prk, service_number="KPA-0003")
    ivanov = soldier(
        "Ivanov", "Sergei", "Иванов Сергей", Script.CYRILLIC, rus,
        rank="Serzhant", service_number="RU-0004",
    )  # fmt: skip
    proposal = diplomacy_services.exchange_proposal_create(
        acting_user=None,
        title="KPA soldiers for Ukrainians",
        proposing_state=ukr,
        counterpart_state=prk,
        mediator=states["KOR"],
        proposed_on=date(2025, 1, 12),
    )
    offers = {
        captive.family_name: diplomacy_services.exchange_offer_add(
            acting_user=None, proposal=proposal, captive=captive
        )
        for captive in (pak, ri, kim, ivanov)
    }
    diplomacy_services.exchange_offer_set_inclusion(
        acting_user=None,
        offer=offers["Kimexcluded"],
        inclusion_status=InclusionStatus.EXCLUDED,
        reason="Asked not to be returned.",
    )
    diplomacy_services.exchange_request_add(
        acting_user=None, proposal=proposal, name="Oleksandr Petrenko", count=1, held_by=rus
    )
    diplomacy_services.exchange_request_add(
        acting_user=None,
        proposal=proposal,
        count=12,
        description="Marines of the 36th brigade",
        held_by=rus,
    )
    return {
        "proposal": proposal,
        "pak": pak,
        "ri": ri,
        "kim": kim,
        "ivanov": ivanov,
        "offers": offers,
    }


def print_roster(user: Any, proposal: ExchangeProposal) -> tuple[GeneratedDocument, bytes]:
    return document_generate(acting_user=user, kind=DocumentKind.EXCHANGE_ROSTER, proposal=proposal)


def test_roster_lists_who_is_handed_over_in_both_scripts(caseworker, exchange) -> None:
    _record, pdf = print_roster(caseworker, exchange["proposal"])
    text = words(pdf_text(pdf))
    for captive in (exchange["pak"], exchange["ri"], exchange["ivanov"]):
        assert captive.case_number in text
        assert captive.family_name.upper() in text
        assert captive.given_names in text
        assert captive.service_number in text
    assert "박성일" in text and "리광명" in text
    assert "Иванов Сергей" in text
    assert "Private" in text and "Corporal" in text
    assert "Seriously wounded" in text and "Wounded" in text
    # The proposal, and how many are listed.
    assert "KPA soldiers for Ukrainians" in text
    assert "Proposed" in text and "2025-01-12" in text
    assert "Number of captives listed: 3" in text
    # The excluded man is not handed over and is not on the roster.
    assert exchange["kim"].case_number not in text
    assert "KIMEXCLUDED" not in text and "김철" not in text
    # The persons received, and the signatures.
    assert "Oleksandr Petrenko" in text
    assert "Marines of the 36th brigade" in text and "12" in text
    assert "Russian Federation (RUS)" in text
    assert "International Committee of the Red Cross" in text
    assert text.count("Signature") >= 3
    # The labels print in the languages of both states too.
    assert "Полонені, яких передають" in text and "인도되는 포로" in text


def test_flag_marks_the_seriously_wounded_man_only(caseworker, exchange) -> None:
    _record, pdf = print_roster(caseworker, exchange["proposal"])
    text = pdf_text(pdf)
    # Rows print in case-number order (Pak, Ri, Ivanov); a row's text ends where the next begins.
    pak_at, ri_at, ivanov_at = (
        text.index(exchange[n].case_number) for n in ("pak", "ri", "ivanov")
    )
    assert pak_at < ri_at < ivanov_at
    assert "■" in text[pak_at:ri_at]
    assert "■" not in text[ri_at:ivanov_at]
    # Once in the legend, once in Pak's row: nobody else is flagged.
    assert text.count("■") == 2
    legend = words(text)
    assert "Seriously wounded or seriously sick (GC III Art. 109–110)" in legend


def test_every_page_carries_the_version_of_the_list(caseworker, exchange) -> None:
    proposal = exchange["proposal"]
    record, pdf = print_roster(caseworker, proposal)
    version = etag_for(ExchangeProposal.objects.get(pk=proposal.pk)).strip('"')
    assert record.proposal_version == version
    assert record.proposal == proposal
    # The register names those the roster lists: not the excluded man.
    assert set(record.captives.all()) == {exchange[n] for n in ("pak", "ri", "ivanov")}
    pages = pdf_pages(pdf)
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        assert version in page
        assert record.reference in page
        assert f"{number} / {len(pages)}" in page

    # The list changes: a new print carries a new version, and the old one no longer matches.
    diplomacy_services.exchange_offer_set_inclusion(
        acting_user=None,
        offer=exchange["offers"]["Ri"],
        inclusion_status=InclusionStatus.WITHDRAWN,
        reason="Transferred to hospital.",
    )
    again, pdf = print_roster(caseworker, proposal)
    text = pdf_text(pdf)
    new_version = etag_for(ExchangeProposal.objects.get(pk=proposal.pk)).strip('"')
    assert new_version != version
    assert again.proposal_version == new_version
    assert new_version in text and version not in text
    assert exchange["ri"].case_number not in text
    assert "Number of captives listed: 2" in words(text)


def test_handed_over_captives_stay_on_the_roster_after_execution(caseworker, exchange) -> None:
    """Execution marks the included captives handed over: they are still the roster."""
    OfferedCaptive.objects.filter(inclusion_status=InclusionStatus.INCLUDED).update(
        inclusion_status=InclusionStatus.HANDED_OVER
    )
    _record, pdf = print_roster(caseworker, exchange["proposal"])
    text = words(pdf_text(pdf))
    assert "Number of captives listed: 3" in text
    assert exchange["pak"].case_number in text
    assert exchange["kim"].case_number not in text


def test_rebuild_gives_the_same_file(caseworker, exchange) -> None:
    record, pdf = print_roster(caseworker, exchange["proposal"])
    assert hashlib.sha256(pdf).hexdigest() == record.sha256
    rebuilt = document_rebuild(acting_user=caseworker, document=record)
    assert hashlib.sha256(rebuilt).hexdigest() == record.sha256


def test_names_print_literally(caseworker, states, exchange) -> None:
    joker = CaptiveFactory(
        family_name="*bold*",
        given_names="#exit() ] _x_ $y$",
        detaining_power=states["UKR"],
        service_number="#set page(width: 1pt)",
    )
    diplomacy_services.exchange_offer_add(
        acting_user=None, proposal=exchange["proposal"], captive=joker
    )
    _record, pdf = print_roster(caseworker, exchange["proposal"])
    text = words(pdf_text(pdf))
    assert "*BOLD*" in text
    assert "#exit() ] _x_ $y$" in text
    assert "#set page(width: 1pt)" in text


def test_proposal_page_has_the_button_and_it_prints(client, caseworker, exchange) -> None:
    proposal = exchange["proposal"]
    client.force_login(caseworker)
    page = client.get(reverse("admin:diplomacy_exchangeproposal_change", args=[proposal.pk]))
    assert page.status_code == 200
    assert "Exchange roster" in page.content.decode()
    response = client.post(
        reverse("reports-document-print"),
        {"kind": DocumentKind.EXCHANGE_ROSTER, "proposal": proposal.pk},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    record = GeneratedDocument.objects.get()
    assert record.kind == DocumentKind.EXCHANGE_ROSTER
    assert record.proposal == proposal
    assert record.author == caseworker
    assert record.sha256 == hashlib.sha256(response.content).hexdigest()
    assert "박성일" in pdf_text(response.content)


def test_an_analyst_may_not_print_a_roster(client, analyst, exchange) -> None:
    proposal = exchange["proposal"]
    client.force_login(analyst)
    response = client.post(
        reverse("reports-document-print"),
        {"kind": DocumentKind.EXCHANGE_ROSTER, "proposal": proposal.pk},
    )
    assert response.status_code == 403
    assert not GeneratedDocument.objects.exists()
    page = client.get(reverse("admin:diplomacy_exchangeproposal_change", args=[proposal.pk]))
    assert "Exchange roster" not in page.content.decode()
