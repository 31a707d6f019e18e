"""Reads go to a replica only where they cannot be stale; read-only mode while the primary does
not answer. The "replica" here is a second connection to the test database (not in recovery, so
always caught up): what is decided is where each read goes, seen in each connection's queries.
Real streaming replication, lag and a stopped primary are proven by `make drill`."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from partners.choices import DisclosureLevel
from powtracker import replicas
from powtracker.db_router import PrimaryReplicaRouter
from reports.models import ExportRecord
from tests.partners.api.conftest import ALL_SCOPES, make_partner

pytestmark = [
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="WAL positions: PostgreSQL"),
    # Committed data, which another connection sees.
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def replica(transactional_db: Any, settings: Any) -> Iterator[str]:
    """`replica1`: another connection to the same (committed) test database."""
    from django.apps import apps
    from django.db.utils import load_backend

    from powtracker.roles import roles_sync

    # A transactional test before this one may have emptied the tables, the role groups too.
    roles_sync(apps)

    default = connections["default"].settings_dict
    backend = load_backend(default["ENGINE"])
    connections["replica1"] = backend.DatabaseWrapper(dict(default), "replica1")
    settings.DATABASE_REPLICAS = ["replica1"]
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    replicas.known_reset()
    try:
        yield "replica1"
    finally:
        connections["replica1"].close()
        del connections["replica1"]
        replicas.known_reset()


@pytest.fixture
def world_committed(transactional_db: Any) -> dict[str, Any]:
    from tests.partners.api.conftest import kursk_world

    return kursk_world()


def queries_on(alias: str, call: Any) -> tuple[Any, list[str]]:
    with CaptureQueriesContext(connections[alias]) as captured:
        result = call()
    return result, [query["sql"] for query in captured.captured_queries]


def captive_reads(sqls: list[str]) -> list[str]:
    return [sql for sql in sqls if 'FROM "cases_captive"' in sql]


def test_a_partners_list_is_read_from_the_replica_and_its_ledger_written_on_the_primary(
    replica: str, world_committed: dict[str, Any]
) -> None:
    ukr = make_partner(Client(), "UKR", state=world_committed["states"]["UKR"], scopes=ALL_SCOPES)
    with CaptureQueriesContext(connection) as primary:
        response, on_replica = queries_on(replica, lambda: ukr.get("/api/v1/captives/"))
    assert response.status_code == 200
    assert captive_reads(on_replica)
    assert not captive_reads([q["sql"] for q in primary.captured_queries])
    # Who is asking is read on the primary (a token revoked there counts at once)…
    assert any("oauth2_provider_accesstoken" in q["sql"] for q in primary.captured_queries)
    # …and the ledger is written there.
    assert any("INSERT" in q["sql"] and "disclosure" in q["sql"] for q in primary.captured_queries)


def test_after_a_write_the_writer_reads_the_primary_for_the_pin_and_others_the_replica(
    replica: str, world_committed: dict[str, Any]
) -> None:
    s = world_committed["states"]
    full = DisclosureLevel.FULL
    ukr = make_partner(Client(), "UKR", state=s["UKR"], scopes=ALL_SCOPES, default_level=full)
    other = make_partner(Client(), "UKR 2", state=s["UKR"], scopes=ALL_SCOPES, default_level=full)
    captive = world_committed["first"]
    response = ukr.post(
        f"/api/v1/captives/{captive.pk}/events/",
        {"kind": "hospitalized", "occurred_at": "2025-02-01T10:00:00Z", "place": "Kyiv"},
    )
    assert response.status_code == 201, response.content

    _response, on_replica = queries_on(replica, lambda: ukr.get("/api/v1/captives/"))
    assert not captive_reads(on_replica)  # pinned: reads its own write
    # The write moved the position a replica must reach; this process learns at most a second
    # later that the replica has replayed it.
    replicas.known_reset()
    _response, on_replica = queries_on(replica, lambda: other.get("/api/v1/captives/"))
    assert captive_reads(on_replica)


def test_a_replica_that_has_not_replayed_the_last_change_of_who_sees_what_is_not_read(
    replica: str, world_committed: dict[str, Any]
) -> None:
    ukr = make_partner(Client(), "UKR", state=world_committed["states"]["UKR"])
    status = replicas.replica_status(replica)
    cache.set(replicas.DISCLOSURE_LSN_KEY, status.replay_lsn + 10**9, timeout=None)
    replicas.known_reset()

    _response, on_replica = queries_on(replica, lambda: ukr.get("/api/v1/captives/"))

    assert not captive_reads(on_replica)


def test_a_service_records_the_primarys_position_when_it_commits(
    replica: str, world_committed: dict[str, Any]
) -> None:
    from partners.services import partner_level_set

    ukr = make_partner(Client(), "UKR", state=world_committed["states"]["UKR"])
    before = cache.get(replicas.DISCLOSURE_LSN_KEY) or 0
    partner_level_set(acting_user=None, partner=ukr.partner, default_level=DisclosureLevel.CASE)
    assert cache.get(replicas.DISCLOSURE_LSN_KEY) > before


def test_commands_and_transactions_read_the_primary(replica: str) -> None:
    from cases.models import Captive

    router = PrimaryReplicaRouter()
    assert router.db_for_read(Captive) == "default"  # no request: a command, a worker
    route = replicas.Route(request=None)
    token = replicas.current_route.set(route)
    try:
        from django.db import transaction

        with transaction.atomic():
            assert router.db_for_read(Captive) == "default"
        assert router.db_for_read(Captive) == "replica1"
    finally:
        replicas.current_route.reset(token)


@pytest.fixture
def primary_down(replica: str) -> Iterator[None]:
    replicas.primary_mark_down()
    yield
    replicas.known_reset()


def test_with_the_primary_down_staff_read_from_the_replica_and_every_write_is_refused(
    primary_down: None, world_committed: dict[str, Any], supervisor_committed: Any
) -> None:
    client = Client()
    client.force_login(supervisor_committed)
    page = client.get("/admin/cases/captive/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "read-only for now" in html
    assert "/admin/cases/captive/add/" not in html  # no button that would write
    refused = client.post("/admin/cases/captive/add/", {})
    assert refused.status_code == 503
    assert refused["Retry-After"]
    api_refused = client.post("/api/v1/captives/", {}, content_type="application/json")
    assert api_refused.status_code == 503
    assert api_refused.json()["error"]["code"] == "read_only"


def test_with_the_primary_down_an_export_stream_is_refused_before_it_starts(
    primary_down: None, world_committed: dict[str, Any], supervisor_committed: Any
) -> None:
    """Its audit and ledger are written as it streams: refused then, it would be a 500."""
    client = Client()
    client.force_login(supervisor_committed)
    staff = client.get("/admin/cases/captive/export/", {"as": "csv"})
    api = client.get("/api/v1/captives/export/", {"as": "csv"})

    assert staff.status_code == 503
    assert not staff.streaming
    assert api.status_code == 503
    assert api.json()["error"]["code"] == "read_only"
    assert not ExportRecord.objects.exists()


def test_with_the_primary_down_a_partners_read_that_must_be_ledgered_is_refused(
    replica: str, world_committed: dict[str, Any]
) -> None:
    ukr = make_partner(Client(), "UKR", state=world_committed["states"]["UKR"])
    replicas.primary_mark_down()
    response = ukr.get("/api/v1/captives/")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "read_only"
    assert response["Retry-After"]


@pytest.fixture
def supervisor_committed(replica: str) -> Any:
    from powtracker.roles import ROLE_SUPERVISOR
    from tests.factories import UserFactory

    return UserFactory(username="sup-ro", role=ROLE_SUPERVISOR)
