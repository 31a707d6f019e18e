"""Benchmark of the GC III documents: an exchange roster of 1,000 captives and one capture card.

Fills the database named by DATABASE_URL, unless it already holds them, with a proposal
"Benchmark roster (fictional)" (UKR hands over to PRK) offering 1,000 synthetic captives
(bulk insert, marked fictional; Hangul and Latin names, one in fifty seriously wounded), then
prints through reports.services.document_generate, as the admin does:
- the roster of that proposal (kind exchange_roster), median of 5;
- the capture card of one of its captives (kind capture_card), median of 20;
and prints each median against the issue's target (roster < 5 s, capture card < 0.5 s).

Every print is recorded as a GeneratedDocument, as in life, so use a database of your own.

Usage (PostgreSQL):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pt_yours python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pt_yours python bench/documents.py
SQLite:
    DATABASE_URL=sqlite:////tmp/bench.sqlite3 python manage.py migrate
    DATABASE_URL=sqlite:////tmp/bench.sqlite3 python bench/documents.py [--out /tmp/roster.pdf]
`--out FILE` also writes the last roster printed, to look at (pdftoppm -r 70 -png FILE x).
Not a test: the numbers depend on the machine. Exit status 1 if a target is missed.
"""

import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "powtracker.settings")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection  # noqa: E402

from bench.common import Row, report  # noqa: E402
from cases.choices import Health, Script  # noqa: E402
from cases.models import Captive  # noqa: E402
from diplomacy.models import ExchangeProposal, OfferedCaptive  # noqa: E402
from powtracker.roles import ROLE_CASEWORKER  # noqa: E402
from reports.choices import DocumentKind  # noqa: E402
from reports.services import document_generate  # noqa: E402
from states.models import State  # noqa: E402

TITLE = "Benchmark roster (fictional)"
SIZE = 1000
TARGETS = {"roster": 5.0, "card": 0.5}
FAMILY = ["Pak", "Ri", "Kim", "Choe", "Jong", "Kang", "Han", "Ryu", "Hong", "Yun"]
FAMILY_HANGUL = ["박", "리", "김", "최", "정", "강", "한", "류", "홍", "윤"]
GIVEN = ["Song-il", "Kwang-myong", "Chol", "Myong-chol", "Hyok", "Ju-song", "Un-chol"]
GIVEN_HANGUL = ["성일", "광명", "철", "명철", "혁", "주성", "은철"]


def fill() -> ExchangeProposal:
    ukr, _ = State.objects.get_or_create(code="UKR", defaults={"name": "Ukraine", "language": "uk"})
    prk, _ = State.objects.get_or_create(
        code="PRK", defaults={"name": "Democratic People's Republic of Korea", "language": "ko"}
    )
    proposal = ExchangeProposal.objects.filter(title=TITLE).first()
    if proposal is None:
        proposal = ExchangeProposal.objects.create(
            title=TITLE, proposing_state=ukr, counterpart_state=prk, proposed_on=date(2025, 3, 1)
        )
    have = proposal.offered_captives.count()
    if have >= SIZE:
        return proposal
    captives = Captive.objects.bulk_create(
        [
            Captive(
                case_number=f"BENCH-R-{proposal.pk:03d}-{n:05d}",
                fictional=True,
                family_name=FAMILY[n % len(FAMILY)],
                given_names=GIVEN[n % len(GIVEN)],
                original_script=Script.HANGUL,
                name_original=f"{FAMILY_HANGUL[n % 10]}{GIVEN_HANGUL[n % len(GIVEN)]}",
                rank="Private" if n % 3 else "Junior sergeant",
                service_number=f"KPA-{n:07d}",
                health=Health.SERIOUSLY_WOUNDED if n % 50 == 0 else Health.WOUNDED,
                nationality=prk,
                power_depended_on=prk,
                detaining_power=ukr,
                captured_on=date(2025, 1, 5),
            )
            for n in range(have, SIZE)
        ],
        batch_size=500,
    )
    if captives and captives[0].pk is None:  # back ends that do not return keys
        captives = list(
            Captive.objects.filter(case_number__startswith=f"BENCH-R-{proposal.pk:03d}-")
        )
    OfferedCaptive.objects.bulk_create(
        [OfferedCaptive(proposal=proposal, captive=captive) for captive in captives],
        batch_size=500,
    )
    return proposal


def caseworker() -> object:
    user, created = get_user_model().objects.get_or_create(
        username="bench-documents", defaults={"is_staff": True}
    )
    if created:
        user.set_unusable_password()
        user.save()
        user.groups.add(Group.objects.get(name=ROLE_CASEWORKER))
    return user


def median_seconds(runs: int, print_once: object) -> tuple[float, bytes]:
    times = []
    content = b""
    for _ in range(runs):
        started = time.perf_counter()
        content = print_once()
        times.append(time.perf_counter() - started)
    return statistics.median(times), content


def main() -> None:
    out = sys.argv[sys.argv.index("--out") + 1] if "--out" in sys.argv else None
    proposal = fill()
    user = caseworker()
    captive = proposal.offered_captives.order_by("id").first().captive
    listed = proposal.offered_captives.count()

    def roster() -> bytes:
        return document_generate(
            acting_user=user, kind=DocumentKind.EXCHANGE_ROSTER, proposal=proposal
        )[1]

    def card() -> bytes:
        return document_generate(
            acting_user=user, kind=DocumentKind.CAPTURE_CARD, captives=[captive]
        )[1]

    card()  # the first print of a kind loads its fonts: not what a user waits for each time
    roster_s, roster_pdf = median_seconds(5, roster)
    card_s, _card_pdf = median_seconds(20, card)
    if out:
        Path(out).write_bytes(roster_pdf)
    rows = [
        (f"exchange roster, {listed} captives (median of 5)", roster_s, TARGETS["roster"]),
        ("capture card, 1 captive (median of 20)", card_s, TARGETS["card"]),
    ]
    print(f"database: {connection.vendor}; roster PDF {len(roster_pdf) / 1e6:.2f} MB")
    print(f"{'document':<48} {'median':>9} {'target':>9}  result")
    failed = False
    for name, seconds, target in rows:
        ok = seconds < target
        failed |= not ok
        print(f"{name:<48} {seconds:>7.3f} s {target:>7.1f} s  {'PASS' if ok else 'FAIL'}")
    report(
        [
            Row(name, seconds, unit="s", goal=f"< {target:g} s", passed=seconds < target)
            for name, seconds, target in rows
        ],
        "Documents",
    )
    raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    main()
