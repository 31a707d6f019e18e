"""The API rate holds across processes: gunicorn with 3 workers lets exactly API_RATE through.

The server runs against its own SQLite file, a copy of one migrated by `manage.py migrate` in a
subprocess: what it serves must be committed where other processes see it, which the test database's
per-test transaction is not, and a file works the same whether the suite runs on PostgreSQL or
SQLite. Each worker is recycled after a few requests (`--max-requests`), so the 12 requests are
served by at least three different processes: a per-process count would let them all through.
"""

import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.served import bearer, call, gunicorn, manage, migrated_sqlite, reachable, sqlite_env

REQUESTS = 12
RATE = 5
MAX_REQUESTS_PER_WORKER = 4
REDIS = ("127.0.0.1", 6379)


def server_env(database: Path, cache_url: str) -> dict[str, str]:
    return sqlite_env(database, CACHE_URL=cache_url, API_RATE=f"{RATE}/minute")


@pytest.fixture(scope="module")
def database(tmp_path_factory: Any) -> tuple[Path, str, str]:
    """A migrated SQLite file (with the cache table) and one partner; its client id and secret."""
    path = tmp_path_factory.mktemp("throttle") / "server.sqlite3"
    env = server_env(migrated_sqlite(path), "dbcache://powtracker_cache")
    out = manage(env, "partner_create", "Throttle probe", "--scopes", "cases:read")
    client_id = out.split("Client id:")[1].split()[0]
    secret = out.split("Client secret:")[1].split()[0]
    return path, client_id, secret


@pytest.fixture
def served(database: Any, request: Any, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """Serve with 3 workers, each recycled after a few requests, logging which process served."""
    path, _, _ = database
    access_log = tmp_path / "access.log"
    with gunicorn(
        server_env(path, request.param),
        *("--workers", "3", "--max-requests", str(MAX_REQUESTS_PER_WORKER)),
        *("--access-logfile", str(access_log), "--access-logformat", "%(p)s %(s)s %(U)s"),
    ) as base:
        yield base, access_log


CACHES = [
    pytest.param("dbcache://powtracker_cache", id="database-cache"),
    pytest.param(
        f"redis://127.0.0.1:6379/0?key_prefix=powtracker-test-{uuid.uuid4().hex}",
        id="redis",
        marks=pytest.mark.skipif(
            not reachable(REDIS),
            reason="Redis is not reachable on 127.0.0.1:6379; the database cache case still runs",
        ),
    ),
]


@pytest.mark.parametrize("served", CACHES, indirect=True)
def test_three_workers_let_exactly_the_rate_through(served, database):
    base, access_log = served
    _, client_id, secret = database
    headers = bearer(base, client_id, secret)

    statuses = [
        call("GET", f"{base}/api/v1/captives/", headers=headers)[0] for _ in range(REQUESTS)
    ]

    assert statuses == [200] * RATE + [429] * (REQUESTS - RATE)
    deadline = time.monotonic() + 10
    while len(access_log.read_text().splitlines()) < REQUESTS + 1 and time.monotonic() < deadline:
        time.sleep(0.1)
    api_lines = [line.split() for line in access_log.read_text().splitlines() if "/api/" in line]
    assert len({pid for pid, _, _ in api_lines}) >= REQUESTS // MAX_REQUESTS_PER_WORKER
