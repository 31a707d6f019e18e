"""The API rate holds across processes: gunicorn with 3 workers lets exactly API_RATE through.

The server runs against its own SQLite file, migrated by `manage.py migrate` in a subprocess:
what it serves must be committed where other processes see it, which the test database's
per-test transaction is not, and a file works the same whether the suite runs on PostgreSQL or
SQLite. Each worker is recycled after a few requests (`--max-requests`), so the 12 requests are
served by at least three different processes: a per-process count would let them all through.
"""

import base64
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
REQUESTS = 12
RATE = 5
MAX_REQUESTS_PER_WORKER = 4
REDIS = ("127.0.0.1", 6379)


def reachable(address: tuple[str, int]) -> bool:
    try:
        with socket.create_connection(address, timeout=1):
            return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_env(database: Path, cache_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CACHE_URL"}}
    return {
        **env,
        "DATABASE_URL": f"sqlite:///{database}",
        "CACHE_URL": cache_url,
        "DEBUG": "false",
        "HTTPS": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "API_RATE": f"{RATE}/minute",
    }


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def database(tmp_path_factory: Any) -> tuple[Path, str, str]:
    """A migrated SQLite file with the cache table and one partner; its client id and secret."""
    path = tmp_path_factory.mktemp("throttle") / "server.sqlite3"
    env = server_env(path, "dbcache://powtracker_cache")
    manage(env, "migrate", "--noinput")
    out = manage(env, "partner_create", "Throttle probe", "--scopes", "cases:read")
    client_id = out.split("Client id:")[1].split()[0]
    secret = out.split("Client secret:")[1].split()[0]
    return path, client_id, secret


def call(url: str, *, data: bytes | None = None, headers: dict[str, str]) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=data, headers=headers)  # noqa: S310 — loopback
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.fixture
def gunicorn(database: Any, request: Any, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """Serve on a free loopback port with 3 workers; always stopped, whatever happens."""
    path, _, _ = database
    port = free_port()
    access_log = tmp_path / "access.log"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "powtracker.wsgi",
            "--workers",
            "3",
            "--bind",
            f"127.0.0.1:{port}",
            "--max-requests",
            str(MAX_REQUESTS_PER_WORKER),
            "--access-logfile",
            str(access_log),
            "--access-logformat",
            "%(p)s %(s)s %(U)s",
            # Its default control socket is one path per machine: parallel runs would share it.
            "--no-control-socket",
        ],
        cwd=ROOT,
        env=server_env(path, request.param),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not reachable(("127.0.0.1", port)):
            assert server.poll() is None, "gunicorn exited before serving"
            assert time.monotonic() < deadline, "gunicorn did not start within 60 s"
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}", access_log
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


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


@pytest.mark.parametrize("gunicorn", CACHES, indirect=True)
def test_three_workers_let_exactly_the_rate_through(gunicorn, database):
    base, access_log = gunicorn
    _, client_id, secret = database
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    status, body = call(
        f"{base}/o/token/",
        data=b"grant_type=client_credentials",
        headers={
            "Authorization": f"Basic {basic}",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    assert status == 200, body
    token = json.loads(body)["access_token"]

    statuses = [
        call(f"{base}/api/v1/captives/", headers={"Authorization": f"Bearer {token}"})[0]
        for _ in range(REQUESTS)
    ]

    assert statuses == [200] * RATE + [429] * (REQUESTS - RATE)
    deadline = time.monotonic() + 10
    while len(access_log.read_text().splitlines()) < REQUESTS + 1 and time.monotonic() < deadline:
        time.sleep(0.1)
    api_lines = [line.split() for line in access_log.read_text().splitlines() if "/api/" in line]
    assert len({pid for pid, _, _ in api_lines}) >= REQUESTS // MAX_REQUESTS_PER_WORKER
