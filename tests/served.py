"""A real server for tests that need several processes: its own SQLite file, migrated by
`manage.py` in a subprocess (what it serves must be committed where other processes see it), and
gunicorn on a free loopback port, always stopped."""

import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


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


def server_env(database_url: str, **settings: str) -> dict[str, str]:
    """The environment of a production-like server on the database at `database_url`."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CACHE_URL"}}
    return {
        **env,
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "HTTPS": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
        **settings,
    }


def sqlite_env(database: Path, **settings: str) -> dict[str, str]:
    """The environment of a production-like server on the SQLite file `database`."""
    return server_env(f"sqlite:///{database}", **settings)


_MIGRATED: dict[str, Path] = {}


def migrated_sqlite(target: Path) -> Path:
    """`target`, a SQLite file with every migration applied: a copy of one migrated by
    `manage.py migrate` in a subprocess at this test process's first call (a migration takes
    tens of seconds; a copy, none)."""
    template = _MIGRATED.get("template")
    if template is None:
        folder = Path(tempfile.mkdtemp(prefix="powtracker-migrated-"))
        template = folder / "migrated.sqlite3"
        manage(sqlite_env(template), "migrate", "--noinput", "-v", "0")
        _MIGRATED["template"] = template
    shutil.copyfile(template, target)
    return target


def manage(env: dict[str, str], *args: str) -> str:
    """Run a management command in a subprocess; its output, or the test fails with it."""
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


@contextmanager
def gunicorn(env: dict[str, str], *options: str) -> Iterator[str]:
    """Serve powtracker with gunicorn and `options`; yields its base URL."""
    port = free_port()
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "powtracker.wsgi"),
            *("--bind", f"127.0.0.1:{port}"),
            # Its default control socket is one path per machine: parallel runs would share it.
            "--no-control-socket",
            *options,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while not reachable(("127.0.0.1", port)):
            assert server.poll() is None, server.stderr.read().decode()[-2000:]
            assert time.monotonic() < deadline, "gunicorn did not start within 60 s"
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


def call(
    method: str,
    url: str,
    *,
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, Any], bytes]:
    """One HTTP request; (status, headers, body) whatever the status."""
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})  # noqa: S310 — loopback
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def bearer(base: str, client_id: str, secret: str) -> dict[str, str]:
    """A partner's Authorization header: a token by the client-credentials grant at `base`."""
    import base64
    import json

    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    status, _, body = call(
        "POST",
        f"{base}/o/token/",
        data=b"grant_type=client_credentials",
        headers={
            "Authorization": f"Basic {basic}",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    assert status == 200, body
    return {"Authorization": f"Bearer {json.loads(body)['access_token']}"}


class TcpGate:
    """A TCP relay on a free loopback port to `upstream` (a real server: PostgreSQL, Redis):
    `cut()` drops every connection through it and refuses new ones, as a host that went down
    does; `restore()` lets them through again, on the same port."""

    def __init__(self, upstream: tuple[str, int]):
        self.upstream = upstream
        self.port = free_port()
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._listener: socket.socket | None = None

    def __enter__(self) -> "TcpGate":
        self.restore()
        return self

    def __exit__(self, *exc: object) -> None:
        self.cut()

    def restore(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        with self._lock:
            doomed = [*self._open, *([self._listener] if self._listener else [])]
            self._open.clear()
            self._listener = None
        for sock in doomed:
            # shutdown() wakes a thread blocked in accept() or recv() on it; close() alone may not.
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.upstream, timeout=5)
                server.settimeout(None)
            except OSError:
                client.close()
                continue
            with self._lock:
                if self._listener is not listener:  # cut meanwhile
                    client.close()
                    server.close()
                    return
                self._open.update({client, server})
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


def postgres_bin() -> Path | None:
    """The directory of PostgreSQL's server programs (initdb, pg_ctl…), if installed."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return found[-1].parent if found else None


def can_run_postgres() -> bool:
    """Whether this user can start PostgreSQL servers of its own: any user but root, and root
    through the `postgres` account (PostgreSQL refuses to run as root)."""
    if postgres_bin() is None:
        return False
    if os.geteuid() != 0:
        return True
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return False
    return shutil.which("runuser") is not None


def _as_postgres(*command: str) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else [*command]


@dataclass
class StreamingPair:
    """A PostgreSQL primary and its streaming replica (trust authentication, user postgres)."""

    primary_port: int
    replica_port: int
    stop_primary: Callable[[], None]


@contextmanager
def streaming_pair() -> Iterator[StreamingPair]:
    """A primary and a streaming replica of it, each a PostgreSQL server of its own on a free
    loopback port, always stopped and removed."""
    bin_dir = postgres_bin()
    assert bin_dir is not None
    # Not under pytest's tmp_path: as root, that is closed to the postgres account.
    root = Path(tempfile.mkdtemp(prefix="powtracker-pair-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
    primary, replica = root / "primary", root / "replica"
    ports = free_port(), free_port()
    running: list[Path] = []

    def run(*command: str) -> None:
        subprocess.run(_as_postgres(*command), check=True, capture_output=True, timeout=120)

    def start(data: Path) -> None:
        run(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", f"{data}.log", "-w", "start")
        running.append(data)

    def stop(data: Path) -> None:
        if data in running:
            running.remove(data)
            run(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")

    try:
        run(str(bin_dir / "initdb"), "-D", str(primary), "-A", "trust", "-U", "postgres", "-N")
        with (primary / "postgresql.conf").open("a") as conf:
            conf.write(
                f"port = {ports[0]}\nlisten_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{root}'\nwal_level = replica\nfsync = off\n"
            )
        with (primary / "pg_hba.conf").open("a") as hba:
            hba.write("host replication all 127.0.0.1/32 trust\n")
        start(primary)
        run(
            str(bin_dir / "pg_basebackup"),
            *("-h", "127.0.0.1", "-p", str(ports[0]), "-U", "postgres"),
            *("-D", str(replica), "-R", "-X", "stream"),
        )
        with (replica / "postgresql.conf").open("a") as conf:
            conf.write(f"port = {ports[1]}\n")
        start(replica)
        yield StreamingPair(ports[0], ports[1], lambda: stop(primary))
    finally:
        for data in reversed(running[:]):
            with suppress(subprocess.SubprocessError):
                stop(data)
        shutil.rmtree(root, ignore_errors=True)


def suite_database_url(port: int | None = None) -> str:
    """The suite's own PostgreSQL test database, at `port` (a relay) or where it is."""
    from django.db import connection

    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:"
        f"{port or db['PORT'] or 5432}/{db['NAME']}"
    )


def ledger_rows(database_url: str) -> int:
    """The disclosure ledger's rows in the database a server process served."""
    from partners.models import DisclosureRecord

    if not database_url.startswith("sqlite:"):
        return DisclosureRecord.objects.count()
    import sqlite3

    with sqlite3.connect(database_url.removeprefix("sqlite:///")) as db:
        return db.execute(f"SELECT count(*) FROM {DisclosureRecord._meta.db_table}").fetchone()[0]  # noqa: S608


@contextmanager
def database_copy(django_db_blocker: Any, base: Path) -> Iterator[dict[str, str]]:
    """The environment of processes (workers, servers) on a database of their own: a copy of the
    test database on PostgreSQL (dropped after), a migrated file under `base` on SQLite."""
    import psycopg
    from django.db import connection, connections

    with django_db_blocker.unblock():
        vendor = connection.vendor
    if vendor != "postgresql":
        yield sqlite_env(migrated_sqlite(base / "workers.sqlite3"))
        return
    params = connection.settings_dict
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute("SELECT current_database()")
        (source,) = cursor.fetchone()
    copy = f"{source}_workers"[:63]
    address = f"{params['USER']}@{params['HOST']}:{params['PORT'] or 5432}"
    with django_db_blocker.unblock():
        connections.close_all()  # a template may have no other session
    admin = psycopg.connect(
        host=params["HOST"],
        port=params["PORT"] or 5432,
        user=params["USER"],
        dbname="postgres",
        autocommit=True,
    )
    admin.execute(f'DROP DATABASE IF EXISTS "{copy}"')
    # A template may have no other session: an earlier test's thread (a live server's, a
    # receiver's) may have left one open and idle. It is of no use to anyone now.
    admin.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = %s AND pid <> pg_backend_pid()",
        [source],
    )
    admin.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{source}"')
    env = {k: v for k, v in os.environ.items() if k != "CACHE_URL"}
    env.update(
        DATABASE_URL=f"postgres://{address}/{copy}",
        DEBUG="false",
        HTTPS="false",
        LOG_LEVEL="WARNING",
    )
    try:
        yield env
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')
        admin.close()
