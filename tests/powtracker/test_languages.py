"""The admin and the API speak English, Ukrainian and Korean: the browser's Accept-Language
picks one, the admin's language menu overrides it, and the API's error codes never change."""

import re
from typing import Any

import pytest
from django.test import Client

from tests.helpers import CYRILLIC, HANGUL


def signed_in(user: Any, **headers: str) -> Client:
    client = Client(headers=headers)
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("accept", "lang", "script"), [("ko-KR,ko;q=0.9", "ko", HANGUL), ("uk", "uk", CYRILLIC)]
)
def test_the_browser_language_picks_the_admin_language(caseworker, accept, lang, script):
    page = signed_in(caseworker, accept_language=accept).get("/admin/")
    html = page.content.decode()
    assert page.status_code == 200
    assert f'<html lang="{lang}"' in html
    assert script.search(html)
    assert "Accept-Language" in page.headers["Vary"]


def test_an_unknown_language_falls_back_to_english(caseworker):
    html = signed_in(caseworker, accept_language="de-DE,de").get("/admin/").content.decode()
    assert '<html lang="en"' in html


def test_the_language_menu_lists_each_language_in_its_own_name(caseworker):
    html = signed_in(caseworker).get("/admin/").content.decode()
    menu = html[html.index('class="language-menu"') :]
    menu = menu[: menu.index("</form>")]
    assert re.findall(r'<option value="(\w+)"', menu) == ["en", "uk", "ko"]
    assert "Українська" in menu and "한국어" in menu
    assert 'action="/i18n/setlang/"' in menu


def test_the_language_menu_overrides_the_browser(caseworker):
    client = signed_in(caseworker, accept_language="ko")
    switched = client.post("/i18n/setlang/", {"language": "uk", "next": "/admin/cases/captive/"})
    assert switched.status_code == 302
    assert switched.headers["Location"] == "/admin/cases/captive/"
    html = client.get("/admin/cases/captive/").content.decode()
    assert '<html lang="uk"' in html
    assert CYRILLIC.search(html)


# `db`: every request opens its database connection before anything else (powtracker.outage).
def test_the_language_menu_is_on_the_sign_in_page_too(db):
    html = Client(headers={"accept_language": "ko"}).get("/admin/login/").content.decode()
    assert '<html lang="ko"' in html
    assert 'class="language-menu"' in html


def test_a_missing_page_says_so_in_the_readers_language(caseworker):
    page = signed_in(caseworker, accept_language="ko").get("/admin/nonexistent/")
    html = page.content.decode()
    assert page.status_code == 404
    assert '<html lang="ko"' in html
    assert "페이지를 찾을 수 없습니다" in html
    assert "Not Found" not in html


def test_a_page_a_role_may_not_open_says_so_in_the_readers_language(caseworker, supervisor):
    page = signed_in(caseworker, accept_language="uk").get(
        f"/admin/auth/user/{supervisor.pk}/change/"
    )
    html = page.content.decode()
    assert page.status_code == 403
    assert '<html lang="uk"' in html
    assert "Ваша роль не дозволяє відкрити цю сторінку" in html


def test_no_read_only_name_of_a_user_links_to_a_page_no_role_may_open(one_of_each, caseworker):
    """'Recorded by', 'voided by'…: Django links a read-only foreign key to its admin page
    without asking whether the reader may open it; users' pages are for superusers. Records
    the reader may open keep their links."""
    from datetime import timedelta

    from django.utils import timezone

    from cases import services
    from cases.choices import CustodyEventKind, Wish, WishMode

    event = services.custody_event_record(
        acting_user=caseworker,
        captive=one_of_each,
        kind=CustodyEventKind.HOSPITALIZED,
        occurred_at=timezone.now() - timedelta(hours=2),
        place="Hospital 3",
    )
    statement = services.wish_statement_record(
        acting_user=caseworker,
        captive=one_of_each,
        wish=Wish.REMAIN,
        stated_at=timezone.now() - timedelta(hours=1),
        mode=WishMode.PUBLISHED_VIDEO,
    )
    assert event.recorded_by == statement.recorded_by == caseworker
    client = signed_in(caseworker)
    case = client.get(f"/admin/cases/captive/{one_of_each.pk}/change/").content.decode()
    record = client.get(f"/admin/cases/wishstatement/{statement.pk}/change/").content.decode()
    # His name stands in the read-only fields themselves (the timeline's "recorded by", the
    # statement's page), as text.
    assert re.search(r'class="field-recorded_by">\s*<p>cw</p>', case)
    assert re.search(r'<div class="readonly">cw</div>', record)
    assert "/admin/auth/user/" not in case
    assert "/admin/auth/user/" not in record
    # A record the reader may open still links: the state holding him, on the timeline.
    assert event.custodian is not None
    assert f'href="/admin/states/state/{event.custodian.pk}/change/"' in case


@pytest.mark.parametrize(("language", "word"), [("uk", "держав"), ("ko", "국가")])
def test_a_state_is_a_country_not_a_status(supervisor, states, language, word):
    client = signed_in(supervisor, accept_language=language)
    for url in ["/admin/states/state/", f"/admin/states/state/{states['UKR'].pk}/change/"]:
        title = re.search(r"<title>(.*?)</title>", client.get(url).content.decode()).group(1)
        assert word in title, (url, title)


# --- the admin's order and titles in every language --------------------------------------------


@pytest.mark.parametrize("accept", ["en", "uk", "ko-KR,ko;q=0.9"])
def test_the_sidebar_lists_the_apps_in_the_order_of_the_work_in_every_language(supervisor, accept):
    """Cases first, then diplomacy, states, partners, reports, imports and the background jobs,
    whatever the language sorts their names into (in Korean, 가져오기 "Imports" would come
    first)."""
    html = signed_in(supervisor, accept_language=accept).get("/admin/cases/captive/").content
    sidebar = html.decode()
    sidebar = sidebar[sidebar.index('id="nav-sidebar"') :]
    apps = re.findall(r'class="app-(\w+) module', sidebar)
    assert apps == [
        *("cases", "diplomacy", "states", "partners", "reports", "imports", "jobs", "axes")
    ]


@pytest.mark.parametrize(
    ("accept", "url", "title"),
    [
        ("uk", "/admin/cases/captive/", "Виберіть полоненого, щоб змінити"),
        ("uk", "/admin/cases/captive/add/", "Додати полоненого"),
        ("uk", "/admin/diplomacy/exchangeproposal/", "Виберіть пропозицію обміну, щоб змінити"),
        ("uk", "/admin/cases/wishstatement/", "Виберіть заяву про бажання, щоб змінити"),
        ("uk", "/admin/partners/partner/", "Виберіть партнера, щоб змінити"),
        ("ko", "/admin/cases/captive/", "변경할 포로 선택"),
        ("ko", "/admin/cases/wishstatement/", "변경할 의사 표명 선택"),
        ("en", "/admin/cases/captive/", "Select captive to change"),
    ],
)
def test_the_titles_name_the_model_as_the_object_of_their_verb(supervisor, accept, url, title):
    page = signed_in(supervisor, accept_language=accept).get(url)
    assert page.status_code == 200
    assert f"<h1>{title}</h1>" in page.content.decode()


def test_a_reader_is_asked_to_select_what_to_view(analyst):
    page = signed_in(analyst, accept_language="uk").get("/admin/cases/captive/")
    assert "<h1>Виберіть полоненого, щоб переглянути</h1>" in page.content.decode()


def test_the_change_and_view_titles_and_the_add_button_too(supervisor, analyst, one_of_each):
    ukrainian = signed_in(supervisor, accept_language="uk")
    change = ukrainian.get(f"/admin/cases/captive/{one_of_each.pk}/change/").content.decode()
    assert "| Змінити полоненого |" in change
    listed = ukrainian.get("/admin/cases/captive/").content.decode()
    assert re.search(r'class="addlink">\s*Додати полоненого\s*<', listed)
    korean = signed_in(analyst, accept_language="ko")
    view = korean.get(f"/admin/cases/captive/{one_of_each.pk}/change/").content.decode()
    assert "<h1>포로 보기</h1>" in view  # Django's own Korean reads "뷰 포로"


def test_every_model_in_the_admin_is_named_as_an_object(db):
    from django.contrib import admin

    from powtracker.admin_titles import OBJECT_NAMES

    registered = {model._meta.label_lower for model in admin.site._registry}
    inlines = {
        inline.model._meta.label_lower
        for model_admin in admin.site._registry.values()
        for inline in model_admin.inlines
    }
    assert registered <= set(OBJECT_NAMES) <= registered | inlines


def test_an_inline_offers_to_add_another_named_as_the_object(supervisor, states):
    """Ukrainian: "Додати ще запропонованого полоненого", not Django's "Додати ще Запропонований
    полонений" (the link is drawn by Django's script from the inline's data)."""
    import html as html_module
    import json

    from diplomacy import services

    proposal = services.exchange_proposal_create(
        acting_user=None,
        title="Swap",
        proposing_state=states["UKR"],
        counterpart_state=states["RUS"],
    )
    page = (
        signed_in(supervisor, accept_language="uk")
        .get(f"/admin/diplomacy/exchangeproposal/{proposal.pk}/change/")
        .content.decode()
    )
    texts = [
        json.loads(html_module.unescape(data))["options"]["addText"]
        for data in re.findall(r'data-inline-formset="([^"]*)"', page)
    ]
    assert "Додати ще запропонованого полоненого" in texts
    assert "Додати ще запитувану особу" in texts
