"""The three ways to PostgreSQL (README "Deploying"): straight, through PgBouncer in transaction
mode, or from psycopg's pool in threaded gunicorn workers."""

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection

from tests.served import ROOT, bearer, call, gunicorn, ledger_rows, server_env

ON_POSTGRES = connection.vendor == "postgresql"
URL = "postgres://app@db.example.org:5432/powtracker"


def configured(**env: str) -> tuple[int, Any]:
    """The primary's settings as a process started with `env` builds them."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json, django; django.setup(); from django.conf import settings;"
            "db = settings.DATABASES['replica1' if 'DATABASE_REPLICA_URLS' in __import__('os')"
            ".environ else 'default'];"
            "print(json.dumps(db, default=str))",
        ],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "powtracker.settings", "DATABASE_URL": URL, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if result.returncode:
        return result.returncode, result.stderr
    return 0, json.loads(result.stdout.strip().splitlines()[-1])


def test_straight_connections_are_kept_open_and_turn_jit_off():
    code, db = configured()

    assert code == 0, db
    assert db["CONN_MAX_AGE"] == 60
    assert db["OPTIONS"]["options"] == "-c jit=off"
    assert "pool" not in db["OPTIONS"]
    assert not db.get("DISABLE_SERVER_SIDE_CURSORS")


def test_through_pgbouncer_no_server_side_cursor_and_no_startup_options():
    code, db = configured(DATABASE_PGBOUNCER="true", DATABASE_REPLICA_URLS=URL)

    assert code == 0, db
    # Replicas are reached the same way as the primary.
    assert db["DISABLE_SERVER_SIDE_CURSORS"] is True
    assert "options" not in db["OPTIONS"]  # PgBouncer refuses them
    assert db["OPTIONS"]["connect_timeout"] == 5


def test_with_the_pool_each_process_keeps_its_own_and_nothing_else():
    code, db = configured(
        DATABASE_POOL="true", DATABASE_POOL_MAX_SIZE="3", DATABASE_POOL_TIMEOUT="4"
    )

    assert code == 0, db
    assert db["CONN_MAX_AGE"] == 0
    assert db["OPTIONS"]["pool"] == {"min_size": 2, "max_size": 3, "timeout": 4.0}
    assert db["CONN_HEALTH_CHECKS"] is True  # Django then checks each connection taken


def test_pgbouncer_and_the_pool_together_are_refused():
    code, error = configured(DATABASE_POOL="true", DATABASE_PGBOUNCER="true")

    assert code != 0
    assert "DATABASE_PGBOUNCER and DATABASE_POOL exclude each other" in error


@pytest.mark.skipif(not ON_POSTGRES, reason="psycopg's pool: PostgreSQL")
def test_threaded_workers_share_a_small_pool_and_every_read_is_served_and_ledgered(
    live_database, reader
):
    application = "powtracker-pool-test"
    env = server_env(
        f"{live_database}?application_name={application}",
        DATABASE_POOL="true",
        DATABASE_POOL_MIN_SIZE="1",
        DATABASE_POOL_MAX_SIZE="2",
    )
    with gunicorn(env, "--workers", "1", "--threads", "6") as base:
        headers = bearer(base, reader["client_id"], reader["secret"])
        with ThreadPoolExecutor(max_workers=6) as pool:
            reads = list(
                pool.map(
                    lambda _: call("GET", f"{base}/api/v1/captives/", headers=headers)[0], range(18)
                )
            )
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", [application]
            )
            opened = cursor.fetchone()[0]

    assert reads == [200] * 18
    assert ledger_rows(live_database) == 18
    # Six threads, at most two connections: the pool's, not one per thread.
    assert 1 <= opened <= 2
