"""The drill's installation on one machine: deploy/'s files rendered with the drill's ports and a
temporary folder, and every process they configure started as a child of the drill.

PostgreSQL runs as the `postgres` user (runuser), never as root, and so does PgBouncer (which
refuses root). Everything listens on 127.0.0.1 only, on the drill's own ports; the machine's own
PostgreSQL (5432) and services are never touched. `Stack.close()` stops every process and
removes the folder, also after a failure or Ctrl-C.
"""

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

REPO = Path(__file__).resolve().parent.parent
DEPLOY = REPO / "deploy"
PG_BIN = Path("/usr/lib/postgresql/15/bin")
PYTHON = REPO / ".venv" / "bin" / "python"
HOST = "127.0.0.1"

PORTS = {
    "primary": 5435,
    "replica": 5433,
    "restore": 5434,
    "pgbouncer": 6432,
    "app1": 8181,
    "app2": 8182,
    "front": 8080,
    "stats": 8404,
}
DB = "powtracker"
REDIS_URL = "redis://127.0.0.1:6379/9"
# Settings of the drill's own clusters only (not deploy/'s): their ports and sockets, and
# pg_stat_statements, with which the drill sees which server a read went to.
DRILL_PG_CONF = """
port = {port}
unix_socket_directories = '{socket_dir}'
shared_preload_libraries = 'pg_stat_statements'
logging_collector = off
"""


class DrillError(Exception):
    pass


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def port_busy(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((HOST, port)) == 0


def wait_for(what: str, check: Any, timeout: float = 60, every: float = 0.2) -> float:
    """Seconds until check() is true; DrillError after timeout."""
    started = time.monotonic()
    last: Exception | None = None
    while time.monotonic() - started < timeout:
        try:
            if check():
                return time.monotonic() - started
        except Exception as error:
            last = error
        time.sleep(every)
    raise DrillError(f"{what}: not within {timeout:.0f} s" + (f" ({last})" if last else ""))


def env_file_read(path: Path) -> dict[str, str]:
    """An EnvironmentFile as systemd reads ours: NAME=value lines, # comments, no expansion."""
    values = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, _, value = line.partition("=")
        values[key.strip()] = value.strip()
    return values


def unit_command(unit: Path, instance: str) -> tuple[list[str], Path, Path]:
    """The ExecStart, WorkingDirectory and EnvironmentFile of a rendered systemd unit, with its
    instance (%i) and host name (%H) put in as systemd would."""
    text = unit.read_text(encoding="utf-8")

    def one(key: str) -> str:
        match = re.search(rf"^{key}=(.*)$", text, re.MULTILINE)
        if not match:
            raise DrillError(f"{unit}: no {key}=")
        return match.group(1).replace("%i", instance).replace("%H", socket.gethostname())

    return one("ExecStart").split(), Path(one("WorkingDirectory")), Path(one("EnvironmentFile"))


@dataclass
class Child:
    name: str
    process: subprocess.Popen
    log_path: Path


@dataclass
class Stack:
    short: bool
    root: Path = field(init=False)
    children: dict[str, Child] = field(default_factory=dict)
    clusters: dict[str, Path] = field(default_factory=dict)
    passwords: dict[str, str] = field(default_factory=dict)
    redis_prefix: str = field(default_factory=lambda: f"powtracker-drill-{secrets.token_hex(4)}")
    env: dict[str, str] = field(default_factory=dict)
    # name -> (how to start it, RestartSec): processes whose unit says Restart=always.
    restart: dict[str, tuple[Any, float]] = field(default_factory=dict)
    restarts: dict[str, int] = field(default_factory=dict)
    closing: threading.Event = field(default_factory=threading.Event)

    # --- the folder and the rendered files -----------------------------------------------------

    def __post_init__(self) -> None:
        busy = [f"{name} {port}" for name, port in PORTS.items() if port_busy(port)]
        if busy:
            raise DrillError(f"ports in use (another drill running?): {', '.join(busy)}")
        # Under /tmp, readable by postgres (which writes its own folders inside).
        self.root = Path(tempfile.mkdtemp(prefix="powtracker-drill-", dir="/tmp"))
        self.root.chmod(0o755)
        for sub in ("pg", "run", "log", "pgbackrest", "pgbackrest/repo", "pgbackrest/lock"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
            shutil.chown(self.root / sub, "postgres", "postgres")
        (self.root / "log").chmod(0o777)
        self.passwords = {
            "powtracker": secrets.token_urlsafe(18),
            "replicator": secrets.token_urlsafe(18),
        }
        log(f"drill folder {self.root}")

    def site_values(self, role: str) -> dict[str, str]:
        """deploy/site.example.env's values for this machine, for the host of one cluster:
        `main` (the primary and every other service), `replica` and `restore` differ only in
        the cluster they hold (its data folder and port) and so in their pgBackRest file."""
        port = {"main": PORTS["primary"], "replica": PORTS["replica"], "restore": PORTS["restore"]}
        cluster = {"main": "primary", "replica": "replica", "restore": "restore"}[role]
        conf = self.root / "conf" / role
        return {
            "APP_DIR": str(REPO),
            "APP_USER": "root",
            "ENV_FILE": str(self.root / "powtracker.env"),
            "APP_BIND_HOST": HOST,
            "APP1": f"{HOST}:{PORTS['app1']}",
            "APP2": f"{HOST}:{PORTS['app2']}",
            "HEALTH_HOST": "localhost",
            "FRONT_BIND": f"{HOST}:{PORTS['front']}",
            "STATS_BIND": f"{HOST}:{PORTS['stats']}",
            "HAPROXY_DIR": str(conf / "haproxy"),
            "PGBOUNCER_LISTEN": HOST,
            "PGBOUNCER_PORT": str(PORTS["pgbouncer"]),
            "PGBOUNCER_DIR": str(conf / "pgbouncer"),
            "PGBOUNCER_SOCKET_DIR": str(self.root / "run"),
            "PGBOUNCER_LOG": str(self.root / "log" / "pgbouncer.log"),
            "PGBOUNCER_PID": str(self.root / "run" / "pgbouncer.pid"),
            "DB_NAME": DB,
            "PRIMARY_HOST": HOST,
            "PRIMARY_PORT": str(PORTS["primary"]),
            "REPLICA_HOST": HOST,
            "REPLICA_PORT": str(PORTS["replica"]),
            "PG_DATA": str(self.root / "pg" / cluster),
            "PG_PORT": str(port[role]),
            "PG_LISTEN": HOST,
            "APP_NETWORK": f"{HOST}/32",
            "REPLICA_NETWORK": f"{HOST}/32",
            "SYNC_STANDBYS": "replica1",
            "PGBACKREST_CONFIG": str(conf / "pgbackrest" / "pgbackrest.conf"),
            "STANZA": DB,
            "PGBACKREST_REPO": str(self.root / "pgbackrest" / "repo"),
            "PGBACKREST_LOG": str(self.root / "log"),
            "PGBACKREST_LOCK": str(self.root / "pgbackrest" / "lock"),
            "PG_SOCKET_DIR": str(self.root / "run"),
        }

    def render(self) -> None:
        """deploy/render.py, once per host role, into conf/<role>/ (deploy/'s layout)."""
        for role in ("main", "replica", "restore"):
            values = self.root / f"site-{role}.env"
            values.write_text(
                "".join(f"{k}={v}\n" for k, v in self.site_values(role).items()), encoding="utf-8"
            )
            out = self.root / "conf" / role
            self.run(
                [
                    str(PYTHON),
                    str(DEPLOY / "render.py"),
                    "--values",
                    str(values),
                    "--out",
                    str(out),
                ],
                quiet=True,
            )
            # Owner postgres: pgBackRest's and PgBouncer's files (deploy/README: mode 0640).
            for sub in ("pgbackrest", "pgbouncer"):
                for path in [out / sub, *(out / sub).iterdir()]:
                    shutil.chown(path, "postgres", "postgres")
        self.conf = self.root / "conf" / "main"
        self.env_write()

    def env_write(self) -> None:
        """deploy/powtracker.env.example, with the drill's values: the environment file every
        unit reads."""
        example = env_file_read(DEPLOY / "powtracker.env.example")
        password = self.passwords["powtracker"]
        bouncer = f"{HOST}:{PORTS['pgbouncer']}"
        overrides = {
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "localhost,127.0.0.1",
            "CSRF_TRUSTED_ORIGINS": f"http://127.0.0.1:{PORTS['front']},http://localhost:{PORTS['front']}",
            "DEBUG": "false",
            "DATABASE_URL": f"postgres://powtracker:{password}@{bouncer}/{DB}",
            "DATABASE_PGBOUNCER": "true",
            "DATABASE_POOL": "false",
            "DATABASE_REPLICA_URLS": f"postgres://powtracker:{password}@{bouncer}/{DB}_replica1",
            "CACHE_URL": f"{REDIS_URL}?key_prefix={self.redis_prefix}",
            "TRUSTED_PROXIES": "127.0.0.1",
            # No TLS in the drill: HAProxy listens in plain HTTP on 127.0.0.1.
            "BEHIND_TLS_PROXY": "false",
            "HTTPS": "false",
            "SECURE_HSTS_SECONDS": "0",
            # Two cores: one process of four threads per app server.
            "GUNICORN_WORKERS": "1",
            "GUNICORN_THREADS": "4",
            # A killed worker's job is handed back within half a minute, not two (the lease is
            # renewed at each chunk of rows written, which takes seconds on a busy machine), and
            # tried again at once rather than after the retry's back-off.
            "JOB_LEASE_SECONDS": "30",
            "JOB_HEARTBEAT_SECONDS": "2",
            "JOB_REAP_SECONDS": "2",
            "JOB_RETRY_SECONDS": "1",
            "API_RATE": "100000/minute",
            "DEMO_PASSWORD": "powtracker-drill",
            "LOG_LEVEL": "WARNING",
        }
        # Every variable the drill sets is one the template documents (DEMO_PASSWORD: commented).
        missing = sorted(set(overrides) - set(example) - {"DEMO_PASSWORD"})
        if missing:
            raise DrillError(f"deploy/powtracker.env.example lacks {', '.join(missing)}")
        example.update(overrides)
        path = self.root / "powtracker.env"
        path.write_text("".join(f"{k}={v}\n" for k, v in example.items()), encoding="utf-8")
        path.chmod(0o600)
        self.env = example

    def app_env(self, env_file: Path | None = None, **extra: str) -> dict[str, str]:
        """The environment of an app process: the unit's EnvironmentFile, as systemd reads it."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "CACHE_"))}
        env.update(env_file_read(env_file or self.root / "powtracker.env"))
        env.update(extra)
        return env

    def direct_url(self, port: int | None = None, user: str = "powtracker") -> str:
        """A URL straight to a cluster (management commands: migrate, loaders, checks)."""
        return f"postgres://{user}:{self.passwords[user]}@{HOST}:{port or PORTS['primary']}/{DB}"

    # --- processes ---------------------------------------------------------------------------

    def run(
        self,
        command: list[str],
        *,
        as_postgres: bool = False,
        quiet: bool = False,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
        check: bool = True,
        timeout: float = 900,
    ) -> subprocess.CompletedProcess:
        if as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(
            command,
            capture_output=True,
            text=True,
            env=env,
            cwd=cwd or self.root,
            timeout=timeout,
            check=False,
        )
        if check and result.returncode != 0:
            raise DrillError(
                f"{' '.join(command)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
            )
        if not quiet and result.stdout.strip():
            print(result.stdout.rstrip())
        return result

    def spawn(
        self,
        name: str,
        command: list[str],
        *,
        as_postgres: bool = False,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
    ) -> Child:
        if as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        log_path = self.root / "log" / f"{name}.out"
        handle = log_path.open("ab")
        process = subprocess.Popen(
            command,
            stdout=handle,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=cwd or self.root,
            start_new_session=True,
        )
        handle.close()
        child = Child(name, process, log_path)
        self.children[name] = child
        return child

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """A signal to a child's whole process group (runuser and what it started)."""
        child = self.children.get(name)
        if child is None or child.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.process.pid, sig)

    def stop(self, name: str, timeout: float = 15) -> None:
        child = self.children.get(name)
        if child is None:
            return
        self.kill(name, signal.SIGTERM)
        try:
            child.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill(name, signal.SIGKILL)
            child.process.wait(5)

    def alive(self, name: str) -> bool:
        child = self.children.get(name)
        return child is not None and child.process.poll() is None

    def tail(self, name: str, lines: int = 30) -> str:
        child = self.children.get(name)
        path = child.log_path if child else self.root / "log" / f"{name}.out"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    # --- PostgreSQL ----------------------------------------------------------------------------

    def pg_conf(self, name: str, port: int) -> None:
        """deploy/'s PostgreSQL files into a cluster made here, as Debian's conf.d/ holds them,
        and pg_hba.conf: the drill's own local line, then deploy/'s lines."""
        data = self.clusters[name]
        conf_d = data / "conf.d"
        conf_d.mkdir(exist_ok=True)
        shutil.copy(self.conf / "postgresql" / "powtracker.conf", conf_d / "powtracker.conf")
        (conf_d / "zz-drill.conf").write_text(
            DRILL_PG_CONF.format(port=port, socket_dir=self.root / "run"), encoding="utf-8"
        )
        with (data / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write("\ninclude_dir = 'conf.d'\n")
        hba = (self.conf / "postgresql" / "pg_hba.conf.append").read_text(encoding="utf-8")
        (data / "pg_hba.conf").write_text(
            "# The drill's own administration: postgres on the drill's private socket.\n"
            "local   all             postgres                                trust\n"
            "local   replication     postgres                                trust\n" + hba,
            encoding="utf-8",
        )
        self.run(["chown", "-R", "postgres:postgres", str(data)])

    def pg_start(self, name: str, *extra: str) -> None:
        data = self.clusters[name]
        self.spawn(
            f"postgres-{name}",
            [str(PG_BIN / "postgres"), "-D", str(data), *extra],
            as_postgres=True,
        )
        port = PORTS[name] if name in PORTS else int(extra[extra.index("-p") + 1])
        wait_for(f"PostgreSQL {name}", lambda: self.pg_ready(port), timeout=90)

    def pg_ready(self, port: int) -> bool:
        result = subprocess.run(
            [
                str(PG_BIN / "pg_isready"),
                "-q",
                "-h",
                str(self.root / "run"),
                "-p",
                str(port),
                "-U",
                "postgres",
                "-d",
                "postgres",
            ],
            check=False,
        )
        return result.returncode == 0

    def pg_stop(self, name: str, mode: str = "fast") -> None:
        data = self.clusters.get(name)
        if data is None or not (data / "postmaster.pid").exists():
            return
        self.run(
            [str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", mode, "-w", "-t", "60", "stop"],
            as_postgres=True,
            quiet=True,
            check=False,
        )
        child = self.children.get(f"postgres-{name}")
        if child:
            try:
                child.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill(f"postgres-{name}")

    def sql(
        self, port: int, query: str, params: Any = None, *, db: str = DB, autocommit: bool = True
    ) -> list[tuple]:
        """As postgres, on the drill's socket (administration and counting)."""
        with psycopg.connect(
            host=str(self.root / "run"),
            port=port,
            user="postgres",
            dbname=db,
            autocommit=autocommit,
            connect_timeout=5,
        ) as connection:
            cursor = connection.execute(query, params)
            return cursor.fetchall() if cursor.description else []

    def primary_init(self) -> None:
        data = self.root / "pg" / "primary"
        self.clusters["primary"] = data
        self.run(
            [
                str(PG_BIN / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "--auth-local=trust",
                "--auth-host=reject",
            ],
            as_postgres=True,
            quiet=True,
        )
        self.pg_conf("primary", PORTS["primary"])
        self.pg_start("primary")
        port = PORTS["primary"]
        # token_urlsafe passwords hold no quote.
        self.sql(
            port,
            f"CREATE ROLE powtracker LOGIN PASSWORD '{self.passwords['powtracker']}'",
            db="postgres",
        )
        self.sql(
            port,
            f"CREATE ROLE replicator LOGIN REPLICATION PASSWORD '{self.passwords['replicator']}'",
            db="postgres",
        )
        self.sql(port, f"CREATE DATABASE {DB} OWNER powtracker", db="postgres")

    def userlist_write(self) -> None:
        """PgBouncer's userlist.txt as deploy/pgbouncer/userlist.txt.example says: the SCRAM
        secret PostgreSQL keeps."""
        rows = self.sql(
            PORTS["primary"],
            'SELECT format(\'"%s" "%s"\', rolname, rolpassword) FROM pg_authid '
            "WHERE rolname = 'powtracker'",
        )
        path = self.conf / "pgbouncer" / "userlist.txt"
        path.write_text(rows[0][0] + "\n", encoding="utf-8")
        path.chmod(0o640)
        shutil.chown(path, "postgres", "postgres")

    def replica_init(self) -> None:
        """pg_basebackup as replica.conf's comment says (slot, -R, application_name)."""
        data = self.root / "pg" / "replica"
        self.clusters["replica"] = data
        pgpass = self.root / "run" / "pgpass"
        pgpass.write_text(f"{HOST}:*:*:replicator:{self.passwords['replicator']}\n")
        pgpass.chmod(0o600)
        shutil.chown(pgpass, "postgres", "postgres")
        self.run(
            [
                "env",
                f"PGPASSFILE={pgpass}",
                str(PG_BIN / "pg_basebackup"),
                "-h",
                HOST,
                "-p",
                str(PORTS["primary"]),
                "-U",
                "replicator",
                "-D",
                str(data),
                "-R",
                "-C",
                "-S",
                "replica1",
                "-X",
                "stream",
                "-c",
                "fast",
                "-d",
                "application_name=replica1",
            ],
            as_postgres=True,
            quiet=True,
        )
        # The copy holds the primary's conf.d: the replica's own port, and replica.conf.
        (data / "conf.d" / "zz-drill.conf").write_text(
            DRILL_PG_CONF.format(port=PORTS["replica"], socket_dir=self.root / "run"),
            encoding="utf-8",
        )
        replica_conf = self.root / "conf" / "replica"
        shutil.copy(replica_conf / "postgresql" / "replica.conf", data / "conf.d" / "replica.conf")
        # The replica host's own powtracker.conf (its archive_command names its pgBackRest file).
        shutil.copy(
            replica_conf / "postgresql" / "powtracker.conf", data / "conf.d" / "powtracker.conf"
        )
        # primary_conninfo (written by -R) carries the password file the drill used.
        auto = data / "postgresql.auto.conf"
        auto.write_text(
            auto.read_text().replace(
                "primary_conninfo = '", f"primary_conninfo = 'passfile=''{pgpass}'' "
            )
        )
        self.run(["chown", "-R", "postgres:postgres", str(data)])
        self.pg_start("replica")

    def replica_caught_up(self) -> bool:
        primary = self.sql(PORTS["primary"], "SELECT pg_current_wal_lsn()")[0][0]
        return bool(
            self.sql(PORTS["replica"], "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [primary])[
                0
            ][0]
        )

    # --- pgBackRest ----------------------------------------------------------------------------

    def pgbackrest(self, role: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        config = self.root / "conf" / role / "pgbackrest" / "pgbackrest.conf"
        return self.run(
            ["pgbackrest", f"--config={config}", f"--stanza={DB}", *args],
            as_postgres=True,
            quiet=True,
            check=check,
        )

    # --- the services ------------------------------------------------------------------------

    def pgbouncer_start(self) -> None:
        self.userlist_write()
        ini = self.conf / "pgbouncer" / "pgbouncer.ini"
        self.spawn("pgbouncer", ["pgbouncer", str(ini)], as_postgres=True)
        wait_for("PgBouncer", lambda: port_busy(PORTS["pgbouncer"]), timeout=20)

    def app_start(self, name: str) -> None:
        port = PORTS[name]
        command, cwd, env_file = unit_command(
            self.conf / "systemd" / "powtracker-web@.service", str(port)
        )
        self.spawn(name, command, env=self.app_env(env_file=env_file), cwd=cwd)

    def worker_start(self, name: str = "worker") -> None:
        """The worker unit's command. Its Restart=always is kept as systemd would: a worker
        that exits (killed, or its database gone at start) is started again after RestartSec."""
        unit = self.conf / "systemd" / "powtracker-worker@.service"
        command, cwd, env_file = unit_command(unit, name)
        self.spawn(name, command, env=self.app_env(env_file=env_file), cwd=cwd)
        text = unit.read_text(encoding="utf-8")
        if "Restart=always" in text and name not in self.restart:
            delay = float(re.search(r"^RestartSec=(\d+)", text, re.M).group(1))  # type: ignore[union-attr]
            self.restart[name] = (lambda: self.worker_start(name), delay)
            threading.Thread(target=self.watch, args=(name,), daemon=True).start()

    def watch(self, name: str) -> None:
        while not self.closing.wait(0.5):
            child = self.children.get(name)
            if child is None or child.process.poll() is None:
                continue
            start, delay = self.restart[name]
            log(
                f"  {name} exited ({child.process.returncode}); started again after {delay:.0f} s "
                "(its unit's Restart=always)"
            )
            if self.closing.wait(delay):
                return
            self.restarts[name] = self.restarts.get(name, 0) + 1
            start()

    def haproxy_start(self) -> None:
        cfg = self.conf / "haproxy" / "haproxy.cfg"
        self.run(["haproxy", "-c", "-q", "-f", str(cfg)], quiet=True)
        self.spawn("haproxy", ["haproxy", "-db", "-f", str(cfg)])
        wait_for("HAProxy", lambda: port_busy(PORTS["front"]), timeout=20)

    def manage(
        self,
        *args: str,
        port: int | None = None,
        quiet: bool = False,
        check: bool = True,
        timeout: float = 900,
    ) -> subprocess.CompletedProcess:
        """manage.py straight to a cluster (not through PgBouncer: commands that run long)."""
        env = self.app_env(
            DATABASE_URL=self.direct_url(port), DATABASE_REPLICA_URLS="", DATABASE_PGBOUNCER="false"
        )
        return self.run(
            [str(PYTHON), "manage.py", *args],
            env=env,
            cwd=REPO,
            quiet=quiet,
            check=check,
            timeout=timeout,
        )

    # --- the end -------------------------------------------------------------------------------

    def close(self, keep: bool = False) -> None:
        log("cleaning up: every process and the drill folder")
        self.closing.set()
        # TERM to every service at once (gunicorn would wait graceful_timeout for requests in
        # flight: 5 s is enough here), KILL what remains; PostgreSQL stopped immediately.
        services = [n for n in self.children if not n.startswith("postgres-") and self.alive(n)]
        for name in services:
            self.kill(name, signal.SIGTERM)
        deadline = time.monotonic() + 5
        for name in services:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.children[name].process.wait(max(0.1, deadline - time.monotonic()))
            self.kill(name, signal.SIGKILL)
        for name in list(self.clusters):
            self.pg_stop(name, mode="immediate")
        for name in list(self.children):
            self.kill(name, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.children[name].process.wait(5)
        try:
            import redis

            client = redis.Redis.from_url(REDIS_URL)
            keys = list(client.scan_iter(f"*{self.redis_prefix}*", count=1000))
            if keys:
                client.delete(*keys)
        except Exception as error:
            print(f"(Redis keys of {self.redis_prefix} not removed: {error})", file=sys.stderr)
        if keep:
            log(f"kept {self.root} (DRILL_KEEP)")
        else:
            shutil.rmtree(self.root, ignore_errors=True)


def json_get(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None
