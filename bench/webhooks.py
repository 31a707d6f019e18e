"""Benchmark of the webhooks: what the outbox costs a write, and how fast real workers deliver.

On PostgreSQL only. It makes a database of its own beside the one DATABASE_URL names (that
name + `_webhooks`, on the same server; dropped and made again if a killed run left it),
migrates it, and drops it at the end (`--keep` keeps it). Nothing is written to the database
DATABASE_URL names. In it: two states, three partners that see the same captives at the full
level — the UKR agency (his detaining power), the PRK agency (his power: hostile to him, so it
is never told of his wishes) and a tracing agency the cases are shared with — and fictional
captives held by UKR.

1. The outbox's cost on a write. One custody event (cases.services.custody_event_record) and
   one wish statement (cases.services.wish_statement_record) per round, as a caseworker, for
   200 rounds on each side: measured with an endpoint of each of the three partners
   subscribed, against the baseline with no endpoint receiving (the same three, disabled as a
   supervisor disables them: webhooks.outbox.receiving_endpoints() finds none, as with none).
   The two sides write to two pools of captives made alike, with the same timestamps, in
   alternating blocks of 10 rounds (so a slow moment of the machine weighs on both); after
   timing, three rounds more of each side are run inside CaptureQueriesContext for the
   queries per write, and the outbox writer's own share of them. The rows each side wrote
   (custody events, wish statements, obligations, history) are compared before the ratio is
   printed ("same work: yes"), with how many notifications each write produced.
   Then the writer alone (webhooks.outbox.notifications_write, one captive announced, each
   call rolled back) with the endpoints of 0, 1, 3 and 9 partners receiving; and the sender's
   cost per delivery, in this process (webhooks.delivery.endpoint_deliver_due against a
   receiver on 127.0.0.1): ms and queries per delivery.
2. 1,000 changes delivered to 3 endpoints by 2 workers: two real `manage.py db_worker`
   processes (the production options; WEBHOOK_ALLOW_HTTP and WEBHOOK_ALLOW_PRIVATE_NETWORKS
   true in their environment) and three receivers on 127.0.0.1 (http.server threads in this
   process, answering 204). The workers are started first and left idle until they are up;
   then a separate process makes the 1,000 changes WHILE THEY RUN: cases.services.captive_update
   of a rank, one service each, round-robin over 50 captives (`--changes-first` makes them
   before the workers start instead, a backlog, and adds the time from the workers up).
   Reported: the time from the first change's commit to the last delivery received,
   deliveries/s, how long making the changes took and how long after the last commit the last
   delivery came, and the lag of each delivery after the change it tells of (receipt − the
   version's time in the payload).
   Every delivery is verified with `standardwebhooks` (each endpoint's secret): 3,000 in all,
   every webhook-id unique per endpoint, and each endpoint's in the order of its notifications.
3. The same with one endpoint answering 500 (WEBHOOK_RETRY_SCHEDULE="1,2,4" in the workers'
   environment, for both runs): the time until the two good endpoints have all their 1,000
   each, beside run 2's, and how many attempts the failing endpoint got (its first
   notification: at once, then after 1, 2 and 4 s; then the schedule is spent and the
   endpoint is disabled).

At most one heavy process tree at a time: this process, its two workers and its producer.
About 4 minutes on a 2-core machine (40 s of them migrating), most of it making the changes.

Usage:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pt_yours python bench/webhooks.py
    … [--rounds 200] [--changes 1000] [--changes-first] [--keep] [--template DB]
`--template DB` copies DB (a migrated database with nothing in it) instead of migrating.
Not a test: the numbers depend on the machine. Exit status 1 if a check fails.
"""

import argparse
import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "powtracker.settings")

# The workers' and this process's settings for deliveries to loopback over plain http.
WEBHOOK_SETTINGS = {
    "WEBHOOK_ALLOW_HTTP": "true",
    "WEBHOOK_ALLOW_PRIVATE_NETWORKS": "true",
    "WEBHOOK_RETRY_SCHEDULE": "1,2,4",
    "PUBLIC_URL": "https://powtracker.test",
}
PRODUCING = "--produce" in sys.argv


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200, help="writes of each kind per side")
    parser.add_argument("--changes", type=int, default=1000, help="changes of runs 2 and 3")
    parser.add_argument("--keep", action="store_true", help="keep the database at the end")
    parser.add_argument("--template", help="copy this migrated, empty database, not migrate")
    parser.add_argument(
        "--changes-first",
        action="store_true",
        help="make runs 2 and 3's changes before their workers start (a backlog), not while",
    )
    # The producer's mode (a process of its own, started by the runs).
    parser.add_argument("--produce", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--tag", default="", help=argparse.SUPPRESS)
    parser.add_argument("--captives", default="", help=argparse.SUPPRESS)
    return parser.parse_args()


OPTIONS = _options()


# --- the database of its own ---------------------------------------------------------------------


def _url_with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def database_make(url: str, template: str | None) -> tuple[str, str]:
    """Make this benchmark's database beside the one `url` names; its name and URL."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        sys.exit(
            "bench/webhooks.py measures PostgreSQL: set DATABASE_URL to a PostgreSQL database of "
            "yours (it makes one of its own beside it, and drops it at the end)."
        )
    name = (parts.path.lstrip("/") or "powtracker") + "_webhooks"
    with psycopg.connect(_url_with_database(url, "postgres"), autocommit=True) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        if template:
            admin.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                    sql.Identifier(name), sql.Identifier(template)
                )
            )
        else:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    own = _url_with_database(url, name)
    if not template:
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": own},
            check=True,
            stdout=subprocess.DEVNULL,
        )
        print(f"database {name}: made and migrated in {time.perf_counter() - started:.0f} s")
    return name, own


def database_drop(url: str, name: str) -> None:
    with psycopg.connect(_url_with_database(url, "postgres"), autocommit=True) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


if PRODUCING:
    DATABASE: tuple[str, str] | None = None
else:
    given = os.environ.get("DATABASE_URL", "")
    if not given:
        sys.exit("bench/webhooks.py needs DATABASE_URL: a PostgreSQL database of yours.")
    DATABASE = database_make(given, OPTIONS.template)
    os.environ["DATABASE_URL"] = DATABASE[1]
    os.environ.update(WEBHOOK_SETTINGS)

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from standardwebhooks import Webhook  # noqa: E402

from bench.common import Row, percentile, report  # noqa: E402
from cases.choices import CustodyEventKind, Wish, WishMode  # noqa: E402
from cases.models import Captive, CustodyEvent, Obligation, WishStatement  # noqa: E402
from cases.services import (  # noqa: E402
    captive_register,
    captive_update,
    custody_event_record,
    wish_statement_record,
)
from partners.choices import DisclosureLevel, PartnerKind  # noqa: E402
from partners.models import Partner  # noqa: E402
from partners.services import case_share_grant, partner_create  # noqa: E402
from powtracker import outbox as core_outbox  # noqa: E402
from powtracker.outbox import Announcement  # noqa: E402
from powtracker.roles import ROLE_CASEWORKER  # noqa: E402
from states.models import State  # noqa: E402
from webhooks.delivery import SENDER_SECONDS, endpoint_deliver_due  # noqa: E402
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint  # noqa: E402
from webhooks.outbox import notifications_write, receiving_endpoints  # noqa: E402
from webhooks.services import webhook_endpoint_change, webhook_subscribe  # noqa: E402

# Transaction brackets CaptureQueriesContext lists among the queries: not counted as queries.
BRACKETS = frozenset({"BEGIN", "COMMIT", "ROLLBACK"})
BLOCK = 10  # rounds per side before the sides swap
POOL = 40  # captives per side of the write benchmark
CHANGED = 50  # captives the runs' changes go round
WORKERS = 2
ENDPOINT_NAMES = ("UKR", "PRK", "ICRC")  # whose each run's endpoints are, in order (subscribe)
DELIVERY_TIMEOUT = 180.0  # seconds a run waits for its deliveries
# Run 3 counts as not held back if its good endpoints finish within this of run 2's time.
HELD_BACK_TOLERANCE = (1.25, 2.0)  # × run 2, + seconds


# --- receivers ---------------------------------------------------------------------------------


@dataclass
class Received:
    at: float  # time.time() when the body was read
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """A partner's receiver on 127.0.0.1: records each request and answers `status`."""

    status: int = 204
    requests: list[Received] = field(default_factory=list)
    port: int = 0
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"


@contextmanager
def receiving(*statuses: int) -> Iterator[list[Receiver]]:
    receivers = [Receiver(status=status) for status in statuses]
    for receiver in receivers:
        lock = threading.Lock()

        def handler(receiver: Receiver = receiver, lock: threading.Lock = lock) -> type:
            class Handler(BaseHTTPRequestHandler):
                def do_POST(self) -> None:
                    length = int(self.headers.get("Content-Length") or 0)
                    body = self.rfile.read(length)
                    received = Received(
                        time.time(), {k.lower(): v for k, v in self.headers.items()}, body
                    )
                    with lock:
                        receiver.requests.append(received)
                    self.send_response(receiver.status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()

                def log_message(self, *args: Any) -> None:
                    pass

            return Handler

        receiver.server = ThreadingHTTPServer(("127.0.0.1", 0), handler())
        receiver.server.daemon_threads = True
        receiver.port = receiver.server.server_address[1]
        threading.Thread(target=receiver.server.serve_forever, daemon=True).start()
    try:
        yield receivers
    finally:
        for receiver in receivers:
            assert receiver.server is not None
            receiver.server.shutdown()
            receiver.server.server_close()


# --- the world ---------------------------------------------------------------------------------


@dataclass
class World:
    caseworker: Any
    ukr: State
    partners: dict[str, Partner]  # UKR, PRK (hostile to the captives), ICRC
    warmup: list[Captive]
    baseline: list[Captive]
    measured: list[Captive]
    changed: list[Captive]


def caseworker_user() -> Any:
    person = get_user_model().objects.create(username="bench-webhooks", is_staff=True)
    person.set_unusable_password()
    person.save()
    person.groups.add(Group.objects.get(name=ROLE_CASEWORKER))
    person = get_user_model().objects.get(pk=person.pk)
    # Read once and cached, as in a signed-in session.
    person.has_perm("cases.add_custodyevent")
    return person


def world_make() -> World:
    ukr = State.objects.create(code="UKR", name="Ukraine", language="uk")
    prk = State.objects.create(
        code="PRK", name="Democratic People's Republic of Korea", language="ko"
    )
    caseworker = caseworker_user()
    scopes = ["cases:read", "wishes:read", "webhooks:manage"]
    partners = {
        code: partner_create(
            acting_user=None,
            name=name,
            kind=kind,
            state=state,
            scopes=scopes,
            default_level=DisclosureLevel.FULL,
        )[0]
        for code, name, kind, state in [
            ("UKR", "UKR agency (bench)", PartnerKind.STATE_AGENCY, ukr),
            ("PRK", "PRK agency (bench)", PartnerKind.STATE_AGENCY, prk),
            ("ICRC", "Tracing agency (bench)", PartnerKind.TRACING_AGENCY, None),
        ]
    }

    def captives(count: int, label: str) -> list[Captive]:
        made = []
        for n in range(count):
            captive = captive_register(
                acting_user=caseworker,
                detaining_power=ukr,
                nationality=prk,
                power_depended_on=prk,
                captured_on=date(2025, 1, 5),
                family_name=f"Kim {label} {n}",
                rank="Private",
                fictional=True,
            )
            # The tracing agency speaks for no state: it sees what the bureau shares with it.
            case_share_grant(
                acting_user=None,
                partner=partners["ICRC"],
                captive=captive,
                level=DisclosureLevel.FULL,
                reason="Tracing (benchmark)",
            )
            made.append(captive)
        return made

    return World(
        caseworker=caseworker,
        ukr=ukr,
        partners=partners,
        warmup=captives(4, "warm-up"),
        baseline=captives(POOL, "baseline"),
        measured=captives(POOL, "measured"),
        changed=captives(CHANGED, "changed"),
    )


def subscribe(world: World, urls: list[str]) -> list[tuple[WebhookEndpoint, str]]:
    """An endpoint of each partner (UKR, PRK, ICRC in turn) at each URL; with its secret."""
    return [
        webhook_subscribe(acting_user=None, partner=world.partners[ENDPOINT_NAMES[n % 3]], url=url)
        for n, url in enumerate(urls)
    ]


def endpoints_enable(endpoints: list[WebhookEndpoint], enabled: bool) -> None:
    for endpoint in endpoints:
        webhook_endpoint_change(acting_user=None, endpoint=endpoint, enabled=enabled)


# --- 1. the outbox's cost on a write -------------------------------------------------------------


@dataclass
class WriterCall:
    """One call of the outbox's writers: its whole time, and each query it ran with its time."""

    ms: float = 0.0
    queries: list[tuple[str, float]] = field(default_factory=list)

    @property
    def database_ms(self) -> float:
        return sum(ms for _sql, ms in self.queries)


@contextmanager
def writer_watched(calls: list[WriterCall]) -> Iterator[None]:
    """While it lasts, each call of the outbox's writers (powtracker.outbox) is timed, and so is
    each of its queries (a benchmark's instrument: the writers themselves are not changed)."""
    original = list(core_outbox._writers)

    def watched(writer: Callable[[list[Any]], None]) -> Callable[[list[Any]], None]:
        def run(announcements: list[Any]) -> None:
            call = WriterCall()

            def timed(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
                started = time.perf_counter()
                try:
                    return execute(sql, params, many, context)
                finally:
                    call.queries.append((sql, (time.perf_counter() - started) * 1000))

            started = time.perf_counter()
            with connection.execute_wrapper(timed):
                writer(announcements)
            call.ms = (time.perf_counter() - started) * 1000
            calls.append(call)

        return run

    core_outbox._writers[:] = [watched(w) for w in original]
    try:
        yield
    finally:
        core_outbox._writers[:] = original


class Writes:
    """The two writes of a round, on one captive, at the round's own time."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.base = timezone.now() - timedelta(days=20)

    def custody(self, captive: Captive, index: int) -> None:
        custody_event_record(
            acting_user=self.world.caseworker,
            captive=captive,
            kind=CustodyEventKind.INTERNED,
            occurred_at=self.base + timedelta(hours=index),
            place=f"Camp {index % 7}",
            custodian=self.world.ukr,
        )

    def wish(self, captive: Captive, index: int) -> None:
        wish_statement_record(
            acting_user=self.world.caseworker,
            captive=captive,
            wish=Wish.RETURN if index % 2 else Wish.REMAIN,
            stated_at=self.base + timedelta(hours=index, minutes=30),
            mode=WishMode.CASEWORKER_INTERVIEW,
        )


def rows_written(captives: list[Captive]) -> dict[str, int]:
    ids = [c.pk for c in captives]
    return {
        "custody events": CustodyEvent.objects.filter(captive_id__in=ids).count(),
        "wish statements": WishStatement.objects.filter(captive_id__in=ids).count(),
        "obligations": Obligation.objects.filter(captive_id__in=ids).count(),
        "captive history rows": Captive.history.filter(id__in=ids).count(),
    }


def write_cost(world: World, rounds: int, endpoints: list[WebhookEndpoint]) -> dict[str, Any]:
    writes = Writes(world)
    times: dict[tuple[str, str], list[float]] = {
        (side, kind): [] for side in ("baseline", "measured") for kind in ("custody", "wish")
    }
    told: dict[tuple[str, str], Counter[int]] = {key: Counter() for key in times}
    receiving: dict[str, set[int]] = {"baseline": set(), "measured": set()}
    pools = {"baseline": world.baseline, "measured": world.measured}
    enabled = True

    def side_set(side: str) -> None:
        nonlocal enabled
        if enabled != (side == "measured"):
            enabled = side == "measured"
            endpoints_enable(endpoints, enabled)
        receiving[side].add(len(receiving_endpoints()))

    # Warm-up on captives of their own, each side.
    for side in ("baseline", "measured"):
        side_set(side)
        for n, captive in enumerate(world.warmup):
            writes.custody(captive, 2 * n + (side == "measured"))
            writes.wish(captive, 2 * n + (side == "measured"))

    def round_of(side: str, index: int) -> None:
        pool = pools[side]
        captive = pool[index % len(pool)]
        for kind, write in (("custody", writes.custody), ("wish", writes.wish)):
            before = WebhookDelivery.objects.count()
            started = time.perf_counter()
            write(captive, index // len(pool))
            times[(side, kind)].append((time.perf_counter() - started) * 1000)
            told[(side, kind)][WebhookDelivery.objects.count() - before] += 1

    for block in range(0, rounds, BLOCK):
        order = ("baseline", "measured") if (block // BLOCK) % 2 == 0 else ("measured", "baseline")
        for side in order:
            side_set(side)
            for index in range(block, min(block + BLOCK, rounds)):
                round_of(side, index)

    # The queries of three rounds more on each side, and the outbox writer's share of them.
    queries: dict[tuple[str, str], list[int]] = {key: [] for key in times}
    writer: dict[tuple[str, str], list[WriterCall]] = {key: [] for key in times}
    for side in ("baseline", "measured"):
        side_set(side)
        for index in range(rounds, rounds + 3):
            captive = pools[side][index % POOL]
            for kind, write in (("custody", writes.custody), ("wish", writes.wish)):
                calls: list[WriterCall] = []
                with CaptureQueriesContext(connection) as captured, writer_watched(calls):
                    write(captive, index // POOL)
                statements = [q["sql"] for q in captured.captured_queries]
                queries[(side, kind)].append(sum(1 for q in statements if q not in BRACKETS))
                writer[(side, kind)].append(
                    WriterCall(
                        ms=sum(c.ms for c in calls),
                        queries=[q for c in calls for q in c.queries],
                    )
                )
    if not enabled:
        endpoints_enable(endpoints, True)
    return {
        "times": times,
        "told": told,
        "receiving": receiving,
        "queries": queries,
        "writer": writer,
        "same": (rows_written(world.baseline), rows_written(world.measured)),
    }


def writer_scaling(world: World, url: str) -> list[dict[str, Any]]:
    """The outbox's writer alone (webhooks.outbox.notifications_write), for one captive
    changed, with the endpoints of 0, 1, 3 and 9 partners receiving (six more tracing agencies
    the case is shared with): its time, median of 50 calls each rolled back, and its queries."""
    captive = world.changed[0]
    partners = [world.partners[code] for code in ("UKR", "PRK", "ICRC")]
    for n in range(6):
        partner = partner_create(
            acting_user=None,
            name=f"Tracing agency {n} (bench)",
            kind=PartnerKind.TRACING_AGENCY,
            scopes=["cases:read", "wishes:read", "webhooks:manage"],
            default_level=DisclosureLevel.FULL,
        )[0]
        case_share_grant(
            acting_user=None,
            partner=partner,
            captive=captive,
            level=DisclosureLevel.FULL,
            reason="Tracing (benchmark)",
        )
        partners.append(partner)
    endpoints = [
        webhook_subscribe(acting_user=None, partner=partner, url=url)[0] for partner in partners
    ]
    # Every partner's version of him moved after this moment: each endpoint is told.
    since = timezone.now() - timedelta(days=1)
    announced = [Announcement("cases.captive", captive.pk, False, since)]

    def call() -> int:
        with transaction.atomic():
            written = len(notifications_write(announced))
            transaction.set_rollback(True)
        return written

    measured = []
    for count in (0, 1, 3, 9):
        for n, endpoint in enumerate(endpoints):
            webhook_endpoint_change(acting_user=None, endpoint=endpoint, enabled=n < count)
        for _ in range(10):
            call()
        times = []
        for _ in range(50):
            started = time.perf_counter()
            written = call()
            times.append((time.perf_counter() - started) * 1000)
        with CaptureQueriesContext(connection) as captured:
            call()
        queries = sum(1 for q in captured.captured_queries if q["sql"] not in BRACKETS)
        measured.append(
            {
                "partners": count,
                "ms": statistics.median(times),
                "queries": queries,
                "written": written,
            }
        )
    endpoints_enable(endpoints, False)
    return measured


def sender_cost(endpoints: list[WebhookEndpoint]) -> dict[str, Any]:
    """The sender, in this process: the pending notifications of the first endpoint timed, of
    the second counted in queries (one delivery's queries kept to show)."""
    timed, counted = endpoints[0], endpoints[1]
    started = time.perf_counter()
    attempts = endpoint_deliver_due(timed)
    elapsed = time.perf_counter() - started
    with CaptureQueriesContext(connection) as captured:
        counted_attempts = endpoint_deliver_due(counted)
    one: list[str] = []
    for query in captured.captured_queries:
        one.append(query["sql"])
        if query["sql"] == "COMMIT":
            break
    return {
        "attempts": attempts,
        "ms": elapsed * 1000 / max(attempts, 1),
        "counted": counted_attempts,
        "queries": sum(1 for q in captured.captured_queries if q["sql"] not in BRACKETS)
        / max(counted_attempts, 1),
        "one": one,
    }


# --- 2 and 3. deliveries by real workers -------------------------------------------------------


def worker_env() -> dict[str, str]:
    return {
        **os.environ,
        **WEBHOOK_SETTINGS,
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
    }


@contextmanager
def workers(folder: Path) -> Iterator[float]:
    """Two `manage.py db_worker` with the production options, up (their log says so); yields
    the time (time.time()) both said so."""
    started: list[subprocess.Popen[bytes]] = []
    logs = [folder / f"worker-{n}.log" for n in range(WORKERS)]
    try:
        for n, log in enumerate(logs):
            with log.open("wb") as out:
                started.append(
                    subprocess.Popen(  # noqa: S603 - our own manage.py
                        [
                            *(sys.executable, "manage.py", "db_worker", "--no-reload"),
                            *("--worker-id", f"bench-{n}"),
                        ],
                        cwd=ROOT,
                        env=worker_env(),
                        stdout=out,
                        stderr=subprocess.STDOUT,
                    )
                )
        deadline = time.monotonic() + 60
        while not all("Starting worker" in log.read_text(errors="replace") for log in logs):
            for worker, log in zip(started, logs, strict=True):
                if worker.poll() is not None:
                    sys.exit(f"a worker stopped: {log.read_text(errors='replace')[-2000:]}")
            if time.monotonic() > deadline:
                sys.exit("the workers did not start within 60 s")
            time.sleep(0.1)
        up = time.time()
        time.sleep(1.2)  # their random start-up delay (< 1 s)
        yield up
    finally:
        for worker in started:
            if worker.poll() is None:
                worker.terminate()
        for worker in started:
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait(timeout=10)


def produce(count: int, captive_ids: list[int], tag: str) -> dict[str, float]:
    """The producer's process: `count` rank changes, one service each, round-robin."""
    caseworker = get_user_model().objects.get(username="bench-webhooks")
    caseworker.has_perm("cases.change_captive")
    captives = list(Captive.objects.filter(pk__in=captive_ids).order_by("pk"))
    first = 0.0
    started = time.perf_counter()
    for n in range(count):
        captive_update(
            acting_user=caseworker, captive=captives[n % len(captives)], rank=f"{tag} {n}"
        )
        if n == 0:
            first = time.time()  # its service has committed
    return {
        "first_commit": first,
        "last_commit": time.time(),
        "seconds": time.perf_counter() - started,
    }


def delivery_run(world: World, changes: int, *, failing: bool, tag: str) -> dict[str, Any]:
    statuses = (500, 204, 204) if failing else (204, 204, 204)
    with receiving(*statuses) as receivers, tempfile.TemporaryDirectory() as folder:
        subscribed = subscribe(world, [r.url for r in receivers])
        endpoints = [endpoint for endpoint, _secret in subscribed]
        good = [r for r, status in zip(receivers, statuses, strict=True) if status < 300]
        produced: dict[str, float] = {}

        def make_changes() -> None:
            done = subprocess.run(  # noqa: S603 - this script, as the producer
                [
                    *(sys.executable, str(Path(__file__).resolve()), "--produce", str(changes)),
                    *("--tag", tag, "--captives", ",".join(str(c.pk) for c in world.changed)),
                ],
                cwd=ROOT,
                env=worker_env(),
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode != 0:
                sys.exit(f"the producer failed: {done.stderr[-3000:]}")
            produced.update(json.loads(done.stdout.strip().splitlines()[-1]))

        if OPTIONS.changes_first:
            make_changes()
        with workers(Path(folder)) as workers_up:
            if not OPTIONS.changes_first:
                make_changes()
            deadline = time.monotonic() + DELIVERY_TIMEOUT
            while any(len(r.requests) < changes for r in good) and time.monotonic() < deadline:
                time.sleep(0.05)
            good_done = max((q.at for r in good for q in r.requests), default=0.0)
            failing_disabled = None
            if failing:
                # Its schedule: at once, then after 1, 2 and 4 s; then it is disabled.
                while time.monotonic() < deadline:
                    endpoint = WebhookEndpoint.objects.get(pk=endpoints[0].pk)
                    if endpoint.disabled_at is not None:
                        failing_disabled = endpoint.disabled_reason
                        break
                    time.sleep(0.2)
                time.sleep(1)  # nothing more should come
        attempts = (
            WebhookAttempt.objects.filter(delivery__endpoint=endpoints[0]).count() if failing else 0
        )
        checks = deliveries_check(subscribed, receivers, statuses)
        lags = [r.at - _payload_time(r.body) for receiver in good for r in receiver.requests]
        endpoints_enable(endpoints, False)  # the next run's endpoints are others
    span = good_done - produced["first_commit"]
    return {
        "produced": produced,
        "span": span,
        "after_last_commit": good_done - produced["last_commit"],
        "after_workers_up": good_done - max(workers_up, produced["first_commit"]),
        "delivered": sum(len(r.requests) for r in good),
        "lag_p50": percentile(lags, 0.5) if lags else float("nan"),
        "lag_p95": percentile(lags, 0.95) if lags else float("nan"),
        "failing_requests": len(receivers[0].requests) if failing else 0,
        "failing_attempts": attempts,
        "failing_disabled": failing_disabled,
        "failing_ids": len({r.headers.get("webhook-id") for r in receivers[0].requests})
        if failing
        else 0,
        "checks": checks,
        # Each endpoint's first and last request, in seconds from the first commit.
        "timeline": [
            (
                status,
                min((q.at for q in r.requests), default=float("nan")) - produced["first_commit"],
                max((q.at for q in r.requests), default=float("nan")) - produced["first_commit"],
            )
            for r, status in zip(receivers, statuses, strict=True)
        ],
        "workers_up": workers_up - produced["first_commit"],
    }


def _payload_time(body: bytes) -> float:
    return datetime.fromisoformat(json.loads(body)["timestamp"].replace("Z", "+00:00")).timestamp()


def deliveries_check(
    subscribed: list[tuple[WebhookEndpoint, str]],
    receivers: list[Receiver],
    statuses: tuple[int, ...],
) -> dict[str, Any]:
    """Each good endpoint's requests: verified with its secret, unique webhook-ids, and in the
    order of its notifications (their ids)."""
    verified = unique = ordered = True
    count = 0
    for (endpoint, secret), receiver, status in zip(subscribed, receivers, statuses, strict=True):
        if status >= 300:
            continue
        hook = Webhook(secret)
        for request in receiver.requests:
            try:
                hook.verify(request.body, request.headers)
            except Exception:  # any failure to verify is a failed check
                verified = False
        ids = [r.headers["webhook-id"] for r in receiver.requests]
        count += len(ids)
        unique &= len(set(ids)) == len(ids)
        expected = list(
            WebhookDelivery.objects.filter(endpoint=endpoint)
            .order_by("id")
            .values_list("message_id", flat=True)
        )
        ordered &= ids == expected
    return {"count": count, "verified": verified, "unique": unique, "ordered": ordered}


# --- the whole ---------------------------------------------------------------------------------


def summary(values: list[float]) -> tuple[float, float]:
    return statistics.median(values), percentile(values, 0.95)


def main() -> int:
    assert DATABASE is not None
    if connection.vendor != "postgresql":
        sys.exit("bench/webhooks.py measures PostgreSQL.")
    began = time.perf_counter()
    print(f"load average at the start (others share this machine): {_load()}")
    world = world_make()
    rows: list[Row] = []
    failed = False
    with receiving(204) as (receiver,):
        endpoints = [e for e, _ in subscribe(world, [receiver.url] * 3)]
        cost = write_cost(world, OPTIONS.rounds, endpoints)
        sender = sender_cost(endpoints)
        endpoints_enable(endpoints, False)
        scaling = writer_scaling(world, receiver.url)
    baseline_rows, measured_rows = cost["same"]
    same = baseline_rows == measured_rows
    print(f"\n1. The outbox's cost on a write ({OPTIONS.rounds} of each kind per side)")
    print(
        f"   receiving endpoints: baseline {sorted(cost['receiving']['baseline'])}, "
        f"measured {sorted(cost['receiving']['measured'])} (one of each of UKR, PRK, ICRC)"
    )
    print(f"   rows written: baseline {baseline_rows}")
    print(f"                 measured {measured_rows}")
    print(f"   same work: {'yes' if same else 'NO'}")
    failed |= not same
    for kind, label in (("custody", "custody event"), ("wish", "wish statement")):
        base_med, base_p95 = summary(cost["times"][("baseline", kind)])
        med, p95 = summary(cost["times"][("measured", kind)])
        told = dict(cost["told"][("measured", kind)])
        base_told = dict(cost["told"][("baseline", kind)])
        q_base = cost["queries"][("baseline", kind)]
        q = cost["queries"][("measured", kind)]
        w_base = cost["writer"][("baseline", kind)]
        w = cost["writer"][("measured", kind)]
        print(
            f"   {label}: {med:.1f} ms (p95 {p95:.1f}) with 3 endpoints, "
            f"{base_med:.1f} ms (p95 {base_p95:.1f}) without: {med / base_med:.2f}×"
            + ("" if same else " (NOT the same work)")
        )
        print(
            f"     notifications per write: {_counts(told)} (baseline {_counts(base_told)}); "
            f"queries {_one(q)} against {_one(q_base)}"
        )
        print(
            f"     the outbox writer: {_one([len(c.queries) for c in w])} queries, "
            f"{statistics.median(c.ms for c in w):.1f} ms ({_database_ms(w)} ms of it in the "
            f"database), against {_one([len(c.queries) for c in w_base])} queries, "
            f"{statistics.median(c.ms for c in w_base):.1f} ms"
        )
        rows.append(
            Row(
                f"{label} with 3 endpoints, median",
                med,
                baseline=base_med if same else None,
                note=f"p95 {p95:.1f} against {base_p95:.1f} ms; {_one(q)} queries against "
                f"{_one(q_base)}; {_counts(told)} notifications; same work: "
                + ("yes" if same else "NO"),
            )
        )
    print("   the outbox writer's queries for a custody event, 3 endpoints (ms, SQL):")
    for statement, ms in cost["writer"][("measured", "custody")][-1].queries:
        print(f"     {ms:5.2f}  {statement[:130]}")
    print("   the outbox's writer alone, one captive changed, by partners receiving:")
    for step in scaling:
        print(
            f"     {step['partners']} partners: {step['ms']:.1f} ms, {step['queries']} queries, "
            f"{step['written']} notifications"
        )
    rows.append(
        Row(
            "outbox writer alone, 9 partners receiving",
            scaling[-1]["ms"],
            baseline=scaling[0]["ms"],
            note=", ".join(
                f"{s['partners']}: {s['ms']:.1f} ms/{s['queries']} queries" for s in scaling
            ),
        )
    )
    print(
        f"\n   the sender in process: {sender['ms']:.1f} ms per delivery "
        f"({sender['attempts']} delivered), {sender['queries']:.1f} queries per delivery "
        f"({sender['counted']} counted); one delivery's:"
    )
    for statement in sender["one"]:
        print(f"     {statement[:150]}")
    rows.append(
        Row(
            "sender, one delivery in process",
            sender["ms"],
            note=f"{sender['queries']:.1f} queries per delivery",
        )
    )

    print(
        f"\n2. {OPTIONS.changes:,} changes to 3 endpoints by {WORKERS} workers "
        + (
            "(changes made before the workers start: a backlog"
            if OPTIONS.changes_first
            else "(changes made while the workers run"
        )
        + f"; a sender hands over after {SENDER_SECONDS:.0f} s)"
    )
    good = delivery_run(world, OPTIONS.changes, failing=False, tag="r2")
    _run_print(good, 3 * OPTIONS.changes)
    print(
        f"\n3. The same, one endpoint answering 500 "
        f"(WEBHOOK_RETRY_SCHEDULE={WEBHOOK_SETTINGS['WEBHOOK_RETRY_SCHEDULE']})"
    )
    bad = delivery_run(world, OPTIONS.changes, failing=True, tag="r3")
    _run_print(bad, 2 * OPTIONS.changes)
    factor, extra = HELD_BACK_TOLERANCE
    held_back = bad["span"] > good["span"] * factor + extra
    print(
        f"   the two good endpoints: all {2 * OPTIONS.changes:,} in {bad['span']:.1f} s, against "
        f"{good['span']:.1f} s in run 2 for all 3: "
        + ("HELD BACK" if held_back else "not held back")
        + f" (≤ {factor}× + {extra:.0f} s)"
    )
    print(
        f"   the failing endpoint: {bad['failing_attempts']} attempts recorded, "
        f"{bad['failing_requests']} requests received ({bad['failing_ids']} webhook-id); "
        f"then disabled: {bad['failing_disabled'] or 'not yet'}"
    )
    for name, run, expected in (
        ("run 2", good, 3 * OPTIONS.changes),
        ("run 3", bad, 2 * OPTIONS.changes),
    ):
        ok = run["checks"]["count"] == expected and all(
            run["checks"][k] for k in ("verified", "unique", "ordered")
        )
        failed |= not ok
        rows.append(
            Row(
                f"{name}: first commit → last delivery ({run['checks']['count']:,} deliveries)",
                run["span"],
                unit="s",
                baseline=good["span"] if run is bad else None,
                goal=f"{expected:,} verified, unique, in order"
                + (", not held back" if run is bad else ""),
                passed=ok and not (run is bad and held_back),
                note=f"{run['checks']['count'] / run['span']:.0f} deliveries/s; changes made in "
                f"{run['produced']['seconds']:.1f} s; lag p50 {run['lag_p50'] * 1000:.0f} ms, "
                f"p95 {run['lag_p95'] * 1000:.0f} ms"
                + (f"; failing endpoint: {run['failing_attempts']} attempts" if run is bad else ""),
            )
        )
    failed |= held_back
    print(
        f"\nwhole run: {time.perf_counter() - began:.0f} s (after the database was made); "
        f"load average at the end: {_load()}"
    )
    report(rows, "Webhooks (PostgreSQL)")
    return 1 if failed else 0


def _load() -> str:
    return " ".join(f"{n:.2f}" for n in os.getloadavg())


def _database_ms(calls: list[WriterCall]) -> str:
    return f"{statistics.median(c.database_ms for c in calls):.1f}"


def _counts(counter: dict[int, int]) -> str:
    return ", ".join(f"{n} ×{times}" for n, times in sorted(counter.items())) or "—"


def _one(values: list[int]) -> str:
    return str(values[0]) if len(set(values)) == 1 else "/".join(map(str, values))


def _run_print(run: dict[str, Any], expected: int) -> None:
    checks = run["checks"]
    print(
        f"   {run['produced']['seconds']:.1f} s to make the changes; first commit → last delivery "
        f"{run['span']:.1f} s ({checks['count'] / run['span']:.0f} deliveries/s), the last "
        f"{run['after_last_commit']:.1f} s after the last commit; lag p50 "
        f"{run['lag_p50'] * 1000:.0f} ms, p95 {run['lag_p95'] * 1000:.0f} ms"
    )
    if OPTIONS.changes_first:
        print(
            f"   from the workers up to the last delivery: {run['after_workers_up']:.1f} s "
            f"({checks['count'] / run['after_workers_up']:.0f} deliveries/s)"
        )
    print(
        f"   each endpoint's first and last request, from the first commit (workers up at "
        f"{run['workers_up']:+.1f} s): "
        + "; ".join(
            f"{ENDPOINT_NAMES[n]} ({status}) {first:.1f}–{last:.1f} s"
            for n, (status, first, last) in enumerate(run["timeline"])
        )
    )
    print(
        f"   received {checks['count']:,} of {expected:,} (good endpoints); verified "
        f"(standardwebhooks): {_yes(checks['verified'])}; webhook-ids unique per endpoint: "
        f"{_yes(checks['unique'])}; in order per endpoint: {_yes(checks['ordered'])}"
    )


def _yes(value: bool) -> str:
    return "yes" if value else "NO"


if __name__ == "__main__":
    if PRODUCING:
        ids = [int(pk) for pk in OPTIONS.captives.split(",") if pk]
        print(json.dumps(produce(OPTIONS.produce, ids, OPTIONS.tag)))
        sys.exit(0)
    # Stopped from outside, it still stops its workers and drops its database.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    status = 1
    try:
        status = main()
    finally:
        connections.close_all()
        if DATABASE is not None and not OPTIONS.keep:
            database_drop(DATABASE[1], DATABASE[0])
    sys.exit(status)
