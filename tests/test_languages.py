"""The admin and the API speak English, Ukrainian and Korean: the browser's Accept-Language
picks one, the admin's language menu overrides it, and the API's error codes never change."""

import re
from typing import Any

import pytest
from django.test import Client

HANGUL = re.compile(r"[\uac00-\ud7a3]")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")


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


def test_the_language_menu_is_on_the_sign_in_page_too():
    html = Client(headers={"accept_language": "ko"}).get("/admin/login/").content.decode()
    assert '<html lang="ko"' in html
    assert 'class="language-menu"' in html
