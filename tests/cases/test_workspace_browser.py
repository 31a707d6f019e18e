# ruff: noqa: F811
"""The workspace as a new caseworker finds it, in Debian's Chromium at 1440 × 900: the summary
held in view turns compact once the case page scrolls; no select, title or reason is cut short;
Korean breaks between words; the statistics' labels are drawn whole. Screenshots go to
test-artifacts/ (workspace-*.png)."""

import pytest

from cases.models import Captive
from demo.scenario import demo_load
from diplomacy.models import ExchangeProposal
from tests.browser import ARTIFACTS, chromium_required

# The case page's browser fixture and helpers; importing them skips where Chromium is missing.
from tests.cases.test_case_page_browser import NO_SIDEWAYS_SCROLL, browser_page, case_url  # noqa: F401

chromium_required()

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDE = [pytest.param({"width": 1440, "height": 900}, id="1440")]

# Selects showing less than their chosen option's text (the arrow takes about 16 px).
# (An autocomplete's select is hidden behind the box its script draws: that box is measured.)
CUT_SELECTS = """sel => Array.from(document.querySelectorAll(sel))
  .filter(s => s.offsetParent && !s.classList.contains("select2-hidden-accessible"))
  .map(s => {
    const option = s.options[s.selectedIndex];
    if (!option) return null;
    const probe = document.createElement("span");
    probe.style.font = getComputedStyle(s).font;
    probe.style.whiteSpace = "pre";
    probe.style.position = "absolute";
    probe.textContent = option.text;
    document.body.append(probe);
    const width = probe.getBoundingClientRect().width;
    probe.remove();
    return width + 16 > s.clientWidth ? [s.name, option.text, width, s.clientWidth] : null;
  }).filter(Boolean)"""


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"workspace-{name}.png"))


@pytest.mark.parametrize("viewport", WIDE)
def test_the_held_summary_is_compact_once_the_case_page_scrolls(browser_page, viewport):
    from playwright.sync_api import expect

    page, sign_in, base, _width = browser_page
    demo_load()
    ri = Captive.objects.get(case_number="UKR-2025-00002")
    sign_in("supervisor")
    page.goto(case_url(base, ri))
    summary = page.locator(".case-summary")
    full = summary.bounding_box()["height"]
    assert full > 200  # at the top, everything: the facts whole, the flags
    expect(summary).not_to_have_class("case-summary-compact")

    heading = page.locator("#case-states-title")
    page.evaluate("window.scrollTo(0, 1500)")
    expect(summary).to_have_class("case-summary case-summary-compact")
    box = summary.bounding_box()
    assert box["y"] == 0 and box["height"] <= 140, box
    # Still one click from every button and every part of the page.
    expect(page.locator(".case-summary a.case-action[data-action=wish]")).to_be_visible()
    expect(page.locator(".case-menu a[href='#case-states']")).to_be_visible()
    shot(page, "summary-compact")
    # The page below did not jump when the summary shrank.
    before = heading.evaluate("e => e.getBoundingClientRect().top + window.scrollY")
    page.evaluate("window.scrollBy(0, 10)")
    after = heading.evaluate("e => e.getBoundingClientRect().top + window.scrollY")
    assert before == after

    page.evaluate("window.scrollTo(0, 0)")
    expect(summary).not_to_have_class("case-summary-compact")
    assert summary.bounding_box()["height"] == full


@pytest.mark.parametrize("viewport", WIDE)
def test_no_select_title_or_reason_is_cut_short(browser_page, viewport):
    page, sign_in, base, _width = browser_page
    demo_load()
    ri = Captive.objects.get(case_number="UKR-2025-00002")
    proposal = ExchangeProposal.objects.get(proposing_state__code="UKR")
    sign_in("supervisor")

    page.goto(f"{case_url(base, ri)}#case-states")
    assert page.evaluate(CUT_SELECTS, ".inline-group select") == []
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    shot(page, "involvements")

    page.goto(f"{base}/admin/diplomacy/exchangeproposal/{proposal.pk}/change/")
    title = page.locator("#id_title")
    assert title.evaluate("e => e.scrollWidth <= e.clientWidth")
    assert page.evaluate(CUT_SELECTS, ".inline-group select") == []
    cut_boxes = """() => Array.from(document.querySelectorAll(
        '.inline-group .select2-selection__rendered'))
        .filter(e => e.scrollWidth > e.clientWidth).map(e => e.textContent)"""
    assert page.evaluate(cut_boxes) == []
    # The gate's verdict and its reason: three lines at most, not a column of five.
    for cell in page.locator("td.field-clearance p").all():
        lines = cell.evaluate(
            "e => e.getBoundingClientRect().height / parseFloat(getComputedStyle(e).lineHeight)"
        )
        assert lines <= 3.5, lines
    page.locator("td.field-clearance").first.scroll_into_view_if_needed()
    shot(page, "proposal-offered")


@pytest.mark.parametrize("locale", ["ko-KR"])
@pytest.mark.parametrize("viewport", WIDE)
def test_in_korean_a_word_is_never_broken_inside(browser_page, viewport, locale):
    page, sign_in, base, _width = browser_page
    demo_load()
    ri = Captive.objects.get(case_number="UKR-2025-00002")
    sign_in("caseworker")
    page.goto(f"{case_url(base, ri)}#case-wishes")
    cell = page.locator("#case-wishes td.field-wish_display").first
    assert cell.evaluate("e => getComputedStyle(e).wordBreak") == "keep-all"
    # 잔류 ("remain") on one line, not 잔/류.
    lines = cell.evaluate(
        """e => { const tops = new Set();
        const walker = document.createTreeWalker(e, NodeFilter.SHOW_TEXT);
        while (walker.nextNode()) {
          if (!walker.currentNode.textContent.trim()) continue;
          const r = document.createRange(); r.selectNodeContents(walker.currentNode);
          for (const b of r.getClientRects()) tops.add(Math.round(b.top));
        }
        return tops.size; }"""
    )
    assert lines == 1
    shot(page, "korean-wishes")


@pytest.mark.parametrize("viewport", WIDE)
def test_the_statistics_labels_are_drawn_whole(browser_page, viewport):
    page, sign_in, base, _width = browser_page
    demo_load()
    sign_in("analyst")
    page.goto(f"{base}/admin/statistics/")
    cut = page.evaluate(
        """() => Array.from(document.querySelectorAll('.statistics-chart text[text-anchor=end]'))
        .filter(t => t.getBBox().x < 0).map(t => t.textContent)"""
    )
    assert cut == []
    assert "Democratic People's" in page.locator("#statistics-nationality svg").text_content()
    page.locator("#statistics-obligations").scroll_into_view_if_needed()
    shot(page, "statistics")
