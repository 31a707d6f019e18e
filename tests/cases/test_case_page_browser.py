"""The case page in a real browser (Debian's Chromium), on a wide screen (1440 × 900) and on a
phone held upright (390 × 844): a caseworker records a wish statement and fulfils an obligation
through the summary's buttons, a supervisor takes an exchange proposal from draft to executed on
its page, and no page scrolls sideways. Screenshots go to test-artifacts/ (case-page-*.png)."""

import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone, translation

from cases import services
from cases.choices import CustodyEventKind
from cases.models import Captive
from cases.selectors import next_obligation
from demo.scenario import demo_load
from diplomacy import services as diplomacy_services
from diplomacy.choices import ProposalStatus
from diplomacy.models import ExchangeProposal
from states.models import State
from tests.browser import ARTIFACTS, chromium, chromium_required
from tests.browser import sign_in as browser_sign_in
from tests.helpers import HANGUL

chromium_required()

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = [
    pytest.param({"width": 1440, "height": 900}, id="1440"),
    pytest.param({"width": 390, "height": 844}, id="390"),
]
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def browser_page(live_server, settings, tmp_path, request):
    """Opens Chromium at the test's viewport; `sign_in(name)` signs a demo user in."""
    from playwright.sync_api import sync_playwright

    viewport = request.node.callspec.params["viewport"]
    # The browser's language (Accept-Language): English unless the test asks for another.
    locale = request.node.callspec.params.get("locale", "en-US")
    with sync_playwright() as playwright:
        context = chromium(playwright, tmp_path / "profile", viewport=viewport, locale=locale)
        page = context.new_page()

        def sign_in(username: str) -> Any:
            return browser_sign_in(page, live_server.url, username, settings.DEMO_PASSWORD)

        yield page, sign_in, live_server.url, viewport["width"]
        context.close()


def shot(page: Any, name: str, width: int) -> None:
    page.screenshot(path=str(ARTIFACTS / f"case-page-{name}-{width}.png"), full_page=True)


def case_url(base: str, captive: Captive) -> str:
    return f"{base}/admin/cases/captive/{captive.pk}/change/"


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_caseworker_records_a_wish_statement_from_the_case_page(browser_page, viewport):
    from playwright.sync_api import expect

    page, sign_in, base, width = browser_page
    demo_load()
    ri = Captive.objects.get(case_number="UKR-2025-00002")
    sign_in("caseworker")
    page.goto(case_url(base, ri))
    latest = page.locator(".case-summary .case-wish")
    expect(latest).to_contain_text("Latest statement: Remain, stated 2025-01-11")
    # Hers are the words; assessing them and reviewing are a supervisor's: no such buttons.
    expect(page.locator("a.case-action[data-action=assess]")).to_have_count(0)
    expect(page.locator("a.case-action[data-action=review]")).to_have_count(0)
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    shot(page, "caseworker-before", width)

    page.locator("a.case-action[data-action=wish]").click()
    expect(page.locator("h1")).to_contain_text("Record a wish statement")
    expect(page.locator("[name=voluntariness]")).to_have_count(0)
    when = timezone.localtime() - timedelta(hours=2)
    page.select_option("select[name=wish]", "return")
    page.fill("textarea[name=statement]", "Asks to go home.")
    page.fill("input[name=stated_at_0]", f"{when:%Y-%m-%d}")
    page.fill("input[name=stated_at_1]", f"{when:%H:%M}")
    page.select_option("select[name=mode]", "private_interview")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    shot(page, "wish-form", width)
    page.locator("input[type=submit].default").click()

    expect(page.locator(".messagelist")).to_have_text(
        "Wish statement recorded: Return, not yet assessed"
    )
    expect(latest).to_contain_text(f"Latest statement: Return, stated {when:%Y-%m-%d}")
    expect(page.locator(".case-flags")).to_contain_text(
        f"Statement of {when:%Y-%m-%d} awaiting assessment"
    )
    shot(page, "wish-recorded", width)
    ri.refresh_from_db()
    assert ri.latest_wish_statement.recorded_by.username == "caseworker"


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_caseworker_fulfils_an_obligation_from_the_case_page(browser_page, viewport):
    from playwright.sync_api import expect

    page, sign_in, base, width = browser_page
    demo_load()
    ri = Captive.objects.get(case_number="UKR-2025-00002")
    caseworker = get_user_model().objects.get(username="caseworker")
    # In hospital: a health report falls due.
    services.custody_event_record(
        acting_user=caseworker,
        captive=ri,
        kind=CustodyEventKind.HOSPITALIZED,
        occurred_at=timezone.now() - timedelta(hours=3),
        place="Military hospital, Kyiv",
    )
    duty = next_obligation(ri)
    assert duty is not None
    sign_in("caseworker")
    page.goto(case_url(base, ri))
    expect(page.locator(".case-obligation")).to_contain_text(duty.get_kind_display())

    page.locator("a.case-action[data-action=fulfil]").click()
    expect(page.locator(".case-action-target")).to_contain_text(duty.get_kind_display())
    page.fill("input[name=fulfilled_on]", f"{timezone.localdate():%Y-%m-%d}")
    page.fill("input[name=reference]", "NIB-2026-117")
    shot(page, "fulfil-form", width)
    page.locator("input[type=submit].default").click()

    expect(page.locator(".messagelist")).to_have_text(
        f"Obligation fulfilled: {duty.get_kind_display()}, reference NIB-2026-117"
    )
    # The summary names the next one, or none.
    following = next_obligation(ri)
    expect(page.locator(".case-obligation")).to_contain_text(
        following.get_kind_display() if following else "None open"
    )
    assert following is None or following.kind != duty.kind
    expect(page.locator(".case-obligation")).not_to_contain_text(duty.get_kind_display())
    # The obligations section lists it fulfilled.
    obligations = page.locator("#case-obligations")
    expect(obligations).to_contain_text("NIB-2026-117")
    shot(page, "obligation-fulfilled", width)
    duty.refresh_from_db()
    assert (duty.fulfilled_on, duty.reference) == (timezone.localdate(), "NIB-2026-117")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_supervisor_takes_a_proposal_through_submit_agree_and_execute(browser_page, viewport):
    from playwright.sync_api import expect

    page, sign_in, base, width = browser_page
    demo_load()
    supervisor = get_user_model().objects.get(username="supervisor")
    park = Captive.objects.get(case_number="UKR-2025-00001")
    states = {state.code: state for state in State.objects.filter(code__in=["UKR", "PRK"])}
    proposal = diplomacy_services.exchange_proposal_create(
        acting_user=supervisor,
        title="One soldier home to the DPRK",
        proposing_state=states["UKR"],
        counterpart_state=states["PRK"],
    )
    diplomacy_services.exchange_offer_add(acting_user=supervisor, proposal=proposal, captive=park)
    proposal_url = f"{base}/admin/diplomacy/exchangeproposal/{proposal.pk}/change/"

    def step(name: str) -> Any:
        return page.locator(f"form[action$='/step/{name}/'] button")

    sign_in("supervisor")
    page.goto(proposal_url)
    expect(step("execute")).to_have_count(0)
    step("submit").click()
    expect(page.locator(".messagelist")).to_have_text("Proposal submitted to the counterpart.")

    # The rules allow the handover once his wish to return is assessed as free: the supervisor
    # does it from his case page.
    page.goto(case_url(base, park))
    page.locator("a.case-action[data-action=assess]").click()
    page.check("input[name=voluntariness][value=free]")
    page.fill("textarea[name=notes]", "Private interview without witnesses (Art. 126).")
    page.locator("input[type=submit].default").click()
    expect(page.locator(".messagelist")).to_contain_text("Wish statement assessed: Return")

    page.goto(proposal_url)
    step("agree").click()
    expect(page.locator(".messagelist")).to_have_text("Proposal agreed.")
    shot(page, "proposal-agreed", width)
    step("execute").click()
    expect(page.locator(".messagelist")).to_have_text(
        "Proposal executed: 1 captive handed over to PRK."
    )
    expect(page.locator("body")).to_contain_text("It is final: no step follows.")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    shot(page, "proposal-executed", width)

    proposal = ExchangeProposal.objects.get(pk=proposal.pk)
    park.refresh_from_db()
    assert proposal.status == ProposalStatus.EXECUTED
    assert (park.custody_status, park.custodian.code) == (CustodyEventKind.EXCHANGED, "PRK")

    # His case is closed: the page no longer offers a custody event.
    page.goto(case_url(base, park))
    expect(page.locator(".case-custody")).to_contain_text("Exchanged")
    expect(page.locator("a.case-action[data-action=custody-event]")).to_have_count(0)
    expect(page.locator("a.case-action[data-action=wish]")).to_have_count(1)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_captive_list_and_the_case_page_do_not_scroll_sideways(browser_page, viewport):
    from playwright.sync_api import expect

    page, sign_in, base, width = browser_page
    demo_load()
    ri = Captive.objects.get(case_number="UKR-2025-00002")
    sign_in("supervisor")
    page.goto(f"{base}/admin/cases/captive/")
    expect(page.locator("#result_list")).to_be_visible()
    if width >= 1280:
        # The narrow screen's list scrolls inside its own box; the wide one not even there.
        assert page.evaluate(NO_SIDEWAYS_SCROLL), page.evaluate(
            "[document.documentElement.scrollWidth, window.innerWidth]"
        )
    shot(page, "captive-list", width)
    page.goto(case_url(base, ri))
    expect(page.locator(".case-menu")).to_be_visible()
    for section in ["identity", "timeline", "wishes", "reviews", "states", "media"]:
        expect(page.locator(f"#case-{section} > h2")).to_be_visible()
    assert page.evaluate(NO_SIDEWAYS_SCROLL), page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    shot(page, "supervisor", width)
    # The menu's anchors take him to a section (no script needed).
    page.locator(".case-menu a[href='#case-obligations']").click()
    assert re.search(r"#case-obligations$", page.url)
    page.screenshot(path=str(ARTIFACTS / f"case-page-menu-obligations-{width}.png"))
    # On paper: no menus, no buttons, no summary held in view.
    page.emulate_media(media="print")
    for hidden in [".case-menu", ".case-actions", "#nav-sidebar", ".breadcrumbs", ".submit-row"]:
        expect(page.locator(hidden).first).to_be_hidden()
    assert page.locator(".case-summary").evaluate("e => getComputedStyle(e).position") == "static"
    shot(page, "print", width)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_an_analyst_reads_the_case_page_without_a_button(browser_page, viewport):
    from playwright.sync_api import expect

    page, sign_in, base, width = browser_page
    demo_load()
    ri = Captive.objects.get(case_number="UKR-2025-00002")
    sign_in("analyst")
    page.goto(case_url(base, ri))
    expect(page.locator(".case-summary")).to_contain_text("not yet assessed")
    expect(page.locator(".case-actions")).to_have_count(0)
    expect(page.locator("details.case-record")).to_have_count(0)
    expect(page.locator("input[name=_save]")).to_have_count(0)
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    shot(page, "analyst", width)


@pytest.mark.parametrize("locale", ["ko-KR"])
@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_in_korean_a_caseworker_records_a_statement_and_a_supervisor_executes_kursk(
    browser_page, viewport, locale
):
    """The issue's end: a caseworker whose browser speaks Korean opens UKR-2025-00002, sees at
    the top that his latest statement is `remain`, not yet assessed, and that no state clears
    him; records a new statement with one button and is told in Korean what was recorded; the
    summary changes. A supervisor agrees and executes the Kursk proposal from its page once the
    rules allow it. Every text is the catalogue's Korean, computed here from the same strings."""
    from playwright.sync_api import expect

    from cases.admin import VOLUNTARINESS_TEXT, statement_text, wish_label
    from cases.choices import Voluntariness
    from diplomacy.choices import InclusionStatus

    page, sign_in, base, width = browser_page
    demo_load()
    ri = Captive.objects.get(case_number="UKR-2025-00002")
    with translation.override("ko"):
        remain_line = statement_text(ri.latest_wish_statement)
        nobody = translation.gettext("No state clears him for handover.")
        recorded = translation.gettext("Wish statement recorded: %(wish)s, %(assessment)s") % {
            "wish": wish_label("return", None),
            "assessment": VOLUNTARINESS_TEXT[Voluntariness.NOT_ASSESSED],
        }
        agreed = translation.gettext("Proposal agreed.")
    assert HANGUL.search(remain_line) and HANGUL.search(nobody) and HANGUL.search(recorded)

    sign_in("caseworker")
    page.goto(case_url(base, ri))
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(page.locator(".case-summary .case-wish")).to_contain_text(remain_line)
    expect(page.locator(".case-summary .case-clearance")).to_contain_text(nobody)
    shot(page, "korean-before", width)

    page.locator("a.case-action[data-action=wish]").click()
    when = timezone.localtime() - timedelta(hours=1)
    page.select_option("select[name=wish]", "return")
    page.fill("input[name=stated_at_0]", f"{when:%Y-%m-%d}")
    page.fill("input[name=stated_at_1]", f"{when:%H:%M}")
    page.select_option("select[name=mode]", "private_interview")
    shot(page, "korean-wish-form", width)
    page.locator("input[type=submit].default").click()

    expect(page.locator(".messagelist")).to_have_text(recorded)
    ri.refresh_from_db()
    with translation.override("ko"):
        return_line = statement_text(ri.latest_wish_statement)
    expect(page.locator(".case-summary .case-wish")).to_contain_text(return_line)
    expect(page.locator(".case-summary .case-wish")).not_to_contain_text(remain_line)
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    shot(page, "korean-recorded", width)

    # The rules allow the Kursk handover once the first soldier's wish to return is assessed as
    # free and the second (who now wishes to return, not yet assessed) is left out with a reason.
    supervisor = get_user_model().objects.get(username="supervisor")
    proposal = ExchangeProposal.objects.get(proposing_state__code="UKR")
    first = Captive.objects.get(case_number="UKR-2025-00001")
    services.wish_statement_assess(
        acting_user=supervisor,
        statement=first.latest_wish_statement,
        voluntariness=Voluntariness.FREE,
        notes="Private interview without witnesses (Art. 126).",
    )
    diplomacy_services.exchange_offer_set_inclusion(
        acting_user=supervisor,
        offer=proposal.offered_captives.get(captive=ri),
        inclusion_status=InclusionStatus.EXCLUDED,
        reason="His new statement is not yet assessed.",
    )
    page.context.clear_cookies()
    sign_in("supervisor")
    page.goto(f"{base}/admin/diplomacy/exchangeproposal/{proposal.pk}/change/")
    page.locator("form[action$='/step/agree/'] button").click()
    expect(page.locator(".messagelist")).to_have_text(agreed)
    page.locator("form[action$='/step/execute/'] button").click()
    expect(page.locator(".messagelist")).to_contain_text("PRK")
    message = page.locator(".messagelist").inner_text()
    assert HANGUL.search(message), message
    shot(page, "korean-kursk-executed", width)
    proposal.refresh_from_db()
    first.refresh_from_db()
    assert proposal.status == ProposalStatus.EXECUTED
    assert (first.custody_status, first.custodian.code) == (CustodyEventKind.EXCHANGED, "PRK")
