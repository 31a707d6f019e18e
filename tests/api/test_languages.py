"""The API takes Accept-Language for its messages; its error codes stay the same."""

import re
from datetime import datetime

import pytest
from django.utils import timezone

from tests.api.test_writes import path

HANGUL = re.compile(r"[\uac00-\ud7a3]")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")


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
def test_an_unauthenticated_call_is_refused_in_the_language_asked_for(client, accept, script):
    refused = client.get("/api/v1/captives/", headers={"accept-language": accept})
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "not_authenticated"
    assert script.search(refused.json()["error"]["message"])
