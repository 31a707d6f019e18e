"""The admin's lists as a caseworker works from them: they fit the screen, the wish cell says in
one sign how far a statement counts, the obligations open on what is still to do, demo-only
filters stay out of a real register, one date format everywhere, a favicon, the front page at
a glance, and API docs that load nothing from outside."""

import html
import re
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.apps import apps
from django.contrib.admin.widgets import AdminSplitDateTime
from django.utils import timezone, translation

from cases import services
from cases.choices import ObligationKind, Voluntariness, Wish, WishMode
from cases.models import Captive, MediaRecord, Obligation
from demo.scenario import demo_load
from powtracker.roles import ROLE_CASEWORKER, roles_sync
from tests.factories import CaptiveFactory, UserFactory

CAPTIVES = "/admin/cases/captive/"
OBLIGATIONS = "/admin/cases/obligation/"


def at(day: date, hour: int = 12) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def row_of(page: str, case_number: str) -> str:
    """The list's row (its HTML) that holds a case number."""
    rows = [row for row in page.split("<tr") if case_number in row]
    assert len(rows) == 1, f"{case_number}: {len(rows)} rows"
    return rows[0]


def cell(row: str, column: str) -> str:
    found = re.search(rf'<td class="field-{column}[^"]*">(.*?)</td>', row, re.S)
    assert found, column
    return found.group(1)


def words(fragment: str) -> str:
    """The text of an HTML fragment, its words separated by single spaces."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def input_tag(page: str, element_id: str) -> str:
    found = re.search(rf'<input[^>]*\bid="{element_id}"[^>]*>', page)
    assert found, element_id
    return found.group(0)


def title_of(fragment: str) -> str:
    found = re.search(r'title="([^"]*)"', fragment)
    assert found, fragment
    return html.unescape(found.group(1))


# --- the captive list's wish cell ---------------------------------------------------------------


@pytest.mark.django_db
def test_the_wish_cell_says_in_one_sign_how_far_his_wish_counts(client, caseworker, states):
    free = CaptiveFactory()
    said = CaptiveFactory()
    changed = CaptiveFactory()
    defects = CaptiveFactory()
    silent = CaptiveFactory()
    record = services.wish_statement_record
    record(
        acting_user=None,
        captive=free,
        wish=Wish.RETURN,
        stated_at=at(date(2025, 1, 10)),
        mode=WishMode.PRIVATE_INTERVIEW,
        voluntariness=Voluntariness.FREE,
    )
    record(
        acting_user=None,
        captive=said,
        wish=Wish.REMAIN,
        stated_at=at(date(2025, 1, 11)),
        mode=WishMode.PUBLISHED_VIDEO,
    )
    for wish, day, voluntariness in [
        (Wish.RETURN, date(2025, 1, 10), Voluntariness.FREE),
        (Wish.REMAIN, date(2025, 2, 1), Voluntariness.DOUBTFUL),
    ]:
        record(
            acting_user=None,
            captive=changed,
            wish=wish,
            stated_at=at(day),
            mode=WishMode.PRIVATE_INTERVIEW,
            voluntariness=voluntariness,
        )
    record(
        acting_user=None,
        captive=defects,
        wish=Wish.DEFECT,
        destination=states["KOR"],
        stated_at=at(date(2025, 1, 12)),
        mode=WishMode.WRITTEN_REQUEST,
        voluntariness=Voluntariness.COERCION_SUSPECTED,
    )
    client.force_login(caseworker)

    page = client.get(CAPTIVES).content.decode()

    wish = {
        c.case_number: cell(row_of(page, c.case_number), "wish_column")
        for c in Captive.objects.all()
    }
    assert words(wish[free.case_number]) == "Return ✓"
    assert title_of(wish[free.case_number]) == (
        "Effective wish: Return to the power depended on, stated 2025-01-10, assessed as free."
    )
    assert words(wish[said.case_number]) == "Remain ?"
    assert title_of(wish[said.case_number]) == (
        "Latest statement: Remain in the detaining state, stated 2025-01-11, not yet assessed"
        " — not consent."
    )
    # The effective wish, and beneath it (quieter) the newer statement that is not consent.
    assert words(wish[changed.case_number]) == "Return ✓ Remain ~"
    assert 'cell-line cell-quiet">Remain ~' in wish[changed.case_number]
    assert "Newer statement: Remain in the detaining state, stated 2025-02-01, assessed as " in (
        title_of(wish[changed.case_number])
    )
    assert words(wish[defects.case_number]) == "Defect → KOR ✗"
    assert "Defect to another state (Republic of Korea)" in title_of(wish[defects.case_number])
    assert "coercion suspected" in title_of(wish[defects.case_number])
    assert words(wish[silent.case_number]) == "—"
    assert title_of(wish[silent.case_number]) == "No wish statement recorded"
    # The legend explains every sign.
    legend = re.search(r'<p class="list-legend" id="wish-legend">(.*?)</p>', page, re.S).group(1)
    for sign, meaning in [
        ("✓", "assessed as free"),
        ("?", "not yet assessed"),
        ("~", "assessed as doubtful"),
        ("✗", "coercion suspected"),
    ]:
        assert f"{sign} {meaning}" in words(legend)


@pytest.mark.django_db
def test_the_captive_list_shows_its_key_columns_under_short_headers(client, caseworker, states):
    captive = CaptiveFactory(
        family_name="Pak", given_names="Song-il", name_original="박성일", nationality=states["PRK"]
    )
    client.force_login(caseworker)

    response = client.get(CAPTIVES)
    page = response.content.decode()

    headers = [
        words(h)
        for h in re.findall(r'<th scope="col" class="[^"]*column-[^"]*">(.*?)</th>', page, re.S)
    ]
    assert headers == [
        "Case",
        "Name",
        "Nationality · held by",
        "Custody",
        "Wish",
        "Health",
        "Captured",
    ]
    row = row_of(page, captive.case_number)
    assert words(cell(row, "name_column")) == "PAK Song-il 박성일"
    assert words(cell(row, "states_column")) == "PRK · UKR"
    assert "detaining power: Ukraine" in title_of(cell(row, "states_column"))
    assert words(cell(row, "captured_column")) == "2025-01-05"
    assert words(cell(row, "custody_column")) == "Captured"
    assert title_of(cell(row, "custody_column")).startswith("Captured since 2025-01-05")


# --- obligations -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_obligations_list_opens_on_the_open_duties_by_due_date(client, caseworker, states):
    today = timezone.localdate()
    captive = CaptiveFactory()
    make = Obligation.objects.create
    later = make(captive=captive, kind=ObligationKind.HEALTH_REPORT, due_on=today + timedelta(30))
    late = make(captive=captive, kind=ObligationKind.CAPTURE_CARD, due_on=today - timedelta(3))
    soon = make(captive=captive, kind=ObligationKind.DEATH_RECORD, due_on=today + timedelta(2))
    done = make(
        captive=captive,
        kind=ObligationKind.CAPTURE_CARD,
        due_on=today - timedelta(9),
        fulfilled_on=today - timedelta(10),
        reference="CARD-1",
    )
    voided = make(
        captive=captive,
        kind=ObligationKind.HEALTH_REPORT,
        due_on=today - timedelta(8),
        voided_at=timezone.now(),
        void_reason="Recorded twice",
    )
    client.force_login(caseworker)

    default = client.get(OBLIGATIONS)
    everything = client.get(OBLIGATIONS, {"state": "all"})
    fulfilled = client.get(OBLIGATIONS, {"state": "fulfilled"})

    shown = list(default.context["cl"].result_list)
    assert {late, soon, later} <= set(shown)
    assert done not in shown and voided not in shown
    assert [duty.due_on for duty in shown] == sorted(duty.due_on for duty in shown)
    assert shown.index(late) < shown.index(soon) < shown.index(later)
    page = default.content.decode()
    assert re.search(
        r'class="selected">\s*<a href="\?state=open"[^>]*>Open \(due or overdue\)', page
    )
    assert '<a href="?state=all"' in page  # "All" is a choice of its own
    assert {done, voided, late} <= set(everything.context["cl"].result_list)
    assert list(fulfilled.context["cl"].result_list) == [done]
    # The kind is short in the list, whole on hover.
    row = row_of(page, f"/admin/cases/obligation/{late.pk}/change/")
    assert words(cell(row, "kind_column")) == "Capture card (Art. 70)"
    assert client.get(OBLIGATIONS, {"state": "junk"}).status_code == 200


# --- demo-only filters -------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_fictional_filter_and_field_appear_only_where_fictional_records_exist(
    client, caseworker, states
):
    real = CaptiveFactory()
    client.force_login(caseworker)
    change = f"{CAPTIVES}{real.pk}/change/"

    page = client.get(CAPTIVES).content.decode()
    assert "fictional__exact" not in page
    assert "By fictional" not in page
    assert client.get(CAPTIVES, {"fictional__exact": "1"}).status_code == 400
    assert "Demo record" not in client.get(change).content.decode()

    demo = CaptiveFactory()
    Captive.objects.filter(pk=demo.pk).update(fictional=True)

    page = client.get(CAPTIVES).content.decode()
    assert "fictional__exact=1" in page
    filtered = client.get(CAPTIVES, {"fictional__exact": "1"})
    assert list(filtered.context["cl"].result_list) == [Captive.objects.get(pk=demo.pk)]
    assert "Demo record" in client.get(f"{CAPTIVES}{demo.pk}/change/").content.decode()
    assert "Demo record" not in client.get(change).content.decode()


# --- one date format ---------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "uk", "ko", "ru"])
def test_dates_are_iso_in_lists_pages_and_inputs_in_every_language(
    client, caseworker, states, settings, language
):
    settings.LANGUAGE_CODE = language
    captive = CaptiveFactory(captured_on=date(2025, 1, 9), birth_date=date(1999, 3, 4))
    client.force_login(caseworker)

    listing = client.get(CAPTIVES).content.decode()
    events = client.get("/admin/cases/custodyevent/").content.decode()
    change = client.get(f"{CAPTIVES}{captive.pk}/change/").content.decode()

    assert words(cell(row_of(listing, captive.case_number), "captured_column")) == "2025-01-09"
    occurred = cell(row_of(events, captive.case_number), "occurred_at")
    assert re.fullmatch(r"2025-01-09 \d\d:\d\d", words(occurred))
    assert 'value="2025-01-09"' in input_tag(change, "id_captured_on")
    assert 'value="1999-03-04"' in input_tag(change, "id_birth_date")
    with translation.override(language):
        split = AdminSplitDateTime().render("stated_at", at(date(2025, 1, 5), 14))
        assert 'value="2025-01-05"' in split
        assert re.search(r'value="\d\d:00"', split)  # HH:MM, no seconds


@pytest.mark.django_db
def test_date_inputs_take_iso_dates_and_times_without_seconds(client, caseworker, states):
    from django import forms

    class Moment(forms.Form):
        day = forms.DateField()
        moment = forms.SplitDateTimeField()

    for language in ["en", "uk", "ko"]:
        with translation.override(language):
            form = Moment({"day": "2025-01-05", "moment_0": "2025-01-05", "moment_1": "14:30"})
            assert form.is_valid(), form.errors
            assert Moment({"day": "01/05/2025"}).errors["day"]  # one format: no guessing


# --- favicon, front page, API docs --------------------------------------------------------------


@pytest.mark.django_db
def test_the_browser_finds_a_favicon(client, caseworker):
    client.force_login(caseworker)
    page = client.get("/admin/").content.decode()
    icon = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page).group(1)

    svg = client.get(icon)
    ico = client.get("/favicon.ico")

    assert svg.status_code == 200
    assert b"<svg" in b"".join(svg.streaming_content)
    assert ico.status_code == 200
    assert ico["Content-Type"] == "image/x-icon"
    assert b"".join(ico.streaming_content)[:4] == b"\x00\x00\x01\x00"


@pytest.mark.django_db
def test_the_front_page_counts_captives_by_custody_status_and_the_duties(
    client, caseworker, states
):
    today = timezone.localdate()
    captives = [CaptiveFactory() for _ in range(3)]
    for captive in captives[:2]:
        services.custody_event_record(
            acting_user=None,
            captive=captive,
            kind="interned",
            occurred_at=at(date(2025, 1, 8)),
        )
    open_duties = Obligation.objects.active().filter(fulfilled_on__isnull=True)
    overdue = open_duties.filter(due_on__lt=today).count()
    Obligation.objects.create(
        captive=captives[0], kind=ObligationKind.HEALTH_REPORT, due_on=today + timedelta(3)
    )
    client.force_login(caseworker)

    page = client.get("/admin/").content.decode()

    glance = re.search(r'<div class="module" id="captives-at-a-glance">(.*?)</div>', page, re.S)
    assert glance, page
    rows = re.findall(
        r'<a href="([^"]+)">([^<]+)</a></th><td class="count"><a href="[^"]+">(\d+)',
        glance.group(1),
    )
    assert [(label, int(n)) for _url, label, n in rows] == [("Captured", 1), ("Interned", 2)]
    assert rows[1][0] == f"{CAPTIVES}?custody_status__exact=interned"
    assert client.get(rows[1][0]).context["cl"].result_count == 2
    assert 'href="/admin/statistics/"' in glance.group(1)
    caption = words(
        re.search(
            r'id="obligations-dashboard">\s*<table>\s*<caption>(.*?)</caption>', page, re.S
        ).group(1)
    )
    assert caption.replace(" ,", ",") == (
        f"GC III obligations: {overdue} overdue, 1 due within 7 days"
    )
    assert overdue > 0
    assert f'href="{OBLIGATIONS}?state=overdue"' in page


@pytest.mark.django_db
def test_redoc_is_served_with_nothing_from_outside(client):
    page = client.get("/api/redoc/").content.decode()
    bundle = client.get("/api/redoc/redoc.standalone.js")

    assert "https://" not in page
    assert '<script src="/api/redoc/redoc.standalone.js"></script>' in page
    assert bundle.status_code == 200
    assert bundle["Content-Type"].startswith("application/javascript")
    body = bundle.content.decode()
    assert "Redoc" in body
    assert "cdn.redoc.ly" not in body
    assert "sourceMappingURL=redoc.standalone.js.map" not in body  # no map to fetch


# --- in a real browser --------------------------------------------------------------------------


def _browser(playwright: Any, tmp_path: Any) -> Any:
    from tests.browser import chromium

    return chromium(playwright, tmp_path / "profile", viewport={"width": 1440, "height": 900})


def _sign_in(page: Any, url: str, username: str, password: str) -> None:
    from tests.browser import sign_in

    sign_in(page, url, username, password)


WIDTHS = """() => {
  const results = document.querySelector("#changelist .results");
  return {
    page: [document.documentElement.scrollWidth, document.documentElement.clientWidth],
    list: results ? [results.scrollWidth, results.clientWidth] : [0, 0],
  };
}"""


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_every_list_fits_1440_pixels_with_the_sidebar_open(live_server, settings, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    from tests.browser import ARTIFACTS, chromium_required

    chromium_required()

    roles_sync(apps)  # a transactional test before this one may have flushed the groups away
    demo_load()
    title = "Video of the interrogation of two wounded soldiers published on the official " * 3
    MediaRecord.objects.create(kind="video", title=title.strip()).captives.add(
        Captive.objects.first()
    )
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as playwright:
        browser = _browser(playwright, tmp_path)
        page = browser.new_page()
        _sign_in(page, live_server.url, "supervisor", settings.DEMO_PASSWORD)
        expect(page.locator("#site-name")).to_contain_text("powtracker")

        page.goto(f"{live_server.url}{CAPTIVES}")
        expect(page.locator("#nav-sidebar")).to_be_visible()  # the sidebar is open
        widths = page.evaluate(WIDTHS)
        assert widths["page"][0] <= widths["page"][1], widths
        assert widths["list"][0] <= widths["list"][1], widths
        for column in ["case_number", "name", "wish", "health", "captured", "custody"]:
            header = page.locator(f"#result_list thead th[class*='column-{column}']")
            box = header.bounding_box()
            assert box is not None and box["x"] + box["width"] <= 1440, column
            expect(header).to_be_in_viewport()
        wish = page.locator("#result_list td.field-wish_column .wish-cell").first
        assert wish.get_attribute("title")
        page.screenshot(path=str(ARTIFACTS / "list-captives.png"))

        lists = sorted(
            {
                href
                for href in page.eval_on_selector_all(
                    "#nav-sidebar a[href$='/']", "links => links.map(a => a.getAttribute('href'))"
                )
                if href.count("/") == 4
            }
        )
        assert len(lists) > 10
        for href in lists:
            page.goto(f"{live_server.url}{href}")
            widths = page.evaluate(WIDTHS)
            assert widths["page"][0] <= widths["page"][1], (href, widths)
            assert widths["list"][0] <= widths["list"][1], (href, widths)

        # A long title is cut with an ellipsis, whole on hover.
        page.goto(f"{live_server.url}/admin/cases/mediarecord/")
        cut = page.locator("#result_list .field-title_column").filter(has_text="interrogation")
        assert cut.evaluate("e => getComputedStyle(e).textOverflow") == "ellipsis"
        assert cut.evaluate("e => e.scrollWidth > e.clientWidth")
        assert cut.locator("span").get_attribute("title") == title.strip()

        page.goto(f"{live_server.url}{OBLIGATIONS}")
        expect(page.locator("#changelist-filter li.selected").first).to_contain_text("Open")
        page.screenshot(path=str(ARTIFACTS / "list-obligations.png"))

        page.goto(f"{live_server.url}/admin/")
        expect(page.locator("#captives-at-a-glance")).to_be_visible()
        expect(page.locator("#obligations-dashboard caption")).to_contain_text("overdue")
        page.screenshot(path=str(ARTIFACTS / "front-page.png"))

        # The admin's date shortcuts write ISO dates and times to the minute.
        captive = Captive.objects.get(case_number="UKR-2025-00002")
        page.goto(f"{live_server.url}{CAPTIVES}{captive.pk}/case/wish/")
        day = page.locator("input[name='stated_at_0']")
        moment = page.locator("input[name='stated_at_1']")
        day.locator("xpath=..").get_by_role("link", name="Today").click()
        moment.locator("xpath=..").get_by_role("link", name="Now").click()
        assert re.fullmatch(r"\d{4}-\d\d-\d\d", day.input_value())
        assert re.fullmatch(r"\d\d:\d\d", moment.input_value())
        browser.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_redoc_and_the_admin_load_nothing_from_outside(live_server, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    from tests.browser import ARTIFACTS, chromium_required

    chromium_required()

    roles_sync(apps)  # a transactional test before this one may have flushed the groups away
    UserFactory(username="cw", role=ROLE_CASEWORKER)
    requested: list[str] = []
    failed: list[str] = []

    with sync_playwright() as playwright:
        browser = _browser(playwright, tmp_path)
        page = browser.new_page()
        # Every request the page makes, even one the Content-Security-Policy then blocks.
        page.on("request", lambda request: requested.append(request.url))
        page.on(
            "response",
            lambda response: (
                failed.append(f"{response.status} {response.url}")
                if response.status >= 400
                else None
            ),
        )

        page.goto(f"{live_server.url}/api/redoc/")
        operation = page.locator("[data-section-id^='tag/'][data-section-id*='/operation/']")
        expect(operation.first).to_be_attached(timeout=20_000)
        expect(page.get_by_text("API docs by Redocly")).to_be_attached()
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(ARTIFACTS / "redoc.png"))

        _sign_in(page, live_server.url, "cw", "correct horse battery")
        expect(page.locator("#site-name")).to_contain_text("powtracker")
        page.goto(f"{live_server.url}/favicon.ico")
        browser.close()

    outside = [url for url in requested if not url.startswith((live_server.url, "data:", "blob:"))]
    assert outside == []
    assert f"{live_server.url}/api/redoc/redoc.standalone.js" in requested
    assert any(url.endswith("/favicon.svg") for url in requested)
    assert failed == []
