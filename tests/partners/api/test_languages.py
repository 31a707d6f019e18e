"""The API takes Accept-Language for its messages; its error codes stay the same."""

from datetime import datetime

import pytest
from django.utils import timezone

from tests.helpers import CYRILLIC, HANGUL
from tests.partners.api.test_writes import path


@pytest.mark.parametrize(("accept", "script"), [("ko", HANGUL), ("uk", CYRILLIC)])
def test_an_api_refusal_speaks_the_language_asked_for_and_keeps_its_code(
    world, partners, accept, script
):
    from cases.services import custody_event_record

    custody_event_record(
        acting_user=None,
        captive=world["first"],
        kind="deceased",
        occurred_at=timezone.make_aware(datetime(2025, 2, 1, 12)),
    )
    api = partners["receiving_state"]
    body = {"kind": "hospitalized", "occurred_at": "2025-03-01T10:00:00Z"}
    english = api.post(path(world["first"], "events"), body)
    asked = api.post(path(world["first"], "events"), body, headers={"Accept-Language": accept})
    assert english.status_code == asked.status_code == 409
    assert english.json()["error"]["code"] == asked.json()["error"]["code"]
    assert asked.json()["error"]["code"] == "transition_not_allowed"
    assert not script.search(english.json()["error"]["message"])
    assert script.search(asked.json()["error"]["message"])
    assert asked.headers["Content-Language"] == accept


@pytest.mark.parametrize(("accept", "script"), [("ko", HANGUL), ("uk", CYRILLIC)])
# `db`: every request opens its database connection before anything else (powtracker.outage).
def test_an_unauthenticated_call_is_refused_in_the_language_asked_for(db, client, accept, script):
    refused = client.get("/api/v1/captives/", headers={"accept-language": accept})
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "not_authenticated"
    assert script.search(refused.json()["error"]["message"])


@pytest.mark.parametrize("who", ["receiving_state", "power_depended_on", "tracing_agency"])
def test_what_a_partner_reads_is_the_same_in_every_language(world, partners, who):
    """Data never follows Accept-Language (only error messages do): a partner's copy, its
    caches and the non-interference rule must not depend on the language it sends."""
    api = partners[who]
    first = world["first"]
    paths = [
        "/api/v1/captives/",
        f"/api/v1/captives/{first.pk}/",
        f"/api/v1/captives/{first.pk}/events/",
        f"/api/v1/captives/{first.pk}/history/",
        "/api/v1/statistics/",
        "/api/v1/states/",
        "/api/v1/exchange-proposals/",
    ]
    for url in paths:
        answers = {
            language: api.get(url, headers={"Accept-Language": language})
            for language in ["en", "uk", "ko"]
        }
        statuses = {language: answer.status_code for language, answer in answers.items()}
        assert len(set(statuses.values())) == 1, (url, statuses)
        if answers["en"].status_code >= 400:
            # A refusal's message follows the language; its code does not.
            codes = {answer.json()["error"]["code"] for answer in answers.values()}
            assert len(codes) == 1, url
            continue
        bodies = {answer.content for answer in answers.values()}
        assert len(bodies) == 1, url
        etags = {answer.headers.get("ETag") for answer in answers.values()}
        assert len(etags) == 1, url


@pytest.mark.parametrize(
    ("request_kind", "code"),
    [("nul", "invalid"), ("too_large", "body_too_large"), ("malformed", "malformed_json")],
)
def test_the_guards_before_the_views_speak_the_language_asked_for(
    world, partners, request_kind, code
):
    """The NUL guard, the body limit and the JSON parser word their refusals in the language
    asked for too (they answer before any view)."""
    api = partners["receiving_state"]
    headers = {"Accept-Language": "ko"}
    if request_kind == "nul":
        refused = api.get("/api/v1/captives/", headers=headers, search="a\x00")
    elif request_kind == "too_large":
        refused = api.post(
            "/api/v1/captives/match/", {"people": [{"family_name": "x" * 300_000}]}, headers
        )
    else:
        refused = api.client.post(
            path(world["first"], "wishes"),
            "{bad",
            content_type="application/json",
            **api._headers(headers),
        )
    assert refused.json()["error"]["code"] == code
    assert HANGUL.search(refused.json()["error"]["message"]), refused.json()
    assert refused.headers["Content-Language"] == "ko"


@pytest.mark.parametrize("debug", [False, True])
def test_an_unrouted_api_path_says_not_found_in_the_language_asked_for(db, client, settings, debug):
    """With DEBUG on a middleware answers it, with DEBUG off handler404: the same words."""
    settings.DEBUG = debug
    refused = client.get("/api/v1/nothing-here/", headers={"accept-language": "uk"})
    assert refused.status_code == 404
    assert refused.json()["error"]["code"] == "not_found"
    assert CYRILLIC.search(refused.json()["error"]["message"])
