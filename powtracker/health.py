"""Probes for the load balancer: /healthz (the process serves) and /readyz (it can serve reads).

Both answer JSON, are never behind a sign-in, never throttled and never ledgered: they are plain
views, answered by `ProbeMiddleware` before any other middleware. So they are served whatever
the Host header says (HAProxy's check may send none, or the server's address: ALLOWED_HOSTS is
never consulted for them), over plain HTTP even where SECURE_SSL_REDIRECT sends everything else
to HTTPS, and without sessions, authentication or axes, which would touch the database.

/healthz touches no database: 200 while the process can answer at all.

/readyz asks, each in its own thread and each within HEALTH_CHECK_TIMEOUT (on a connection of its
own, so a dead database costs the probe that long and no more): whether the primary answers,
whether each replica (DATABASE_REPLICA_URLS: replica1, replica2…) answers and how far it lags,
whether the cache answers, and whether every migration on disk is applied. It answers 200 when
reads can be served: a database answers (the primary, or a replica for read-only mode), the
cache answers and the migrations are applied; 503 otherwise.
"""

import copy
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, partial
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.db.utils import load_backend
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path

from powtracker.outage import QUIET
from powtracker.replicas import lsn_number, replica_aliases


@dataclass(frozen=True)
class DatabaseAnswer:
    """What one database said to the probe (ok False: it did not answer in time)."""

    ok: bool
    in_recovery: bool | None = None
    # The primary's current WAL position, or a replica's last replayed one (PostgreSQL).
    wal_lsn: int | None = None
    # Seconds since a replica replayed its last transaction (PostgreSQL).
    replay_age: float | None = None
    # The migrations recorded as applied, or None when unknown.
    applied: frozenset[tuple[str, str]] | None = None


def _probe_connection(alias: str) -> Any:
    """A connection of the probe's own to `alias`: never the request's or the pool's, and asked
    to connect and to run each statement within HEALTH_CHECK_TIMEOUT."""
    settings_dict = copy.deepcopy(connections.settings[alias])
    settings_dict["CONN_MAX_AGE"] = 0
    options = settings_dict.setdefault("OPTIONS", {})
    options.pop("pool", None)
    timeout = settings.HEALTH_CHECK_TIMEOUT
    if settings_dict["ENGINE"] == "django.db.backends.postgresql":
        options["connect_timeout"] = timeout
        # PgBouncer refuses a connection that sends startup options (make drill found /readyz
        # failing there): behind it, the connect timeout bounds the probe, and PgBouncer's own
        # query_wait_timeout the wait for a server.
        if not settings.DATABASE_PGBOUNCER:
            options["options"] = (
                f"{options.get('options', '')} -c statement_timeout={timeout * 1000}".strip()
            )
    backend = load_backend(settings_dict["ENGINE"])
    return backend.DatabaseWrapper(settings_dict, alias=f"{alias}-readyz")


def _applied(connection: Any, cursor: Any) -> frozenset[tuple[str, str]]:
    table = MigrationRecorder.Migration._meta.db_table
    if table not in connection.introspection.table_names(cursor):
        return frozenset()
    cursor.execute(f"SELECT app, name FROM {connection.ops.quote_name(table)}")  # noqa: S608
    return frozenset((app, name) for app, name in cursor.fetchall())


def database_answer(alias: str, *, primary: bool) -> DatabaseAnswer:
    """Ask one database whether it answers, where its WAL stands, and what it has applied."""
    connection = _probe_connection(alias)
    try:
        with connection.cursor() as cursor:
            in_recovery = lsn = age = None
            if connection.vendor == "postgresql":
                if primary:
                    # pg_current_wal_lsn() fails on a server in recovery.
                    cursor.execute(
                        "SELECT pg_is_in_recovery(), CASE WHEN pg_is_in_recovery() THEN NULL "
                        "ELSE pg_current_wal_lsn()::text END, NULL"
                    )
                else:
                    cursor.execute(
                        "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text, "
                        "EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())::float8"
                    )
                in_recovery, lsn, age = cursor.fetchone()
            else:
                cursor.execute("SELECT 1")
            return DatabaseAnswer(
                ok=True,
                in_recovery=in_recovery,
                wal_lsn=lsn_number(lsn),
                replay_age=age,
                applied=_applied(connection, cursor),
            )
    except Exception:
        return DatabaseAnswer(ok=False)
    finally:
        connection.close()


def replica_lag(replica: DatabaseAnswer, primary: DatabaseAnswer | None) -> float | None:
    """How far a replica lags, in seconds: 0 once it has replayed the primary's current WAL
    position (>=, not ==: the two are asked at slightly different moments, and a replica
    that has replayed a position read from the primary is caught up as of that reading), else
    the time since it replayed its last transaction; None where neither is known."""
    if not replica.ok:
        return None
    if (
        primary is not None
        and primary.wal_lsn is not None
        and replica.wal_lsn is not None
        and replica.wal_lsn >= primary.wal_lsn
    ):
        return 0.0
    if replica.replay_age is not None:
        return round(max(replica.replay_age, 0.0), 3)
    return None


def cache_answers() -> bool:
    """Whether the shared cache answers a read (the database cache, or Redis)."""
    try:
        caches["default"].get("powtracker:readyz")
        return True
    except Exception:
        return False
    finally:
        # The database cache opened a connection in this thread, which ends with the probe.
        connections.close_all()


@cache
def migrations_on_disk() -> tuple[tuple[tuple[str, str], tuple[tuple[str, str], ...]], ...]:
    """Every migration the code has (read once: the code does not change while it runs), each
    with the migrations it replaces if it is a squashed one."""
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    return tuple((key, tuple(graph.nodes[key].replaces or ())) for key in graph.nodes)


def migrations_pending(applied: frozenset[tuple[str, str]]) -> int:
    """How many migrations on disk the database has not applied (a squashed migration counts as
    applied when every migration it replaces is)."""
    return sum(
        1
        for key, replaces in migrations_on_disk()
        if key not in applied and not (replaces and all(old in applied for old in replaces))
    )


def _within(checks: dict[str, Callable[[], Any]], timeout: float) -> dict[str, Any]:
    """Run every check in its own thread; what has not answered within `timeout` is None (its
    thread ends on its own, at the latest when its connect or statement timeout does)."""
    results: dict[str, Any] = {}

    def run(name: str, check: Callable[[], Any]) -> None:
        results[name] = check()

    threads = [
        threading.Thread(target=run, args=item, name=f"readyz-{item[0]}", daemon=True)
        for item in checks.items()
    ]
    for thread in threads:
        thread.start()
    end = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.0, end - time.monotonic()))
    return {name: results.get(name) for name in checks}


def readiness() -> dict[str, Any]:
    """The body of /readyz; its `ready` says whether reads can be served."""
    replicas = replica_aliases()
    checks: dict[str, Callable[[], Any]] = {
        DEFAULT_DB_ALIAS: partial(database_answer, DEFAULT_DB_ALIAS, primary=True),
        **{alias: partial(database_answer, alias, primary=False) for alias in replicas},
        # Not an alias: aliases are replica1, replica2… and default.
        "-cache": cache_answers,
    }
    # A little over the connect timeout, for the statements that follow the connection.
    answers = _within(checks, settings.HEALTH_CHECK_TIMEOUT + 1)
    lost = DatabaseAnswer(ok=False)
    primary: DatabaseAnswer = answers[DEFAULT_DB_ALIAS] or lost
    replica_answers: dict[str, DatabaseAnswer] = {
        alias: answers[alias] or lost for alias in replicas
    }
    cache_ok = bool(answers["-cache"])

    # The migrations as the primary records them, or a replica when the primary is down (it
    # holds the same table).
    recorded = next(
        (
            answer.applied
            for answer in (primary, *replica_answers.values())
            if answer.ok and answer.applied is not None
        ),
        None,
    )
    pending = None if recorded is None else migrations_pending(recorded)
    migrations_ok = pending == 0
    # Reads are served by the primary, or in read-only mode by a replica.
    reads = primary.ok or any(answer.ok for answer in replica_answers.values())
    return {
        "ready": reads and cache_ok and migrations_ok,
        "primary": {"ok": primary.ok},
        "replicas": {
            alias: {
                "ok": answer.ok,
                "lag_seconds": replica_lag(answer, primary),
                "in_recovery": answer.in_recovery,
            }
            for alias, answer in replica_answers.items()
        },
        "cache": {"ok": cache_ok},
        "migrations": {"ok": migrations_ok, "pending": pending},
    }


def _answer(request: HttpRequest, body: dict[str, Any], status: int) -> HttpResponse:
    if request.method not in {"GET", "HEAD"}:
        response: HttpResponse = JsonResponse({"error": "method_not_allowed"}, status=405)
        response["Allow"] = "GET, HEAD"
    else:
        response = JsonResponse(body, status=status)
        if request.method == "HEAD":
            response.content = b""
    response["Cache-Control"] = "no-store"
    return response


def healthz(request: HttpRequest) -> HttpResponse:
    """200 while the process can answer; touches no database."""
    return _answer(request, {"status": "ok"}, 200)


def readyz(request: HttpRequest) -> HttpResponse:
    """200 while the process can serve reads, 503 otherwise; the body says why."""
    report = readiness()
    # The load balancer asks every few seconds: its 503s are not logged one by one.
    setattr(request, QUIET, True)
    return _answer(request, report, 200 if report["ready"] else 503)


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
]
PROBES: dict[str, Callable[[HttpRequest], HttpResponse]] = {
    f"/{pattern.pattern}": pattern.callback for pattern in urlpatterns
}


class ProbeMiddleware:
    """Answers /healthz and /readyz first of all (see the module's docstring); every other
    request goes on."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        probe = PROBES.get(request.path_info)
        if probe is None:
            return self.get_response(request)
        return probe(request)
