"""Every list and detail endpoint of the partner API costs a pinned number of SQL queries for a
representative partner, with at least three rows present, and a list costs no more with twice
as many rows. An endpoint the schema lists without a pinned count fails the last test, so a new
one cannot escape. (The shared base: tests.partners.api.query_counts.)

When a count changes on purpose, change its pin here and say why in the commit."""

import re

import pytest
from django.urls import Resolver404, resolve

from tests.partners.api.query_counts import (
    Pinned,
    add_captive,
    add_contact,
    add_event,
    add_export,
    add_involvement,
    add_media,
    add_obligation,
    add_proposal,
    add_state,
    add_transfer,
    add_version,
    add_webhook,
    add_wish,
    detail_counts,
    list_counts,
    world_build,
)

pytestmark = pytest.mark.django_db

# URL name (powtracker.api.urls) → what a GET costs the agency of the detaining power.
LISTS: dict[str, Pinned] = {
    "captive-list": Pinned(add_captive, 15),
    "captive-event-list": Pinned(add_event, 15),
    "captive-wish-list": Pinned(add_wish, 15),
    "captive-involvement-list": Pinned(add_involvement, 15),
    "captive-media-list": Pinned(add_media, 15),
    "captive-obligation-list": Pinned(add_obligation, 15),
    "captive-history-list": Pinned(add_version, 14),
    "state-list": Pinned(add_state, 10),
    "exchange-proposal-list": Pinned(add_proposal, 14),
    "diplomatic-contact-list": Pinned(add_contact, 14),
    "transfer-request-list": Pinned(add_transfer, 13),
    "export-job-list": Pinned(add_export, 10),
    "webhook-endpoint-list": Pinned(add_webhook, 10),
}
DETAILS: dict[str, Pinned] = {
    "captive-detail": Pinned(add_captive, 13),
    "captive-event-detail": Pinned(add_event, 14),
    "captive-wish-detail": Pinned(add_wish, 14),
    "state-detail": Pinned(add_state, 9),
    "exchange-proposal-detail": Pinned(add_proposal, 13),
    "diplomatic-contact-detail": Pinned(add_contact, 13),
    "transfer-request-detail": Pinned(add_transfer, 12),
    "export-job-detail": Pinned(add_export, 9),
    "webhook-endpoint-detail": Pinned(add_webhook, 9),
}
# Reads that are neither a list nor a detail, and where their costs are checked.
OTHER_READS = {
    "captive-export": "a streamed file: tests/reports/test_api_exports.py",
    "statistics": "one aggregate answer: tests/reports/test_statistics_api.py",
    "export-job-download": "a stored file: tests/reports/test_export_jobs.py",
    "webhook-endpoint-deliveries": "its 100 most recent, one query: tests/webhooks/test_api.py",
}


@pytest.fixture
def world(client):
    return world_build(client)


@pytest.mark.parametrize("route", sorted(LISTS))
def test_a_list_costs_its_pinned_queries_whatever_its_size(world, route):
    list_counts(world, route, LISTS[route])


@pytest.mark.parametrize("route", sorted(DETAILS))
def test_a_detail_costs_its_pinned_queries(world, route):
    detail_counts(world, route, DETAILS[route])


def test_every_list_and_detail_in_the_schema_has_a_pinned_count(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    reads = {_route(path) for path, operations in schema["paths"].items() if "get" in operations}
    unpinned = {
        name
        for name in reads
        if name.endswith(("-list", "-detail")) and name not in {*LISTS, *DETAILS}
    }
    assert unpinned == set(), "pin these endpoints' query counts in this module"
    assert reads - {*LISTS, *DETAILS} == set(OTHER_READS), "say where these reads are checked"
    assert {*LISTS, *DETAILS} <= reads, "a pinned endpoint is no longer in the schema"


def _route(path: str) -> str:
    """The URL name of a path of the schema, its parameters filled in with a number (an id) or,
    where the route wants letters (a state's code), with letters, or a UUID (a webhook
    endpoint's id)."""
    for value in ["1", "AAA", "00000000-0000-0000-0000-000000000001"]:
        try:
            return resolve(re.sub(r"\{[^}]+\}", value, path)).url_name
        except Resolver404:
            continue
    raise AssertionError(f"no route answers {path}")
