"""A caseworker imports a list in a real browser: upload, columns, the progress bar, the
preview with a possible duplicate, a decision, confirmation, the progress of the writing."""

from pathlib import Path

import pytest

from cases.models import Captive
from demo.scenario import demo_load
from imports import services
from imports.choices import RowStatus
from imports.models import ImportBatch
from tests.browser import ARTIFACTS, chromium, chromium_required, sign_in

chromium_required()

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def the_list(path: Path) -> Path:
    """60 new fictional names and, on row 62, a demo captive (리광명, Ri Kwang-myong) again."""
    lines = [
        "Surname,Given names,Name in original script,Date of birth,Captured on,Place of capture"
    ]
    for n in range(60):
        lines.append(f"Testov{n},Ivan,,1990-01-{1 + n % 28:02d},2025-02-0{1 + n % 9},Kursk")
    lines.append("Ri,Kwang-myong,리광명,,2025-01-09,Kursk")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_caseworker_imports_a_list_and_watches_it_progress(
    live_server, settings, tmp_path, monkeypatch
):
    from playwright.sync_api import expect, sync_playwright

    # Small slices, so that the progress bar takes several steps.
    monkeypatch.setattr(services, "ANALYSE_ROWS", 15)
    monkeypatch.setattr(services, "WRITE_ROWS", 15)
    demo_load()
    known = Captive.objects.get(name_original="리광명")
    before = Captive.objects.count()

    with sync_playwright() as playwright:
        browser = chromium(
            playwright, tmp_path / "profile", viewport={"width": 1440, "height": 900}
        )
        page = browser.new_page()
        sign_in(page, live_server.url, "caseworker", settings.DEMO_PASSWORD)
        page.goto(f"{live_server.url}/admin/imports/importbatch/")
        page.get_by_role("link", name="Import a list").click()
        page.set_input_files("#id_file", str(the_list(tmp_path / "nib-list-14.csv")))
        page.fill("#id_source", "NIB Ukraine, list 14")
        page.select_option("#id_detaining_power", label="UKR — Ukraine")
        page.click("input[type=submit]")
        expect(page.locator(".messagelist")).to_contain_text("61 rows read")
        expect(page.locator("#column-0")).to_have_value("family_name")
        expect(page.locator("#column-4")).to_have_value("captured_on")
        page.screenshot(path=str(ARTIFACTS / "import-columns.png"), full_page=True)

        page.get_by_role("button", name="Analyse the rows").click()
        expect(page.locator("progress")).to_be_visible()
        # The page's script drives the slices, then shows the preview.
        expect(page.get_by_role("button", name="Confirm and write")).to_be_visible(timeout=60_000)
        expect(page.locator(".import-summary")).to_contain_text("1 with possible duplicates")
        page.get_by_role("link", name="Possible duplicates (1)").click()
        expect(page.locator(".import-table")).to_contain_text(known.case_number)
        page.screenshot(path=str(ARTIFACTS / "import-preview-duplicates.png"), full_page=True)

        page.check(f"input[value='same:{known.pk}']")
        page.get_by_role("button", name="Save the decisions of this page").click()
        expect(page.locator(".messagelist")).to_contain_text("Decision recorded for 1 row")
        page.get_by_role("button", name="Confirm and write").click()
        expect(page.locator(".import-summary")).to_contain_text("Done", timeout=60_000)
        expect(page.locator(".import-summary")).to_contain_text("61 written")
        page.screenshot(path=str(ARTIFACTS / "import-done.png"), full_page=True)
        browser.close()

    batch = ImportBatch.objects.get()
    assert batch.written_count == 61
    assert Captive.objects.count() == before + 61
    linked = batch.rows.get(number=62)
    assert linked.status == RowStatus.WRITTEN and linked.captive.duplicate_of == known
    assert batch.history.filter(history_change_reason="Analysing").count() >= 3  # several slices
