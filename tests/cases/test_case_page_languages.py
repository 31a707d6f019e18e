"""The case page in Korean and Ukrainian: every word of ours on it is translated (what stays in
Latin letters is the case's own data, or a name, acronym or code), and recording a statement
from it is reported in the reader's language."""

import html
import re
from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps
from django.db import models
from django.test import Client
from django.utils import timezone

from cases.choices import Wish
from cases.models import WishStatement
from tests.admin_forms import page_messages
from tests.cases.test_case_page import action_url, change_url, demo, post_form  # noqa: F401
from tests.helpers import CYRILLIC, HANGUL
from tests.powtracker.test_translations import KEPT_WORDS, LATIN_WORD

pytestmark = pytest.mark.django_db


def visible_text(page: str) -> str:
    """What a reader sees: the body without scripts, styles, tags' attributes or hidden inputs,
    and the options of selects (their labels are choices, which must be translated too)."""
    body = page[page.index("<body") :]
    body = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", body, flags=re.S)
    body = re.sub(r"<textarea\b[^>]*>.*?</textarea>", " ", body, flags=re.S)
    body = re.sub(r"<[^>]+>", " ", body)
    return " ".join(html.unescape(body).split())


def data_words() -> set[str]:
    """Every word written in the records themselves (free text, names, places, titles,
    references, users' names): data is shown as it was recorded. Fields with choices are left
    out, since their labels are ours to translate, and so are states' names, which are shown
    in the reader's language."""
    words: set[str] = set()
    for model in apps.get_models():
        if model._meta.label == "states.State":
            continue
        texts = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField) and not f.choices
        ]
        if not texts:
            continue
        for row in model._default_manager.values_list(*texts):
            for value in row:
                if value:
                    words.update(w.casefold() for w in LATIN_WORD.findall(str(value)))
    return words


def english_on(page: str) -> list[str]:
    data = data_words()
    return sorted(
        {
            word
            for word in LATIN_WORD.findall(visible_text(page))
            if word not in KEPT_WORDS and word.casefold() not in data
        }
    )


def reader(user: Any, language: str) -> Client:
    client = Client(headers={"accept-language": language})
    client.force_login(user)
    return client


@pytest.mark.parametrize(("language", "script"), [("ko", HANGUL), ("uk", CYRILLIC)])
def test_the_case_page_has_no_english_left(demo, language, script):  # noqa: F811
    for user in ["caseworker", "supervisor"]:
        page = reader(demo[user], language).get(change_url(demo["ri"]))
        assert page.status_code == 200
        text = page.content.decode()
        assert f'<html lang="{language}"' in text
        assert script.search(visible_text(text))
        assert english_on(text) == [], user


@pytest.mark.parametrize("action", ["wish", "custody-event"])
def test_the_case_pages_forms_have_no_english_left(demo, action):  # noqa: F811
    page = reader(demo["caseworker"], "ko").get(action_url(demo["ri"], action))
    assert page.status_code == 200
    assert english_on(page.content.decode()) == []


def test_a_statement_recorded_in_korean_is_reported_in_korean(demo):  # noqa: F811
    client = reader(demo["caseworker"], "ko")
    before = WishStatement.objects.filter(captive=demo["ri"]).count()
    when = timezone.localtime() - timedelta(hours=2)
    answer = post_form(
        client,
        demo["ri"],
        "wish",
        wish=Wish.RETURN,
        stated_at_0=f"{when:%Y-%m-%d}",
        stated_at_1=f"{when:%H:%M:%S}",
        mode="private_interview",
        statement="",
    )
    assert WishStatement.objects.filter(captive=demo["ri"]).count() == before + 1
    messages = page_messages(answer)
    assert len(messages) == 1 and HANGUL.search(messages[0]), messages
    assert english_on(f"<body>{messages[0]}") == []


@pytest.mark.parametrize("language", ["ko", "uk"])
def test_the_pages_of_a_days_work_have_no_english_left(demo, language):  # noqa: F811
    """The front page, the lists a caseworker opens first, a proposal's page and the
    statistics, in Korean and in Ukrainian."""
    from diplomacy.models import ExchangeProposal

    proposal = ExchangeProposal.objects.get(proposing_state__code="UKR")
    pages = [
        "/admin/",
        "/admin/cases/captive/",
        "/admin/cases/obligation/",
        "/admin/cases/wishstatement/",
        "/admin/diplomacy/exchangeproposal/",
        f"/admin/diplomacy/exchangeproposal/{proposal.pk}/change/",
        "/admin/states/state/",
        "/admin/statistics/",
        f"/admin/cases/captive/{demo['ri'].pk}/history/",
    ]
    client = reader(demo["supervisor"], language)
    left = {}
    for url in pages:
        page = client.get(url)
        assert page.status_code == 200, url
        if words := english_on(page.content.decode()):
            left[url] = words
    assert left == {}
