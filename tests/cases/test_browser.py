"""A caseworker, in a real browser: logs in, opens a demo captive, records a wish."""

import os
from pathlib import Path

import pytest

from cases.models import Captive
from demo.scenario import demo_load
from tests.browser import ARTIFACTS, chromium, chromium_required, sign_in

chromium_required()

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_caseworker_records_a_wish_for_a_demo_captive(live_server, settings, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    assert os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE") == "true"
    demo_load()
    soldier = Captive.objects.get(case_number="UKR-2025-00002")

    with sync_playwright() as playwright:
        browser = chromium(playwright, tmp_path / "profile")
        page = browser.new_page()
        sign_in(page, live_server.url, "caseworker", settings.DEMO_PASSWORD)
        expect(page.locator("#site-name")).to_contain_text("powtracker")

        page.get_by_role("link", name="Captives", exact=True).first.click()
        page.fill("#searchbar", "리광명")
        page.press("#searchbar", "Enter")
        page.click("text=UKR-2025-00002")
        expect(page.locator("h2").first).to_contain_text("UKR-2025-00002")

        # The blank form on the page itself is folded away under the wishes (the summary's
        # button is the usual way in); it still records with the page's Save.
        page.locator("#case-wishes details.case-record > summary").click()
        page.select_option("select[name$='-0-wish']", "defect")
        page.select_option("select[name$='-0-destination']", label="KOR — Republic of Korea")
        page.fill("textarea[name$='-0-statement']", "Asks to go to Seoul.")
        page.fill("input[name$='-0-stated_at_0']", "2025-03-01")
        page.fill("input[name$='-0-stated_at_1']", "10:00:00")
        page.select_option("select[name$='-0-mode']", "private_interview")
        page.fill("input[name$='-0-language']", "Korean")
        page.click("input[name=_continue]")

        expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
        expect(page.locator("body")).to_contain_text("Defect → KOR")
        page.screenshot(path=str(ARTIFACTS / "captive-wish-recorded.png"), full_page=True)
        browser.close()

    soldier.refresh_from_db()
    latest = soldier.latest_wish_statement
    assert (latest.wish, latest.destination.code) == ("defect", "KOR")
    assert latest.recorded_by.username == "caseworker"
    assert soldier.effective_wish == ""  # not assessed: it is not consent


def test_a_caseworker_prints_a_capture_card_and_reads_hangul(live_server, settings, tmp_path):
    """The captive page shows his Hangul name in the shipped font (no system Korean font is
    needed), and its Capture card button downloads his card."""
    import io

    from playwright.sync_api import expect, sync_playwright
    from pypdf import PdfReader

    from reports.models import GeneratedDocument

    demo_load()
    soldier = Captive.objects.get(case_number="UKR-2025-00001")

    with sync_playwright() as playwright:
        browser = chromium(
            playwright,
            tmp_path / "profile",
            viewport={"width": 1440, "height": 900},
            accept_downloads=True,
        )
        page = browser.new_page()
        sign_in(page, live_server.url, "caseworker", settings.DEMO_PASSWORD)
        page.goto(f"{live_server.url}/admin/cases/captive/{soldier.pk}/change/")
        expect(page.locator("#id_name_original")).to_have_value("박성일")
        page.wait_for_function("document.fonts.check('16px \"powtracker Hangul\"', '박성일')")
        loaded = page.evaluate(
            "document.fonts.ready.then(() => Array.from(document.fonts)"
            ".filter(f => f.family.includes('powtracker Hangul') && f.status === 'loaded')"
            ".length)"
        )
        assert loaded >= 1
        page.screenshot(path=str(ARTIFACTS / "captive-hangul.png"))

        with page.expect_download() as download:
            page.get_by_role("button", name="Capture card").click()
        pdf = Path(download.value.path()).read_bytes()
        filename = download.value.suggested_filename
        browser.close()

    record = GeneratedDocument.objects.get()
    assert filename == f"{record.reference}-capture-card.pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "박성일" in text.replace(" ", "").replace("\n", "")
    assert list(record.captives.all()) == [soldier]
