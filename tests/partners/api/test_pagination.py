"""The captive list's cursor pagination: following `next` (or `previous`) visits every captive
the partner may see exactly once, in the list's order, whatever the order and however the list
is read (a short list among its ids, a long one walking its order); a cursor is only what the
list gave out; the total is counted up to a cap, exactly on request."""

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client

from cases.models import Involvement
from partners.choices import DisclosureLevel, PartnerKind
from powtracker.api import pagination
from tests.factories import CaptiveFactory, StateFactory
from tests.partners.api.conftest import Api, make_partner

pytestmark = pytest.mark.django_db

NAMES = ["Kim", "Pak", "Ri", "Kim", "Choe", "Pak", "Kim", "Jong", "Ri", "Kim", "Han"]


@pytest.fixture
def listing(client: Client) -> dict[str, Any]:
    ukr = StateFactory(code="UKR", name="Ukraine")
    prk = StateFactory(code="PRK", name="North Korea")
    other = StateFactory(code="CUB", name="Cuba")
    visible = []
    for n, name in enumerate(NAMES * 3):
        captive = CaptiveFactory(
            family_name=name,
            detaining_power=ukr,
            nationality=prk,
            power_depended_on=prk,
            captured_on=date(2025, 1, 1) + timedelta(days=n % 7),
        )
        Involvement.objects.get_or_create(captive=captive, state=ukr, role="detaining_power")
        visible.append(captive)
    # Someone the partner may not see, in the middle of every order.
    hidden = CaptiveFactory(family_name="Kim", detaining_power=other, nationality=other)
    api = make_partner(
        client,
        "UKR bureau",
        kind=PartnerKind.STATE_AGENCY,
        state=ukr,
        default_level=DisclosureLevel.CASE,
    )
    return {"api": api, "visible": visible, "hidden": hidden}


def walk(api: Api, first: str, link: str = "next") -> list[dict[str, Any]]:
    seen = []
    url = first
    pages = 0
    while url:
        response = api.client.get(url, **api._headers(None))
        assert response.status_code == 200, response.content
        body = response.json()
        seen.extend(body["results"])
        url = body[link]
        pages += 1
        assert pages < 100
    return seen


@pytest.mark.parametrize(
    "ordering",
    ["case_number", "-case_number", "family_name", "-family_name", "updated_at", "-updated_at"],
)
@pytest.mark.parametrize("cap", [10_000, 5])
def test_following_next_visits_everyone_once_in_order(
    listing: dict[str, Any], monkeypatch: Any, ordering: str, cap: int
) -> None:
    # cap 5: the list is "long", so pages walk the order instead of sorting its ids.
    monkeypatch.setattr(pagination, "COUNT_CAP", cap)
    api = listing["api"]
    everyone = api.get("/api/v1/captives/", ordering=ordering, page_size=200).json()["results"]
    assert len(everyone) == len(listing["visible"])
    walked = walk(api, f"/api/v1/captives/?ordering={ordering}&page_size=4")
    assert [c["id"] for c in walked] == [c["id"] for c in everyone]
    assert listing["hidden"].pk not in {c["id"] for c in walked}


@pytest.mark.parametrize("cap", [10_000, 5])
def test_previous_links_walk_back_to_the_start(
    listing: dict[str, Any], monkeypatch: Any, cap: int
) -> None:
    monkeypatch.setattr(pagination, "COUNT_CAP", cap)
    api = listing["api"]
    forward = []
    url = "/api/v1/captives/?ordering=family_name&page_size=4"
    last_page = None
    while url:
        last_page = api.client.get(url, **api._headers(None)).json()
        forward.append([c["id"] for c in last_page["results"]])
        url = last_page["next"]
    backward = []
    url = last_page["previous"]
    while url:
        page = api.client.get(url, **api._headers(None)).json()
        backward.append([c["id"] for c in page["results"]])
        url = page["previous"]
    assert list(reversed(backward)) == forward[:-1]


def test_the_total_is_counted_up_to_the_cap_and_exactly_on_request(
    listing: dict[str, Any], monkeypatch: Any
) -> None:
    api = listing["api"]
    total = len(listing["visible"])
    body = api.get("/api/v1/captives/", page_size=5).json()
    assert body["count"] == total and "count_exceeds" not in body
    monkeypatch.setattr(pagination, "COUNT_CAP", 10)
    body = api.get("/api/v1/captives/", page_size=5).json()
    assert body["count"] is None and body["count_exceeds"] == 10
    assert api.get("/api/v1/captives/", page_size=5, count="true").json()["count"] == total
    assert api.get("/api/v1/captives/", count="maybe").status_code == 400


@pytest.mark.parametrize(
    "cursor",
    ["junk", "eyJvIjpbXX0", "", "eyJvIjpbImZhbWlseV9uYW1lIiwicGsiXSwidiI6WzEsMl0sImIiOmZhbHNlfQ"],
)
def test_a_cursor_the_list_did_not_give_is_refused(listing: dict[str, Any], cursor: str) -> None:
    api = listing["api"]
    response = api.get("/api/v1/captives/", cursor=cursor)
    if cursor == "":
        assert response.status_code == 200  # no cursor: the first page
        return
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_cursor"


def test_a_cursor_of_another_order_is_refused(listing: dict[str, Any]) -> None:
    api = listing["api"]
    next_link = api.get("/api/v1/captives/", ordering="family_name", page_size=3).json()["next"]
    cursor = next_link.split("cursor=")[1].split("&")[0]
    response = api.get("/api/v1/captives/", ordering="case_number", cursor=cursor)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_cursor"


def test_page_numbers_still_work(listing: dict[str, Any]) -> None:
    api = listing["api"]
    first = api.get("/api/v1/captives/", page=1, page_size=10).json()
    second = api.get("/api/v1/captives/", page=2, page_size=10).json()
    assert first["count"] == len(listing["visible"])
    ids = [c["id"] for c in first["results"] + second["results"]]
    assert len(set(ids)) == 20


def _cursor(payload: dict[str, Any]) -> str:
    import base64
    import json

    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def test_a_next_link_past_the_last_row_is_an_empty_page_not_an_error(
    listing: dict[str, Any],
) -> None:
    """Found by the outside attack: a next link whose rows were gone (another filter, or rows
    that changed since) answered 500."""
    api = listing["api"]
    past_the_end = _cursor({"o": ["case_number", "pk"], "v": ["ZZZ", 0], "b": False})
    response = api.get("/api/v1/captives/", cursor=past_the_end)
    assert response.status_code == 200
    body = response.json()
    assert body["results"] == [] and body["next"] is None
    back = api.client.get(body["previous"], **api._headers(None)).json()
    assert back["results"], "the previous link leads back to the last rows"


@pytest.mark.parametrize(
    "values",
    [
        [{"dt": "9999-12-31T23:59:59-14:00"}, 1],
        [{"dt": "0001-01-01T00:00:00+14:00"}, 1],
        [{"dt": "2025-01-01T00:00:00"}, 1],  # no time zone
        [{"dt": "2025-01-01T00:00:00+00:00"}, {"dt": "2025-01-01T00:00:00+00:00"}],
        [{"dt": "2025-01-01T00:00:00+00:00"}, "1"],
        [{"dt": "2025-01-01T00:00:00+00:00"}, 2**70],
        ["UKR", 1],
    ],
)
def test_cursor_values_of_the_wrong_kind_are_refused(
    listing: dict[str, Any], values: list[Any]
) -> None:
    api = listing["api"]
    cursor = _cursor({"o": ["shown_updated_at", "pk"], "v": values, "b": False})
    response = api.get("/api/v1/captives/", ordering="updated_at", cursor=cursor)
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "invalid_cursor"


@pytest.mark.parametrize("text", ["UKR\x00", "\ud800", "x" * 2000, 5])
def test_cursor_text_a_database_cannot_hold_is_refused(listing: dict[str, Any], text: Any) -> None:
    api = listing["api"]
    cursor = _cursor({"o": ["case_number", "pk"], "v": [text, 1], "b": False})
    response = api.get("/api/v1/captives/", cursor=cursor)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_cursor"


def test_a_page_number_and_a_cursor_together_are_refused(listing: dict[str, Any]) -> None:
    api = listing["api"]
    next_link = api.get("/api/v1/captives/", page_size=3).json()["next"]
    cursor = next_link.split("cursor=")[1].split("&")[0]
    response = api.get("/api/v1/captives/", page=2, cursor=cursor)
    assert response.status_code == 400
