"""/healthz and /readyz, and a database outage answered 503 (never 500), on real servers.

Every server here is gunicorn in a process of its own (tests.served), called over HTTP on
loopback. A database that is down is a port where nothing listens, a SQLite file that cannot be
opened, or PostgreSQL behind a TCP relay that the test cuts while the server holds a connection
through it (tests.served.TcpGate): the server then meets the outage inside a request, in a view
or in a middleware, rather than when it connects. The live database is the suite's own test
database, which the tests write to with `transaction=True` so the server sees it (on SQLite, a
copy of the in-memory test database in a file).
"""

import base64
import json
import socket
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from powtracker.outage import unavailable
from tests.served import (
    TcpGate,
    bearer,
    call,
    can_run_postgres,
    free_port,
    gunicorn,
    ledger_rows,
    reachable,
    server_env,
    streaming_pair,
    suite_database_url,
)

REDIS = ("127.0.0.1", 6379)
RETRY_AFTER = "7"
ON_POSTGRES = connection.vendor == "postgresql"
# Django's technical 500 page says this; no answer of an outage may be that page.
TECHNICAL_PAGE = "You’re seeing this error because you have <code>DEBUG = True</code>"
needs_postgres = pytest.mark.skipif(
    not ON_POSTGRES, reason="needs the suite's test database on PostgreSQL, behind a TCP relay"
)


def cache_url() -> str:
    """Redis (db 5, a key prefix of this run's own) where it runs, else the database cache."""
    if reachable(REDIS):
        return f"redis://127.0.0.1:6379/5?key_prefix=powtracker-health-{uuid.uuid4().hex}"
    return "dbcache://powtracker_cache"


def dead_postgres_url() -> str:
    return f"postgres://postgres@127.0.0.1:{free_port()}/powtracker"


def log_file_options(log: Path) -> tuple[str, ...]:
    """gunicorn's options to write everything the workers log (Django's too) to `log`."""
    return ("--capture-output", "--error-logfile", str(log))


def raw_get(base: str, path: str, host: str | None) -> int:
    """GET over HTTP/1.0 with the given Host header, or none at all (as a load balancer's check
    may send); the status."""
    address = base.removeprefix("http://").split(":")
    with socket.create_connection((address[0], int(address[1])), timeout=30) as sock:
        header = f"Host: {host}\r\n" if host is not None else ""
        sock.sendall(f"GET {path} HTTP/1.0\r\n{header}\r\n".encode())
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    return int(reply.split(b" ", 2)[1])


def assert_json_outage(status: int, headers: dict[str, Any], body: bytes) -> None:
    assert status == 503, body[:500]
    assert headers["Retry-After"] == RETRY_AFTER
    assert headers["Content-Type"] == "application/json"
    assert json.loads(body)["error"]["code"] == "database_unavailable"


def assert_page_outage(
    status: int,
    headers: dict[str, Any],
    body: bytes,
    title: str = "Temporarily unavailable",
) -> None:
    assert status == 503, body[:500]
    assert headers["Retry-After"] == RETRY_AFTER
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    html = body.decode()
    assert f"<h1>{title}</h1>" in html
    assert TECHNICAL_PAGE not in html
    assert "Traceback" not in html


# --- what counts as an outage ----------------------------------------------------------------


def failure(database_url: str, statement: str = "SELECT 1") -> Exception:
    """The error a statement meets on the database at `database_url` (on a fresh connection)."""
    import environ
    from django.db.utils import ConnectionHandler

    handler = ConnectionHandler({"default": environ.Env.db_url_config(database_url)})
    database = handler["default"]
    try:
        with database.cursor() as cursor:
            cursor.execute(statement)
    except Exception as error:
        return error
    finally:
        database.close()
    raise AssertionError(f"{statement} did not fail")


@pytest.mark.django_db
def test_only_a_database_that_does_not_answer_is_an_outage(tmp_path):
    assert unavailable(failure(dead_postgres_url())) is not None
    assert unavailable(failure(f"sqlite:///{tmp_path / 'no-such-directory' / 'x.sqlite3'}"))
    # A failing statement is an error of its own, answered as one, not an outage.
    assert (
        unavailable(failure(f"sqlite:///{tmp_path / 'x.sqlite3'}", "SELECT * FROM nothing")) is None
    )
    if ON_POSTGRES:
        slow = failure(suite_database_url(), "SET statement_timeout = 1; SELECT pg_sleep(0.5)")
        assert "statement timeout" in str(slow)
        assert unavailable(slow) is None


# --- no database at all ----------------------------------------------------------------------


@pytest.fixture(
    params=[
        pytest.param(("postgresql", "false"), id="postgresql-nothing-listens-debug-off"),
        pytest.param(("postgresql", "true"), id="postgresql-nothing-listens-debug-on"),
        pytest.param(("sqlite", "false"), id="sqlite-cannot-open-debug-off"),
        pytest.param(("sqlite", "true"), id="sqlite-cannot-open-debug-on"),
    ]
)
def without_database(request: Any, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    engine, debug = request.param
    url = (
        dead_postgres_url()
        if engine == "postgresql"
        else f"sqlite:///{tmp_path / 'no-such-directory' / 'powtracker.sqlite3'}"
    )
    log = tmp_path / "server.log"
    env = server_env(url, DEBUG=debug, RETRY_AFTER_SECONDS=RETRY_AFTER, CACHE_URL=cache_url())
    with gunicorn(env, *log_file_options(log)) as base:
        yield base, log


def test_with_no_database_the_probes_answer_and_every_request_is_503(without_database):
    base, log = without_database

    health = call("GET", f"{base}/healthz")
    ready = call("GET", f"{base}/readyz")
    api = call("GET", f"{base}/api/v1/captives/", headers={"Authorization": "Bearer abc"})
    token = call(
        "POST",
        f"{base}/o/token/",
        data=b"grant_type=client_credentials",
        headers={
            "Authorization": "Basic " + base64.b64encode(b"client:secret").decode(),
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    admin = call("GET", f"{base}/admin/")
    sign_in = call("GET", f"{base}/admin/login/", headers={"Accept-Language": "uk"})
    stylesheet = call("GET", f"{base}/static/admin/css/base.css")

    assert health[0] == 200
    assert json.loads(health[2]) == {"status": "ok"}
    assert ready[0] == 503
    report = json.loads(ready[2])
    assert report["ready"] is False
    assert report["primary"] == {"ok": False}
    assert report["migrations"] == {"ok": False, "pending": None}
    assert_json_outage(*api)
    assert_json_outage(*token)
    assert_page_outage(*admin)
    # The sign-in page would need no database to show its form; it says the service is down
    # rather than take a password it cannot check.
    assert_page_outage(*sign_in, title="Тимчасово недоступно")
    assert sign_in[1]["Content-Language"] == "uk"
    assert '<html lang="uk">' in sign_in[2].decode()
    # The page's stylesheet is still served.
    assert stylesheet[0] == 200
    # The outage is logged in one line, not a line or a traceback per request.
    logged = log.read_text()
    assert logged.count("Database unavailable") == 1, logged
    assert "Traceback" not in logged
    assert "Service Unavailable" not in logged


def test_the_probes_answer_whatever_the_host_and_over_plain_http(tmp_path):
    """HAProxy's check may send no Host header, or the server's address; HTTPS is on."""
    env = server_env(
        dead_postgres_url(),
        HTTPS="true",
        ALLOWED_HOSTS="powtracker.example.org",
        CACHE_URL=cache_url(),
    )
    with gunicorn(env) as base:
        probes = {
            (path, host): raw_get(base, path, host)
            for path in ("/healthz", "/readyz")
            for host in (None, "10.1.2.3", "powtracker.example.org")
        }
        unknown_host = raw_get(base, "/admin/", "10.1.2.3")
        plain_http = raw_get(base, "/admin/", "powtracker.example.org")

    assert probes == {
        **{("/healthz", host): 200 for host in (None, "10.1.2.3", "powtracker.example.org")},
        **{("/readyz", host): 503 for host in (None, "10.1.2.3", "powtracker.example.org")},
    }
    # Everything else is still refused for an unknown host, and sent to HTTPS.
    assert unknown_host == 400
    assert plain_http == 301


# --- a database lost while the server holds a connection to it --------------------------------

TOKEN_REQUEST = {
    "data": b"grant_type=client_credentials",
    "headers": {
        "Authorization": "Basic " + base64.b64encode(b"client:secret").decode(),
        "Content-Type": "application/x-www-form-urlencoded",
    },
}
LOST_MID_REQUEST = [
    # SessionMiddleware saves a session a middleware wrote to: the failure is in its own layer.
    pytest.param(
        ("GET", "/admin/login/", {"headers": {"X-Touch": "session"}}, "page"),
        id="sessions-middleware",
    ),
    # A middleware reads the signed-in user: authentication loads it from the session there.
    pytest.param(
        (
            "GET",
            "/admin/login/",
            {"headers": {"X-Touch": "user", "Cookie": "sessionid=abcdefghijklmnopqrstuvwxyz"}},
            "page",
        ),
        id="authentication-in-a-middleware",
    ),
    pytest.param(
        ("GET", "/admin/", {"headers": {"Cookie": "sessionid=abcdefghijklmnopqrstuvwxyz"}}, "page"),
        id="admin-view",
    ),
    pytest.param(
        ("GET", "/api/v1/captives/", {"headers": {"Authorization": "Bearer abc"}}, "json"),
        id="api-authentication",
    ),
    # The token endpoint: axes checks the lockout, then the client is looked up.
    pytest.param(("POST", "/o/token/", TOKEN_REQUEST, "json"), id="oauth-token-and-axes"),
]


@pytest.fixture(params=["false", "true"], ids=["debug-off", "debug-on"])
def behind_gate(request: Any, transactional_db: Any, tmp_path: Path) -> Iterator[Any]:
    """A server on the test database through a relay the test may cut, with a middleware that
    touches the database on request (tests.powtracker.outage_settings)."""
    log = tmp_path / "server.log"
    db = connection.settings_dict
    with TcpGate((db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432))) as gate:
        env = server_env(
            suite_database_url(gate.port),
            DEBUG=request.param,
            RETRY_AFTER_SECONDS=RETRY_AFTER,
            CACHE_URL=cache_url(),
            DJANGO_SETTINGS_MODULE="tests.powtracker.outage_settings",
        )
        with gunicorn(env, *log_file_options(log)) as base:
            yield base, gate, log


@needs_postgres
@pytest.mark.parametrize("case", LOST_MID_REQUEST)
def test_a_database_lost_mid_request_is_503_in_a_view_or_a_middleware(behind_gate, case):
    base, gate, log = behind_gate
    method, path, options, kind = case
    # The server's one worker opens its connection, through the relay...
    warm = call("GET", f"{base}/admin/login/")
    # ...which then drops it and refuses new ones: the worker learns it inside the request.
    gate.cut()
    lost = call(method, f"{base}{path}", **options)
    ready_while_lost = call("GET", f"{base}/readyz")
    gate.restore()
    back = call("GET", f"{base}/admin/login/")
    ready_again = call("GET", f"{base}/readyz")

    assert warm[0] == 200
    if kind == "json":
        assert_json_outage(*lost)
    else:
        assert_page_outage(*lost)
    assert ready_while_lost[0] == 503
    assert json.loads(ready_while_lost[2])["primary"] == {"ok": False}
    assert back[0] == 200
    assert ready_again[0] == 200, ready_again[2]
    logged = log.read_text()
    assert logged.count("Database unavailable") == 1, logged
    assert logged.count("Database answers again") == 1, logged
    assert "Traceback" not in logged


# --- the database up -------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def fast_password_hashing() -> None:
    """The suite's cheap hasher (tests.conftest) is not the servers': a client secret is hashed
    here as they check it."""


def test_with_the_database_up_readyz_reports_each_part_and_is_never_throttled_nor_ledgered(
    live_database, reader
):
    dead_replica = dead_postgres_url()
    env = server_env(
        live_database,
        CACHE_URL=cache_url(),
        API_RATE="3/minute",
        # replica1 is the primary itself (not in recovery: its lag is unknown); replica2 is down.
        DATABASE_REPLICA_URLS=f"{live_database}, {dead_replica}",
    )
    with gunicorn(env) as base:
        headers = bearer(base, reader["client_id"], reader["secret"])
        reads = [call("GET", f"{base}/api/v1/captives/", headers=headers)[0] for _ in range(4)]
        ledger_after_reads = ledger_rows(live_database)
        probes = [
            call("GET", f"{base}/{probe}", headers=headers) for probe in ("readyz", "healthz") * 5
        ]
        head = call("HEAD", f"{base}/readyz")

    # The partner's reads are ledgered and throttled...
    assert reads == [200, 200, 200, 429]
    assert ledger_after_reads == 3
    # ...the probes, asked ten times by the same client past its rate, are neither.
    assert [status for status, _, _ in probes] == [200] * 10
    assert ledger_rows(live_database) == ledger_after_reads
    assert json.loads(probes[1][2]) == {"status": "ok"}
    assert json.loads(probes[0][2]) == {
        "ready": True,
        "primary": {"ok": True},
        "replicas": {
            "replica1": {
                "ok": True,
                "lag_seconds": None,
                "in_recovery": False if ON_POSTGRES else None,
            },
            "replica2": {"ok": False, "lag_seconds": None, "in_recovery": None},
        },
        "cache": {"ok": True},
        "migrations": {"ok": True, "pending": 0},
    }
    assert probes[0][1]["Cache-Control"] == "no-store"
    assert head[0] == 200
    assert head[2] == b""


@pytest.fixture
def unmigrated_database(tmp_path: Path) -> Iterator[str]:
    """An empty database: on PostgreSQL one beside the test database, else an empty file."""
    if not ON_POSTGRES:
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    import psycopg

    db = connection.settings_dict
    name = f"{db['NAME']}_unmigrated"
    admin = {
        "host": db["HOST"] or "127.0.0.1",
        "port": db["PORT"] or 5432,
        "user": db["USER"],
        "password": db["PASSWORD"] or None,
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**admin) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}"')
        server.execute(f'CREATE DATABASE "{name}"')
    try:
        yield suite_database_url().rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(**admin) as server:
            server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_readyz_says_the_migrations_are_not_applied_on_an_unmigrated_database(
    unmigrated_database,
):
    on_disk = len(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)
    with gunicorn(server_env(unmigrated_database, CACHE_URL=cache_url())) as base:
        status, _, body = call("GET", f"{base}/readyz")

    report = json.loads(body)
    assert status == 503
    assert report["ready"] is False
    assert report["primary"] == {"ok": True}
    assert report["migrations"] == {"ok": False, "pending": on_disk}


# --- a streaming replica ----------------------------------------------------------------------


def replica_report(base: str, until: Any) -> dict[str, Any]:
    """/readyz's replica1 once `until` holds for it (asked again while it does not, 30 s at
    most: the replica replays on its own time)."""
    deadline = time.monotonic() + 30
    while True:
        report = json.loads(call("GET", f"{base}/readyz")[2])
        if until(report["replicas"]["replica1"]) or time.monotonic() > deadline:
            return report
        time.sleep(0.2)


@pytest.mark.skipif(
    not can_run_postgres(), reason="needs PostgreSQL's server programs to start a pair of its own"
)
def test_readyz_says_how_far_a_streaming_replica_lags():
    """A primary and its streaming replica, each its own PostgreSQL server: /readyz says 0 once
    the replica has replayed the primary's WAL, the seconds since it last replayed a
    transaction while it has not (its replay paused), and, the primary lost, still how old
    what it serves is."""
    import psycopg

    def sql(port: int, statement: str) -> Any:
        with psycopg.connect(
            host="127.0.0.1", port=port, user="postgres", dbname="postgres", autocommit=True
        ) as server:
            cursor = server.execute(statement)
            return cursor.fetchone() if cursor.description else None

    def paused() -> bool:
        # A pause is asked for, then taken up by the replica's recovery: wait until it is.
        deadline = time.monotonic() + 30
        while sql(pair.replica_port, "SELECT pg_get_wal_replay_pause_state()")[0] != "paused":
            assert time.monotonic() < deadline, "the replica's replay did not pause"
            time.sleep(0.1)
        return True

    with streaming_pair() as pair:
        env = server_env(
            f"postgres://postgres@127.0.0.1:{pair.primary_port}/postgres",
            DATABASE_REPLICA_URLS=f"postgres://postgres@127.0.0.1:{pair.replica_port}/postgres",
            CACHE_URL=cache_url(),
        )
        with gunicorn(env) as base:
            # A transaction the replica replays: until then the time since its last is unknown.
            sql(pair.primary_port, "CREATE TABLE first_write (x int)")
            caught_up = replica_report(base, lambda replica: replica["lag_seconds"] == 0)
            sql(pair.replica_port, "SELECT pg_wal_replay_pause()")
            assert paused()
            sql(pair.primary_port, "CREATE TABLE second_write (x int)")
            behind = replica_report(base, lambda replica: replica["lag_seconds"] != 0)
            sql(pair.replica_port, "SELECT pg_wal_replay_resume()")
            again = replica_report(base, lambda replica: replica["lag_seconds"] == 0)
            pair.stop_primary()
            primary_lost = replica_report(base, lambda replica: True)

    assert caught_up["primary"] == {"ok": True}
    assert caught_up["replicas"] == {
        "replica1": {"ok": True, "lag_seconds": 0.0, "in_recovery": True}
    }
    assert behind["replicas"]["replica1"]["lag_seconds"] > 0
    assert again["replicas"]["replica1"]["lag_seconds"] == 0.0
    assert primary_lost["primary"] == {"ok": False}
    assert primary_lost["replicas"]["replica1"]["ok"] is True
    assert primary_lost["replicas"]["replica1"]["lag_seconds"] > 0


def test_behind_pgbouncer_the_probe_sends_no_startup_options(settings, monkeypatch):
    """PgBouncer refuses a connection that sends startup `options` (make drill found /readyz
    failing behind it): with DATABASE_PGBOUNCER the probe's statement timeout is left out."""
    import copy

    from django.db import connections

    from powtracker.health import _probe_connection

    postgres = copy.deepcopy(connections.settings["default"])
    postgres.update(ENGINE="django.db.backends.postgresql", NAME="powtracker", OPTIONS={})
    monkeypatch.setitem(connections.settings, "probe_target", postgres)
    settings.DATABASE_PGBOUNCER = True
    options = _probe_connection("probe_target").settings_dict["OPTIONS"]
    assert "options" not in options and options["connect_timeout"] == 2
    settings.DATABASE_PGBOUNCER = False
    options = _probe_connection("probe_target").settings_dict["OPTIONS"]
    assert "statement_timeout=2000" in options["options"]
