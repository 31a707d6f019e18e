"""Benchmark of casework at scale: registering 1,000 captives, executing an exchange of 1,000.

Against the database named by DATABASE_URL (one of your own: it adds fictional records):
1. registers 1,000 fictional captives one after the other through cases.services.captive_register,
   as a caseworker, each with a name in Hangul and a romanization — timed, with the queries a
   captive costs;
2. clears those 1,000 for a return to the state they depend on (a free wish, assessed by a
   supervisor; written in bulk, not timed), offers them in a proposal that is proposed and
   agreed through the services, then executes it through
   diplomacy.services.exchange_proposal_execute as a supervisor — timed, with the time the
   transaction held its locks: from its first row lock (PostgreSQL: the first SELECT … FOR
   UPDATE; SQLite, which locks the whole database: its first write) to its commit.
Each figure is printed against the issue's target (registration < 10 s; execution < 5 s, locks
held < 5 s) with PASS or FAIL. Every run adds another 1,000 captives.

Usage (PostgreSQL):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pt_yours python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pt_yours python bench/casework.py
SQLite:
    DATABASE_URL=sqlite:////tmp/bench.sqlite3 python manage.py migrate
    DATABASE_URL=sqlite:////tmp/bench.sqlite3 python bench/casework.py [--size N]
Not a test: the numbers depend on the machine. Exit status 1 if a target is missed.
"""

import os
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "powtracker.settings")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.common import Row, report  # noqa: E402
from cases.choices import (  # noqa: E402
    CustodyEventKind,
    NameSystem,
    Script,
    Voluntariness,
    Wish,
    WishMode,
)
from cases.models import Captive, WishStatement  # noqa: E402
from cases.services import captive_register  # noqa: E402
from diplomacy.choices import ProposalStatus  # noqa: E402
from diplomacy.models import OfferedCaptive  # noqa: E402
from diplomacy.services import (  # noqa: E402
    exchange_proposal_create,
    exchange_proposal_execute,
    exchange_proposal_transition,
)
from powtracker.history import history_bulk_create, history_bulk_update  # noqa: E402
from powtracker.roles import ROLE_CASEWORKER, ROLE_SUPERVISOR  # noqa: E402
from states.models import State  # noqa: E402

SIZE = 1000
TARGETS = {"register": 10.0, "execute": 5.0, "locks": 5.0}
FAMILY = ["Pak", "Ri", "Kim", "Choe", "Jong", "Kang", "Han", "Ryu", "Hong", "Yun"]
FAMILY_HANGUL = ["박", "리", "김", "최", "정", "강", "한", "류", "홍", "윤"]
GIVEN = ["Song-il", "Kwang-myong", "Chol", "Myong-chol", "Hyok", "Ju-song", "Un-chol"]
GIVEN_HANGUL = ["성일", "광명", "철", "명철", "혁", "주성", "은철"]


def user(username: str, role: str) -> object:
    person, created = get_user_model().objects.get_or_create(
        username=username, defaults={"is_staff": True}
    )
    if created:
        person.set_unusable_password()
        person.save()
        person.groups.add(Group.objects.get(name=role))
    return person


class QueryClock:
    """Counts the queries run, and notes when the first row lock was taken."""

    def __init__(self) -> None:
        self.count = 0
        self.first_lock: float | None = None

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        if self.first_lock is None:
            locking = (
                "FOR UPDATE" in sql
                if connection.vendor == "postgresql"
                else sql.lstrip().upper().startswith(("INSERT", "UPDATE"))
            )
            if locking:
                self.first_lock = time.perf_counter()
        return execute(sql, params, many, context)


def register(size: int, caseworker: object, ukr: State, prk: State) -> tuple[list[int], float, int]:
    clock = QueryClock()
    ids = []
    started = time.perf_counter()
    with connection.execute_wrapper(clock):
        for n in range(size):
            family, given = n % len(FAMILY), n % len(GIVEN)
            captive = captive_register(
                acting_user=caseworker,
                detaining_power=ukr,
                nationality=prk,
                power_depended_on=prk,
                allied_power=None,
                family_name=FAMILY[family],
                given_names=GIVEN[given],
                original_script=Script.HANGUL,
                name_original=f"{FAMILY_HANGUL[family]}{GIVEN_HANGUL[given]}",
                rank="Private" if n % 3 else "Junior sergeant",
                service_number=f"KPA-B{n:07d}",
                captured_on=date(2025, 1, 5) + timedelta(days=n % 30),
                capture_place="Kursk oblast",
                fictional=True,
                names=[
                    (NameSystem.REVISED_ROMANIZATION, f"{FAMILY[family]} {GIVEN[given]}"),
                ],
            )
            ids.append(captive.pk)
    return ids, time.perf_counter() - started, clock.count


def clear_for_return(ids: list[int], supervisor: object) -> None:
    """A free wish to return for each, assessed: the rows wish_statement_record writes, in bulk
    (this is preparation, not what is measured)."""
    captives = list(Captive.objects.filter(pk__in=ids).order_by("pk"))
    when = timezone.make_aware(datetime(2025, 2, 10, 10))
    statements = history_bulk_create(
        [
            WishStatement(
                captive=captive,
                wish=Wish.RETURN,
                stated_at=when,
                mode=WishMode.PRIVATE_INTERVIEW,
                voluntariness=Voluntariness.FREE,
                assessed_by=supervisor,
                assessed_at=timezone.now(),
                recorded_by=supervisor,
                statement="Fictional benchmark record.",
            )
            for captive in captives
        ],
        acting_user=supervisor,
        reason="Recorded",
    )
    for captive, statement in zip(captives, statements, strict=True):
        captive.latest_wish_statement = statement
        captive.effective_wish_statement = statement
        captive.effective_wish = Wish.RETURN
        captive.effective_wish_destination = None
        captive.updated_at = timezone.now()
    history_bulk_update(
        captives,
        fields=[
            "latest_wish_statement",
            "effective_wish_statement",
            "effective_wish",
            "effective_wish_destination",
            "updated_at",
        ],
        acting_user=supervisor,
        reason="Wish statement recorded",
    )


def agreed_proposal(ids: list[int], supervisor: object, ukr: State, prk: State) -> object:
    proposal = exchange_proposal_create(
        acting_user=supervisor,
        title=f"Benchmark exchange of {len(ids)} (fictional)",
        proposing_state=ukr,
        counterpart_state=prk,
    )
    history_bulk_create(
        [OfferedCaptive(proposal=proposal, captive_id=pk) for pk in ids],
        acting_user=supervisor,
        reason="Offered",
    )
    for step in (ProposalStatus.PROPOSED, ProposalStatus.AGREED):
        proposal = exchange_proposal_transition(
            acting_user=supervisor, proposal=proposal, to_status=step
        )
    return proposal


def execute(proposal: object, supervisor: object) -> tuple[float, float, int]:
    clock = QueryClock()
    committed: list[float] = []
    started = time.perf_counter()
    with connection.execute_wrapper(clock), transaction.atomic():
        transaction.on_commit(lambda: committed.append(time.perf_counter()))
        exchange_proposal_execute(acting_user=supervisor, proposal=proposal)
    elapsed = time.perf_counter() - started
    locks = committed[0] - clock.first_lock if clock.first_lock and committed else float("nan")
    return elapsed, locks, clock.count


def main() -> None:
    size = int(sys.argv[sys.argv.index("--size") + 1]) if "--size" in sys.argv else SIZE
    ukr, _ = State.objects.get_or_create(code="UKR", defaults={"name": "Ukraine", "language": "uk"})
    prk, _ = State.objects.get_or_create(
        code="PRK", defaults={"name": "Democratic People's Republic of Korea", "language": "ko"}
    )
    caseworker = user("bench-casework", ROLE_CASEWORKER)
    supervisor = user("bench-casework-supervisor", ROLE_SUPERVISOR)
    # Read once per user and cached, as in a signed-in session.
    caseworker.has_perm("cases.add_captive")
    supervisor.has_perm("diplomacy.execute_exchangeproposal")

    ids, register_s, register_queries = register(size, caseworker, ukr, prk)
    clear_for_return(ids, supervisor)
    proposal = agreed_proposal(ids, supervisor, ukr, prk)
    execute_s, locks_s, execute_queries = execute(proposal, supervisor)
    handed = Captive.objects.filter(pk__in=ids, custody_status=CustodyEventKind.EXCHANGED).count()
    if handed != size:
        raise SystemExit(f"only {handed} of {size} captives were exchanged")

    print(f"database: {connection.vendor}; {size} captives")
    rows = [
        (
            f"register {size} (captive_register, {register_queries / size:.0f} queries each)",
            register_s,
            TARGETS["register"] * size / SIZE,
        ),
        (
            f"execute an exchange of {size} ({execute_queries} queries)",
            execute_s,
            TARGETS["execute"],
        ),
        ("  locks held by its transaction", locks_s, TARGETS["locks"]),
    ]
    print(f"{'step':<58} {'time':>9} {'target':>9}  result")
    failed = False
    for name, seconds, target in rows:
        ok = seconds < target
        failed |= not ok
        print(f"{name:<58} {seconds:>7.3f} s {target:>7.1f} s  {'PASS' if ok else 'FAIL'}")
    report(
        [
            Row(name.strip(), seconds, unit="s", goal=f"< {target:g} s", passed=seconds < target)
            for name, seconds, target in rows
        ],
        "Casework",
    )
    raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    main()
